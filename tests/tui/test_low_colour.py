"""Every screen stays readable in 256 and 16 colours: no text drawn in its own background colour.

A terminal with 16 (or 256) colours shows each truecolor the app uses as the nearest colour it has (rich's
downgrade, what Textual's output does); text whose colour and background land on the same one disappears. The
screens are rendered with halfcell pictures, each module empty and with a dialog open over it.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.segment import Segment
from textual.app import App

from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.low_colour import PIXELS, shown_as
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.widgets.header import MODULES
from tui_helpers import settle

# the terminal the app is started in (its console reads TERM and COLORTERM), and the colours it shows
TERMINALS = {"16": ({"TERM": "xterm"}, ColorSystem.STANDARD),
             "256": ({"TERM": "xterm-256color"}, ColorSystem.EIGHT_BIT),
             "truecolor": ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, ColorSystem.TRUECOLOR)}


def vanished_text(app: App[object], system: ColorSystem) -> list[str]:
    """Each run of text whose colour and background are the same colour in `system`: 'row N: "text"'."""
    lost: list[str] = []
    # a full update with the screens below a dialog (what the terminal is sent), not the top screen alone
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for y, line in enumerate(update.strips):
        segment: Segment
        for segment in (segment for strip in line for segment in strip):
            text, style = segment.text, segment.style
            if segment.control or PIXELS.issuperset(text) or style is None or style.color is None \
                    or style.bgcolor is None:
                continue  # blank, a picture's half blocks, or the terminal's own colours
            if shown_as(style.color, system) == shown_as(style.bgcolor, system):
                lost.append(f"row {y}: {text.strip()!r} ({style.color.name} on {style.bgcolor.name})")
    return lost


@pytest.mark.parametrize("colours", TERMINALS)
@pytest.mark.parametrize("number", range(1, 7), ids=[mode for mode, _, _ in MODULES])
async def test_no_label_disappears(settings, monkeypatch: pytest.MonkeyPatch, number: int, colours: str) -> None:
    from tests.tui.library.lib_helpers import seed

    seed(settings, images=4, liked=(0, 1))  # rows, a highlighted row, pictures, placeholders
    environment, system = TERMINALS[colours]
    monkeypatch.delenv("COLORTERM", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = PixflowApp(replace(settings, avatars_dir=Path("/srv/avatars")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(str(number))
        await settle(pilot)
        if number == 6:
            await pilot.press("right_square_bracket", "right_square_bracket")  # the Liked grid
            await settle(pilot)
        lost = vanished_text(app, system)
        app.push_screen(ConfirmDialog("Run 4 images for $0.40?", title="Run?"))
        await settle(pilot)
        lost += [f"behind a dialog, {where}" for where in vanished_text(app, system)]
        assert not lost, "\n".join(lost)
