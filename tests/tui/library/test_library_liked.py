"""Liked tab: a thumbnail grid of the images rated +1, four-way movement, rating keys that reach the database."""
from __future__ import annotations

from PIL import Image
from textual_image.widget import HalfcellImage

from lib_helpers import COLOURS, open_library, open_store, seed, settle, show_tab, wait_for
from pixflow_tui.tui.widgets.thumbnail_grid import ThumbCell, ThumbnailGrid


async def test_grid_shows_liked_images_with_real_thumbnails(make_app, settings) -> None:
    made = seed(settings, images=6, liked=(0, 2, 4, 5))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "liked")
        grid = tab.query_one(ThumbnailGrid)
        assert app.focused is grid
        assert [e.key for e in grid.entries] == [f"image:{made.images[i].id}" for i in (5, 4, 2, 0)]
        await wait_for(pilot, lambda: (cells := [c for c in grid.query(ThumbCell) if c.entry]) and all(
            isinstance(c.query_one(HalfcellImage).image, Image.Image) for c in cells), what="thumbnails")
        first = grid.query(ThumbCell).first()
        assert first.entry.caption.startswith("♥ red fox 5")
        thumb = first.query_one(HalfcellImage).image.convert("RGB")
        assert thumb.getpixel((thumb.width // 2, thumb.height // 2)) == COLOURS[5]
        assert "#c828c8" in app.export_screenshot().lower()  # the halfcell renderer drew the thumbnail's colour


async def test_arrows_and_vim_keys_move_in_four_directions(make_app, settings) -> None:
    seed(settings, images=6, liked=(0, 1, 2, 3, 4, 5))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "liked")
        grid = tab.query_one(ThumbnailGrid)
        assert grid.columns >= 2 and grid.cursor == 0
        await pilot.press("right")
        assert grid.cursor == 1
        await pilot.press("h")
        assert grid.cursor == 0
        await pilot.press("down")
        assert grid.cursor == grid.columns
        await pilot.press("k")
        assert grid.cursor == 0
        await pilot.press("j")
        assert grid.cursor == grid.columns
        await pilot.press("left")
        assert grid.cursor == grid.columns - 1
        await pilot.press("up")
        assert grid.cursor == 0
        await pilot.press("G")
        assert grid.cursor == 5
        await settle(pilot)
        meta = app.screen.query_one("#preview-meta")  # the preview follows the cursor (the oldest liked is last)
        await wait_for(pilot, lambda: "red fox 0" in str(meta.render()), what="the preview")


async def test_rating_keys_update_the_caption_and_the_database(make_app, settings) -> None:
    made = seed(settings, images=3, liked=(0, 1, 2))
    store = open_store(settings)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "liked")
        grid = tab.query_one(ThumbnailGrid)
        newest = made.images[2].id
        await pilot.press("d")
        assert grid.entries[0].caption.startswith("✗ ")  # shown at once, before the write
        await settle(pilot)
        assert store.ratings.get(newest).rating == -1
        await pilot.press("0")
        await settle(pilot)
        assert store.ratings.get(newest) is None and not grid.entries[0].caption.startswith(("♥", "✗"))
        await pilot.press("l")
        await settle(pilot)
        assert store.ratings.get(newest).rating == 1
        await pilot.press("right", "space", "right", "space")
        assert tab.selected_keys() == [f"image:{made.images[1].id}", f"image:{made.images[0].id}"]


async def test_grid_pages_in_more_liked_images_as_the_cursor_nears_the_end(make_app, settings) -> None:
    seed(settings, images=150, liked=tuple(range(150)), history=0)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "liked")
        grid = tab.query_one(ThumbnailGrid)
        assert len(grid.entries) == 60 and grid.more
        assert len(grid.query(ThumbCell)) == grid.columns * grid.rows < 60  # only the visible cells exist
        await pilot.press("pagedown")
        assert grid.cursor == grid.columns * grid.rows
        for _ in range(3):
            await pilot.press("G")
            await settle(pilot)
        await wait_for(pilot, lambda: len(grid.entries) == 150 and not grid.more, what="every page")
        await pilot.press("G")
        assert grid.cursor == 149
        assert grid.top_row * grid.columns <= 149 < (grid.top_row + grid.rows) * grid.columns  # scrolled to it
