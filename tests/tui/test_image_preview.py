"""ImagePreview: shrunk off the UI thread, cached, drawn with the halfcell renderer, never crashing."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.widgets import Static
from textual_image.widget import HalfcellImage

from pixflow_tui.tui.widgets.image_preview import ImagePreview, load_preview
from tui_helpers import settle


def two_colour_png(path: Path, size: tuple[int, int] = (200, 100)) -> Path:
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    image.save(path)
    return path


class PreviewApp(App[None]):
    CSS = "ImagePreview { width: 40; height: 10; }"

    def __init__(self, path: Path, cache: Path, renderer: str = "halfcell") -> None:
        super().__init__()
        self.preview = ImagePreview(path, renderer=renderer, cache_dir=cache)

    def compose(self) -> ComposeResult:
        yield self.preview


async def test_renders_a_real_png_shrunk_to_the_widget(tmp_path: Path) -> None:
    path = two_colour_png(tmp_path / "two.png")
    app = PreviewApp(path, tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        inner = app.query_one(HalfcellImage)
        assert inner.display
        assert isinstance(inner.image, Image.Image)
        assert inner.image.size == (40, 20)  # 40 cells wide, 10 rows of two half-cells
        assert (inner.size.width, inner.size.height) == (40, 10)
        svg = app.export_screenshot()
        assert "#ff0000" in svg and "#0000ff" in svg
    assert len(list((tmp_path / "cache" / "previews").glob("*.png"))) == 1


@pytest.mark.parametrize("renderer", ["halfcell", "unicode"])
async def test_lines_drawn_off_the_ui_thread_match_what_textual_image_draws(tmp_path: Path, renderer: str) -> None:
    image = Image.new("RGB", (40, 19), (10, 20, 30))
    image.paste((250, 200, 0), (5, 3, 30, 15))
    image.putpixel((39, 18), (0, 255, 0))
    path = tmp_path / "odd.png"
    image.save(path)
    app = PreviewApp(path, tmp_path / "cache", renderer=renderer)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        inner = app.query_one("#image")
        assert inner.drawn and (inner.size.width, inner.size.height) == (40, 10)
        ahead = [inner.render_line(y) for y in range(10)]
        inner.drawn = None
        inner.refresh()
        own = [inner.render_line(y) for y in range(10)]
        assert [list(line) for line in ahead] == [list(line) for line in own]


def test_thumbnail_cache_is_keyed_by_file_state(tmp_path: Path) -> None:
    path = two_colour_png(tmp_path / "a.png")
    cache = tmp_path / "cache"
    load_preview(path, (40, 20), cache)
    load_preview(path, (40, 20), cache)
    assert len(list(cache.rglob("*.png"))) == 1
    two_colour_png(path, (300, 100))  # same name, new content
    assert load_preview(path, (40, 20), cache).size == (40, 13)
    assert len(list(cache.rglob("*.png"))) == 2


@pytest.mark.parametrize(("content", "reason"), [
    (b"this is not an image at all", "not an image file"),
    (None, "broken image"),
    ("missing", "file not found"),
])
async def test_broken_or_missing_files_show_a_message(tmp_path: Path, content: object, reason: str) -> None:
    path = tmp_path / "bad.png"
    if content is None:
        data = two_colour_png(tmp_path / "good.png").read_bytes()
        path.write_bytes(data[: len(data) // 2])  # a truncated PNG: valid header, missing pixels
    elif isinstance(content, bytes):
        path.write_bytes(content)
    app = PreviewApp(path, tmp_path / "cache")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.preview.message.startswith(f"cannot show image: {reason}")
        assert not app.query_one(HalfcellImage).display
        assert app.is_running


async def test_none_renderer_shows_dimensions_and_path(tmp_path: Path) -> None:
    path = two_colour_png(tmp_path / "two.png")
    app = PreviewApp(path, tmp_path / "cache", renderer="none")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.preview.message == f"200×100 PNG · {path}"
        assert not app.query(HalfcellImage)
        assert str(app.query_one("#message", Static).render()).startswith("200×100 PNG")


async def test_showing_another_file_and_clearing(tmp_path: Path) -> None:
    first = two_colour_png(tmp_path / "one.png")
    app = PreviewApp(first, tmp_path / "cache")
    async with app.run_test() as pilot:
        await settle(pilot)
        app.preview.show(tmp_path / "nope.png")
        await settle(pilot)
        assert app.preview.message == "cannot show image: file not found"
        app.preview.show(first)
        await settle(pilot)
        assert app.preview.message == "" and app.query_one(HalfcellImage).display
