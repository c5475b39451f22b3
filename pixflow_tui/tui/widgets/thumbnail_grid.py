"""A grid of thumbnails that stays fast with any number of items.

Only the cells on screen exist (a pool sized to the widget, reused as the view moves), thumbnails are shrunk in a
thread worker through the preview cache and kept in a small in-memory LRU, and the grid asks for the next page of
items when the cursor comes within a screen of the end.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from pixflow_tui.tui.widgets.image_preview import PreviewError, cell_pixels, image_widget_class, load_preview
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.terminal import choose_renderer

_CACHE_SIZE = 600  # shrunk thumbnails kept in memory (a few KB each)


@dataclass
class GridEntry:
    key: str
    path: str | None  # the picture to show (a thumbnail when there is one)
    caption: str


class ThumbCell(Widget):
    """One slot of the grid: a picture and a caption line."""

    DEFAULT_CSS = """
    ThumbCell { border: round $panel-lighten-2; padding: 0; align: center top; }
    ThumbCell.-cursor { border: round $accent; }
    ThumbCell.-marked { background: $boost; border: round $success; }
    ThumbCell.-cursor.-marked { border: double $accent; }
    ThumbCell.-empty { border: none; }
    ThumbCell > #picture-box { height: 1fr; width: 100%; align: center middle; }
    ThumbCell > #picture-box > #picture { width: 1; height: 1; }
    ThumbCell > #picture-box > #placeholder { width: 100%; height: 100%; content-align: center middle;
                                              color: $text-muted; }
    ThumbCell > #caption { height: 1; width: 100%; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, slot: int, renderer: str, box: tuple[int, int]) -> None:
        super().__init__()
        self.slot = slot
        self.renderer = renderer
        self.box = box  # cells for the picture: known from the grid, before this cell is laid out
        self.entry: GridEntry | None = None

    def compose(self) -> ComposeResult:
        with Widget(id="picture-box"):
            yield Static("", id="placeholder", markup=False)
            if self.renderer != "none":
                picture = image_widget_class(self.renderer)(id="picture")
                picture.display = False
                yield picture
        yield Static("", id="caption", markup=False)

    def show(self, entry: GridEntry | None, image: Any, note: str = "") -> None:
        self.entry = entry
        self.set_class(entry is None, "-empty")
        self.query_one("#caption", Static).update(entry.caption if entry else "")
        placeholder = self.query_one("#placeholder", Static)
        if image is None or self.renderer == "none":
            placeholder.update(note if entry else "")
            placeholder.display = True
            if self.renderer != "none":
                self.query_one("#picture").display = False
            return
        picture: Any = self.query_one("#picture")
        cell_w, cell_h = cell_pixels(self.renderer)
        picture.styles.width = max(1, min(self.box[0], math.ceil(image.width / cell_w)))
        picture.styles.height = max(1, min(self.box[1], math.ceil(image.height / cell_h)))
        if picture.image is not image:
            picture.image = image
        placeholder.display = False
        picture.display = True

    def on_click(self, event: Click) -> None:
        if self.entry is not None:
            self.post_message(ThumbnailGrid.CellClicked(self.slot))


class ThumbnailGrid(Widget, can_focus=True):
    """Arrows (and h/j/k) move in four directions, enter selects, space marks. `l` stays free for "like"."""

    DEFAULT_CSS = """
    ThumbnailGrid { height: 1fr; layout: grid; grid-gutter: 0 0; }
    ThumbnailGrid > #grid-empty { column-span: 99; color: $text-muted; padding: 1 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(0, -1)", "Up", show=False, id="grid-up"),
        Binding("down", "move(0, 1)", "Down", show=False, id="grid-down"),
        Binding("left", "move(-1, 0)", "Left", show=False, id="grid-left"),
        Binding("right", "move(1, 0)", "Right", show=False, id="grid-right"),
        Binding("k", "move(0, -1)", "Up", show=False, id="grid-up-vim"),
        Binding("j", "move(0, 1)", "Down", show=False, id="grid-down-vim"),
        Binding("h", "move(-1, 0)", "Left", show=False, id="grid-left-vim"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="grid-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="grid-page-down"),
        Binding("g,home", "jump(0)", "First", show=False, id="grid-first"),
        Binding("G,end", "jump(-1)", "Last", show=False, id="grid-last"),
        Binding("enter", "select", "Open", show=False, id="grid-select"),
        Binding("space", "mark", "Mark", id="grid-mark"),
    ]

    class Highlighted(Message):
        def __init__(self, grid: ThumbnailGrid, entry: GridEntry | None) -> None:
            super().__init__()
            self.grid, self.entry = grid, entry

        @property
        def control(self) -> ThumbnailGrid:
            return self.grid

    class Selected(Highlighted):
        pass

    class NearEnd(Message):
        def __init__(self, grid: ThumbnailGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> ThumbnailGrid:
            return self.grid

    class CellClicked(Message):
        def __init__(self, slot: int) -> None:
            super().__init__()
            self.slot = slot

    class _Thumb(Message, bubble=False):
        def __init__(self, path: str, box: tuple[int, int], result: Any) -> None:
            super().__init__()
            self.path, self.box, self.result = path, box, result

    def __init__(self, *, renderer: str, cache_dir: Path, cell_width: int = 22, empty: str = "Nothing here yet.",
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.renderer = choose_renderer(renderer)
        self.cache_dir = cache_dir
        self.cell_width = cell_width
        self.empty_text = empty
        self.entries: list[GridEntry] = []
        self.index: dict[str, int] = {}
        self.marked: set[str] = set()
        self.cursor = 0
        self.top_row = 0
        self.more = False
        self.loading_more = False
        self.columns = 1
        self.rows = 1
        self._cells: list[ThumbCell] = []
        self._thumbs: OrderedDict[tuple[str, tuple[int, int]], Any] = OrderedDict()
        self._failed: dict[tuple[str, tuple[int, int]], str] = {}
        self._box = (0, 0)
        self._box_cells = (0, 0)

    def compose(self) -> ComposeResult:
        yield Static(self.empty_text, id="grid-empty", markup=False)

    # -- data ------------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def replace(self, entries: list[GridEntry], more: bool) -> None:
        self.entries = list(entries)
        self.index = {e.key: i for i, e in enumerate(self.entries)}
        self.marked &= set(self.index)
        self.cursor, self.top_row = 0, 0
        self.more, self.loading_more = more, False
        self._refresh_cells()
        self._announce()

    def extend(self, entries: list[GridEntry], more: bool) -> None:
        for entry in entries:
            if entry.key not in self.index:
                self.index[entry.key] = len(self.entries)
                self.entries.append(entry)
        self.more, self.loading_more = more, False
        self._refresh_cells()

    def update_entry(self, key: str, caption: str) -> None:
        position = self.index.get(key)
        if position is not None:
            self.entries[position].caption = caption
            self._refresh_cells()

    def remove_entry(self, key: str) -> None:
        """Drop the entry `key` (not `remove`: that is Widget.remove, which takes the grid off the screen)."""
        if key in self.index:
            self.entries = [e for e in self.entries if e.key != key]
            self.index = {e.key: i for i, e in enumerate(self.entries)}
            self.marked.discard(key)
            self.cursor = min(self.cursor, max(0, len(self.entries) - 1))
            self._refresh_cells()
            self._announce()

    @property
    def current(self) -> GridEntry | None:
        return self.entries[self.cursor] if 0 <= self.cursor < len(self.entries) else None

    @property
    def selection(self) -> list[str]:
        """The marked keys in grid order, else the key under the cursor."""
        if self.marked:
            return [e.key for e in self.entries if e.key in self.marked]
        return [self.current.key] if self.current else []

    # -- layout ----------------------------------------------------------------------------------------

    def on_resize(self) -> None:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return
        columns = max(1, width // self.cell_width)
        cell_w = width // columns
        ideal = round(cell_w * 0.5) + 1  # about square pictures with half-cell pixels, plus the caption
        rows = max(1, min(height // 5, round(height / ideal)))
        cell_h = height // rows
        sized = self._box_cells != (0, 0)
        if not sized or (columns, rows) != (self.columns, self.rows) or len(self._cells) not in (0, columns * rows):
            self.columns, self.rows = columns, rows
            self.styles.grid_size_columns = columns
            self.styles.grid_columns = f"{cell_w}"
            self.styles.grid_rows = f"{cell_h}"
            self._box_cells = (max(1, cell_w - 2), max(1, cell_h - 3))  # inside the border, above the caption
            pixels = cell_pixels(self.renderer)
            self._box = (self._box_cells[0] * pixels[0], self._box_cells[1] * pixels[1])
            for cell in self._cells:
                cell.remove()
            self._cells = []
            if self.entries:
                self._build_cells()

    def _build_cells(self) -> None:
        """The pool of cells for the current size; built only once there is something to show (an empty grid
        shows its message alone, and a screen's first frame does not wait for cells it cannot fill yet)."""
        self._cells = [ThumbCell(slot, self.renderer, self._box_cells) for slot in range(self.columns * self.rows)]
        self.mount_all(self._cells)
        self.call_after_refresh(self._refresh_cells)

    def _refresh_cells(self) -> None:
        self.query_one("#grid-empty").display = not self.entries
        if not self._cells and self.entries and self._box_cells != (0, 0):  # sized, and something to show now
            self._build_cells()
            return
        if not self._cells or not self._cells[0].is_mounted:
            return
        self._scroll_to_cursor()
        missing: list[str] = []
        first = self.top_row * self.columns
        for slot, cell in enumerate(self._cells):
            position = first + slot
            entry = self.entries[position] if position < len(self.entries) else None
            cell.display = entry is not None or not self.entries
            image, note = None, ""
            if entry is not None and entry.path:
                thumb_key = (entry.path, self._box)
                image = self._thumbs.get(thumb_key)
                if image is not None:
                    self._thumbs.move_to_end(thumb_key)
                elif thumb_key in self._failed:
                    note = self._failed[thumb_key]
                else:
                    note = "…"
                    missing.append(entry.path)
            elif entry is not None:
                note = "no picture"
            cell.show(entry, image, note)
            cell.set_class(position == self.cursor and entry is not None, "-cursor")
            cell.set_class(entry is not None and entry.key in self.marked, "-marked")
        if missing and self.renderer != "none":
            self._load_thumbs(missing)

    def _scroll_to_cursor(self) -> None:
        row = self.cursor // self.columns
        if row < self.top_row:
            self.top_row = row
        elif row >= self.top_row + self.rows:
            self.top_row = row - self.rows + 1

    def _load_thumbs(self, paths: list[str]) -> None:
        box, cache_dir = self._box, self.cache_dir

        def work() -> None:
            worker = get_current_worker()
            for path in dict.fromkeys(paths):
                if worker.is_cancelled:
                    return
                try:
                    result: Any = load_preview(Path(path), box, cache_dir)
                except PreviewError as exc:
                    result = exc
                self.post_message(self._Thumb(path, box, result))

        start_thread(self, work, name="Loading thumbnails", group="grid-thumbs")

    def on_thumbnail_grid__thumb(self, message: _Thumb) -> None:
        key = (message.path, message.box)
        if isinstance(message.result, PreviewError):
            self._failed[key] = str(message.result)
        else:
            self._thumbs[key] = message.result
            while len(self._thumbs) > _CACHE_SIZE:
                self._thumbs.popitem(last=False)
        if message.box != self._box:
            return
        first = self.top_row * self.columns
        for slot, cell in enumerate(self._cells):
            position = first + slot
            if position < len(self.entries) and self.entries[position].path == message.path:
                cell.show(self.entries[position], self._thumbs.get(key), self._failed.get(key, ""))

    # -- keys ------------------------------------------------------------------------------------------

    def _go(self, position: int) -> None:
        if not self.entries:
            return
        position = max(0, min(len(self.entries) - 1, position))
        if position != self.cursor:
            self.cursor = position
            self._refresh_cells()
            self._announce()
        if self.more and not self.loading_more and len(self.entries) - self.cursor <= self.columns * self.rows * 2:
            self.loading_more = True
            self.post_message(self.NearEnd(self))

    def go_to(self, key: str) -> None:
        if key in self.index:
            self._go(self.index[key])

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current))

    def action_move(self, dx: int, dy: int) -> None:
        self._go(self.cursor + dx + dy * self.columns)

    def action_page(self, direction: int) -> None:
        self._go(self.cursor + direction * self.columns * self.rows)

    def action_jump(self, where: int) -> None:
        self._go(0 if where == 0 else len(self.entries) - 1)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def action_mark(self) -> None:
        entry = self.current
        if entry is None:
            return
        self.marked.symmetric_difference_update({entry.key})
        self._refresh_cells()
        self._go(self.cursor + 1)

    def clear_marks(self) -> None:
        self.marked.clear()
        self._refresh_cells()

    def on_thumbnail_grid_cell_clicked(self, message: CellClicked) -> None:
        message.stop()
        self.focus()
        self._go(self.top_row * self.columns + message.slot)
