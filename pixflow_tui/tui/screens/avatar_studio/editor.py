"""The script editor: a TextArea for typing or pasting a new script, or changing the current one. ctrl+s saves
(`Save` goes up to the script panel); escape leaves the field and keeps the draft; the panel's `x` closes it."""
from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea


class ScriptTextArea(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save the script", id="avatar-editor-save"),
        Binding("escape", "leave", "Leave the editor (the draft is kept)", id="avatar-editor-leave"),
    ]

    def action_save(self) -> None:
        editor = self.parent
        if isinstance(editor, ScriptEditor):
            editor.save()

    def action_leave(self) -> None:
        editor = self.parent
        if isinstance(editor, ScriptEditor):
            editor.post_message(ScriptEditor.Left(editor))


class ScriptEditor(Vertical):
    """Hidden until `open`; `mode` is "new" (a new script) or "edit" (a new version of the current one)."""

    class Save(Message):
        def __init__(self, editor: ScriptEditor, text: str, mode: str) -> None:
            super().__init__()
            self.editor, self.text, self.mode = editor, text, mode

    class Left(Message):
        def __init__(self, editor: ScriptEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = "new"

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-title", markup=False)
        yield ScriptTextArea("", id="editor-text", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.display = False

    @property
    def area(self) -> ScriptTextArea:
        return self.query_one(ScriptTextArea)

    @property
    def is_open(self) -> bool:
        return bool(self.display)

    def open(self, mode: str, text: str = "", *, replace: bool = False) -> None:
        """Show the editor with `text`; a draft of the same kind that is open already is kept unless `replace`."""
        if replace or not (self.is_open and self.mode == mode):
            self.mode = mode
            self.area.load_text(text)
        title = "New script: type or paste it" if mode == "new" else "Edit the current version"
        self.query_one("#editor-title", Static).update(f"{title} · ctrl+s save · escape leave (draft kept)")
        self.display = True
        self.area.focus()
        self.area.move_cursor(self.area.document.end)

    def close(self) -> None:
        self.display = False
        self.area.load_text("")

    def save(self) -> None:
        self.post_message(self.Save(self, self.area.text, self.mode))
