"""An image preview on top of textual-image: shrunk off the UI thread, cached on disk, never crashing."""
from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from textual.app import ComposeResult
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from pixflow_tui.tui import compat
from pixflow_tui.tui.startup import ensure_textual_image
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.terminal import choose_renderer

# Pillow 13 deprecates getdata(), which textual-image calls on every render.
warnings.filterwarnings("ignore", message=".*getdata.*", category=DeprecationWarning)

# Pixels per cell each renderer needs; None means the terminal's real cell size (pixel protocols).
_VIRTUAL_CELL: dict[str, tuple[int, int] | None] = {"halfcell": (1, 2), "unicode": (1, 2), "kitty": None, "sixel": None}


MEMORY_CACHE = 24  # shrunk pictures (with their drawn cells) kept per preview: revisited and neighbouring rows


class PreviewError(Exception):
    """Why an image cannot be shown, in a few words."""


def cell_pixels(renderer: str) -> tuple[int, int]:
    fixed = _VIRTUAL_CELL.get(renderer, (1, 2))
    if fixed is not None:
        return fixed
    return compat.cell_size()


def load_preview(path: Path, box: tuple[int, int], cache_dir: Path) -> PILImage.Image:
    """The image at `path` shrunk to fit `box` (pixels), from the thumbnail cache when it is fresh."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise PreviewError("file not found") from None
    except OSError as exc:
        raise PreviewError(exc.strerror or str(exc)) from None
    key = hashlib.sha1(f"{path.resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{box}".encode()).hexdigest()
    cached = cache_dir / "previews" / f"{key}.png"
    if cached.is_file():
        try:
            with PILImage.open(cached) as thumb:
                thumb.load()
                return thumb.copy()
        except (OSError, UnidentifiedImageError):
            cached.unlink(missing_ok=True)
    try:
        with PILImage.open(path) as probe:
            probe.verify()  # catches truncated and corrupt files before textual-image tries to draw them
        with PILImage.open(path) as image:
            image.load()
            shrunk = ImageOps.exif_transpose(image)
            shrunk.thumbnail(box)
            shrunk = shrunk.convert("RGBA" if "A" in shrunk.getbands() else "RGB")
    except UnidentifiedImageError:
        raise PreviewError("not an image file") from None
    except PILImage.DecompressionBombError:
        raise PreviewError("image is too large") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise PreviewError(f"broken image ({exc})") from None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        shrunk.save(temporary, format="PNG")
        temporary.replace(cached)
    except OSError:
        pass  # a cache that cannot be written only costs speed
    return shrunk


def describe(path: Path) -> str:
    """One line for the `none` renderer: dimensions, format and path."""
    try:
        with PILImage.open(path) as image:
            return f"{image.width}×{image.height} {image.format or 'image'} · {path}"
    except FileNotFoundError:
        raise PreviewError("file not found") from None
    except (OSError, UnidentifiedImageError):
        raise PreviewError("not an image file") from None


def image_widget_class(renderer: str) -> type[Widget]:
    ensure_textual_image(renderer)
    from textual_image.widget import HalfcellImage, TGPImage, UnicodeImage

    classes: dict[str, type[Widget]] = {
        "kitty": TGPImage, "sixel": compat.sixel_image_class(), "halfcell": _drawn_ahead(HalfcellImage),
        "unicode": _drawn_ahead(UnicodeImage),
    }
    return classes[renderer]


_CELL_RENDERERS = ("halfcell", "unicode")


def draw_cells(image: PILImage.Image, renderer: str) -> list[Strip] | None:
    """The lines of cells textual-image draws for `image` at one cell per pixel column (two pixel rows per
    line), made here, off the UI thread: drawn on it when the preview appears, they stalled the UI 20-60 ms."""
    if renderer not in _CELL_RENDERERS:
        return None
    from rich.console import Console
    from textual_image.renderable import halfcell, unicode

    renderable_class = halfcell.Image if renderer == "halfcell" else unicode.Image
    width, height = image.width, math.ceil(image.height / 2)
    console = Console(width=width, height=height, color_system="truecolor", force_terminal=True,
                      file=io.StringIO(), legacy_windows=False)
    options = console.options.update_dimensions(width, height)
    lines = console.render_lines(renderable_class(image, width, height), options, pad=True)
    return [Strip(line, width) for line in lines]


@functools.cache
def _drawn_ahead(base: type[Widget]) -> type[Widget]:
    """`base` showing the lines `draw_cells` made when they fit its size (else drawing them itself)."""

    class DrawnAhead(base, Renderable=compat.image_renderable_class(base)):  # type: ignore[valid-type,misc,call-arg]
        drawn: list[Strip] | None = None

        def render_line(self, y: int) -> Strip:
            drawn, size = self.drawn, self.content_size
            if drawn and len(drawn) == size.height and drawn[0].cell_length == size.width:
                return drawn[y].apply_style(self.rich_style) if 0 <= y < len(drawn) else Strip.blank(size.width)
            return super().render_line(y)

    DrawnAhead.__name__ = f"DrawnAhead{base.__name__}"
    return DrawnAhead


class ImagePreview(Widget):
    """Shows one image file. `renderer` is a setting value (auto, kitty, sixel, halfcell, unicode, none)."""

    DEFAULT_CSS = """
    ImagePreview { height: 1fr; align: center middle; }
    ImagePreview > #message { width: 100%; height: auto; padding: 0 1; text-align: center; color: $text-muted; }
    ImagePreview > #image { width: 1; height: 1; }
    """

    class _Ready(Message, bubble=False):
        def __init__(self, path: Path, box: tuple[int, int], result: Any, key: Any, show: bool) -> None:
            super().__init__()
            self.path = path
            self.box = box
            self.key, self.show = key, show  # the memory cache's key (None: the file could not be read)
            self.result = result  # (a PIL image, its lines of cells or None), a description line, or a PreviewError

    def __init__(
        self, path: Path | str | None = None, *, renderer: str, cache_dir: Path,
        id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.renderer = choose_renderer(renderer)
        self.cache_dir = cache_dir
        self.path: Path | None = Path(path) if path is not None else None
        self._box: tuple[int, int] = (0, 0)
        self.message = ""
        self.shown_path: Path | None = None  # the file whose picture (or message) is on screen now
        # (path, box, mtime, size) -> what the worker made; shown at once when the same file comes back
        self._memory: OrderedDict[tuple[Path, tuple[int, int], int, int], Any] = OrderedDict()

    def compose(self) -> ComposeResult:
        yield Static("", id="message")
        if self.renderer != "none":
            image = image_widget_class(self.renderer)(id="image")
            image.display = False
            yield image

    def show(self, path: Path | str | None) -> None:
        """Show another file (None clears the preview)."""
        self.path = Path(path) if path is not None else None
        self._box = (0, 0)
        self._reload()

    def on_resize(self) -> None:
        self._reload()

    def _reload(self) -> None:
        if self.path is None:
            self._set_message("")
            return
        if self.size.width <= 0 or self.size.height <= 0:
            return
        box = self._wanted_box()
        if box == self._box:
            return
        self._box = box
        path = self.path
        remembered = self._memory.get(self._memory_key(path, box) or (path, box, -1, -1))
        if remembered is not None:
            self._show_result(remembered)
            return
        self._load_in_thread([path], box, show=True)

    def prefetch(self, paths: list[Path]) -> None:
        """Shrink and draw `paths` ahead, off the UI thread, so showing one of them later is immediate."""
        if self.renderer == "none" or self.size.width <= 0 or self.size.height <= 0:
            return
        box = self._wanted_box()
        wanted = [path for path in paths
                  if path != self.path and (key := self._memory_key(path, box)) and key not in self._memory]
        if wanted:
            self._load_in_thread(wanted, box, show=False)

    def _wanted_box(self) -> tuple[int, int]:
        cell_w, cell_h = cell_pixels(self.renderer)
        return (self.size.width * cell_w, self.size.height * cell_h)

    @staticmethod
    def _memory_key(path: Path, box: tuple[int, int]) -> tuple[Path, tuple[int, int], int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return (path, box, stat.st_mtime_ns, stat.st_size)

    def _load_in_thread(self, paths: list[Path], box: tuple[int, int], *, show: bool) -> None:
        renderer, cache_dir = self.renderer, self.cache_dir

        def work() -> None:
            for path in paths:
                key = self._memory_key(path, box)
                try:
                    result: Any = describe(path) if renderer == "none" else load_preview(path, box, cache_dir)
                    if isinstance(result, PILImage.Image):
                        result = (result, draw_cells(result, renderer))
                except PreviewError as exc:
                    result = exc
                self.post_message(self._Ready(path, box, result, key, show))

        start_thread(self, work, name=f"Preview of {paths[0].name}", group="preview" if show else "prefetch")

    def _set_message(self, text: str) -> None:
        self.shown_path = self.path
        self.message = text
        message = self.query_one("#message", Static)
        message.update(text)
        message.display = bool(text)
        if self.renderer != "none":
            self.query_one("#image").display = False

    def on_image_preview__ready(self, message: _Ready) -> None:
        if message.key is not None and not isinstance(message.result, PreviewError):
            self._memory[message.key] = message.result
            self._memory.move_to_end(message.key)
            while len(self._memory) > MEMORY_CACHE:
                self._memory.popitem(last=False)
        if message.path != self.path or message.box != self._box:
            return  # another file or size was asked for meanwhile
        if message.show or self.shown_path != self.path:
            self._show_result(message.result)

    def _show_result(self, result: Any) -> None:
        if isinstance(result, PreviewError):
            self._set_message(f"cannot show image: {result}")
        elif isinstance(result, str):
            self._set_message(result)
        else:
            self._show_image(*result)

    def _show_image(self, image: PILImage.Image, drawn: list[Strip] | None) -> None:
        cell_w, cell_h = cell_pixels(self.renderer)
        widget: Any = self.query_one("#image")
        if drawn is not None:
            widget.drawn = drawn
        widget.styles.width = max(1, min(self.size.width, math.ceil(image.width / cell_w)))
        widget.styles.height = max(1, min(self.size.height, math.ceil(image.height / cell_h)))
        widget.image = image
        self.shown_path = self.path
        self.message = ""
        self.query_one("#message", Static).display = False
        widget.display = True
