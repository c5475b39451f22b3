"""The language picker: a checkbox list of the catalog's languages to translate the current script into. The
detected language of the script is labelled here, never ticked for the user."""
from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from pixflow_tui.core import catalog


def language_label(code: str) -> str:
    return f"{code} {catalog.LANGUAGES.get(code, code)}" if code else "not detected"


class LanguagePicker(SelectionList[str]):
    """space ticks a language, t translates into the ticked ones, escape goes back to the script."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="avatar-languages-down"),
        Binding("k", "cursor_up", "Up", show=False, id="avatar-languages-up"),
        Binding("t", "translate", "Translate", id="avatar-languages-translate"),
        Binding("escape", "leave", "Back to the script", show=False, id="avatar-languages-leave"),
    ]

    class Translate(Message):
        """Translate the current script into `codes`."""

        def __init__(self, codes: list[str]) -> None:
            super().__init__()
            self.codes = codes

    class Left(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*(Selection(language_label(code), code) for code in catalog.LANGUAGES), id=id)
        self.detected = ""
        self.border_title = "Translate to (space ticks, t translates)"

    def set_detected(self, code: str, done: set[str]) -> None:
        """Label the script's language and the languages it already has translations in (nothing is ticked)."""
        self.detected = code
        for index, language in enumerate(catalog.LANGUAGES):
            notes = (["detected"] if language == code else []) + (["translated"] if language in done else [])
            label = language_label(language) + (f" · {', '.join(notes)}" if notes else "")
            self.replace_option_prompt_at_index(index, label)

    @property
    def chosen(self) -> list[str]:
        return list(self.selected)

    def action_translate(self) -> None:
        self.post_message(self.Translate(self.chosen))

    def action_leave(self) -> None:
        self.post_message(self.Left())
