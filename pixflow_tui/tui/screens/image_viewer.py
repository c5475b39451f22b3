"""Full-screen image preview: ←/→ move between images, l/d/0 rate, o open, escape closes."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from pixflow_tui.tui import action_keys
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.key_hints import KeyHints


@dataclass
class ViewerItem:
    path: str
    title: str  # e.g. "3/8 · red fox in snow"
    info: str = ""  # dimensions, file path
    rating: int | None = None
    key: int | None = None  # the caller's id (a job id), handed back to its callbacks


Rater = Callable[[ViewerItem, str], None]  # (item, "like" | "dislike" | "clear")
Opener = Callable[[ViewerItem], None]
Mover = Callable[[ViewerItem], None]


def rating_label(rating: int | None) -> Text:
    if rating == 1:
        return Text("liked", style="bold green")
    if rating == -1:
        return Text("disliked", style="bold red")
    return Text("not rated", style="dim")


class ImageViewerScreen(Screen[int]):
    """Dismisses with the index of the image shown last, so the caller can follow along."""

    DEFAULT_CSS = """
    ImageViewerScreen { layout: vertical; }
    ImageViewerScreen > #viewer-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    ImageViewerScreen > ImagePreview { height: 1fr; }
    ImageViewerScreen > #viewer-info { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="viewer-close"),
        Binding("left,p", "move(-1)", "Previous", id="viewer-previous"),
        Binding("right,n,space", "move(1)", "Next", id="viewer-next"),
        Binding("h", "move(-1)", "Previous", show=False, id="viewer-previous-vim"),
        Binding("home", "jump(0)", "First", show=False, id="viewer-first"),
        Binding("end", "jump(-1)", "Last", show=False, id="viewer-last"),
        Binding("l", "rate('like')", "Like", id=action_keys.LIKE),
        Binding("d", "rate('dislike')", "Dislike", id=action_keys.DISLIKE),
        Binding("0", "rate('clear')", "Clear rating", id=action_keys.CLEAR_RATING),
        Binding("o", "open", "Open", id=action_keys.OPEN),
    ]

    def __init__(self, items: Sequence[ViewerItem], index: int = 0, *, renderer: str, cache_dir: Path,
                 on_rate: Rater | None = None, on_open: Opener | None = None,
                 on_move: Mover | None = None) -> None:
        super().__init__()
        self.items = list(items)
        self.index = max(0, min(index, len(self.items) - 1))
        self.renderer, self.cache_dir = renderer, cache_dir
        self.on_rate, self.on_open, self.on_move = on_rate, on_open, on_move

    def compose(self) -> ComposeResult:
        yield Static("", id="viewer-title", markup=False)
        yield ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id="viewer-image")
        yield Static("", id="viewer-info", markup=False)
        yield KeyHints()

    def on_mount(self) -> None:
        self._show()

    @property
    def current(self) -> ViewerItem | None:
        return self.items[self.index] if self.items else None

    def _show(self) -> None:
        item = self.current
        title = self.query_one("#viewer-title", Static)
        info = self.query_one("#viewer-info", Static)
        if item is None:
            title.update("No images")
            info.update("")
            self.query_one(ImagePreview).show(None)
            return
        title.update(Text.assemble(f"{self.index + 1}/{len(self.items)} · ", item.title))
        info.update(Text.assemble(rating_label(item.rating), " · ", item.info or item.path))
        self.query_one(ImagePreview).show(item.path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rate":
            return self.on_rate is not None and self.current is not None
        if action == "open":
            return self.on_open is not None and self.current is not None
        return True

    def action_move(self, delta: int) -> None:
        if len(self.items) < 2:
            return
        self.index = (self.index + delta) % len(self.items)
        self._show()
        if self.on_move is not None and self.current is not None:
            self.on_move(self.current)

    def action_jump(self, index: int) -> None:
        if self.items:
            self.index = index % len(self.items)
            self._show()

    def action_rate(self, rating: str) -> None:
        item = self.current
        if item is None or self.on_rate is None:
            return
        item.rating = {"like": 1, "dislike": -1}.get(rating)
        self.on_rate(item, rating)
        self._show()

    def action_open(self) -> None:
        if self.current is not None and self.on_open is not None:
            self.on_open(self.current)

    def action_close(self) -> None:
        self.dismiss(self.index)
