"""What every Library tab shares: loading pages in a thread worker, the search text, and telling the screen what
to preview."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from pixflow_tui.core.formatting import local_time
from pixflow_tui.tui.widgets.row_list import Cell, RowList
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.context import AppContext


def when(moment: datetime | None) -> str:
    """A row's moment in a "Date (local)" column: local time, the zone left to the column's header."""
    return local_time(moment, zone=False)


def rating_mark(rating: int | None) -> Text:
    if rating == 1:
        return Text("♥ +1", style="bold green")
    if rating == -1:
        return Text("✗ -1", style="bold red")
    return Text("")


def short(text: str, width: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def prompt_line(prompt: Any) -> str:
    if isinstance(prompt, dict):
        return short(prompt.get("style", "") or "", 200)
    return short(str(prompt or ""), 200)


class LibraryTab(Vertical):
    """A tab of the Library. Subclasses implement `fetch` (runs in a thread) and `show_page` (on the UI)."""

    TITLE: ClassVar[str] = ""
    SEARCHABLE: ClassVar[bool] = True

    class Preview(Message):
        """Show `target` in the preview panel (None clears it). `kind`: output, history, favorite, batch, preset."""

        def __init__(self, tab: LibraryTab, kind: str, target: Any) -> None:
            super().__init__()
            self.tab, self.kind, self.target = tab, kind, target

    class PageShown(Message):
        """A first page is on screen (the screen times the first one)."""

        def __init__(self, tab: LibraryTab, rows: int) -> None:
            super().__init__()
            self.tab, self.rows = tab, rows

    class Changed(Message):
        """This tab changed what other tabs list (a rating, a new favourite): they read again when shown."""

        def __init__(self, tab: LibraryTab) -> None:
            super().__init__()
            self.tab = tab

    class _Loaded(Message, bubble=False):
        def __init__(self, generation: int, first: bool, page: Any) -> None:
            super().__init__()
            self.generation, self.first, self.page = generation, first, page

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="library-tab")
        self.context = context
        self.query_text = ""
        self.cursor: Any = None
        self.loaded = False
        self.stale = True
        self._generation = 0
        self._keep: str | None = None
        self.shown_at = 0.0  # perf_counter when the latest first page was on screen (the benchmark reads it)

    # -- to implement ------------------------------------------------------------------------------------

    def fetch(self, query: str, after: Any) -> Any:
        """Read one page (in a thread); returns a Page."""
        raise NotImplementedError

    def show_page(self, page: Any, first: bool) -> None:
        raise NotImplementedError

    def list_widget(self) -> Widget:
        raise NotImplementedError

    def announce(self) -> None:
        """Post a Preview for what is highlighted now."""

    def current_row_key(self) -> str | None:
        """The key of the highlighted row (kept across a reload)."""
        table = self.list_widget()
        return getattr(table, "highlighted_key", None)

    def can_refresh_live(self) -> bool:
        """Whether reading the first page again now would keep what the user sees: only the first page is
        loaded (the cursor is kept on it), and nothing else would be lost."""
        from pixflow_tui.workflows.library_queries import PAGE_SIZE

        widget: Any = self.list_widget()
        return self.loaded and widget.row_count <= PAGE_SIZE

    def restore_cursor(self, key: str) -> None:
        table: Any = self.list_widget()
        if key in table.keys():
            table.move_cursor(row=table.get_row_index(key))

    # -- loading ---------------------------------------------------------------------------------------

    def set_query(self, text: str) -> None:
        if text != self.query_text:
            self.query_text = text
            self.stale = True

    def reload(self, keep_cursor: bool = False) -> None:
        """Read the first page again (the search or filters changed, or something was edited); with
        `keep_cursor` the highlighted row stays highlighted when it is still on the first page."""
        self.stale = False
        self._keep = self.current_row_key() if keep_cursor and self.loaded else None
        self._start(first=True, after=None)

    def show_prefetched(self, future: Future[Any]) -> bool:
        """Show a first page read ahead while the screen was being built; False when it is not ready."""
        if not future.done() or future.exception() is not None:
            return False
        self.stale = False
        self._generation += 1
        self.on_library_tab__loaded(self._Loaded(self._generation, True, future.result()))
        return True

    def load_more(self) -> None:
        self._start(first=False, after=self.cursor)

    def _start(self, *, first: bool, after: Any) -> None:
        self._generation += 1
        generation, query = self._generation, self.query_text
        fetch: Callable[[str, Any], Any] = self.fetch

        def work() -> None:
            self.post_message(self._Loaded(generation, first, fetch(query, after)))

        start_thread(self, work, name=f"Loading {self.TITLE.lower()}", group=f"library-{self.id}")

    def on_library_tab__loaded(self, message: _Loaded) -> None:
        if message.generation != self._generation:
            return  # a newer search or reload is on its way
        self.cursor = message.page.cursor
        first_time = not self.loaded
        self.loaded = True
        self.show_page(message.page, message.first)
        if message.first:
            self._say_empty(self.query_text.strip())
            if self._keep:
                self.restore_cursor(self._keep)
                self._keep = None
            self.call_after_refresh(self._shown, first_time, len(message.page.rows))

    def _say_empty(self, query: str) -> None:
        """An empty list says whether the search found nothing or there is nothing yet."""
        widget = self.list_widget()
        if isinstance(widget, RowList):
            widget.empty = f"Nothing matches “{query}”: / changes the search." if query \
                else widget.empty_unsearched
            widget.refresh()

    def _shown(self, first_time: bool, rows: int) -> None:
        """The rows are painted; only now update the preview (its picture and prompt cost more than a page)."""
        self.shown_at = time.perf_counter()
        if first_time:
            self.post_message(self.PageShown(self, rows))
        self.announce()

    def focus_list(self) -> None:
        self.list_widget().focus()

    def run_in_thread(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None, *,
                   name: str) -> None:
        """Run a database action in a thread; `done` gets its result on the UI. Errors surface as notifications
        (InputError) or through the app's worker error handler."""
        from pixflow_tui.workflows.inputs import InputError

        def job() -> None:
            try:
                result = work()
            except InputError as exc:
                self.app.call_from_thread(self.notify, str(exc), severity="warning")
                return
            if done is not None:
                self.app.call_from_thread(done, result)

        start_thread(self, job, name=name, group=f"library-action-{self.id}", exclusive=False)


class RowListTab(LibraryTab):
    """A tab listing rows in a RowList, keyed `KEY_PREFIX` + the row's id, paged in as the cursor nears the end.
    Subclasses give each row's cells and what `enter` does."""

    KEY_PREFIX: ClassVar[str] = ""
    PREVIEW_KIND: ClassVar[str] = ""

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(context, id=id)
        self.rows: dict[str, Any] = {}

    def cells(self, row: Any) -> Sequence[Cell]:
        raise NotImplementedError

    def select(self) -> None:
        """`enter` on a row."""

    def list_widget(self) -> Widget:
        return self.query_one(RowList)

    def show_page(self, page: Any, first: bool) -> None:
        if first:
            self.rows.clear()
        new = {f"{self.KEY_PREFIX}{row.id}": row for row in page.rows}
        self.rows.update(new)
        table = self.query_one(RowList)
        (table.replace_rows if first else table.append_rows)([(k, self.cells(r)) for k, r in new.items()], page.more)

    @property
    def current(self) -> Any:
        key = self.query_one(RowList).highlighted_key
        return self.rows.get(key) if key else None

    def announce(self) -> None:
        self.post_message(self.Preview(self, self.PREVIEW_KIND, self.current))

    def on_row_list_near_end(self, message: RowList.NearEnd) -> None:
        self.load_more()

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self.announce()

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        message.stop()
        self.select()
