"""Set-up actions of the Asset Monster screen: add prompts, references and presets, and run the batch."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixflow_tui.tui.paid import commit_in_worker
from pixflow_tui.tui.screens.asset_monster.dialogs import PickPromptsDialog, ReferencesDialog
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.widgets.settings_list import SettingsList
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.asset_monster import (
    PRESET_KIND, BatchSettings, PromptEntry, batch_summary, check_reference, favorite_prompts, history_prompts,
    plan_run, prompt_from_typed, prompts_from_file, settings_from_preset, waiting_prompts,
)
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import Committed, PaidPlan
from pixflow_tui.workflows.presets import list_presets, save_preset

if TYPE_CHECKING:
    from pixflow_tui.tui.screens.asset_monster.screen import AssetMonsterScreen

SOURCES = (
    ("favorites", "Favourites: prompts you starred"),
    ("history", "History: prompts made in Prompt Factory"),
    ("file", "A file: JSON, JSONL or TXT (one prompt per line or paragraph)"),
    ("typed", "Type a prompt (text, or a JSON object)"),
)


def settings_label(settings: BatchSettings) -> str:
    refs = f" · {len(settings.references)} ref" if settings.references else ""
    return f"{settings.aspect_ratio} · {settings.resolution} · {settings.output_format} · ×{settings.variants}{refs}"


class SetupActions:
    """Mixed into AssetMonsterScreen (uses its context, set-up panel, notify and workers)."""

    def _am(self) -> AssetMonsterScreen:
        return self  # type: ignore[return-value]

    def _in_thread(self, work: Callable[[], Any], name: str, group: str) -> None:
        start_thread(self._am(), work, name=name, group=group, exclusive=False)

    def _ui(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """From a worker thread: run `fn` on the UI thread."""
        self._am().app.call_from_thread(lambda: fn(*args, **kwargs))

    # -- prompts ---------------------------------------------------------------------------------------

    def take_waiting_prompts(self) -> None:
        screen = self._am()
        entries = waiting_prompts(screen.context)  # a lock and a list: cheap enough for the UI thread
        if entries:
            screen.setup_panel.add_entries(entries)
            screen.show_setup()
            origins = {"prompt_factory": "Prompt Factory", "favorite": "favourites"}
            sources = " and ".join(dict.fromkeys(origins.get(e.source, e.source) for e in entries))
            screen.notify(f"{len(entries)} prompt{'s' if len(entries) > 1 else ''} from {sources} added. "
                          "ctrl+r runs them.", title="Prompts arrived")

    def add_prompt_entries(self, entries: list[PromptEntry], where: str) -> None:
        screen = self._am()
        count = screen.setup_panel.add_entries(entries)
        screen.show_setup()
        screen.notify(f"{count} prompt{'s' if count != 1 else ''} added from {where}.")

    def action_add_prompts(self) -> None:
        def chosen(source: str | None) -> None:
            if source == "file":
                self._prompts_from_file()
            elif source == "typed":
                self._typed_prompt()
            elif source in ("favorites", "history"):
                self._pick_prompts(source)

        self._am().app.push_screen(ChoiceDialog("Add prompts from", list(SOURCES)), chosen)

    def _pick_prompts(self, source: str) -> None:
        screen = self._am()
        context = screen.context

        def work() -> None:
            entries = favorite_prompts(context) if source == "favorites" else history_prompts(context)
            self._ui(show, entries)

        def show(entries: list[PromptEntry]) -> None:
            if not entries:
                where = "favourites" if source == "favorites" else "history"
                screen.notify(f"No prompts in {where} yet.", severity="warning")
                return
            title = "Favourite prompts" if source == "favorites" else "Prompts from history (newest first)"

            def picked(indexes: list[int] | None) -> None:
                if indexes:
                    self.add_prompt_entries([entries[i] for i in indexes], title.split(" ")[0].lower())

            screen.app.push_screen(PickPromptsDialog(title, [e.text for e in entries]), picked)

        self._in_thread(work, "Reading prompts", "prompts")

    def _prompts_from_file(self) -> None:
        screen = self._am()

        def chosen(path: Path | None) -> None:
            if path is None:
                return

            def work() -> None:
                try:
                    entries = prompts_from_file(path)
                except InputError as exc:
                    self._ui(screen.notify, str(exc), title="Cannot read prompts", severity="error", timeout=10)
                    return
                self._ui(self.add_prompt_entries, entries, path.name)

            self._in_thread(work, "Reading the prompt file", "prompts")

        screen.app.push_screen(PathInputDialog("Prompts from a file", "A .json, .jsonl or .txt file.", want="file"),
                               chosen)

    def _typed_prompt(self) -> None:
        def validate(text: str) -> str | None:
            try:
                prompt_from_typed(text)
            except InputError as exc:
                return str(exc)
            return None

        def typed(text: str | None) -> None:
            if text:
                self.add_prompt_entries([prompt_from_typed(text)], "what you typed")

        self._am().app.push_screen(TextInputDialog(
            "Type a prompt", "Plain text is used word for word; a JSON object is read as a structured prompt.",
            placeholder="a portrait in soft window light…", validator=validate), typed)

    # -- references ------------------------------------------------------------------------------------

    def _reference_dialog(self) -> None:
        screen = self._am()
        settings = screen.app_.settings

        def done(references: tuple[str, ...] | None) -> None:
            if references is not None:
                screen.setup_panel.set_references(references)

        screen.app.push_screen(ReferencesDialog(screen.setup_panel.references, check_reference,
                                                renderer=settings.image_renderer,
                                                cache_dir=settings.thumbnails_dir), done)

    def action_add_reference(self) -> None:
        screen = self._am()
        panel = screen.setup_panel

        def validate(text: str) -> str | None:
            try:
                check_reference(text.strip(), panel.references)
            except InputError as exc:
                return str(exc)
            return None

        def added(path: Path | None) -> None:
            if path is not None:
                panel.set_references((*panel.references, check_reference(str(path), panel.references)))
                screen.show_setup()

        screen.app.push_screen(PathInputDialog(
            "Add a reference image", "JPEG, PNG or WebP up to 10 MB on this machine.", want="file",
            validator=validate), added)

    # -- presets ---------------------------------------------------------------------------------------

    def action_presets(self) -> None:
        screen = self._am()
        context = screen.context

        def work() -> None:
            self._ui(show, list_presets(context, PRESET_KIND))

        def show(presets: list[Any]) -> None:
            choices = [("save", "Save the current settings as a preset…")]
            for preset in presets:
                base = BatchSettings("", "", "", 1)
                values, _ = settings_from_preset(base, {k: v for k, v in preset.data.items() if k != "references"})
                refs = len(preset.data.get("references") or [])
                label = settings_label(values) + (f" · {refs} ref" if refs else "")
                choices.append((str(preset.id), f"Load “{preset.name}”: {label}"))
            by_id = {str(p.id): p for p in presets}

            def chosen(choice: str | None) -> None:
                if choice == "save":
                    self._save_preset()
                elif choice in by_id:
                    self._load_preset(by_id[choice])

            screen.app.push_screen(ChoiceDialog("Batch presets", choices), chosen)

        self._in_thread(work, "Reading presets", "presets")

    def _save_preset(self) -> None:
        screen = self._am()
        context = screen.context
        data = screen.setup_panel.settings.to_preset()

        def named(name: str | None) -> None:
            if not name or not name.strip():
                return

            def work() -> None:
                try:
                    save_preset(context, name.strip(), PRESET_KIND, data)
                except InputError as exc:
                    self._ui(screen.notify, str(exc), title="Preset not saved", severity="error")
                    return
                self._ui(screen.notify, f"Preset “{name.strip()}” saved.")

            self._in_thread(work, "Saving the preset", "presets")

        screen.app.push_screen(TextInputDialog("Save settings as a preset", settings_label(screen.setup_panel.settings),
                                               placeholder="preset name"), named)

    def _load_preset(self, preset: Any) -> None:
        screen = self._am()
        panel = screen.setup_panel
        base = panel.settings

        def work() -> None:  # references are decoded to check them
            settings, notes = settings_from_preset(base, preset.data)
            self._ui(apply, settings, notes)

        def apply(settings: BatchSettings, notes: list[str]) -> None:
            panel.apply_settings(settings)
            screen.notify(f"Preset “{preset.name}” loaded." + ("\n" + "\n".join(notes) if notes else ""),
                          severity="warning" if notes else "information", timeout=10 if notes else 4)

        self._in_thread(work, "Loading the preset", "presets")

    # -- the set-up list's action rows -----------------------------------------------------------------

    def on_settings_list_activated(self, event: SettingsList.Activated) -> None:
        actions = {"prompts": self.action_add_prompts, "references": self._reference_dialog,
                   "preset": self.action_presets, "run": self.action_run}
        actions[event.key]()

    # -- run -------------------------------------------------------------------------------------------

    def action_run(self) -> None:
        screen = self._am()
        panel = screen.setup_panel
        items, again = panel.to_run()
        if not items:
            screen.show_setup()
            screen.notify("No prompts to run yet: press a to add some.", severity="warning")
            return
        context, settings, batch_id = screen.context, panel.settings, screen.batch_id
        entries = [item.entry for item in items]
        uids = {item.uid for item in items}

        def work() -> None:
            summary = batch_summary(context, batch_id) if batch_id is not None else None
            running = summary is not None and summary.active > 0 and not again
            try:
                plans = {"new": plan_run(context, entries, settings)}
                if running:
                    plans["add"] = plan_run(context, entries, settings, batch_id=batch_id)
            except InputError as exc:
                self._ui(panel.show_error, str(exc))
                return
            self._ui(ask, plans)

        def ask(plans: dict[str, PaidPlan]) -> None:
            plan = plans["new"]
            if plan.refusal:
                refused(f"Not run: {plan.refusal}")
                return
            what = "\n".join([f"{len(entries)} prompt{'s' if len(entries) != 1 else ''} · "
                              f"{settings_label(settings)}", *plan.lines()])
            if "add" in plans:
                screen.app.push_screen(ChoiceDialog(f"Run {plan.count} more images", [
                    ("add", f"Add them to the running batch #{batch_id}"),
                    ("new", "Start a new batch"),
                ], what), lambda choice: go(plans[choice]) if choice else None)
            else:
                title = "Run these prompts again as a new batch?" if again else "Run the batch?"
                screen.app.push_screen(ConfirmDialog(what, title=title, yes="Run", no="Not now"),
                                       lambda yes: go(plan) if yes else None)

        def go(plan: PaidPlan) -> None:
            commit_in_worker(screen, context, plan, lambda done: started(done, plan), refused)

        def refused(message: str) -> None:
            panel.show_error(message)
            screen.show_setup()
            screen.notify(message, title="Batch not run", severity="error", timeout=15)

        def started(done: Committed, plan: PaidPlan) -> None:
            panel.show_error("")
            panel.mark_sent(uids)
            where = f"batch #{done.batch_id}" if plan.batch is not None else f"the running batch #{done.batch_id}"
            count = len(done.job_ids)
            screen.notify(f"{count} image{'s' if count != 1 else ''} queued in {where}.")
            screen.forget_setup_choice()  # the layout rule hides the set-up on small screens: results now
            if done.batch_id == screen.batch_id:
                screen.load_batch(done.batch_id, first=False)
            elif done.batch_id is not None:
                screen.open_batch(done.batch_id)

        self._in_thread(work, "Estimating the batch", "run")
