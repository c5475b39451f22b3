"""The Machine's own dialog: tick several of a list (the avatars, in the order ticked; the languages)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static


class PickManyDialog(ModalScreen[list[str] | None]):
    """Tick several → their values in the order they were ticked (the first avatar is the lipsync one), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="machine-pick-cancel"),
        Binding("enter", "accept", "OK", priority=True, id="machine-pick-ok"),  # space ticks
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, selected: Sequence[str] = (),
                 message: str = "", limit: int | None = None) -> None:
        super().__init__(classes="dialog")
        self.title_text, self.message = title, message
        self.choices = list(choices)
        self.selected = [value for value in selected if value in {v for v, _ in self.choices}]
        self.limit = limit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.message:
                yield Static(self.message, classes="dialog-message", markup=False)
            yield SelectionList[str](*((label, value) for value, label in self.choices), id="machine-pick-list")
            yield Static("", id="machine-pick-error", classes="dialog-error", markup=False)
            yield Static("space: tick · enter: OK · escape: cancel", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        picks = self.query_one(SelectionList)
        for value in self.selected:  # in this order: SelectionList keeps the order things were ticked
            picks.select(value)
        picks.focus()
        self.query_one("#machine-pick-error").display = False

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        error = self.query_one("#machine-pick-error", Static)
        too_many = self.limit is not None and len(event.selection_list.selected) > self.limit
        error.update(f"at most {self.limit}" if too_many else "")
        error.display = too_many

    def action_accept(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if self.limit is not None and len(chosen) > self.limit:
            self.app.bell()
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
