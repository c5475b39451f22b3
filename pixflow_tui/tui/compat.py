"""Every use of a private Textual or textual-image internal in the TUI, one small function each.

docs/architecture.md, "Building a screen": nothing else in pixflow_tui/tui reaches a private name of those libraries
(tests/test_private_internals.py checks the source). Each function says why it needs the internal and the version it
was checked against (pyproject.toml pins those versions exactly); tests/tui/test_tui_compat.py fails when an upgrade
removes or changes one. On an upgrade: run that test, fix the function here, and update the version noted.
"""
from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.widgets import DataTable
    from textual.widgets.data_table import ColumnKey, RowKey

CHECKED_TEXTUAL = "8.2.8"
CHECKED_TEXTUAL_IMAGE = "0.12.0"

# -- Textual DataTable (checked against Textual 8.2.8) ------------------------------------------------------------


def stored_row(table: DataTable[Any], row_key: RowKey) -> dict[ColumnKey, Any] | None:
    """The table's own cell values of one row (column key -> value), or None when there is no such row.

    Why: `DataTable.get_row` copies the row into a list in column order and raises for a missing key; the job table
    compares each incoming cell with the shown one on every event, and writes changed cells in place
    (`set_cell_quietly`). Internal: `DataTable._data` (dict[RowKey, dict[ColumnKey, CellType]]). Textual 8.2.8."""
    row: dict[ColumnKey, Any] | None = table._data.get(row_key)
    return row


def set_cell_quietly(table: DataTable[Any], row_key: RowKey, column_key: ColumnKey, value: object) -> bool:
    """Store a cell's value without `DataTable.update_cell`'s full repaint; False when the row or column is missing.

    Why: update_cell bumps the one counter every render cache is keyed on, so a single changed cell renders every
    visible cell again (~0.5 ms each: 200 ms for a screenful on a busy small machine). The caller then calls
    `forget_rendered_cells` for the cells it changed. Internal: `DataTable._data`. Textual 8.2.8."""
    row = table._data.get(row_key)
    if row is None or column_key not in table.columns:
        return False
    row[column_key] = value
    return True


def forget_rendered_cells(table: DataTable[Any], cells: Iterable[tuple[RowKey, ColumnKey]]) -> None:
    """Drop the rendered cells, rows and lines of `cells` from the table's caches and refresh those rows only.

    Why: the partner of `set_cell_quietly`: the caches are keyed by the update counter, which is not bumped, so the
    entries of the changed cells must go. Internals (Textual 8.2.8): `_cell_render_cache` (keys start with
    (row key, column key)), `_row_render_cache` (keys start with the row key), `_row_renderable_cache` (keyed by row
    index: cleared), `_line_cache` (keys start with the line y), `_row_locations` (row key -> index) and
    `_get_row_region(index)`."""
    cells = set(cells)
    if not cells:
        return
    rows = {row_key for row_key, _ in cells}
    cell_cache, row_cache, line_cache = table._cell_render_cache, table._row_render_cache, table._line_cache
    for cell_key in [k for k in cell_cache.keys() if (k[0], k[1]) in cells]:
        cell_cache.discard(cell_key)
    for row_cache_key in [k for k in row_cache.keys() if k[0] in rows]:
        row_cache.discard(row_cache_key)
    table._row_renderable_cache.clear()  # keyed by row index: cheap to rebuild
    lines: set[int] = set()
    for row_key in rows:
        index = table._row_locations.get(row_key)
        if index is not None:
            region = table._get_row_region(index)
            lines.update(range(region.y, region.bottom))
            table.refresh_row(index)
    for line_key in [k for k in line_cache.keys() if k[0] in lines]:  # keyed by line (y first)
        line_cache.discard(line_key)


def columns_resized(table: DataTable[Any]) -> None:
    """Tell the table a column's width changed (set directly on `table.columns[key].width`) and repaint it.

    Why: DataTable has no public way to resize a column after it was added; without the flag its virtual size and
    column offsets keep the old width. Internal: `DataTable._require_update_dimensions`. Textual 8.2.8."""
    table._require_update_dimensions = True
    table.refresh()


# -- Textual screens and styles (checked against Textual 8.2.8) ---------------------------------------------------


def mark_screen_styled(screen: Screen[Any], app: App[Any]) -> None:
    """Mark a just-built screen as styled with the app's current sheets, so Textual does not re-parse them all.

    Why: Textual calls refresh_css() for a new mode's screen whose update count lags the app's: a full re-parse of
    every sheet, twice on a mode switch. A screen built just now is styled when it mounts, so it is current.
    Internals: `App._css_update_count`, `Screen._css_update_count` (compared in App._init_mode/switch_mode).
    Textual 8.2.8."""
    screen._css_update_count = app._css_update_count


# -- Textual's output (checked against Textual 8.2.8) -------------------------------------------------------------


def wait_for_output(app: App[Any], timeout: float) -> bool:
    """Block (a thread, never the app's loop) until what the app displayed so far was handed to the terminal, or
    `timeout` seconds; False on the timeout. At once when there is no writer thread (headless, Windows).

    Why: Textual writes to the terminal from its own thread, a few KB per write on a pty, and needs the GIL back
    after each write. Threads started as soon as the first frame was ready (opening the store, the engine, the
    warm-ups) kept it from the GIL: under load the last rows of the first frame reached the terminal 200-300 ms
    after the frame was ready. An empty text is queued and waited for: the writer takes it off its queue only after
    writing all that came before, and flushes once its queue is empty (done twice: the first may be taken before
    that flush). Internals: `App._driver`, `LinuxDriver._writer_thread` (a WriterThread) and its `_queue` (the
    queue.Queue of texts to write). Textual 8.2.8."""
    writer = getattr(app._driver, "_writer_thread", None)
    if writer is None:
        return True
    deadline = time.monotonic() + timeout
    for _ in range(2):
        writer.write("")
        while writer._queue.qsize():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.002)
    return True


# -- textual-image (checked against textual-image 0.12.0) ---------------------------------------------------------


def cell_size() -> tuple[int, int]:
    """The terminal's cell size in pixels (width, height), as textual-image measured it (once, then cached).

    Why: pixel renderers (kitty, sixel) must size thumbnails to whole cells; textual-image keeps the measured size
    only in its private module. Internal: `textual_image._terminal.get_cell_size()`. textual-image 0.12.0."""
    from textual_image._terminal import get_cell_size

    size = get_cell_size()
    return size.width, size.height


def measure_cell_size() -> None:
    """Ask the terminal for its cell size now (ioctl, else an escape query), while Pixflow still owns stdin.

    Why: textual-image queries lazily, from inside the running app, where Textual reads the answer as keys.
    A pty that reports 0 columns makes it divide by zero (it only catches OSError): the fallback then applies.
    Internal: `textual_image._terminal.get_cell_size()`. textual-image 0.12.0."""
    from textual_image._terminal import get_cell_size

    try:
        get_cell_size()
    except ZeroDivisionError:
        pass


def ensure_cell_size(fallback: tuple[int, int]) -> None:
    """Make textual-image's cached cell size `fallback` unless it measured one, so it never queries the terminal.

    Why: textual_image.widget calls get_cell_size() when imported; after Textual owns stdin a terminal query would
    hang or leak its answer as keys. Internals: `textual_image._terminal.get_cell_size._result` (the cache
    get_cell_size reads first) and `textual_image._terminal.CellSize`. textual-image 0.12.0."""
    from textual_image import _terminal

    if not hasattr(_terminal.get_cell_size, "_result"):
        # setattr: a function attribute textual-image itself sets the same way
        setattr(_terminal.get_cell_size, "_result", _terminal.CellSize(*fallback))


def image_renderable_class(widget_class: type[Widget]) -> type[Any]:
    """The Rich renderable class a textual-image widget class draws with.

    Why: a subclass of a textual-image widget must pass its base's renderable as the `Renderable=` class keyword
    (textual-image's `__init_subclass__`), which is kept only on the private class attribute. Internal:
    `textual_image.widget._base.Image._Renderable`. textual-image 0.12.0."""
    renderable: type[Any] = getattr(widget_class, "_Renderable")
    return renderable


# -- Sixel images (checked against textual-image 0.12.0) -----------------------------------------------------------
#
# textual-image 0.12's sixel widget has two faults that break the screen in a real terminal: after drawing it moves
# the cursor one row BELOW the image, while Textual goes on writing the rest of that line where it thinks the cursor
# is (on the screen's last rows this scrolls the whole screen up one row); and it returns empty lines for all but the
# image's last row, so the cells under the image are never written (pieces of a closed dialog stay on top of it).
# textual-image 0.14 fixes both (by Lanqing "lnqs" Huang, LGPL-3.0) but needs Python 3.12; the two changes below
# follow its idea (cursor back on the image's last row; every line filled with background-coloured spaces, the sixel
# drawn after them) in our own code. Two more: one encoding per image and size, shared by every widget (the grid
# reuses its cells as the view moves), and no re-send while the terminal still shows the same image in the same place.

SIXEL_CACHE_SIZE = 192  # encoded images kept (10-60 KB each)
_sixel_cache: OrderedDict[tuple[Any, ...], tuple[object, str]] = OrderedDict()
sixel_stats = {"encoded": 0, "sent": 0}  # counters for tests and benchmarks


def _cached_sixels(image: object, key: tuple[Any, ...], encode: Any) -> str:
    """The sixel data of `image` for `key` (crop, size, cell size, options, background), encoded at most once.

    The image object itself is kept in the entry, so its id() (part of the key) cannot be reused meanwhile."""
    full_key = (id(image), *key)
    entry = _sixel_cache.get(full_key)
    if entry is not None and entry[0] is image:
        _sixel_cache.move_to_end(full_key)
        return entry[1]
    data: str = encode()
    sixel_stats["encoded"] += 1
    _sixel_cache[full_key] = (image, data)
    while len(_sixel_cache) > SIXEL_CACHE_SIZE:
        _sixel_cache.popitem(last=False)
    return data


@functools.cache
def sixel_image_class() -> type[Widget]:
    """textual-image's SixelImage widget with the fixes above.

    Why: the faults are in `textual_image.widget.sixel._ImageSixelImpl.render_lines`, the private child widget the
    public SixelImage composes. Internals: `_ImageSixelImpl` (its `image`, `_sixel_options`, `_scale_image`,
    `_crop_image`, `_image_to_sixels`, `_get_background_rgba`), `_NoopRenderable`, `SixelImage._sixel_options`, `get_cell_size`, and
    `Screen._compositor.visible_widgets` (to know whether another widget was drawn over the image). 0.12.0."""
    from rich.segment import ControlType, Segment
    from rich.style import Style
    from textual.app import ComposeResult
    from textual.dom import NoScreen
    from textual.geometry import Region
    from textual.strip import Strip
    from textual_image._pixeldata import PixelData
    from textual_image._terminal import get_cell_size
    from textual_image.widget import SixelImage
    from textual_image.widget.sixel import _ImageSixelImpl, _NoopRenderable

    null_style = Style()

    def move_to(x: int, y: int) -> Segment:
        return Segment(f"\x1b[{y + 1};{x + 1}H", null_style)

    class _CarriedSixelImpl(_ImageSixelImpl):
        def on_mount(self) -> None:
            self._on_terminal: tuple[Any, ...] | None = None  # what this widget last sent, and where
            self.app.screen_change_signal.subscribe(self, self._forget_sent)
            self.app.app_resume_signal.subscribe(self, self._forget_sent)

        def _forget_sent(self, _: object = None) -> None:
            self._on_terminal = None

        def render_lines(self, crop: Region) -> list[Strip]:
            try:
                if not self.image or not self.screen.is_active:
                    self._forget_sent()
                    return []
            except NoScreen:
                return []
            cell = get_cell_size()
            background = self._get_background_rgba()
            key = (crop, self.content_size, cell, self._sixel_options, background)

            source = self.image

            def encode() -> str:
                pixels = self._crop_image(self._scale_image(PixelData(source), cell), crop, cell)
                data: str = self._image_to_sixels(pixels.pil_image, self._sixel_options, background=background)
                return data

            visible = self.screen.find_widget(self).visible_region
            _, colour = self.background_colors
            blank = Segment(" " * crop.width, Style(bgcolor=colour.rich_color))
            blank_lines = [Strip([blank], cell_length=crop.width) for _ in range(crop.height)]
            if self._is_covered(visible):
                # a toast or menu drawn over the image: the image would be drawn on top of it, so it waits
                self._forget_sent()
                return blank_lines
            sixels = _cached_sixels(source, key, encode)
            placed = (id(sixels), visible, self.app.size)
            if placed == getattr(self, "_on_terminal", None):
                # the terminal still shows this image here: step over its cells instead of sending it again
                step = Segment(f"\x1b[{crop.width}C", null_style, ((ControlType.CURSOR_FORWARD, crop.width),))
                return [Strip([step], cell_length=crop.width) for _ in range(crop.height)]
            self._on_terminal = placed
            sixel_stats["sent"] += 1
            image = [
                move_to(visible.x, visible.y),
                Segment(sixels, null_style, ((ControlType.CURSOR_FORWARD, 0),)),
                move_to(visible.right, visible.bottom - 1),  # where Textual expects the cursor: the last row
            ]
            blank_lines[-1] = Strip([blank, *image], cell_length=crop.width)
            return blank_lines

        def _is_covered(self, visible: Region) -> bool:
            """True when a widget that is not part of this image is drawn over some of it (a toast, a menu)."""
            own = set(self.ancestors_with_self)
            return any(
                widget not in own and region.intersection(clip).overlaps(visible)
                for widget, (region, clip) in self.screen._compositor.visible_widgets.items()
            )

    class CarriedSixelImage(SixelImage, Renderable=_NoopRenderable):
        def compose(self) -> ComposeResult:
            yield _CarriedSixelImpl(self.image, self._sixel_options)

    return CarriedSixelImage
