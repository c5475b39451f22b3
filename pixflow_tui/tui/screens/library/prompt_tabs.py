"""History (every concept's prompts; load them back into Prompt Factory) and Favourites (named prompts)."""
from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from pixflow_tui.core.formatting import plural
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from pixflow_tui.tui.screens.library.base import RowListTab, prompt_line, short, when
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.workflows import library_queries as lq


class HistoryTab(RowListTab):
    TITLE = "History"
    KEY_PREFIX, PREVIEW_KIND = "h", "history"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "load_back", "Load into Prompt Factory", id="history-load"),
        Binding("delete,x", "delete", "Delete", id="history-delete"),
        Binding("X", "clear_all", "Clear all", id="history-clear"),
    ]

    def compose(self) -> ComposeResult:
        yield RowList([("date", "Date (local)", 16), ("concept", "Concept", None), ("count", "Prompts", 7),
                          ("source", "Source", 9)], id="history-table",
                      empty="No history yet: the prompts you write in Prompt Factory (1) are kept here.")

    def fetch(self, query: str, after: Any) -> Any:
        return lq.history_page(self.context, query, after)

    def cells(self, row: lq.HistoryRow) -> tuple[str, ...]:
        return when(row.created_at), short(row.concept), str(row.prompt_count), row.source

    def select(self) -> None:
        self.action_load_back()

    def action_load_back(self) -> None:
        entry = self.current
        if entry is None:
            return
        context = self.context

        def loaded(count: int) -> None:
            self.notify(f"{plural(count, 'prompt')} of “{short(entry.concept, 40)}” loaded into "
                        "Prompt Factory.")
            self.app.switch_mode("prompt_factory")

        self.run_in_thread(lambda: lq.send_history(context, entry.id), loaded, name="Loading history back")

    def action_delete(self) -> None:
        entry = self.current
        if entry is None:
            return
        context = self.context

        def deleted(_: Any) -> None:
            self.query_one(RowList).drop_row(f"h{entry.id}")
            self.rows.pop(f"h{entry.id}", None)
            self.announce()

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self.run_in_thread(lambda: lq.delete_history(context, entry.id), deleted, name="Deleting history")

        self.app.push_screen(ConfirmDialog(f"Delete the history entry “{short(entry.concept, 60)}” "
                                           f"({plural(entry.prompt_count, 'prompt')})?", title="Delete history entry",
                                           yes="Delete", no="Keep"), callback=answer)

    def action_clear_all(self) -> None:
        context = self.context

        def cleared(count: int) -> None:
            self.notify(f"History cleared: {plural(count, 'entry')} deleted.")
            self.reload()

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self.run_in_thread(lambda: lq.clear_history(context), cleared, name="Clearing history")

        self.app.push_screen(ConfirmDialog("Delete every history entry? Images, favourites and presets are kept.",
                                           title="Clear all history", yes="Clear all", no="Keep"), callback=answer)


class FavoritesTab(RowListTab):
    TITLE = "Favourites"
    KEY_PREFIX, PREVIEW_KIND = "f", "favorite"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "send", "To Asset Monster", id="favorite-send"),
        Binding("n", "rename", "Rename", id="favorite-rename"),
        Binding("delete,x", "delete", "Delete", id="favorite-delete"),
        Binding("y", "copy", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
    ]

    def compose(self) -> ComposeResult:
        yield RowList([("name", "Name", 28), ("style", "Prompt", None), ("date", "Date (local)", 16)],
                      id="favorites-table", empty="No favourites yet: press f on an image to keep its prompt.")

    def fetch(self, query: str, after: Any) -> Any:
        return lq.favorites_page(self.context, query, after)

    def cells(self, row: lq.FavoriteRow) -> tuple[str, ...]:
        return short(row.name, 28), prompt_line(row.prompt), when(row.created_at)

    def select(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        favorite = self.current
        if favorite is None:
            return
        context = self.context
        self.run_in_thread(lambda: lq.send_favorites(context, [favorite.id]),
                           lambda _: self.notify(f"“{short(favorite.name, 40)}” sent to Asset Monster (press 2)."),
                           name="Sending a favourite")

    def action_rename(self) -> None:
        favorite = self.current
        if favorite is None:
            return
        context = self.context

        def renamed(_: Any) -> None:
            self.reload(keep_cursor=True)

        def answer(name: str | None) -> None:
            if name is not None:
                self.run_in_thread(lambda: lq.rename_favorite(context, favorite.id, name), renamed,
                                   name="Renaming a favourite")

        self.app.push_screen(TextInputDialog("Rename favourite", value=favorite.name,
                                             validator=lambda v: None if v.strip() else "the name cannot be empty"),
                             callback=answer)

    def action_delete(self) -> None:
        favorite = self.current
        if favorite is None:
            return
        context = self.context

        def deleted(_: Any) -> None:
            self.query_one(RowList).drop_row(f"f{favorite.id}")
            self.rows.pop(f"f{favorite.id}", None)
            self.announce()

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                self.run_in_thread(lambda: lq.delete_favorite(context, favorite.id), deleted,
                                   name="Deleting a favourite")

        self.app.push_screen(ConfirmDialog(f"Delete the favourite “{short(favorite.name, 60)}”?",
                                           title="Delete favourite", yes="Delete", no="Keep"), callback=answer)

    def action_copy(self) -> None:
        import json

        favorite = self.current
        if favorite is not None:
            copy_text(self, json.dumps(favorite.prompt, indent=2, ensure_ascii=False), "Prompt JSON")
