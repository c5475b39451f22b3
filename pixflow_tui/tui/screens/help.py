"""`?`: the keys that apply right now — the focused widget's first, then the screen's, then the app's."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


HelpLine = tuple[str, str, str]  # keys, description, binding id ("" when it has none)
HelpGroup = tuple[str, list[HelpLine]]


def _title(node: DOMNode, screen: Screen[object]) -> str:
    if node is screen.app:
        return "Everywhere"
    if node is screen:
        return "This screen"
    name = type(node).__name__
    return f"Focused: {name}" if node is screen.focused else name


def binding_groups(screen: Screen[object]) -> list[HelpGroup]:
    """The active bindings of `screen` (which depend on its focused widget), grouped by where they are bound.

    Keys bound to the same action (e.g. `down` and the vim alias `j`) share one line."""
    app = screen.app
    grouped: dict[DOMNode, dict[tuple[str, str], list[tuple[str, str]]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        description = binding.description or binding.tooltip
        if binding.system or not description:
            continue
        lines = grouped.setdefault(active.node, {})
        lines.setdefault((binding.action, description), []).append((app.get_key_display(binding), binding.id or ""))
    groups: list[HelpGroup] = []
    for node, lines in grouped.items():
        rows: list[HelpLine] = []
        for (_, description), pairs in lines.items():
            pairs.sort(key=lambda pair: len(pair[0]))  # plain keys before modified ones: "q ^q"
            ids = list(dict.fromkeys(ident for _, ident in pairs if ident))
            rows.append((" ".join(key for key, _ in pairs), description, ", ".join(ids)))
        groups.append((_title(node, screen), rows))
    return groups


@dataclass(frozen=True)
class PaletteAction:
    """A key of the screen (or its focused widget) offered in the command palette too."""

    description: str
    keys: str
    node: DOMNode
    action: str


def screen_actions(screen: Screen[object]) -> list[PaletteAction]:
    """The screen's and its focused widget's actions that can run now (app-wide keys have their own commands)."""
    app = screen.app
    found: dict[tuple[int, str], PaletteAction] = {}
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        description = binding.description or binding.tooltip
        if binding.system or not description or node is app or not active.enabled:
            continue
        key = (id(node), binding.action)
        keys = app.get_key_display(binding)
        if key in found:
            keys = f"{found[key].keys} {keys}"
        found[key] = PaletteAction(description, keys, node, binding.action)
    return list(found.values())


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close help", id="help-close"),
        Binding("down,j", "scroll('down')", "Scroll down", show=False, id="help-down"),
        Binding("up,k", "scroll('up')", "Scroll up", show=False, id="help-up"),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False, id="help-page-down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="help-page-up"),
        Binding("home,g", "scroll('home')", "Top", show=False, id="help-top"),
        Binding("end,G", "scroll('end')", "Bottom", show=False, id="help-bottom"),
    ]

    def __init__(self, groups: list[HelpGroup]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static("Keys", id="help-title")
            with VerticalScroll(id="help-body"):
                every = [line for _, lines in self.groups for line in lines]
                key_width = max((len(keys) for keys, _, _ in every), default=0)
                text_width = max((len(description) for _, description, _ in every), default=0)
                for title, lines in self.groups:
                    yield Static(title, classes="help-group", markup=False)
                    text = Text(no_wrap=True, overflow="ellipsis")
                    for keys, description, ident in lines:
                        text.append(f" {keys.ljust(key_width)}  ", style="bold")
                        text.append(description.ljust(text_width))
                        text.append(f"  {ident}\n" if ident else "\n", style="dim")
                    text.rstrip()
                    yield Static(text, classes="help-lines")
            yield Static(
                "escape closes\nremap a key in config.toml: [keymap] <id> = \"<key>\"", id="help-hint", markup=False
            )

    def on_mount(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        self.watch(body, "scroll_y", lambda _: self._show_more(), init=False)
        self.call_after_refresh(self._show_more)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        getattr(body, f"scroll_{where}")(animate=False)

    def _show_more(self) -> None:
        """The hint says when there is more below or above, and which keys scroll."""
        body = self.query_one("#help-body", VerticalScroll)
        more = body.max_scroll_y > 0
        place = "" if not more else ("more below: " if body.scroll_y < body.max_scroll_y else "top above: ")
        self.query_one("#help-hint", Static).update(
            f"{place}{'↑↓ PgUp PgDn scroll · ' if more else ''}escape closes\n"
            "remap a key in config.toml: [keymap] <id> = \"<key>\"")
