"""ThumbnailGrid on its own: a pool of visible cells only, thumbnails shrunk off the UI thread, paging requests."""
from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image
from textual.app import App, ComposeResult
from textual_image.widget import HalfcellImage

from lib_helpers import make_png, wait_for
from pixflow_tui.tui.widgets import image_preview, thumbnail_grid
from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry, ThumbCell, ThumbnailGrid


class GridApp(App[None]):
    CSS = "ThumbnailGrid { height: 1fr; }"

    def __init__(self, cache: Path) -> None:
        super().__init__()
        self.grid = ThumbnailGrid(renderer="halfcell", cache_dir=cache, cell_width=20)
        self.near_end = 0
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.grid

    def on_thumbnail_grid_near_end(self, message: ThumbnailGrid.NearEnd) -> None:
        self.near_end += 1

    def on_thumbnail_grid_selected(self, message: ThumbnailGrid.Selected) -> None:
        self.selected.append(message.entry.key)


def entries(folder: Path, count: int, start: int = 0) -> list[GridEntry]:
    files = [make_png(folder / f"p{n % 5}.png", (50 * (n % 5), 100, 200)) for n in range(5)]
    return [GridEntry(f"k{n}", str(files[n % 5]), f"item {n}") for n in range(start, start + count)]


async def test_only_visible_cells_exist_and_the_view_follows_the_cursor(tmp_path: Path) -> None:
    app = GridApp(tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.replace(entries(tmp_path, 10_000), more=False)
        grid.focus()
        await pilot.pause()
        assert grid.columns == 4 and len(app.query(ThumbCell)) == grid.columns * grid.rows <= 12
        await pilot.press("end")
        assert grid.cursor == 9_999 and grid.top_row == 9_999 // grid.columns - grid.rows + 1
        shown = [cell.entry.key for cell in app.query(ThumbCell) if cell.entry]
        assert "k9999" in shown and len(shown) <= grid.columns * grid.rows
        await pilot.press("home", "right", "down", "enter")
        assert app.selected == [f"k{1 + grid.columns}"]


async def test_an_empty_grid_builds_its_cells_only_when_it_has_entries(tmp_path: Path) -> None:
    app = GridApp(tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        await pilot.pause()
        assert grid.columns == 4 and not app.query(ThumbCell)  # sized, but nothing to show: only the message
        assert app.query_one("#grid-empty").display
        grid.replace(entries(tmp_path, 3), more=False)
        await wait_for(pilot, lambda: [c for c in app.query(ThumbCell) if c.entry], what="cells")
        assert len(app.query(ThumbCell)) == grid.columns * grid.rows
        assert [c.entry.key for c in app.query(ThumbCell) if c.entry] == ["k0", "k1", "k2"]
        assert not app.query_one("#grid-empty").display


async def test_thumbnails_are_loaded_in_a_thread_and_cached(tmp_path: Path, monkeypatch) -> None:
    threads: list[str] = []
    real = image_preview.load_preview

    def spy(path, box, cache_dir):
        threads.append(threading.current_thread().name)
        return real(path, box, cache_dir)

    monkeypatch.setattr(thumbnail_grid, "load_preview", spy)
    app = GridApp(tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.replace(entries(tmp_path, 8), more=False)
        await wait_for(pilot, lambda: (cells := [c for c in app.query(ThumbCell) if c.entry]) and all(
            isinstance(c.query_one(HalfcellImage).image, Image.Image) for c in cells), what="thumbnails")
        assert threads and threading.main_thread().name not in threads
        loads = len(threads)
        assert loads == 5  # five distinct files, each shrunk once
        grid.focus()
        await pilot.press("down", "up")
        await pilot.pause()
        assert len(threads) == loads  # the in-memory cache served them again


async def test_near_end_asks_for_more_once_until_extended(tmp_path: Path) -> None:
    app = GridApp(tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.replace(entries(tmp_path, 30), more=True)
        grid.focus()
        await pilot.pause()
        await pilot.press("end")
        await pilot.press("left", "left")
        await pilot.pause()
        assert app.near_end == 1 and grid.loading_more
        grid.extend(entries(tmp_path, 30, start=30), more=False)
        await pilot.press("end")
        await pilot.pause()
        assert grid.cursor == 59 and app.near_end == 1 and not grid.loading_more


async def test_missing_files_show_a_note_instead_of_a_picture(tmp_path: Path) -> None:
    app = GridApp(tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.grid
        grid.replace([GridEntry("gone", str(tmp_path / "gone.png"), "gone"), GridEntry("none", None, "audio")],
                     more=False)
        cells = await wait_for(pilot, lambda: [c for c in app.query(ThumbCell) if c.entry], what="cells")
        await wait_for(pilot, lambda: "file not found" in str(cells[0].query_one("#placeholder").render()))
        assert "no picture" in str(cells[1].query_one("#placeholder").render())
