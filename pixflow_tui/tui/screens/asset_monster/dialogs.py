"""Asset Monster's own dialogs: pick prompts from a list, manage reference images."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from pixflow_tui.core import catalog
from pixflow_tui.tui.screens.dialogs import PathInputDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows.inputs import InputError


class PickPromptsDialog(ModalScreen[list[int] | None]):
    """Tick prompts with space (a: all or none), enter adds them → their indexes, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick-cancel"),
        Binding("enter", "confirm", "Add ticked", priority=True, id="pick-confirm"),
        Binding("a", "toggle_all", "All / none", id="pick-all"),
        Binding("j", "cursor('down')", "Down", show=False, id="pick-down-vim"),
        Binding("k", "cursor('up')", "Up", show=False, id="pick-up-vim"),
    ]

    def __init__(self, title: str, labels: Sequence[str]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.labels = list(labels)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield SelectionList[int](*((label, n) for n, label in enumerate(self.labels)), id="pick-list")
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("space: tick · a: all/none · enter: add ticked (or the highlighted one) · escape: cancel",
                         classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_cursor(self, direction: str) -> None:
        picker = self.query_one(SelectionList)
        picker.action_cursor_down() if direction == "down" else picker.action_cursor_up()

    def action_toggle_all(self) -> None:
        picker = self.query_one(SelectionList)
        if len(picker.selected) == len(self.labels):
            picker.deselect_all()
        else:
            picker.select_all()

    def action_confirm(self) -> None:
        picker = self.query_one(SelectionList)
        chosen = sorted(picker.selected)
        if not chosen and picker.highlighted is not None:
            chosen = [picker.highlighted]
        self.dismiss(chosen or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


Checker = Callable[[str, tuple[str, ...]], str]  # (path, current) -> checked absolute path; raises InputError


def describe_reference(path: str) -> str:
    """`face.png · 600×800 · 84 KB` (or why the file cannot be read any more)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        with PILImage.open(file) as image:
            dims = f"{image.width}×{image.height}"
    except OSError as exc:
        return f"{file.name} · {exc.strerror or 'unreadable'}"
    shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
    return f"{file.name} · {dims} · {shown}"


class ReferencesDialog(ModalScreen[tuple[str, ...] | None]):
    """The reference images (0–5) with a preview of the highlighted one: a adds, delete removes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Done", id="refs-done"),
        Binding("a,i", "add", "Add image", id="refs-add"),
        Binding("delete,backspace,x", "remove", "Remove", id="refs-remove"),
        Binding("j", "cursor('down')", "Down", show=False, id="refs-down-vim"),
        Binding("k", "cursor('up')", "Up", show=False, id="refs-up-vim"),
    ]

    def __init__(self, references: tuple[str, ...], check: Checker, *, renderer: str, cache_dir: Path) -> None:
        super().__init__(classes="dialog")
        self.references = tuple(references)
        self.check = check
        self.renderer, self.cache_dir = renderer, cache_dir

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="refs-box"):
            yield Static(f"Reference images (up to {catalog.MAX_REFERENCE_IMAGES}; they keep identity)",
                         classes="dialog-title", markup=False)
            with Horizontal(id="refs-body"):
                yield OptionList(id="refs-list")
                yield ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id="refs-preview")
            yield Static("a: add (tab completes paths) · delete: remove · escape: done", classes="dialog-hint",
                         markup=False)

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#refs-list").focus()
        if not self.references:
            self.action_add()

    def _fill(self) -> None:
        options = self.query_one("#refs-list", OptionList)
        at = options.highlighted or 0
        options.set_options([Option(describe_reference(r), id=str(n)) for n, r in enumerate(self.references)]
                            or [Option("No reference images: press a to add one.", disabled=True)])
        if self.references:
            options.highlighted = min(at, len(self.references) - 1)
        self._preview()

    def _preview(self) -> None:
        options = self.query_one("#refs-list", OptionList)
        index = options.highlighted
        path = self.references[index] if self.references and index is not None else None
        self.query_one(ImagePreview).show(path)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview()

    def action_cursor(self, direction: str) -> None:
        options = self.query_one("#refs-list", OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_add(self) -> None:
        if len(self.references) >= catalog.MAX_REFERENCE_IMAGES:
            self.notify(f"At most {catalog.MAX_REFERENCE_IMAGES} reference images; remove one first.",
                        severity="warning")
            return

        def validate(text: str) -> str | None:
            try:
                self.check(text.strip(), self.references)
            except InputError as exc:
                return str(exc)
            return None

        def added(path: Path | None) -> None:
            if path is None:
                return
            self.references = (*self.references, self.check(str(path), self.references))
            self._fill()
            self.query_one("#refs-list", OptionList).highlighted = len(self.references) - 1

        self.app.push_screen(PathInputDialog(
            "Add a reference image", "JPEG, PNG or WebP up to 10 MB on this machine.", want="file",
            validator=validate), added)

    def action_remove(self) -> None:
        index = self.query_one("#refs-list", OptionList).highlighted
        if not self.references or index is None:
            return
        self.references = tuple(r for n, r in enumerate(self.references) if n != index)
        self._fill()

    def action_close(self) -> None:
        self.dismiss(self.references)
