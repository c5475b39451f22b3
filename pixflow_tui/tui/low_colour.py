"""Readable in 256 and 16 colours: text never drawn in its own background colour.

The theme is made of truecolor shades; a terminal with fewer colours gets the nearest colour it has for each, and
close shades land on the same one: placeholders on their field, rows and borders behind a dialog's dimmed
backdrop, disappeared into blank bars. This filter runs on every line Textual draws (App.get_line_filters) when
the terminal has 256 colours or fewer, and moves a text colour that would land on its background's colour toward
white (on dark) or black (on light) until it lands on another one.
"""
from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

SYSTEMS = {"standard": ColorSystem.STANDARD, "256": ColorSystem.EIGHT_BIT, "windows": ColorSystem.WINDOWS}
PIXELS = frozenset(" ▀▄█░▒▓")  # what halfcell and unicode pictures are drawn with: colours there are pixels
_STEPS = (0.2, 0.35, 0.5, 0.65, 0.8, 1.0)
_WHITE, _BLACK = Color(255, 255, 255), Color(0, 0, 0)


def shown_as(colour: RichColor, system: ColorSystem) -> object:
    """What the terminal shows for `colour` with `system`: a palette number, or the colour itself (truecolor)."""
    shown = colour.downgrade(system)
    return shown.number if shown.number is not None else shown.triplet


@lru_cache(maxsize=4096)
def visible_style(style: Style, system: ColorSystem) -> Style:
    """`style`, with its text colour moved when the terminal would show it as the background's colour."""
    if style.color is None or style.bgcolor is None:
        return style
    background = shown_as(style.bgcolor, system)
    if shown_as(style.color, system) != background:
        return style
    base, behind = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
    toward = _WHITE if behind.brightness < 0.5 else _BLACK
    for step in _STEPS:
        moved = base.blend(toward, step).rich_color
        if shown_as(moved, system) != background:
            return style + Style(color=moved)
    return style


class KeepTextVisible(LineFilter):
    """The filter above, for a terminal showing `system`'s colours."""

    def __init__(self, system: ColorSystem) -> None:
        super().__init__()
        self.system = system

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        system = self.system
        kept: list[Segment] = []
        for segment in segments:
            text, style, control = segment
            if style is not None and not control and not PIXELS.issuperset(text):
                fixed = visible_style(style, system)
                if fixed is not style:
                    segment = Segment(text, fixed, control)
            kept.append(segment)
        return kept
