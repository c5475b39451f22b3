"""The Img2Video queue's keys (add, generate, make one, regenerate, cancel, edit, video presets, play, export, copy,
remove, clear finished): which apply to the highlighted entry, and what each does.

Paid work goes through the door: priced with `video_plan_work` and committed with `run_plan`, each in a worker,
with one confirmation between."""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from pixflow_tui.core.formatting import plural
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.clipboard import copy_text
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog
from pixflow_tui.tui.screens.img2video import confirmations, exports
from pixflow_tui.tui.screens.img2video.background import in_thread, warn
from pixflow_tui.tui.screens.img2video.presets_menu import VideoPresetsMenu
from pixflow_tui.tui.screens.img2video.queue_controls import CONTROL_ACTIONS, QueueControls
from pixflow_tui.tui.screens.img2video.settings_dialog import SettingsResult, VideoSettingsDialog
from pixflow_tui.workflows.img2video import (
    EntryStatus,
    PlannedVideo,
    QueueEntry,
    RunPlan,
    RunResult,
    cancel_entry,
    check_source_images,
    plan_one,
    plan_pending,
    run_plan,
    video_plan_work,
)
from pixflow_tui.workflows.exports import exports_folder
from pixflow_tui.workflows.img2video_camera import PresetRecord
from pixflow_tui.workflows.paid_work import PaidPlan


class QueuePanel(QueueControls):
    """The queue with its keys: what each does, and when it applies (the queue's order, pause, retry failed,
    clear failed, start/end and its settings are in QueueControls)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="i2v-add"),
        Binding("ctrl+g", "generate", "Generate", id="i2v-generate"),
        Binding("enter,s", "edit", "Edit", id="i2v-edit"),
        Binding("r", "generate_one", "Make one", id="i2v-generate-one"),
        Binding("r", "regenerate", "Regenerate", id=action_keys.REGENERATE),
        Binding("x", "cancel", "Cancel", id=action_keys.CANCEL_JOB),
        Binding("e", "export", "Export", id=action_keys.EXPORT),
        # shown in the side panel's hint line rather than the footer, which is full at 80 columns
        Binding("o", "play", "Play the video", show=False, id="i2v-play"),
        Binding("p", "presets", "Video presets", show=False, id="i2v-presets"),
        Binding("y", "copy_prompt", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
        Binding("delete,backspace", "remove", "Remove from queue", show=False, id="i2v-remove"),
        Binding("c", "clear_done", "Clear finished entries", show=False, id="i2v-clear-done"),
    ]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # ---- which keys apply -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        model, entry = self.model, self.selected
        if model is None:
            return False  # nothing applies until the queue is read
        status = model.status_of(entry) if entry else None
        if action in ("add", "presets"):
            return True
        if action == "generate":
            return bool(model.entries)
        if action in ("edit", "remove"):
            return entry is not None and model.editable(entry)
        if action == "copy_prompt":
            return entry is not None
        if action in ("generate_one", "regenerate"):
            if entry is None or status is None or not model.editable(entry):
                return False
            return (status.state == JobState.DONE) == (action == "regenerate")
        if action == "cancel":
            return entry is not None and status is not None and entry.id not in model.busy and (
                status.active or status.state in (JobState.UNKNOWN, JobState.PAUSED))
        if action == "play":
            return status is not None and status.video is not None
        if action == "export":
            return any(s.video is not None for s in model.statuses.values())
        if action == "clear_done":
            return model.has_done()
        if action in CONTROL_ACTIONS:
            return self.check_control(action, entry, status)
        return True

    # ---- adding ---------------------------------------------------------------------------------------

    def action_add(self) -> None:
        self.app.push_screen(
            PathInputDialog("Add images to the queue", "A JPEG, PNG or WebP file up to 10 MB, or a folder of them.",
                            value=str(Path.cwd()) + "/", want="any",
                            validator=confirmations.check_path),
            callback=lambda path: self.add_paths([str(path)]) if path else None)

    def add_paths(self, paths: list[str], *, sent: bool = False) -> None:
        """Check the images (in a thread), then add the usable ones as drafts; `sent`: from another module."""
        in_thread(self, "Checking images", partial(check_source_images, paths), partial(self._add, paths, sent))

    def _add(self, paths: list[str], sent: bool, result: tuple[list[str], list[str]]) -> None:
        assert self.model is not None
        usable, refused = result
        added = [self.model.queue.add(path) for path in usable]
        for message in refused:
            self.notify(message, title="Image refused", severity="error", timeout=12)
        if not usable and not refused:
            warn(self, f"no JPEG, PNG or WebP images in {', '.join(paths)}")
        if added:
            self.save()
            self.show_queue(select=added[-1].id)
            self.table.focus()
            where = " from another module" if sent else ""
            drafts = "a draft" if len(added) == 1 else "drafts"
            self.notify(f"Added {plural(len(added), 'image')}{where} as {drafts} · "
                        "s: edit settings · ctrl+g: generate", title="Img2Video")

    # ---- generating (through the door: priced here, confirmed, then committed by run_plan) -----------

    def action_generate(self) -> None:
        """Generate every draft and failed entry: says how many and what it costs before anything is sent."""
        model = self.model
        if model is None or model.planning:
            return
        entries = [e.copy() for e in model.entries if e.id not in model.busy]
        model.planning = True
        in_thread(self, "Planning videos", partial(self._price_all, entries, dict(model.statuses), model.queue.batch_id),
                  self._confirm_all, always=self._planned)

    def _price_all(self, entries: list[QueueEntry], statuses: dict[str, EntryStatus],
                   batch_id: int | None) -> tuple[RunPlan, PaidPlan | None]:
        plan = plan_pending(self.context, entries, statuses)
        return plan, video_plan_work(self.context, plan.videos, batch_id) if plan.count else None

    def _confirm_all(self, result: tuple[RunPlan, PaidPlan | None]) -> None:
        plan, paid = result
        for message in plan.refused:
            self.notify(message, title="Cannot generate", severity="error", timeout=12)
        if plan.count == 0 or paid is None:
            if not plan.refused:
                warn(self, "Nothing to generate: every video is made or on its way (r regenerates the highlighted one)")
            return
        if paid.refusal:
            warn(self, f"Not run: {paid.refusal}")
            return
        self.app.push_screen(confirmations.generate_all(plan, paid), callback=partial(self._run_if, plan.videos))

    def action_generate_one(self) -> None:
        self._run_selected()

    def action_regenerate(self) -> None:
        self._run_selected()

    def _run_selected(self) -> None:
        model, entry = self.model, self.selected
        if model is None or entry is None or not model.editable(entry) or model.planning:
            return
        snapshot, status = entry.copy(), model.status_of(entry)
        model.planning = True
        in_thread(self, "Planning a video", partial(self._price_one, snapshot, status, model.queue.batch_id),
                  partial(self._confirm_one, snapshot, status.state == JobState.DONE), always=self._planned)

    def _price_one(self, entry: QueueEntry, status: EntryStatus,
                   batch_id: int | None) -> tuple[PlannedVideo, PaidPlan]:
        video = plan_one(self.context, entry, status)
        return video, video_plan_work(self.context, [video], batch_id)

    def _confirm_one(self, entry: QueueEntry, regenerate: bool, result: tuple[PlannedVideo, PaidPlan]) -> None:
        video, paid = result
        if paid.refusal:
            warn(self, f"Not run: {paid.refusal}")
            return
        self.app.push_screen(confirmations.generate_one(entry, video, paid, regenerate=regenerate),
                             callback=partial(self._run_if, [video]))

    def _planned(self) -> None:
        if self.model is not None:
            self.model.planning = False

    def _run_if(self, videos: list[PlannedVideo], yes: bool | None) -> None:
        if yes:
            self.run_videos(videos)

    def run_videos(self, videos: list[PlannedVideo]) -> None:
        """Queue the confirmed videos; entries that changed since the plan are left alone."""
        assert self.model is not None
        fresh = self.model.start_run(videos)
        if not fresh:
            return
        ids = [v.entry_id for v in fresh]
        for entry_id in ids:
            self._show_row(entry_id)
        self._changed()
        in_thread(self, "Queueing videos", partial(run_plan, self.context, fresh, self.model.queue.batch_id),
                  self._queued, always=partial(self._settled, ids))

    def _queued(self, result: RunResult) -> None:
        assert self.model is not None
        self.model.link(result)
        self.save()
        count = len(result.links)
        self.notify(f"{count} video{'' if count == 1 else 's'} on the way; keep adding images meanwhile",
                    title="Img2Video")

    def _settled(self, entry_ids: list[str]) -> None:
        """An operation on these entries ended (well or not): read what their jobs are now."""
        if self.model is not None:
            self.model.busy.difference_update(entry_ids)
        self.refresh_statuses(entry_ids)

    # ---- cancelling and removing ----------------------------------------------------------------------

    def action_cancel(self) -> None:
        model, entry = self.model, self.selected
        if model is None or entry is None or entry.id in model.busy:
            return
        status = model.status_of(entry)
        if status.active or status.state in (JobState.UNKNOWN, JobState.PAUSED):
            self.app.push_screen(confirmations.cancel(entry, status), callback=partial(self._cancel, entry.id, status))

    def _cancel(self, entry_id: str, status: EntryStatus, yes: bool | None) -> None:
        if not yes or self.model is None:
            return
        self.model.busy.add(entry_id)
        in_thread(self, "Cancelling a video", partial(cancel_entry, self.context, status), self._cancelled,
                  always=partial(self._settled, [entry_id]))

    def _cancelled(self, state: JobState) -> None:
        self.notify(f"Video {state}" if state != JobState.CANCELLED else "Video cancelled", title="Img2Video")

    def action_remove(self) -> None:
        model, entry = self.model, self.selected
        if model is None or entry is None:
            return
        if not model.editable(entry):
            warn(self, f"{entry.name} is on its way; cancel it first (x)")
            return
        had_video = model.status_of(entry).video is not None
        following = model.remove(entry)
        self.save()
        self.show_queue(select=following)
        kept = "; its video stays in the Library" if had_video else ""
        self.notify(f"Removed {entry.name} from the queue{kept}", title="Img2Video")

    def action_clear_done(self) -> None:
        if self.model is None:
            return
        done = {e.id for e in self.model.entries if self.model.status_of(e).state == JobState.DONE}
        if done:
            self.app.push_screen(confirmations.clear_done(len(done)), callback=partial(self._clear, done))

    def _clear(self, entry_ids: set[str], yes: bool | None) -> None:
        if not yes or self.model is None:
            return
        self.model.clear(entry_ids)
        self.save()
        self.show_queue()
        self.notify(f"Cleared {len(entry_ids)} finished entr{'y' if len(entry_ids) == 1 else 'ies'}; "
                    "the videos stay in the Library", title="Img2Video")

    # ---- settings and presets -------------------------------------------------------------------------

    def action_edit(self) -> None:
        model, entry = self.model, self.selected
        if model is None or entry is None:
            return
        if not model.editable(entry):
            warn(self, f"{entry.name} is on its way; cancel it (x) to change its settings")
            return
        others = sum(1 for e in model.entries if e.id != entry.id and model.editable(e))
        position = f"{model.entries.index(entry) + 1} of {len(model.entries)}"
        self.app.push_screen(VideoSettingsDialog(entry.copy(), position=position, others=others),
                             callback=partial(self._save_settings, entry.id))

    def _save_settings(self, entry_id: str, result: SettingsResult | None) -> None:
        entry = self.model.find(entry_id) if self.model else None
        if result is None or self.model is None or entry is None:
            return
        changed = self.model.save_settings(entry, result)
        self.save()
        self.show_queue(select=entry_id)
        where = f"all {changed} entries (each keeps its own prompt)" if result.to_all else entry.name
        self.notify(f"Settings saved to {where}; new images start with them", title="Img2Video")

    def action_presets(self) -> None:
        if self.model is not None:
            entry = self.selected
            source = entry.settings if entry else self.model.queue.defaults
            VideoPresetsMenu(self, self.context, source, self._use_preset).open()

    def _use_preset(self, preset: PresetRecord) -> None:
        """Apply the preset to the highlighted entry or to every entry not on its way (asked when both make
        sense); with none editable it becomes what new images start with."""
        assert self.model is not None
        entry = self.selected
        editable = [e for e in self.model.entries if self.model.editable(e)]
        if not editable:
            self.model.apply_preset([], preset.data)
            self.save()
            self.notify(f"New images will start with “{preset.name}”", title="Img2Video")
        elif len(editable) == 1 or entry is None or entry not in editable:
            self._apply_preset(preset, editable, "all")
        else:
            self.app.push_screen(ChoiceDialog(f"Apply “{preset.name}” to", [
                ("one", f"This entry · {entry.name}"),
                ("all", f"All {len(editable)} entries not on their way (prompts stay)"),
            ]), callback=partial(self._apply_preset, preset, editable))

    def _apply_preset(self, preset: PresetRecord, editable: list[QueueEntry], target: str | None) -> None:
        if target is None or self.model is None:
            return
        entry = self.selected
        targets = editable if target == "all" else [e for e in editable if entry and e.id == entry.id]
        try:
            count = self.model.apply_preset(targets, preset.data)
        except ValueError as exc:
            warn(self, str(exc))
            return
        self.save()
        self.show_queue()
        self.notify(f"Applied “{preset.name}” to {count} entr{'y' if count == 1 else 'ies'}", title="Img2Video")

    # ---- results --------------------------------------------------------------------------------------

    def action_play(self) -> None:
        entry = self.selected
        video = self.status_of(entry).video if entry else None
        if video is not None:
            exports.play(self, video)

    def action_export(self) -> None:
        if self.model is None:
            return
        videos = self.model.videos()
        if not videos:
            warn(self, "No finished videos to export yet")
            return
        entry = self.selected
        exports.export(self, self.status_of(entry).video if entry else None, videos, exports_folder(self.context))

    def action_copy_prompt(self) -> None:
        entry = self.selected
        if entry is not None:
            copy_text(self, entry.composed_prompt(), "Prompt")
