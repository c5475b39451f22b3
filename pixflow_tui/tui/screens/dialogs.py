"""Typed modal dialogs. Push with `app.push_screen(dialog, callback)`; the callback gets the typed result."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option


Validator = Callable[[str], str | None]  # returns an error message, or None when the text is fine
_MAX_LISTED = 8
ResultT = TypeVar("ResultT")


class _Dialog(ModalScreen[ResultT], Generic[ResultT]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self, title: str, message: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message

    def compose_header(self) -> ComposeResult:
        yield Static(self.title_text, classes="dialog-title", markup=False)
        if self.message:
            yield Static(self.message, classes="dialog-message", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(_Dialog[bool]):
    """Yes or no → bool. Focus starts on the safe answer (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="dialog-yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog-no"),
    ]

    def __init__(self, message: str, *, title: str = "Are you sure?", yes: str = "Yes", no: str = "No") -> None:
        super().__init__(title, message)
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield from self.compose_header()
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class CopyTextDialog(_Dialog[None]):
    """Text no clipboard could take, shown to select with the terminal's own selection."""

    def __init__(self, text: str, *, title: str, reason: str) -> None:
        super().__init__(title, f"Not copied: {reason}. Select the text below with your terminal (shift+drag in "
                                "most terminals, as Pixflow uses the mouse) and copy it there.")
        self.text = text

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # here: ~6 ms of imports every start would pay for a rare dialog

        with Vertical(classes="dialog-box"):
            yield from self.compose_header()
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="copy-text", classes="dialog-copy-text")
            yield Static("escape: close", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        from textual.widgets import TextArea

        area = self.query_one(TextArea)
        area.focus()
        area.select_all()


class _TextDialog(_Dialog[ResultT]):
    """A dialog around one Input; a validator's message is shown under the field."""

    def __init__(
        self, title: str, message: str = "", *, value: str = "", placeholder: str = "",
        validator: Validator | None = None,
    ) -> None:
        super().__init__(title, message)
        self.value, self.placeholder, self.validator = value, placeholder, validator

    def make_input(self) -> Input:
        return Input(self.value, placeholder=self.placeholder, id="input")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield from self.compose_header()
            yield self.make_input()
            yield from self.compose_extra()
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static(self.hint(), classes="dialog-hint", markup=False)

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def hint(self) -> str:
        return "enter: OK · escape: cancel"

    def on_mount(self) -> None:
        # A dialog that asks for text is for typing; the module keys (1–6) do not reach a modal anyway.
        self.query_one(Input).focus()

    def show_error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        error.update(text)
        error.display = bool(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.validator(event.value) if self.validator else None
        if error:
            self.show_error(error)
        else:
            self.accept(event.value)

    def accept(self, value: str) -> None:
        raise NotImplementedError


class TextInputDialog(_TextDialog[str | None]):
    """One line of text → str, or None when cancelled."""

    def accept(self, value: str) -> None:
        self.dismiss(value)


def where_job_is(state: str) -> str:
    return "is waiting here" if state == "pending" else f"is {state} at the provider"


def cancel_dialog(subject: str, where: str, *, title: str) -> ConfirmDialog:
    """The one question before a job is cancelled, in every module: `subject` `where` ("is waiting here")."""
    return ConfirmDialog(f"{subject} {where}. Cancel it? A job the provider has already started may still be "
                         "charged.", title=title, yes="Cancel it", no="Keep it")


def favourite_name_dialog(default: str) -> TextInputDialog:
    """The one question before a prompt joins the favourites, in every module: its name (a default offered)."""
    return TextInputDialog("Save to favourites", "A name to find this prompt by in the Library (6).",
                           value=" ".join(default.split())[:60],
                           validator=lambda text: None if text.strip() else "type a name")


def path_matches(text: str, limit: int = 500) -> list[str]:
    """Entries of the folder named by `text` that start with its last part, as the user would type them
    (folders end with `/`; `~` stays `~`; hidden entries only when the typed part starts with a dot)."""
    head, prefix = text[: len(text) - len(os.path.basename(text))], os.path.basename(text)
    folder = os.path.expanduser(head) if head else "."
    try:
        with os.scandir(folder) as entries:
            names = []
            for entry in entries:
                if entry.name.startswith(prefix) and (prefix.startswith(".") or not entry.name.startswith(".")):
                    names.append(entry.name + ("/" if entry.is_dir() else ""))
                    if len(names) >= limit:
                        break
    except OSError:
        return []
    return [head + name for name in sorted(names)]


class PathSuggester(Suggester):
    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        matches = await asyncio.to_thread(path_matches, value, 50)
        return matches[0] if matches else None


class PathInput(Input):
    """An Input whose tab completes local paths as a shell does: the common prefix of the matches; where there is
    none longer than what was typed, the first tab lists them and the next tabs cycle through them. A folder
    already in the field is kept (the cursor starts after it, nothing selected): typing adds to it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("tab", "complete", "Complete path", id="path-complete")]

    def __init__(self, value: str = "", **kwargs: object) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(value, suggester=PathSuggester(), **kwargs)  # type: ignore[arg-type]
        self._cycle: list[str] = []
        self._cycle_at = 0
        self._listed_for: str | None = None  # the text whose matches the last tab listed

    async def action_complete(self) -> None:
        if self._cycle and self.value == self._cycle[self._cycle_at]:
            self._cycle_at = (self._cycle_at + 1) % len(self._cycle)
            self._set(self._cycle[self._cycle_at])
            return
        typed = self.value
        matches = await asyncio.to_thread(path_matches, typed)
        self._cycle, self._cycle_at = [], 0
        if not matches:
            self.app.bell()
            return
        common = os.path.commonprefix(matches)
        if len(matches) > 1 and len(common) <= len(typed):
            if self._listed_for != typed:  # first tab: say what matches and leave the text as typed
                self._listed_for = typed
                self._list(matches)
                return
            self._cycle = matches  # tab again on the same text: step through the matches
            common = matches[0]
        self._listed_for = None
        self._set(common)
        self._list(matches)

    def _list(self, matches: list[str]) -> None:
        listing = "  ".join(os.path.basename(m.rstrip("/")) + ("/" if m.endswith("/") else "") for m in matches)
        self.post_message(self.Listed(self, listing if len(matches) > 1 else "", len(matches)))

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)

    class Listed(Message):
        """Tab completion ran; `listing` names the matches when there were several."""

        def __init__(self, input: PathInput, listing: str, count: int) -> None:
            super().__init__()
            self.input, self.listing, self.count = input, listing, count


class PathInputDialog(_TextDialog[Path | None]):
    """A local path (reference images live on the machine running Pixflow) → Path, or None."""

    def __init__(
        self, title: str, message: str = "", *, value: str = "", must_exist: bool = True,
        want: str = "any", validator: Validator | None = None,
    ) -> None:
        super().__init__(title, message, value=value, placeholder="~/path/to/file", validator=validator)
        self.must_exist, self.want = must_exist, want  # want: "file", "dir" or "any"

    def make_input(self) -> Input:
        return PathInput(self.value, placeholder=self.placeholder, id="input")

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="matches", classes="dialog-hint", markup=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        self.query_one("#matches", Static).update("")

    def hint(self) -> str:
        return "tab: complete · →: accept suggestion · enter: OK · escape: cancel"

    def on_path_input_listed(self, event: PathInput.Listed) -> None:
        event.stop()
        shown = event.listing
        if event.count > _MAX_LISTED:
            shown = "  ".join(shown.split("  ")[:_MAX_LISTED]) + f"  … {event.count} matches"
        self.query_one("#matches", Static).update(shown)

    def accept(self, value: str) -> None:
        path = Path(value.strip()).expanduser()
        if not value.strip():
            self.show_error("type a path")
        elif self.must_exist and not path.exists():
            self.show_error(f"no such file or folder: {path}")
        elif self.want == "file" and path.is_dir():
            self.show_error(f"{path} is a folder; pick a file")
        elif self.want == "dir" and path.exists() and not path.is_dir():
            self.show_error(f"{path} is a file; pick a folder")
        else:
            self.dismiss(path)


class ChoiceList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="choice-down"),
        Binding("k", "cursor_up", "Up", show=False, id="choice-up"),
    ]


class ChoiceDialog(_Dialog[str | None]):
    """Pick one of `choices` (values, or (value, label) pairs) → the value, or None."""

    def __init__(
        self, title: str, choices: Sequence[str | tuple[str, str]], message: str = "", *, selected: str | None = None
    ) -> None:
        super().__init__(title, message)
        self.choices = [(c, c) if isinstance(c, str) else c for c in choices]
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield from self.compose_header()
            yield ChoiceList(*(Option(label, id=value) for value, label in self.choices), id="choices")
            yield Static("enter: choose · j/k or arrows move · escape: cancel", classes="dialog-hint",
                         markup=False)

    def on_mount(self) -> None:
        try:
            options = self.query_one(ChoiceList)
        except NoMatches:  # opened while the app closes: nothing was composed
            return
        options.focus()
        if self.selected is not None:
            values = [value for value, _ in self.choices]
            if self.selected in values:
                options.highlighted = values.index(self.selected)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
