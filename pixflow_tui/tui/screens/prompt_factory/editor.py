"""Editing a prompt: in the user's $EDITOR (the app suspends), or in an inline JSON editor that validates."""
from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from pixflow_tui.tui.screens.dialogs import ConfirmDialog

if TYPE_CHECKING:  # TextArea (and the tree-sitter machinery behind it) loads when the dialog first opens
    from textual.widgets import TextArea

    from pixflow_tui.core.prompt_schema import PromptOutput


def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split like a shell would; None when neither is set."""
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ""
    try:
        return shlex.split(raw) or None
    except ValueError:
        return None


def edit_in_editor(app: Any, command: list[str], text: str) -> str:
    """Hand the terminal to `command` on a temporary JSON file; returns the file's text afterwards.

    Raises textual's SuspendNotSupported when the terminal cannot be handed over, OSError when the
    editor cannot be started."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pixflow-prompt-") as folder:
        path = Path(folder) / "prompt.json"
        path.write_text(text + "\n", encoding="utf-8")
        with app.suspend():
            subprocess.run([*command, str(path)], check=False)
        return path.read_text(encoding="utf-8")


class JsonEditorDialog(ModalScreen["PromptOutput | None"]):
    """The prompt's JSON in a text area. ctrl+s applies once it parses; a problem is shown and the text kept."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", id="pf-json-apply"),
        Binding("escape", "cancel", "Cancel", id="pf-json-cancel"),
    ]

    def __init__(self, text: str, *, title: str, validate: Callable[[str], PromptOutput], error: str = "") -> None:
        super().__init__(classes="dialog json-editor")
        self.original = text
        self.title_text = title
        self.validate = validate
        self.first_error = error

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield TextArea(self.original, id="json", soft_wrap=True, tab_behavior="focus", show_line_numbers=True)
            yield Static("", id="json-error", markup=False)
            yield Static("ctrl+s: apply · escape: cancel", classes="dialog-hint", markup=False)

    def _area(self) -> TextArea:
        from textual.widgets import TextArea

        return self.query_one("#json", TextArea)

    def on_mount(self) -> None:
        self._area().focus()
        if self.first_error:
            self.show_error(self.first_error)

    @property
    def text(self) -> str:
        return self._area().text

    def show_error(self, message: str) -> None:
        error = self.query_one("#json-error", Static)
        error.update(f"Not applied: {message}" if message else "")
        error.display = bool(message)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.show_error("")

    def action_apply(self) -> None:
        from pixflow_tui.core.prompt_schema import PromptParseError

        try:
            prompt = self.validate(self.text)
        except PromptParseError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(prompt)

    def action_cancel(self) -> None:
        if self.text.strip() == self.original.strip():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog("Your changes to this prompt are not applied yet.", title="Discard the edit?",
                          yes="Discard", no="Keep editing"),
            callback=answered,
        )
