"""A keyed, paged list of rows with fixed columns, drawn a line at a time.

DataTable renders every cell through Rich (padding, measuring, style merging): a screen of rows costs tens of
milliseconds, which a Library page cannot afford. Here a row is a single Strip built from plain text and one
style per cell, cached until the row changes; only the lines on screen are drawn.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Column = tuple[str, str, int | None]  # key, label, width (None: the one flexible column)
Cell = str | Text
Row = tuple[str, Sequence[Cell]]  # row key, cells


def _cell(value: Cell, width: int) -> tuple[str, Style | None]:
    if isinstance(value, Text):
        plain, style = value.plain, value.style if isinstance(value.style, Style) else None
        if value.spans:
            span_style = value.spans[0].style
            style = span_style if isinstance(span_style, Style) else Style.parse(str(span_style))
        elif isinstance(value.style, str) and value.style:
            style = Style.parse(value.style)
    else:
        plain, style = value, None
    plain = " ".join(plain.split())
    if cell_len(plain) > width:
        plain = set_cell_size(plain, max(0, width - 1)) + "…" if width > 0 else ""
    return set_cell_size(plain, width), style


class RowList(ScrollView, can_focus=True):
    """Rows keyed by the caller's keys. `more` says another page exists; `NearEnd` asks for it."""

    DEFAULT_CSS = """
    RowList { height: 1fr; overflow-x: hidden; }
    RowList > .row-list--header { text-style: bold; color: $text-muted; }
    RowList > .row-list--cursor { background: $accent 60%; }
    RowList:focus > .row-list--cursor { background: $accent; color: $text; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--header", "row-list--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Cursor up", show=False, id="rows-up"),
        Binding("down", "move(1)", "Cursor down", show=False, id="rows-down"),
        Binding("k", "move(-1)", "Cursor up", show=False, id="rows-up-vim"),
        Binding("j", "move(1)", "Cursor down", show=False, id="rows-down-vim"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows-page-down"),
        Binding("g,home", "jump(0)", "First row", show=False, id="rows-first"),
        Binding("G,end", "jump(-1)", "Last row", show=False, id="rows-last"),
        Binding("enter", "select", "Open", show=False, id="rows-select"),
    ]

    class Highlighted(Message):
        def __init__(self, rows: RowList, key: str | None) -> None:
            super().__init__()
            self.rows, self.key = rows, key

        @property
        def control(self) -> RowList:
            return self.rows

    class Selected(Highlighted):
        pass

    class NearEnd(Message):
        def __init__(self, rows: RowList) -> None:
            super().__init__()
            self.rows = rows

        @property
        def control(self) -> RowList:
            return self.rows

    def __init__(self, columns: Sequence[Column], *, empty: str = "Nothing here.", min_flex: int = 12,
                 max_flex: int = 90, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.column_spec = tuple(columns)
        self.empty = self.empty_unsearched = empty
        self.min_flex, self.max_flex = min_flex, max_flex
        self.more = False
        self.loading_more = False
        self.cursor_row = 0
        self._keys: list[str] = []
        self._cells: dict[str, list[Cell]] = {}
        self._index: dict[str, int] = {}
        self._widths = [w or min_flex for _, _, w in self.column_spec]
        self._lines: dict[tuple[str, bool], Strip] = {}
        self._fitted = -1
        self._near = 15
        self._base: Style | None = None  # rich_style walks every ancestor: once per style change, not per line

    # -- data ------------------------------------------------------------------------------------------

    def replace_rows(self, rows: Iterable[Row], more: bool) -> None:
        """Show `rows` instead of what was there; the cursor goes back to the top."""
        self._keys, self._cells, self._index, self._lines = [], {}, {}, {}
        self.cursor_row = 0
        self.append_rows(rows, more)
        self.scroll_to(y=0, animate=False)
        self._announce()

    def append_rows(self, rows: Iterable[Row], more: bool) -> None:
        for key, cells in rows:
            if key not in self._index:
                self._index[key] = len(self._keys)
                self._keys.append(key)
                self._cells[key] = list(cells)
        self.more, self.loading_more = more, False
        self._sized()

    def set_cell(self, row_key: str, column_key: str, value: Cell) -> None:
        if row_key in self._cells:
            position = [key for key, _, _ in self.column_spec].index(column_key)
            self._cells[row_key][position] = value
            self._forget(row_key)

    def drop_row(self, row_key: str) -> None:
        if row_key not in self._index:
            return
        self._keys.remove(row_key)
        del self._cells[row_key]
        self._index = {key: n for n, key in enumerate(self._keys)}
        self._lines = {}
        self.cursor_row = min(self.cursor_row, max(0, len(self._keys) - 1))
        self._sized()
        self._announce()

    def get_cell(self, row_key: str, column_key: str) -> Cell:
        return self._cells[row_key][[key for key, _, _ in self.column_spec].index(column_key)]

    def keys(self) -> list[str]:
        return list(self._keys)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def highlighted_key(self) -> str | None:
        return self._keys[self.cursor_row] if 0 <= self.cursor_row < len(self._keys) else None

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        self._go(row)

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    # -- drawing ---------------------------------------------------------------------------------------

    def _sized(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._keys) + 1)
        self.refresh()

    def _forget(self, row_key: str) -> None:
        self._lines.pop((row_key, False), None)
        self._lines.pop((row_key, True), None)
        position = self._index.get(row_key)
        if position is not None:
            self.refresh_line(position + 1)  # a virtual line: the header is line 0

    def on_resize(self) -> None:
        self._fit()
        self._sized()

    def _fit(self) -> None:
        """Give the flexible column what the others leave (the scrollbar appears only once rows overflow)."""
        room = self.scrollable_content_region.width
        if room == self._fitted:
            return
        self._fitted = room
        fixed = sum(w or 0 for _, _, w in self.column_spec) + len(self.column_spec) + 1
        flex = max(self.min_flex, min(self.max_flex, room - fixed))
        self._widths = [w if w is not None else flex for _, _, w in self.column_spec]
        self._lines = {}

    def _strip(self, cells: Sequence[Cell], base: Style) -> Strip:
        segments = [Segment(" ", base)]
        for value, width in zip(cells, self._widths, strict=False):
            text, style = _cell(value, width)
            segments.append(Segment(text, base + style if style else base))
            segments.append(Segment(" ", base))
        return Strip(segments)

    def render_line(self, y: int) -> Strip:
        self._fit()
        width = self.size.width
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        if y == 0:
            header = self.get_component_rich_style("row-list--header")
            return self._strip([label for _, label, _ in self.column_spec], base + header).adjust_cell_length(
                width, base)
        position = int(self.scroll_offset.y) + y - 1
        if not self._keys and y == 2:
            muted = base + self.get_component_rich_style("row-list--header")
            return Strip([Segment(" " + self.empty, muted)]).adjust_cell_length(width, base)
        if position >= len(self._keys):
            return Strip.blank(width, base)
        key = self._keys[position]
        is_cursor = position == self.cursor_row
        line = self._lines.get((key, is_cursor))
        if line is None:
            style = base + self.get_component_rich_style("row-list--cursor") if is_cursor else base
            line = self._strip(self._cells[key], style).adjust_cell_length(width, style)
            self._lines[(key, is_cursor)] = line
        return line

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._lines = {}

    def on_focus(self) -> None:
        self._lines = {}
        self.refresh()

    def on_blur(self) -> None:
        self._lines = {}
        self.refresh()

    # -- cursor ----------------------------------------------------------------------------------------

    def _go(self, row: int) -> None:
        if not self._keys:
            return
        row = max(0, min(len(self._keys) - 1, row))
        if row != self.cursor_row:
            old = self.cursor_row
            self.cursor_row = row
            top = int(self.scroll_offset.y)
            visible = max(1, self.size.height - 1)
            if row < top:
                self.scroll_to(y=row, animate=False)
            elif row >= top + visible:
                self.scroll_to(y=row - visible + 1, animate=False)
            else:
                self.refresh_line(old + 1)
                self.refresh_line(row + 1)
            self._announce()
        if self.more and not self.loading_more and self.cursor_row >= len(self._keys) - self._near:
            self.loading_more = True
            self.post_message(self.NearEnd(self))

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.highlighted_key))

    def action_move(self, step: int) -> None:
        self._go(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self._go(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._go(0 if where == 0 else len(self._keys) - 1)

    def action_select(self) -> None:
        if self.highlighted_key is not None:
            self.post_message(self.Selected(self, self.highlighted_key))

    def action_first_row(self) -> None:
        self._go(0)

    def action_cursor_down(self) -> None:
        self._go(self.cursor_row + 1)

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = int(self.scroll_offset.y) + event.y - 1
        if row >= len(self._keys):
            return
        self.focus()
        if row == self.cursor_row:
            self.action_select()
        else:
            self._go(row)
