"""The footer: the keys of the focused widget and its screen, on one line.

Textual's Footer is a container with a widget per key, rebuilt and restyled on every focus change and on the
first visit to each screen (~80 ms a rebuild here, most of a mode switch). This draws the same hints as one line
of text, redrawn only when the hints change; a click on a hint presses its key.
"""
from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class Hint(NamedTuple):
    key: str
    shown: str
    description: str
    enabled: bool
    action: str = ""


KEPT_ACTIONS = frozenset({"help"})  # shown however narrow the terminal: it lists every key


def _width(hint: Hint) -> int:
    return cell_len(f" {hint.shown} {hint.description} " if hint.description else f" {hint.shown} ")


def fitting(hints: tuple[Hint, ...], width: int) -> list[Hint]:
    """The hints that fit in `width` cells: the last ones give way first (the focused widget's keys come first),
    except help, which stays."""
    shown = list(hints)
    while shown and sum(_width(h) for h in shown) > width:
        dropped = next((i for i in range(len(shown) - 1, -1, -1) if shown[i].action not in KEPT_ACTIONS), None)
        if dropped is None:
            break
        del shown[dropped]
    return shown


class KeyHints(Widget, can_focus=False):
    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom; height: 1; text-wrap: nowrap;
        color: $footer-foreground; background: $footer-background;
    }
    KeyHints > .key-hints--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
    KeyHints > .key-hints--description {
        color: $footer-description-foreground; background: $footer-description-background;
    }
    KeyHints > .key-hints--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key", "key-hints--description", "key-hints--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hints: tuple[Hint, ...] = ()
        self.palette: Hint | None = None
        self._spans: list[tuple[int, int, Hint]] = []  # the cells each drawn hint covers, for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        hints, palette = self._collect(screen)
        if (hints, palette) != (self.hints, self.palette):
            self.hints, self.palette = hints, palette
            self.refresh()

    def _collect(self, screen: Screen[Any]) -> tuple[tuple[Hint, ...], Hint | None]:
        app = self.app
        active = screen.active_bindings
        hints: list[Hint] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                hints.append(Hint(binding.key, app.get_key_display(binding), binding.description, enabled,
                                  binding.action))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = Hint(binding.key, app.get_key_display(binding), binding.description, enabled, binding.action)
        return tuple(hints), palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-hints--key")
        description_style = self.get_component_rich_style("key-hints--description")
        dim = self.get_component_rich_style("key-hints--disabled")
        text = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []

        def add(hint: Hint) -> None:
            start = text.cell_len
            extra = dim if not hint.enabled else None
            text.append(f" {hint.shown} ", key_style + extra if extra else key_style)
            if hint.description:
                text.append(f"{hint.description} ", description_style + extra if extra else description_style)
            self._spans.append((start, text.cell_len, hint))

        # the module's keys first (the last one's trailing space may be cut); the palette where room is left
        for hint in fitting(self.hints, self.size.width + 1):
            add(hint)
        if self.palette is not None:
            gap = self.size.width - text.cell_len - _width(self.palette)
            if gap >= 1:
                text.append(" " * gap)
                add(self.palette)
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, hint in self._spans:
            if start <= event.x < end:
                if hint.enabled:
                    self.app.simulate_key(hint.key)
                else:
                    self.app.bell()
                return
