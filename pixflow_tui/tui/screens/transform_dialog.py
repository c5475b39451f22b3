"""Img2Img from any screen: the dialog (prompt, outputs per image, aspect, resolution, format), then the door's
one confirmation. Asset Monster's results and the Library call `transform_images` with the chosen images; the command
palette's "Img2Img: an image file…" calls `transform_file`."""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from pixflow_tui.config import RESOLUTIONS
from pixflow_tui.core import catalog
from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.paid import spend
from pixflow_tui.tui.screens.dialogs import PathInputDialog
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.img2img import TransformSettings, plan_transform
from pixflow_tui.workflows.inputs import InputError, check_image_file

_LOW, _HIGH = catalog.IMG2IMG_OUTPUTS_RANGE
FIELDS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("outputs", "Outputs", tuple(str(n) for n in range(_LOW, _HIGH + 1)), "1"),
    ("aspect", "Aspect", catalog.IMG2IMG_ASPECT_RATIOS, "9:16"),
    ("resolution", "Resolution", RESOLUTIONS, "2K"),
    ("format", "Format", catalog.IMG2IMG_FORMATS, "jpeg"),
)


class TransformDialog(ModalScreen[TransformSettings | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "run", "Transform", priority=True, id="transform-run"),
        Binding("escape", "dismiss_dialog", "Cancel", id="transform-cancel"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__(classes="dialog transform-dialog")
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(f"Img2Img · {plural(self.count, 'image')}", classes="dialog-title")
            yield Input(placeholder="what to change, e.g. golden hour light, snowing", id="transform-prompt")
            with Horizontal(classes="transform-options"):
                for name, label, values, default in FIELDS:
                    yield Select([(f"{label} {v}", v) for v in values], value=default, allow_blank=False,
                                 id=f"transform-{name}", compact=True)
            yield Static("", id="transform-error", classes="dialog-error")
            yield Static("enter or ctrl+s: price it and ask · tab: options · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#transform-prompt", Input).focus()

    def _value(self, name: str) -> str:
        return str(self.query_one(f"#transform-{name}", Select).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def action_run(self) -> None:
        prompt = self.query_one("#transform-prompt", Input).value
        if not prompt.strip():
            self.query_one("#transform-error", Static).update("Say what to change first.")
            return
        self.dismiss(TransformSettings(prompt.strip(), int(self._value("outputs")), self._value("aspect"),
                                       self._value("resolution"), self._value("format")))

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)


def transform_images(node: DOMNode, context: AppContext, sources: Sequence[str]) -> None:
    """Ask how to transform `sources` (image files or "image:<id>"), then price it and confirm through the door."""
    if not sources:
        node.app.notify("Choose a finished image first.", severity="warning")
        return
    chosen = list(sources)

    def run(settings: TransformSettings | None) -> None:
        if settings is None:
            return
        spend(node, context, lambda: plan_transform(context, chosen, settings), yes="Transform",
              title=lambda plan: f"Transform into {plural(plan.count, 'image')}?",
              on_done=lambda done: node.app.notify(
                  f"Img2Img batch {done.batch_id}: {plural(len(done.job_ids), 'image')} on the way (the Library shows "
                  "them as they land).", title="Img2Img"))

    node.app.push_screen(TransformDialog(len(chosen)), callback=run)


def transform_file(node: DOMNode, context: AppContext) -> None:
    """Img2Img on an image file that is not (yet) in the Library: ask for the path, then as `transform_images`."""
    def valid(text: str) -> str | None:
        try:
            check_image_file(text.strip(), what="source image")
        except InputError as exc:
            return str(exc)
        return None

    node.app.push_screen(
        PathInputDialog("Img2Img an image file", "A JPEG, PNG or WebP file on this machine.", want="file",
                        validator=valid),
        lambda path: transform_images(node, context, [str(path)]) if path is not None else None)
