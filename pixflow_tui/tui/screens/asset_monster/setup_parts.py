"""The parts of Asset Monster's set-up panel: the prompt list, the estimate line and the reference thumbnails."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pixflow_tui.core import catalog
from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows.asset_monster import BatchSettings, Estimate, PromptEntry

_uids = itertools.count(1)


@dataclass
class PromptItem:
    entry: PromptEntry
    uid: int
    sent: bool = False

    @classmethod
    def new(cls, entry: PromptEntry, *, sent: bool = False) -> PromptItem:
        return cls(entry, next(_uids), sent)


def settings_label(settings: BatchSettings) -> str:
    refs = f" · {len(settings.references)} ref" if settings.references else ""
    return f"{settings.aspect_ratio} · {settings.resolution} · {settings.output_format} · ×{settings.variants}{refs}"


def estimate_text(result: Estimate | None, *, again: bool, prompts: int, waiting: int = 0) -> Text:
    text = Text()
    if result is None or prompts == 0:
        text.append("No prompts yet: press a to add some.", style="dim")
        return text
    if result.error:
        text.append(result.error, style="red")
        return text
    what = "run again as a new batch" if again else "to queue"
    text.append(f"{plural(result.images, 'image')} {what}", style="bold")
    text.append(f" · est. ${result.cost:.2f}")
    if waiting > 0:
        text.append(f"\n{plural(waiting, 'more prompt')} wait{'s' if waiting == 1 else ''} for the next run "
                    f"(a batch takes at most {catalog.MAX_BATCH_PROMPTS})", style="yellow")
    text.append("\ndemo: nothing is charged" if result.demo else "\ncharged by the provider", style="dim")
    return text


class PromptList(OptionList):
    """The prompts a run will use; ✓ marks those already queued (a run only queues the others)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove prompt", id="am-remove-prompt"),
        Binding("C", "clear", "Clear list", id="am-clear-prompts"),
        Binding("j", "cursor_down", "Down", show=False, id="am-prompts-down-vim"),
        Binding("k", "cursor_up", "Up", show=False, id="am-prompts-up-vim"),
    ]

    class Remove(Message):
        def __init__(self, uid: int) -> None:
            super().__init__()
            self.uid = uid

    class Clear(Message):
        """Remove every prompt (the panel asks first)."""

    def show_items(self, items: list[PromptItem]) -> None:
        highlighted = self.highlighted
        options = []
        for item in items:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("✓ " if item.sent else "• ", style="green" if item.sent else "bold")
            label.append(item.entry.text, style="dim" if item.sent else "")
            options.append(Option(label, id=str(item.uid)))
        self.set_options(options)
        if options:
            self.highlighted = min(highlighted or 0, len(options) - 1)

    def action_remove(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Remove(int(option.id)))

    def action_clear(self) -> None:
        self.post_message(self.Clear())


class EstimateLine(Static):
    """What a run would queue and cost; `estimate` is the latest plan, `prompts` how many prompts it covers."""

    estimate: reactive[Estimate | None] = reactive(None, layout=True)
    prompts: reactive[int] = reactive(0, layout=True)
    again: reactive[bool] = reactive(False, layout=True)
    waiting: reactive[int] = reactive(0, layout=True)  # prompts beyond a batch's worth, for the next run

    def render(self) -> Text:
        return estimate_text(self.estimate, again=self.again, prompts=self.prompts, waiting=self.waiting)


class ReferenceThumbs(Horizontal):
    """One small preview per reference (none with `image_renderer = none`: the References row names them)."""

    def __init__(self, *, renderer: str, cache_dir: Path, id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderer, self.cache_dir = renderer, cache_dir

    def show(self, references: tuple[str, ...]) -> None:
        wanted = references if self.renderer != "none" else ()
        self.display = bool(wanted)
        previews = list(self.query(".ref-thumb").results(ImagePreview))
        missing = [ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id=f"ref-thumb-{n}",
                                classes="ref-thumb") for n in range(len(previews), len(wanted))]
        if missing:
            self.mount_all(missing)  # made once and kept: at most five
        for n, preview in enumerate([*previews, *missing]):
            path = Path(wanted[n]) if n < len(wanted) else None
            preview.display = path is not None
            if preview.path != path:
                preview.show(path)
