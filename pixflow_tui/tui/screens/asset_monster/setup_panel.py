"""Asset Monster's set-up panel: prompts to run, reference images, image settings and the live cost estimate."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pixflow_tui.core import catalog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.settings_list import Setting, SettingsList
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.asset_monster import BatchSettings, Estimate, PromptEntry, estimate
from pixflow_tui.workflows.context import AppContext

_uids = itertools.count(1)
ESTIMATE_DELAY = 0.12  # seconds after the last change
VARIANT_CHOICES = tuple(str(n) for n in range(catalog.VARIANTS_RANGE[0], catalog.VARIANTS_RANGE[1] + 1))


@dataclass
class PromptItem:
    entry: PromptEntry
    uid: int
    sent: bool = False


class PromptList(OptionList):
    """The prompts a run will use; ✓ marks those already queued (a run only queues the others)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove prompt", id="am-remove-prompt"),
        Binding("j", "cursor_down", "Down", show=False, id="am-prompts-down-vim"),
        Binding("k", "cursor_up", "Up", show=False, id="am-prompts-up-vim"),
    ]

    class Remove(Message):
        def __init__(self, uid: int) -> None:
            super().__init__()
            self.uid = uid

    def action_remove(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.post_message(self.Remove(int(option.id)))


def estimate_text(result: Estimate | None, *, again: bool, prompts: int) -> Text:
    text = Text()
    if result is None or prompts == 0:
        text.append("No prompts yet: press a to add some.", style="dim")
        return text
    if result.error:
        text.append(result.error, style="red")
        return text
    what = "run again as a new batch" if again else "to queue"
    text.append(f"{result.images} image{'s' if result.images != 1 else ''} {what}", style="bold")
    text.append(f" · est. ${result.cost:.2f}")
    text.append("\ndemo: nothing is charged" if result.demo else "\ncharged by the provider", style="dim")
    return text


class SetupPanel(Vertical):
    class _Estimated(Message, bubble=False):
        def __init__(self, result: Estimate, generation: int) -> None:
            super().__init__()
            self.result, self.generation = result, generation

    def __init__(self, context: AppContext, *, renderer: str, cache_dir: Path, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.renderer, self.cache_dir = renderer, cache_dir
        s = context.settings
        self.items: list[PromptItem] = []
        self.references: tuple[str, ...] = ()
        self._defaults = (s.default_aspect_ratio, s.default_resolution, s.default_format)
        self._generation = 0
        self.last_estimate: Estimate | None = None
        self.error_text = ""
        self._estimate_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        aspect, resolution, fmt = self._defaults
        yield Static("Set-up", classes="panel-title", id="setup-title")
        yield SettingsList([
            Setting("prompts", "Prompts", note="none · enter adds"),
            Setting("references", "References", note="0/5 · enter adds"),
            Setting("aspect_ratio", "Aspect", catalog.ASPECT_RATIOS, aspect),
            Setting("resolution", "Resolution", catalog.RESOLUTIONS, resolution),
            Setting("output_format", "Format", catalog.IMAGE_FORMATS, fmt),
            Setting("variants", "Per prompt", VARIANT_CHOICES, "1", note="images"),
            Setting("preset", "Preset", note="save or load…"),
            Setting("run", "▶ Run", note="ctrl+r"),
        ], id="setup-list")
        yield Horizontal(id="ref-thumbs")  # thumbnails are mounted when references are added
        yield Static("", id="estimate")
        yield Static("", id="setup-error", markup=False)
        yield Static("Prompts", classes="panel-title", id="prompts-title")
        yield PromptList(id="prompt-list")

    def on_mount(self) -> None:
        self.query_one("#setup-error").display = False
        self._refresh()

    # -- state -----------------------------------------------------------------------------------------

    @property
    def settings(self) -> BatchSettings:
        values = self.query_one(SettingsList)
        return BatchSettings(values.value("aspect_ratio"), values.value("resolution"), values.value("output_format"),
                             int(values.value("variants")), self.references)

    def apply_settings(self, settings: BatchSettings) -> None:
        values = self.query_one(SettingsList)
        values.set_value("aspect_ratio", settings.aspect_ratio)
        values.set_value("resolution", settings.resolution)
        values.set_value("output_format", settings.output_format)
        values.set_value("variants", str(settings.variants))
        self.set_references(settings.references)

    def set_references(self, references: tuple[str, ...]) -> None:
        self.references = tuple(references)
        self._refresh()

    def add_entries(self, entries: list[PromptEntry]) -> int:
        self.items.extend(PromptItem(entry, next(_uids)) for entry in entries)
        self._refresh()
        return len(entries)

    def to_run(self) -> tuple[list[PromptItem], bool]:
        """The prompts a run queues: those not queued yet, or (when all were) every one again."""
        fresh = [item for item in self.items if not item.sent]
        return (fresh, False) if fresh else (list(self.items), True)

    def mark_sent(self, uids: set[int]) -> None:
        for item in self.items:
            if item.uid in uids:
                item.sent = True
        self._refresh()

    def show_error(self, message: str) -> None:
        """A refusal (budget, bad input) that stays in view until the settings change."""
        self.error_text = message
        error = self.query_one("#setup-error", Static)
        error.update(message)
        error.display = bool(message)

    # -- display ---------------------------------------------------------------------------------------

    def _refresh(self) -> None:
        values = self.query_one(SettingsList)
        fresh = sum(1 for item in self.items if not item.sent)
        if not self.items:
            values.set_note("prompts", "none · enter adds")
        else:
            values.set_note("prompts", f"{len(self.items)} · {fresh} new" if fresh != len(self.items)
                            else f"{len(self.items)} new")
        count = len(self.references)
        names = ", ".join(Path(r).name for r in self.references)
        values.set_note("references", f"{count}/{catalog.MAX_REFERENCE_IMAGES} · {names}" if count
                        else f"0/{catalog.MAX_REFERENCE_IMAGES} · enter adds")
        self._fill_prompt_list()
        self._show_thumbs()
        self.refresh_estimate()

    def _fill_prompt_list(self) -> None:
        prompts = self.query_one(PromptList)
        highlighted = prompts.highlighted
        options = []
        for item in self.items:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("✓ " if item.sent else "• ", style="green" if item.sent else "bold")
            label.append(item.entry.text, style="dim" if item.sent else "")
            options.append(Option(label, id=str(item.uid)))
        prompts.set_options(options)
        if options:
            prompts.highlighted = min(highlighted or 0, len(options) - 1)
        self.query_one("#prompts-title", Static).update(
            f"Prompts ({len(self.items)}) · del removes" if self.items else "Prompts")

    def _show_thumbs(self) -> None:
        """One small preview per reference (none with `image_renderer = none`: the References row names them)."""
        strip = self.query_one("#ref-thumbs")
        wanted = self.references if self.renderer != "none" else ()
        strip.display = bool(wanted)
        previews = list(strip.query(".ref-thumb").results(ImagePreview))
        missing = [ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id=f"ref-thumb-{n}",
                                classes="ref-thumb") for n in range(len(previews), len(wanted))]
        if missing:
            strip.mount_all(missing)  # made once and kept: at most five
        for n, preview in enumerate([*previews, *missing]):
            path = Path(wanted[n]) if n < len(wanted) else None
            preview.display = path is not None
            if preview.path != path:
                preview.show(path)

    def refresh_estimate(self) -> None:
        """Re-plan the run shortly after the last change (holding ← does not plan once per step)."""
        items, again = self.to_run()
        self.query_one("#estimate", Static).update(estimate_text(self.last_estimate, again=again,
                                                                 prompts=len(items)))
        if self._estimate_timer is not None:
            self._estimate_timer.stop()
        self._estimate_timer = self.set_timer(ESTIMATE_DELAY, self._plan_estimate)

    def _plan_estimate(self) -> None:
        """Plan the run in a thread (references are decoded there) and show its image count and cost."""
        self._estimate_timer = None
        self._generation += 1
        generation, context = self._generation, self.context
        items, again = self.to_run()
        entries = [item.entry for item in items]
        settings = self.settings

        def work() -> None:
            self.post_message(self._Estimated(estimate(context, entries, settings), generation))

        start_thread(self, work, name="Estimating the cost", group="estimate")

    def on_setup_panel__estimated(self, message: _Estimated) -> None:
        if message.generation != self._generation:
            return
        self.last_estimate = message.result
        items, again = self.to_run()
        self.query_one("#estimate", Static).update(estimate_text(message.result, again=again, prompts=len(items)))
        run_note = f"{message.result.images} images · ctrl+r" if items else "ctrl+r"
        self.query_one(SettingsList).set_note("run", run_note)

    # -- events ----------------------------------------------------------------------------------------

    def on_settings_list_changed(self, event: SettingsList.Changed) -> None:
        self.show_error("")
        self.refresh_estimate()

    def on_prompt_list_remove(self, event: PromptList.Remove) -> None:
        self.items = [item for item in self.items if item.uid != event.uid]
        self._refresh()
