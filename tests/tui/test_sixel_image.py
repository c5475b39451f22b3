"""The carried sixel fix (tui/compat.py): the bytes a frame writes keep the screen whole.

A tiny terminal (cursor moves, newlines, text, sixel strings skipped) replays what Textual would write, so a cursor
left one row below an image (textual-image 0.12: the screen scrolls up a row) or cells under an image never written
(pieces of a closed dialog stay on top of it) show up as a screen that differs from what Textual meant to draw.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from pixflow_tui.tui import compat
from pixflow_tui.tui.startup import ensure_textual_image
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from tui_helpers import settle

SIZE = (40, 12)
_TOKEN = re.compile(r"\x1bP.*?\x1b\\|\x1b\[(\d*)(?:;(\d*))?([A-Za-z])|\x1b\[[?\d;]*[a-zA-Z]|\n|\r|[^\x1b\n\r]",
                    re.DOTALL)


class Terminal:
    """What a terminal shows after the bytes written to it: text cells, and every scroll."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[" "] * width for _ in range(height)]
        self.x = self.y = 0
        self.scrolled = 0
        self.sixels: list[tuple[int, int]] = []  # where each image was drawn (x, y)

    def feed(self, data: str) -> None:
        for match in _TOKEN.finditer(data):
            token = match.group(0)
            if token.startswith("\x1bP"):
                if token.startswith("\x1bPq") or "q" in token[:12]:
                    self.sixels.append((self.x, self.y))
            elif match.group(3) == "H":
                self.y = int(match.group(1) or 1) - 1
                self.x = int(match.group(2) or 1) - 1
            elif match.group(3) == "C":
                self.x = min(self.width - 1, self.x + int(match.group(1) or 1))
            elif token == "\n":
                if self.y == self.height - 1:
                    self.cells = self.cells[1:] + [[" "] * self.width]
                    self.scrolled += 1
                else:
                    self.y += 1
            elif token == "\r":
                self.x = 0
            elif not token.startswith("\x1b"):
                if self.x < self.width:
                    self.cells[self.y][self.x] = token
                self.x += 1

    def text(self) -> list[str]:
        return ["".join(row) for row in self.cells]


def picture(path: Path) -> Path:
    image = Image.new("RGB", (800, 600), (200, 30, 30))
    image.paste((30, 30, 200), (400, 0, 800, 600))
    image.save(path)
    return path


class Dialog(ModalScreen[None]):
    DEFAULT_CSS = "Dialog { align: center middle; } Dialog > Label { width: 30; height: 5; background: $panel; }"

    def compose(self) -> ComposeResult:
        yield Label("DIALOG TEXT " * 6)


class SixelApp(App[None]):
    """An image whose last row sits right above a footer line, as in Asset Monster at 80×24."""

    CSS = """
    #top { height: 1; } #footer { dock: bottom; height: 1; }
    ImagePreview { height: 1fr; width: 1fr; } Vertical { height: 1fr; }
    """

    def __init__(self, path: Path, cache: Path) -> None:
        super().__init__()
        self.preview = ImagePreview(path, renderer="sixel", cache_dir=cache)
        self.written: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("HEADER LINE", id="top")
        with Vertical():
            yield self.preview
        yield Static("FOOTER LINE right after the picture", id="footer")

    def _display(self, screen: Any, renderable: Any) -> None:  # what the real driver would write
        from textual._compositor import CompositorUpdate

        if isinstance(renderable, CompositorUpdate):
            self.written.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)


@pytest.fixture(autouse=True)
def _cell_size() -> None:
    ensure_textual_image("sixel")  # outside a terminal: textual-image's own 10×20 cells


def _replay(app: SixelApp) -> Terminal:
    terminal = Terminal(*SIZE)
    for data in app.written:
        terminal.feed(data)
    return terminal


def _meant(app: SixelApp) -> list[str]:
    """The screen's text as Textual composes it; an image's cells are blank (the image is drawn over them)."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    steps = re.compile(r"\x1b\[(\d+)C")
    return [steps.sub(lambda m: " " * int(m.group(1)), re.sub(r"\x1bP.*?\x1b\\|\x1b\[[\d;]*H", "", line))
            for line in lines]


async def test_a_frame_with_a_sixel_keeps_the_cursor_on_the_image_and_clears_its_cells(tmp_path: Path) -> None:
    app = SixelApp(picture(tmp_path / "p.png"), tmp_path / "cache")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        impl = app.preview.query_one("#image").children[0]
        region = app.screen.find_widget(impl).visible_region
        assert region.bottom == SIZE[1] - 1  # the picture's last row is right above the footer
        frame = "".join(app.written)
        assert frame.count("\x1bP") == 1, "the image is sent once"
        sixel_end = frame.index("\x1b\\", frame.index("\x1bP")) + 2
        after = re.match(r"\x1b\[(\d+);(\d+)H", frame[sixel_end:])
        assert after is not None
        assert (int(after.group(2)) - 1, int(after.group(1)) - 1) == (region.right, region.bottom - 1)
        terminal = _replay(app)
        assert terminal.scrolled == 0
        assert terminal.text()[0].startswith("HEADER LINE")
        assert terminal.text()[-1].startswith("FOOTER LINE")
        assert terminal.text() == _meant(app)


async def test_closing_a_dialog_leaves_nothing_of_it_over_the_image(tmp_path: Path) -> None:
    app = SixelApp(picture(tmp_path / "p.png"), tmp_path / "cache")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(Dialog())
        await settle(pilot)
        assert any("DIALOG TEXT" in line for line in _replay(app).text())
        sent = compat.sixel_stats["sent"]
        app.pop_screen()
        await settle(pilot)
        terminal = _replay(app)
        assert not any("DIALOG" in line for line in terminal.text())
        assert terminal.text() == _meant(app) and terminal.scrolled == 0
        assert compat.sixel_stats["sent"] == sent + 1, "the image comes back once, after the dialog closed"


async def test_a_repaint_that_changes_nothing_does_not_send_the_image_again(tmp_path: Path) -> None:
    app = SixelApp(picture(tmp_path / "p.png"), tmp_path / "cache")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        encoded, sent = compat.sixel_stats["encoded"], compat.sixel_stats["sent"]
        before = len(app.written)
        for _ in range(3):
            app.query_one(Vertical).refresh()
            await pilot.pause()
        await settle(pilot)
        assert compat.sixel_stats["sent"] == sent and compat.sixel_stats["encoded"] == encoded
        assert len(app.written) > before and "\x1bP" not in "".join(app.written[before:])
        assert _replay(app).text() == _meant(app)


async def test_one_encoding_per_image_and_size_shared_by_widgets(tmp_path: Path) -> None:
    path = picture(tmp_path / "p.png")
    app = SixelApp(path, tmp_path / "cache")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        encoded = compat.sixel_stats["encoded"]
        image = app.preview.query_one("#image").image
        app.preview.query_one("#image").image = image  # textual-image recomposes: a new child widget
        await settle(pilot)
        assert compat.sixel_stats["encoded"] == encoded


class GridApp(App[None]):
    def __init__(self, entries: list[Any], cache: Path) -> None:
        super().__init__()
        from pixflow_tui.tui.widgets.thumbnail_grid import ThumbnailGrid

        self.grid = ThumbnailGrid(renderer="sixel", cache_dir=cache, cell_width=20)
        self.entries = entries

    def compose(self) -> ComposeResult:
        yield self.grid

    def on_mount(self) -> None:
        self.grid.replace(self.entries, more=False)
        self.grid.focus()


async def test_a_view_change_sends_each_visible_image_once(tmp_path: Path) -> None:
    from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry

    paths = []
    for n in range(24):
        image = Image.new("RGB", (300, 300), (10 * n, 200 - 5 * n, 90))
        paths.append(tmp_path / f"{n}.png")
        image.save(paths[-1])
    entries = [GridEntry(str(n), str(path), f"image {n}") for n, path in enumerate(paths)]
    app = GridApp(entries, tmp_path / "cache")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        visible = sum(1 for cell in app.grid._cells if cell.display)
        assert visible == 8  # 4 columns × 2 rows
        sent = compat.sixel_stats["sent"]
        await pilot.press("right")  # the cursor moves: no picture changes
        await settle(pilot)
        assert compat.sixel_stats["sent"] == sent
        await pilot.press("pagedown")  # a new page: every picture changes, each is sent once
        await settle(pilot)
        assert compat.sixel_stats["sent"] == sent + visible


async def test_something_over_the_image_hides_it_and_it_comes_back_whole(tmp_path: Path) -> None:
    """A menu or toast over the image's top rows: when it goes, only those rows are repainted at first, not the
    last row the image is sent with; the image must still come back whole."""
    app = SixelApp(picture(tmp_path / "p.png"), tmp_path / "cache")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        impl = app.preview.query_one("#image").children[0]
        region = app.screen.find_widget(impl).visible_region
        cover = Static("A MENU OVER IT", id="cover")
        cover.styles.layer = "above"
        cover.styles.width, cover.styles.height = 16, 2
        cover.styles.offset = (region.x + 2, region.y + 1)
        app.screen.styles.layers = ("default", "above")
        await app.screen.mount(cover)
        await settle(pilot)
        assert any("A MENU OVER IT" in line for line in _replay(app).text()), "drawn, not hidden by the image"
        sent, before = compat.sixel_stats["sent"], len(app.written)
        cover.display = False
        await settle(pilot, rounds=3)
        assert compat.sixel_stats["sent"] == sent + 1
        after = "".join(app.written[before:])
        placed = re.search(r"\x1b\[(\d+);(\d+)H\x1bP", after)
        assert placed is not None and (int(placed.group(2)) - 1, int(placed.group(1)) - 1) == (region.x, region.y)
        terminal = _replay(app)
        assert not any("MENU" in line for line in terminal.text()) and terminal.text() == _meant(app)
