"""The 9-section structured prompt: readable, collapsible, with the raw JSON one key away."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Collapsible, Static

from pixflow_tui.core.catalog import PROMPT_SECTIONS as SECTIONS
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text

if TYPE_CHECKING:  # pydantic and pygments load with the first prompt shown, not with the (empty) first screen
    from pixflow_tui.core.prompt_schema import PromptOutput


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if str(v).strip())
    return " ".join(str(value).split())


def section_lines(value: Any, indent: int = 0) -> Text:
    """A section as `key: value` lines; nested objects are indented under their key, empty values left out."""
    text = Text()
    if not isinstance(value, dict):
        return Text(_value(value))
    for key, item in value.items():
        if isinstance(item, dict):
            nested = section_lines(item, indent + 2)
            if nested.plain:
                text.append(" " * indent + f"{_label(key)}:\n", style="bold")
                text.append_text(nested)
                text.append("\n")
            continue
        shown = _value(item)
        if shown:
            text.append(" " * indent + f"{_label(key)}: ", style="bold")
            text.append(shown + "\n")
    text.rstrip()
    return text


class PromptView(VerticalScroll, can_focus=True):
    """`J` toggles the raw JSON, `y` copies it (OSC 52, so it works over SSH). The sections are built when the
    first prompt is shown: an empty view (the first screen's) is one line."""

    DEFAULT_CSS = """
    PromptView { height: 1fr; }
    PromptView Collapsible { padding-bottom: 0; border-top: none; }
    PromptView Collapsible > Contents { padding: 0 0 0 3; }
    PromptView #json { display: none; }
    PromptView.-json #json { display: block; }
    PromptView.-json Collapsible { display: none; }
    PromptView #empty { color: $text-muted; display: none; }
    PromptView.-empty #empty { display: block; }
    PromptView.-empty Collapsible, PromptView.-empty #json { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("J", "toggle_json", "Raw JSON", id="prompt-json"),
        Binding("y", "copy_json", "Copy JSON", id=action_keys.COPY_PROMPT),
    ]

    def __init__(self, prompt: PromptOutput | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.prompt = prompt
        self._bodies: dict[str, Static] = {}  # section name -> its text, once built
        if prompt is None:
            self.add_class("-empty", update=False)  # styled so from the start: no restyle when it mounts

    def compose(self) -> ComposeResult:
        yield Static("No prompt selected.", id="empty")
        yield Static("", id="json")

    def on_mount(self) -> None:
        try:
            self.show(self.prompt)
        except NoMatches:  # its own children are missing only when the app closed while this was mounting
            pass

    @property
    def showing_json(self) -> bool:
        return self.has_class("-json")

    def _build_sections(self) -> None:
        sections = []
        for name in SECTIONS:
            self._bodies[name] = Static("", classes="section-body")
            sections.append(Collapsible(self._bodies[name], title=_label(name), collapsed=False,
                                        id=f"section-{name}"))
        self.mount_all(sections, before=self.query_one("#json", Static))

    def show(self, prompt: PromptOutput | None) -> None:
        self.prompt = prompt
        self.set_class(prompt is None, "-empty")
        if not self.is_attached or (prompt is None and not self._bodies):
            return  # not in the app yet: shown when it mounts
        if not self._bodies:
            self._build_sections()
        data = prompt.model_dump() if prompt else {}
        for name, section in self._bodies.items():
            body = section_lines(data.get(name, ""))
            section.update(body if body.plain.strip() else Text("—", "dim"))
        if prompt is None:
            self.query_one("#json", Static).update("")
            return
        from rich.syntax import Syntax  # pygments: loaded by the Prompt Factory's warm-up, else here

        self.query_one("#json", Static).update(
            Syntax(prompt.to_json(), "json", word_wrap=True, background_color="default"))

    def action_toggle_json(self) -> None:
        self.toggle_class("-json")

    def action_copy_json(self) -> None:
        if self.prompt is None:
            self.notify("No prompt to copy.", severity="warning")
            return
        copy_text(self, self.prompt.to_json(), "Prompt JSON")
