"""Avatar Studio's forms: the avatar generator's options and the script generator's brief.

Each returns a typed request (or None when cancelled) and can be reopened with the request it returned and the
sentence that refused it, so bad input is shown once and nothing typed is lost."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pixflow_tui.core import avatars as options
from pixflow_tui.core import catalog
from pixflow_tui.core.scripts import MAX_EXAMPLES
from pixflow_tui.tui.screens.dialogs import PathInput


@dataclass(frozen=True)
class AvatarRequest:
    gender: str = options.GENDERS[0].value
    age: str = options.AGE_GROUPS[1].value
    ethnicity: str = options.ETHNICITIES[0].value
    outfit: str = options.OUTFITS[0].value
    count: int = 2
    reference: str = ""  # a local photo to make the avatars from ("" for none)


@dataclass(frozen=True)
class ScriptRequest:
    concept: str = ""
    duration: str = "30"  # as typed: the service says what is wrong with it
    tone: str = catalog.DEFAULT_TONE
    app_name: str = ""
    examples: str = ""  # example scripts, separated by a line holding only ---

    def example_list(self) -> tuple[str, ...]:
        parts = [part.strip() for part in self.examples.replace("\r", "").split("\n---\n")]
        return tuple(part for part in parts if part)


class _FormDialog(ModalScreen[object]):
    """A form: ctrl+s (or the button) sends it, escape cancels; `error` is shown above the buttons."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="avatar-form-send"),
        Binding("escape", "cancel", "Cancel", id="avatar-form-cancel"),
    ]
    TITLE_TEXT: ClassVar[str] = ""
    SEND: ClassVar[str] = "Continue"

    def __init__(self, error: str = "") -> None:
        super().__init__(classes="dialog avatar-form")
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.TITLE_TEXT, classes="dialog-title", markup=False)
            yield from self.compose_fields()
            yield Static(self.error, id="form-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.SEND} (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#form-error").display = bool(self.error)

    @staticmethod
    def row(label: str, widget: Input | Select[str] | TextArea) -> Horizontal:
        return Horizontal(Label(label, classes="form-label"), widget, classes="form-row")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send() if event.button.id == "send" else self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        raise NotImplementedError

    def value(self, selector: str) -> str:
        widget = self.query_one(selector)
        if isinstance(widget, Select):
            return str(widget.value) if widget.value is not Select.BLANK else ""
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value


class GenerateAvatarsDialog(_FormDialog):
    """Gender, age group, ethnicity, outfit, how many (1–4) and an optional reference photo → AvatarRequest."""

    TITLE_TEXT = "Generate avatars (waist-up portraits on backdrop green)"

    def __init__(self, request: AvatarRequest | None = None, error: str = "") -> None:
        super().__init__(error)
        self.request = request or AvatarRequest()

    def compose_fields(self) -> ComposeResult:
        r = self.request

        def choices(items: tuple[options.Option, ...]) -> list[tuple[str, str]]:
            return [(o.label, o.value) for o in items]

        yield self.row("Gender", Select(choices(options.GENDERS), value=r.gender, allow_blank=False, id="gender"))
        yield self.row("Age", Select(choices(options.AGE_GROUPS), value=r.age, allow_blank=False, id="age"))
        yield self.row("Ethnicity", Select(choices(options.ETHNICITIES), value=r.ethnicity, allow_blank=False,
                                           id="ethnicity"))
        yield self.row("Outfit", Select(choices(options.OUTFITS), value=r.outfit, allow_blank=False, id="outfit"))
        counts = [(str(n), str(n)) for n in range(1, options.MAX_AVATARS_PER_RUN + 1)]
        yield self.row("How many", Select(counts, value=str(r.count), allow_blank=False, id="count"))
        yield self.row("Reference", PathInput(r.reference, placeholder="optional photo to base them on",
                                              id="reference"))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#gender", Select).focus()

    def action_send(self) -> None:
        self.dismiss(AvatarRequest(self.value("#gender"), self.value("#age"), self.value("#ethnicity"),
                                   self.value("#outfit"), int(self.value("#count") or 1),
                                   self.value("#reference").strip()))


class GenerateScriptDialog(_FormDialog):
    """Concept (≤500 characters), duration (5–120 s), tone, app name and up to 5 example scripts → ScriptRequest."""

    TITLE_TEXT = "Generate a script"
    SEND = "Write it"

    def __init__(self, request: ScriptRequest | None = None, error: str = "") -> None:
        super().__init__(error)
        self.request = request or ScriptRequest()

    def compose_fields(self) -> ComposeResult:
        r = self.request
        low, high = catalog.SCRIPT_DURATION_RANGE
        yield self.row("Concept", Input(r.concept, placeholder="what the video is about (≤500 characters)",
                                        id="concept"))
        yield self.row("Seconds", Input(r.duration, placeholder=f"{low}–{high}", id="duration"))
        yield self.row("Tone", Select([(t.capitalize(), t) for t in catalog.TONES], value=r.tone, allow_blank=False,
                                      id="tone"))
        yield self.row("App name", Input(r.app_name, placeholder="optional", id="app-name"))
        examples = TextArea(r.examples, id="examples", soft_wrap=True, tab_behavior="focus")
        yield self.row("Examples", examples)
        yield Static(f"Examples are optional: up to {MAX_EXAMPLES} scripts to match, separated by a line of ---.",
                     classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#concept", Input).focus()

    def action_send(self) -> None:
        self.dismiss(ScriptRequest(self.value("#concept"), self.value("#duration").strip(), self.value("#tone"),
                                   self.value("#app-name").strip(), self.value("#examples")))
