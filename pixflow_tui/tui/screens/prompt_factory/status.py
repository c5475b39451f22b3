"""The line under the form: hints, progress and every error in the provider's or checker's words. Widgets of the
screen post `Status`; the screen shows it on the `StatusLine`."""
from __future__ import annotations

from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

KINDS = ("info", "ok", "busy", "warning", "error")


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class Status(Message):
    """Say `text` on the status line. A `hint` is dropped while a run is writing (its progress has the line)."""

    def __init__(self, text: str, kind: str = "info", *, hint: bool = False) -> None:
        super().__init__()
        self.text, self.kind, self.hint = text, kind, hint

    def can_replace(self, message: Message) -> bool:
        # the line shows only the newest: progress arriving faster than it is painted is coalesced
        return isinstance(message, Status)


class StatusLine(Static):
    kind: reactive[str] = reactive("info")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def say(self, text: str, kind: str = "info") -> None:
        self.update(sentence(text))
        self.kind = kind

    def watch_kind(self, kind: str) -> None:
        for name in KINDS:
            self.set_class(name == kind, f"-{name}")
