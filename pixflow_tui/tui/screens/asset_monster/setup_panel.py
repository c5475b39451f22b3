"""Asset Monster's set-up panel: prompts to run, reference images, image settings, presets, the live estimate,
and the run itself (planned and committed through the one door, `tui/paid.py`)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from pixflow_tui.core import catalog
from pixflow_tui.core.formatting import plural
from pixflow_tui.tui.paid import commit_in_worker
from pixflow_tui.tui.screens.asset_monster.background import in_thread
from pixflow_tui.tui.screens.asset_monster.dialogs import PickPromptsDialog, ReferencesDialog
from pixflow_tui.tui.screens.asset_monster.kept_setup import SetupKeeper
from pixflow_tui.tui.screens.asset_monster.setup_parts import (
    EstimateLine, PromptItem, PromptList, ReferenceThumbs, settings_label,
)
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.widgets.settings_list import Setting, SettingsList
from pixflow_tui.workflows.asset_monster import (
    PRESET_KIND, BatchSettings, Estimate, PromptEntry, SavedSetup, batch_summary, check_reference, estimate,
    favorite_prompts, history_prompts, new_prompts, plan_run, prompt_from_typed, prompts_from_file,
    settings_from_preset, waiting_prompts,
)
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import Committed, PaidPlan
from pixflow_tui.workflows.presets import list_presets, save_preset

ESTIMATE_DELAY = 0.12  # seconds after the last change
VARIANT_CHOICES = tuple(str(n) for n in range(catalog.VARIANTS_RANGE[0], catalog.VARIANTS_RANGE[1] + 1))
SOURCES = (
    ("favorites", "Favourites: prompts you starred"),
    ("history", "History: prompts made in Prompt Factory"),
    ("file", "A file: JSON, JSONL or TXT (one prompt per line or paragraph)"),
    ("typed", "Type a prompt (text, or a JSON object)"),
)
CLEAR = "clear"
ORIGINS = {"prompt_factory": "Prompt Factory", "favorite": "favourites"}


def _checked(check: Any, *args: Any) -> str | None:
    """A dialog validator: the InputError's message, or None when `check(*args)` passes."""
    try:
        check(*args)
    except InputError as exc:
        return str(exc)
    return None


class SetupPanel(Vertical):
    """Owns the set-up and the run. The screen's keys (a, i, p, ctrl+r) call `add_prompts`, `add_reference`,
    `presets` and `run`; the list's action rows do the same."""

    class NeedsView(Message):
        """Prompts or a reference arrived, or a run needs the set-up: the panel should be in view."""

    class BatchStarted(Message):
        """A run was committed: its jobs are in batch `batch_id`."""

        def __init__(self, batch_id: int | None) -> None:
            super().__init__()
            self.batch_id = batch_id

    def __init__(self, context: AppContext, *, renderer: str, cache_dir: Path, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.renderer, self.cache_dir = renderer, cache_dir
        self.items: list[PromptItem] = []
        self.references: tuple[str, ...] = ()
        self.batch_id: int | None = None  # the batch shown beside: a run may add to it while it runs
        self.error_text = ""
        self._generation = 0
        self._estimate_timer: Timer | None = None
        self.keeper = SetupKeeper(self, context, lambda: (self.settings, [(i.entry, i.sent) for i in self.items]))

    def compose(self) -> ComposeResult:
        s = self.context.settings
        yield Static("Set-up", classes="panel-title", id="setup-title")
        yield SettingsList([
            Setting("prompts", "Prompts", note="none · enter adds"),
            Setting("references", "References", note="0/5 · enter adds"),
            Setting("aspect_ratio", "Aspect", catalog.ASPECT_RATIOS, s.default_aspect_ratio),
            Setting("resolution", "Resolution", catalog.RESOLUTIONS, s.default_resolution),
            Setting("output_format", "Format", catalog.IMAGE_FORMATS, s.default_format),
            Setting("variants", "Per prompt", VARIANT_CHOICES, "1", note="images"),
            Setting("preset", "Preset", note="save or load…"),
            Setting("run", "▶ Run", note="ctrl+r"),
        ], id="setup-list")
        yield ReferenceThumbs(renderer=self.renderer, cache_dir=self.cache_dir, id="ref-thumbs")
        yield EstimateLine("", id="estimate")
        yield Static("", id="setup-error", markup=False)
        yield Static("Prompts", classes="panel-title", id="prompts-title")
        yield PromptList(id="prompt-list")

    def on_mount(self) -> None:
        self.query_one("#setup-error").display = False
        self._refresh()
        self.keeper.read(self._restore)

    def on_unmount(self) -> None:
        self.keeper.flush()

    def _restore(self, saved: SavedSetup) -> None:
        """The set-up of the last session, before anything that arrived since."""
        arrived, references = self.items, self.references
        self.items = [PromptItem.new(entry, sent=sent) for entry, sent in saved.prompts]
        self.apply_settings(saved.settings)
        self.add_entries([item.entry for item in arrived])
        self._add_references(references)
        if saved.notes:
            self.notify("\n".join(saved.notes), title="Set-up restored with changes", severity="warning", timeout=10)

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

    def add_entries(self, entries: list[PromptEntry]) -> tuple[int, int]:
        """Add the prompts not in the list yet; returns how many were added and how many were already there."""
        kept, repeated = new_prompts([item.entry for item in self.items], entries)
        self.items.extend(PromptItem.new(entry) for entry in kept)
        self._refresh()
        return len(kept), repeated

    def to_run(self) -> tuple[list[PromptItem], bool]:
        """The prompts a run queues: those not queued yet, or (when all were) every one again; at most a batch's
        worth (the rest wait for the next run)."""
        fresh = [item for item in self.items if not item.sent]
        chosen, again = (fresh, False) if fresh else (list(self.items), True)
        return chosen[: catalog.MAX_BATCH_PROMPTS], again

    def clear_prompts(self) -> None:
        if not self.items:
            self.notify("The prompt list is empty already.")
            return
        count = len(self.items)

        def cleared(yes: bool | None) -> None:
            if yes:
                self.items = []
                self._refresh()
                self.notify(f"Cleared {plural(count, 'prompt')} from the set-up.")

        self.app.push_screen(ConfirmDialog(f"Remove all {plural(count, 'prompt')} from the set-up? Batches already "
                                           "queued are not touched.", title="Clear the prompt list?", yes="Clear",
                                           no="Keep them"), cleared)

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
        self.show_error("")  # a refusal is about the set-up it was given: a change makes it stale
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
        self.query_one(PromptList).show_items(self.items)
        self.query_one("#prompts-title", Static).update(
            f"Prompts ({len(self.items):,}) · del removes · C clears" if self.items else "Prompts")
        self.query_one(ReferenceThumbs).show(self.references)
        self.refresh_estimate()
        self.keeper.changed()

    def refresh_estimate(self) -> None:
        """Re-plan the run shortly after the last change (holding ← does not plan once per step)."""
        items, again = self.to_run()
        line = self.query_one(EstimateLine)
        line.prompts, line.again = len(items), again
        if self._estimate_timer is not None:
            self._estimate_timer.stop()
        self._estimate_timer = self.set_timer(ESTIMATE_DELAY, self._plan_estimate)

    def _plan_estimate(self) -> None:
        """Plan the run in a thread (references are decoded there) and show its image count and cost."""
        self._estimate_timer = None
        self._generation += 1
        generation, context, settings = self._generation, self.context, self.settings
        entries = [item.entry for item in self.to_run()[0]]
        in_thread(self, lambda: estimate(context, entries, settings),
                  lambda result: self._estimated(result, generation),
                  name="Estimating the cost", group="estimate", exclusive=True)

    def _estimated(self, result: Estimate, generation: int) -> None:
        if generation != self._generation or not self.is_attached:
            return  # the settings changed again meanwhile, or the screen closed while it was planned
        items, again = self.to_run()
        line = self.query_one(EstimateLine)
        line.estimate, line.prompts, line.again = result, len(items), again
        line.waiting = sum(1 for item in self.items if not item.sent) - (0 if again else len(items))
        self.query_one(SettingsList).set_note("run", f"{plural(result.images, 'image')} · ctrl+r" if items
                                              else "ctrl+r")

    def on_settings_list_changed(self, event: SettingsList.Changed) -> None:
        self.show_error("")
        self.refresh_estimate()
        self.keeper.changed()

    def on_settings_list_activated(self, event: SettingsList.Activated) -> None:
        actions = {"prompts": self.add_prompts, "references": self.edit_references, "preset": self.presets,
                   "run": self.run}
        actions[event.key]()

    def on_prompt_list_remove(self, event: PromptList.Remove) -> None:
        self.items = [item for item in self.items if item.uid != event.uid]
        self._refresh()

    def on_prompt_list_clear(self, event: PromptList.Clear) -> None:
        self.clear_prompts()

    # -- prompts ---------------------------------------------------------------------------------------

    def take_waiting_prompts(self) -> None:
        """Prompts sent here from Prompt Factory or the Library."""
        entries = waiting_prompts(self.context)  # a lock and a list: cheap enough for the UI thread
        if entries:
            sources = " and ".join(dict.fromkeys(ORIGINS.get(e.source, e.source) for e in entries))
            self._add_from(entries, sources, title="Prompts arrived")
            self._add_references(dict.fromkeys(ref for entry in entries for ref in entry.references))

    def _add_references(self, paths: Iterable[str]) -> None:
        """References that came with prompts (Prompt Factory's reference image) join the set-up's."""
        refused = []
        for path in paths:
            if path in self.references:
                continue
            try:
                self.set_references((*self.references, check_reference(path, self.references)))
            except InputError as exc:
                refused.append(str(exc))
        if refused:
            self.notify("Reference not added: " + "; ".join(refused), severity="warning", timeout=10)

    def _add_from(self, entries: list[PromptEntry], where: str, *, title: str = "") -> None:
        count, repeated = self.add_entries(entries)
        self.post_message(self.NeedsView())
        lines = [f"{plural(count, 'prompt')} added from {where}."]
        if repeated:
            lines.append(f"{plural(repeated, 'prompt')} already in the list {'was' if repeated == 1 else 'were'} "
                         "left out (each would be generated and billed again).")
        waiting = sum(1 for item in self.items if not item.sent)
        if waiting > catalog.MAX_BATCH_PROMPTS:
            lines.append(f"A batch takes at most {catalog.MAX_BATCH_PROMPTS} prompts: ctrl+r runs the first "
                         f"{catalog.MAX_BATCH_PROMPTS} of {waiting:,}, the next run the following ones.")
        elif count:
            lines.append("ctrl+r runs them.")
        self.notify(" ".join(lines), title=title, severity="warning" if repeated and not count else "information")

    def add_prompts(self) -> None:
        choices = list(SOURCES)
        if self.items:
            choices.append((CLEAR, f"Clear the list ({plural(len(self.items), 'prompt')}) · C"))
        self.app.push_screen(ChoiceDialog("Add prompts from", choices), self._source_chosen)

    def _source_chosen(self, source: str | None) -> None:
        if source == CLEAR:
            self.clear_prompts()
        elif source == "file":
            self.app.push_screen(PathInputDialog("Prompts from a file", "A .json, .jsonl or .txt file.",
                                                 want="file"), self._file_chosen)
        elif source == "typed":
            self.app.push_screen(TextInputDialog(
                "Type a prompt", "Plain text is used word for word; a JSON object is read as a structured prompt.",
                placeholder="a portrait in soft window light…", validator=lambda text: _checked(prompt_from_typed,
                                                                                                text)),
                lambda text: self._add_from([prompt_from_typed(text)], "what you typed") if text else None)
        elif source in ("favorites", "history"):
            context = self.context
            read = favorite_prompts if source == "favorites" else history_prompts
            in_thread(self, lambda: read(context), lambda entries: self._pick(source, entries),
                      name="Reading prompts", group="prompts")

    def _pick(self, source: str, entries: list[PromptEntry]) -> None:
        if not entries:
            self.notify(f"No prompts in {'favourites' if source == 'favorites' else 'history'} yet.",
                        severity="warning")
            return
        title = "Favourite prompts" if source == "favorites" else "Prompts from history (newest first)"

        def picked(indexes: list[int] | None) -> None:
            if indexes:
                self._add_from([entries[i] for i in indexes], title.split(" ")[0].lower())

        self.app.push_screen(PickPromptsDialog(title, [e.text for e in entries]), picked)

    def _file_chosen(self, path: Path | None) -> None:
        if path is not None:
            in_thread(self, lambda: prompts_from_file(path), lambda entries: self._add_from(entries, path.name),
                      name="Reading the prompt file", group="prompts",
                      refused=lambda message: self.notify(message, title="Cannot read prompts", severity="error",
                                                          timeout=10))

    # -- references ------------------------------------------------------------------------------------

    def edit_references(self) -> None:
        self.app.push_screen(ReferencesDialog(self.references, check_reference, renderer=self.renderer,
                                              cache_dir=self.cache_dir),
                             lambda references: self.set_references(references) if references is not None else None)

    def add_reference(self) -> None:
        def added(path: Path | None) -> None:
            if path is not None:
                self.set_references((*self.references, check_reference(str(path), self.references)))
                self.post_message(self.NeedsView())

        self.app.push_screen(PathInputDialog(
            "Add a reference image", "JPEG, PNG or WebP up to 10 MB on this machine.", want="file",
            validator=lambda text: _checked(check_reference, text.strip(), self.references)), added)

    # -- presets ---------------------------------------------------------------------------------------

    def presets(self) -> None:
        context = self.context
        in_thread(self, lambda: list_presets(context, PRESET_KIND), self._choose_preset, name="Reading presets",
                  group="presets")

    def _choose_preset(self, presets: list[Any]) -> None:
        choices = [("save", "Save the current settings as a preset…")]
        for preset in presets:
            base = BatchSettings("", "", "", 1)
            values, _ = settings_from_preset(base, {k: v for k, v in preset.data.items() if k != "references"})
            refs = len(preset.data.get("references") or [])
            choices.append((str(preset.id), f"Load “{preset.name}”: {settings_label(values)}"
                                            + (f" · {refs} ref" if refs else "")))
        by_id = {str(p.id): p for p in presets}

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.app.push_screen(TextInputDialog("Save settings as a preset", settings_label(self.settings),
                                                     placeholder="preset name"), self._save_preset)
            elif choice in by_id:
                self._load_preset(by_id[choice])

        self.app.push_screen(ChoiceDialog("Batch presets", choices), chosen)

    def _save_preset(self, name: str | None) -> None:
        if not name or not name.strip():
            return
        context, data, name = self.context, self.settings.to_preset(), name.strip()
        in_thread(self, lambda: save_preset(context, name, PRESET_KIND, data),
                  lambda _: self.notify(f"Preset “{name}” saved."), name="Saving the preset", group="presets",
                  refused=lambda message: self.notify(message, title="Preset not saved", severity="error"))

    def _load_preset(self, preset: Any) -> None:
        base = self.settings

        def apply(loaded: tuple[BatchSettings, list[str]]) -> None:
            settings, notes = loaded
            self.apply_settings(settings)
            self.notify(f"Preset “{preset.name}” loaded." + ("\n" + "\n".join(notes) if notes else ""),
                        severity="warning" if notes else "information", timeout=10 if notes else 4)

        # references are decoded to check them
        in_thread(self, lambda: settings_from_preset(base, preset.data), apply, name="Loading the preset",
                  group="presets")

    # -- run -------------------------------------------------------------------------------------------

    def run(self) -> None:
        """Plan the prompts not queued yet (in a thread), ask, and commit through the door."""
        items, again = self.to_run()
        if not items:
            self.post_message(self.NeedsView())
            self.notify("No prompts to run yet: press a to add some.", severity="warning")
            return
        run = _Run(self, [item.entry for item in items], {item.uid for item in items}, again)
        in_thread(self, run.plan, run.ask, name="Estimating the batch", group="run", refused=self.show_error)

    def refuse(self, message: str) -> None:
        self.show_error(message)
        self.post_message(self.NeedsView())
        self.notify(message, title="Batch not run", severity="error", timeout=15)

    def started(self, done: Committed, plan: PaidPlan, uids: set[int]) -> None:
        self.show_error("")
        self.mark_sent(uids)
        where = f"batch #{done.batch_id}" if plan.batch is not None else f"the running batch #{done.batch_id}"
        self.notify(f"{plural(len(done.job_ids), 'image')} queued in {where}.")
        self.post_message(self.BatchStarted(done.batch_id))


class _Run:
    """One press of run: the plans (a new batch, and adding to the shown batch while it runs), the question,
    the commit."""

    def __init__(self, panel: SetupPanel, entries: list[PromptEntry], uids: set[int], again: bool) -> None:
        self.panel, self.entries, self.uids, self.again = panel, entries, uids, again
        self.context, self.settings, self.batch_id = panel.context, panel.settings, panel.batch_id

    def plan(self) -> dict[str, PaidPlan]:
        """In a thread."""
        context, batch_id = self.context, self.batch_id
        summary = batch_summary(context, batch_id) if batch_id is not None else None
        plans = {"new": plan_run(context, self.entries, self.settings)}
        if summary is not None and summary.active > 0 and not self.again:
            plans["add"] = plan_run(context, self.entries, self.settings, batch_id=batch_id)
        return plans

    def ask(self, plans: dict[str, PaidPlan]) -> None:
        plan = plans["new"]
        if plan.refusal:
            self.panel.refuse(f"Not run: {plan.refusal}")
            return
        what = "\n".join([f"{plural(len(self.entries), 'prompt')} · {settings_label(self.settings)}",
                          *plan.lines()])
        if "add" in plans:
            self.panel.app.push_screen(ChoiceDialog(f"Run {plural(plan.count, 'more image')}", [
                ("add", f"Add them to the running batch #{self.batch_id}"),
                ("new", "Start a new batch"),
            ], what), lambda choice: self.commit(plans[choice]) if choice else None)
        else:
            title = "Run these prompts again as a new batch?" if self.again else "Run the batch?"
            self.panel.app.push_screen(ConfirmDialog(what, title=title, yes="Run", no="Not now"),
                                       lambda yes: self.commit(plan) if yes else None)

    def commit(self, plan: PaidPlan) -> None:
        commit_in_worker(self.panel, self.context, plan, lambda done: self.panel.started(done, plan, self.uids),
                         self.panel.refuse)
