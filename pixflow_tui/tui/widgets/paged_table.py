"""A DataTable filled a page at a time: it asks for the next page as the cursor comes near its last row."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

Column = tuple[str, str, int | None]  # key, label, width (None: the one flexible column)
Row = tuple[str, Sequence[str | Text]]  # row key, cells


class PagedTable(DataTable[Any]):
    """Rows keyed by the caller's keys. `more` says another page exists; `NearEnd` asks for it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # descriptions match DataTable's own, so help shows "↓ j  Cursor down" on one line
        Binding("j", "cursor_down", "Cursor down", show=False, id="library-down-vim"),
        Binding("k", "cursor_up", "Cursor up", show=False, id="library-up-vim"),
        Binding("g,home", "first_row", "First row", show=False, id="library-first"),
        Binding("G,end", "last_row", "Last row", show=False, id="library-last"),
    ]

    class NearEnd(Message):
        """The cursor is within a page of the last row and more rows exist."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, min_flex: int = 12, max_flex: int = 90,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, id=id, classes=classes)
        self.column_spec = tuple(columns)
        self.min_flex, self.max_flex = min_flex, max_flex
        self.more = False
        self.loading_more = False
        self._near = 15
        for key, label, width in self.column_spec:  # now, so rows can be added before the table is mounted
            self.add_column(label, key=key, width=width or self.min_flex)

    def on_resize(self) -> None:
        self._fit_flex_column()

    def _fit_flex_column(self) -> None:
        flex = [key for key, _, width in self.column_spec if width is None]
        if not flex or not self.columns:
            return
        fixed = sum(w for _, _, w in self.column_spec if w) + 2 * self.cell_padding * len(self.column_spec)
        width = max(self.min_flex, min(self.max_flex, self.scrollable_content_region.width - fixed - 1))
        column = self.columns[ColumnKey(flex[0])]
        if column.width != width:
            column.width = width
            self._require_update_dimensions = True
            self.refresh()

    # -- data ------------------------------------------------------------------------------------------

    def replace_rows(self, rows: Iterable[Row], more: bool) -> None:
        """Show `rows` instead of what was there; the cursor goes back to the top."""
        self.clear()
        self.append_rows(rows, more)
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def append_rows(self, rows: Iterable[Row], more: bool) -> None:
        for key, cells in rows:
            if key not in self.rows:
                self.add_row(*cells, key=key)
        self.more = more
        self.loading_more = False

    def set_cell(self, row_key: str, column_key: str, value: str | Text) -> None:
        if row_key in self.rows:
            self.update_cell(row_key, column_key, value)

    def drop_row(self, row_key: str) -> None:
        if row_key in self.rows:
            self.remove_row(row_key)

    @property
    def highlighted_key(self) -> str | None:
        if not self.row_count or self.cursor_row < 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # the cursor can point past the rows for a moment after a removal
            return None
        return row_key.value if isinstance(row_key, RowKey) else None

    def keys(self) -> list[str]:
        return [str(key.value) for key in self.rows]

    # -- paging ----------------------------------------------------------------------------------------

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        self._maybe_near_end()

    def _maybe_near_end(self) -> None:
        if self.more and not self.loading_more and self.cursor_row >= self.row_count - self._near:
            self.loading_more = True
            self.post_message(self.NearEnd(self))

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
