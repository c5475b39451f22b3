"""pixflow_tui/tui/compat.py: each private Textual / textual-image internal still exists and behaves as relied on.

A failure here after an upgrade means a compat function must change (its docstring says why it needs the internal).
"""
from __future__ import annotations

import inspect
import io
import os
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from pixflow_tui.tui import compat
from pixflow_tui.tui.startup import ensure_textual_image


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("name", key="name", width=10)
        table.add_column("state", key="state", width=10)
        for n in range(5):
            table.add_row(f"row {n}", "queued", key=str(n))


def _line(table: DataTable[Any], y: int) -> str:
    return table.render_line(y).text


async def test_datatable_has_the_caches_the_compat_functions_clear() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        assert isinstance(table._data, dict)
        assert compat.stored_row(table, RowKey("1")) == {ColumnKey("name"): "row 1", ColumnKey("state"): "queued"}
        assert compat.stored_row(table, RowKey("missing")) is None
        assert table._row_locations.get(RowKey("1")) == 1
        region = table._get_row_region(1)
        assert isinstance(region, Region) and region.height == 1
        # rendered: the caches are filled with the key shapes forget_rendered_cells relies on
        for cache in (table._cell_render_cache, table._row_render_cache, table._line_cache):
            assert hasattr(cache, "keys") and hasattr(cache, "discard")
        assert any(isinstance(k[0], RowKey) and isinstance(k[1], ColumnKey) for k in table._cell_render_cache.keys())
        assert any(isinstance(k[0], RowKey) for k in table._row_render_cache.keys())
        assert any(isinstance(k[0], int) for k in table._line_cache.keys())
        assert hasattr(table._row_renderable_cache, "clear")
        assert isinstance(table._require_update_dimensions, bool)


async def test_a_quiet_cell_change_repaints_its_row_with_the_new_value() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        y = table._get_row_region(2).y
        assert "queued" in _line(table, y)
        update_count = table._update_count
        assert compat.set_cell_quietly(table, RowKey("2"), ColumnKey("state"), Text("done"))
        assert not compat.set_cell_quietly(table, RowKey("missing"), ColumnKey("state"), "x")
        assert not compat.set_cell_quietly(table, RowKey("2"), ColumnKey("missing"), "x")
        compat.forget_rendered_cells(table, {(RowKey("2"), ColumnKey("state"))})
        await pilot.pause()
        assert "done" in _line(table, y)
        assert "queued" in _line(table, table._get_row_region(1).y)  # the other rows are untouched
        assert table._update_count == update_count  # nothing bumped the counter every cache is keyed on
        assert table.get_cell("2", "state") == Text("done")


async def test_a_resized_column_changes_the_tables_width() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        before = table.virtual_size.width
        table.columns[ColumnKey("name")].width = 30
        compat.columns_resized(table)
        await pilot.pause()
        assert table.virtual_size.width == before + 20


async def test_a_screen_marked_styled_shares_the_apps_update_count() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        screen: Screen[None] = Screen()
        assert isinstance(app._css_update_count, int) and isinstance(screen._css_update_count, int)
        compat.mark_screen_styled(screen, app)
        assert screen._css_update_count == app._css_update_count
        await pilot.pause()
    # Textual restyles a new mode's screen only when the counts differ
    assert "screen._css_update_count != self._css_update_count" in inspect.getsource(App)


class CountingFile(io.FileIO):
    """A file that counts the bytes handed to the OS."""

    written = 0

    def write(self, data: Any) -> int:
        count = super().write(data) or 0
        self.written += count
        return count


def test_waiting_for_the_output_ends_once_the_writer_wrote_everything() -> None:
    from textual.drivers._writer_thread import WriterThread
    from textual.drivers.linux_driver import LinuxDriver

    assert "self._writer_thread = WriterThread(" in inspect.getsource(LinuxDriver)
    assert "_driver" in vars(App()) and compat.wait_for_output(App(), 0.1)  # no driver (headless): at once
    size = 300_000  # more than a pipe holds: the writer waits for its reader
    read_end, write_end = os.pipe()
    counting = CountingFile(write_end, "w")
    writer = WriterThread(io.TextIOWrapper(io.BufferedWriter(counting), line_buffering=True))
    writer.start()
    app: Any = SimpleNamespace(_driver=SimpleNamespace(_writer_thread=writer))
    writer.write("x" * size)
    assert not compat.wait_for_output(app, 0.2)  # nobody reads: it times out
    assert counting.written < size

    def read() -> None:
        received = 0
        while received < size:
            received += len(os.read(read_end, 4096))
            time.sleep(0.001)  # a slow terminal

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert compat.wait_for_output(app, 10)
    assert counting.written == size  # all of it handed to the OS, none left in the file's buffer
    reader.join(5)
    writer.stop()
    os.close(read_end)


@pytest.fixture
def cached_cell_size(monkeypatch: pytest.MonkeyPatch) -> Any:
    ensure_textual_image("halfcell")
    from textual_image import _terminal

    if hasattr(_terminal.get_cell_size, "_result"):
        monkeypatch.setattr(_terminal.get_cell_size, "_result", _terminal.get_cell_size._result)
    return _terminal


def test_textual_image_caches_the_cell_size_where_compat_reads_it(cached_cell_size: Any, monkeypatch) -> None:
    _terminal = cached_cell_size
    assert _terminal.CellSize._fields[:2] == ("width", "height")
    monkeypatch.setattr(_terminal.get_cell_size, "_result", _terminal.CellSize(7, 15), raising=False)
    assert compat.cell_size() == (7, 15)
    compat.measure_cell_size()  # cached: no terminal query
    compat.ensure_cell_size((3, 6))  # a measured size is kept
    assert compat.cell_size() == (7, 15)


def test_ensure_cell_size_fills_textual_images_cache(cached_cell_size: Any, monkeypatch) -> None:
    _terminal = cached_cell_size
    monkeypatch.delattr(_terminal.get_cell_size, "_result", raising=False)
    compat.ensure_cell_size((3, 6))
    assert _terminal.get_cell_size() == _terminal.CellSize(3, 6)  # read from the cache: no terminal query
    assert compat.cell_size() == (3, 6)


def test_a_textual_image_widget_subclass_takes_its_bases_renderable() -> None:
    ensure_textual_image("halfcell")
    from textual_image.renderable import halfcell
    from textual_image.widget import HalfcellImage

    renderable = compat.image_renderable_class(HalfcellImage)
    assert renderable is halfcell.Image

    class Sub(HalfcellImage, Renderable=renderable):  # type: ignore[valid-type,misc,call-arg]
        pass

    assert compat.image_renderable_class(Sub) is halfcell.Image
