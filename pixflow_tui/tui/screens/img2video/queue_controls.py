"""The Img2Video queue's controls: move up/down, skip to the end, pause/resume, retry failed, clear failed,
start/end (an end frame) and the queue's settings applied to one or all entries. The work is done by
workflows/img2video_queue.py; retrying goes through the door (QueuePanel confirms and runs the plan)."""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType

from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog
from pixflow_tui.tui.screens.img2video import confirmations
from pixflow_tui.tui.screens.img2video.background import in_thread, warn
from pixflow_tui.tui.screens.img2video.queue_view import QueueView
from pixflow_tui.workflows.img2video import EntryStatus, QueueEntry, RunPlan, video_plan_work
from pixflow_tui.workflows.img2video_queue import (
    apply_queue_settings,
    clearable,
    move_entry,
    pause_entry,
    plan_retry_failed,
    resume_entry,
    set_end_frame,
    skip_entry,
)
from pixflow_tui.workflows.paid_work import PaidPlan

CONTROL_ACTIONS = frozenset({"move", "skip", "pause_resume", "retry_failed", "clear_failed", "end_frame",
                             "apply_settings"})
PAUSE_STATES = (JobState.PENDING, JobState.QUEUED, JobState.RUNNING, JobState.PAUSED)


class QueueControls(QueueView):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause_resume", "Pause/resume", show=False, id="i2v-pause"),
        Binding("K", "move(-1)", "Move up", show=False, id="i2v-move-up"),
        Binding("J", "move(1)", "Move down", show=False, id="i2v-move-down"),
        Binding("b", "skip", "Skip to the end", show=False, id="i2v-skip"),
        Binding("R", "retry_failed", "Retry failed", show=False, id="i2v-retry-failed"),
        Binding("C", "clear_failed", "Clear failed entries", show=False, id="i2v-clear-failed"),
        Binding("t", "end_frame", "Start/end: set the end frame", show=False, id="i2v-end-frame"),
        Binding("A", "apply_settings", "Apply the queue's settings", show=False, id="i2v-apply-settings"),
    ]

    def check_control(self, action: str, entry: QueueEntry | None, status: EntryStatus | None) -> bool:
        model = self.model
        assert model is not None
        if action in ("move", "skip"):
            return entry is not None and len(model.entries) > 1
        if action == "pause_resume":
            return (entry is not None and status is not None and status.job_id is not None
                    and entry.id not in model.busy and status.state in PAUSE_STATES)
        if action == "retry_failed":
            return any(model.status_of(e).state == JobState.FAILED for e in model.entries)
        if action == "clear_failed":
            return bool(clearable(model.entries, model.statuses, "failed"))
        if action == "end_frame":
            return entry is not None and model.editable(entry)
        return any(model.editable(e) for e in model.entries)  # apply_settings

    # ---- order ----------------------------------------------------------------------------------------

    def action_move(self, offset: int) -> None:
        entry = self.selected
        if self.model is not None and entry is not None and move_entry(self.model.queue, entry.id, offset):
            self._reordered(entry.id)

    def action_skip(self) -> None:
        entry = self.selected
        if self.model is not None and entry is not None and skip_entry(self.model.queue, entry.id):
            self._reordered(entry.id)
            self.notify(f"{entry.name} moved to the end: the others are sent before it", title="Img2Video")

    def _reordered(self, entry_id: str) -> None:
        self.save()
        self.show_queue(select=entry_id)

    # ---- pause and resume -----------------------------------------------------------------------------

    def action_pause_resume(self) -> None:
        model, entry = self.model, self.selected
        if model is None or entry is None or entry.id in model.busy:
            return
        status = model.status_of(entry)
        work = resume_entry if status.state == JobState.PAUSED else pause_entry
        model.busy.add(entry.id)
        in_thread(self, "Pausing a video", partial(work, self.context, status), partial(self._paused, entry),
                  always=partial(self._unbusy, entry.id))

    def _paused(self, entry: QueueEntry, state: JobState) -> None:
        if state == JobState.PAUSED:
            self.notify(f"{entry.name} paused: no longer waited on; a request the provider has is kept "
                        "(space resumes it)", title="Img2Video")
        else:
            self.notify(f"{entry.name} resumed ({state})", title="Img2Video")

    def _unbusy(self, entry_id: str) -> None:
        if self.model is not None:
            self.model.busy.discard(entry_id)
        self.refresh_statuses([entry_id])

    # ---- retry failed, clear failed -------------------------------------------------------------------

    def action_retry_failed(self) -> None:
        model = self.model
        if model is None or model.planning:
            return
        entries = [e.copy() for e in model.entries if e.id not in model.busy]
        model.planning = True
        in_thread(self, "Planning retries", partial(self._price_failed, entries, dict(model.statuses),
                                                    model.queue.batch_id),
                  self._confirm_all, always=self._planned)

    def _price_failed(self, entries: list[QueueEntry], statuses: dict[str, EntryStatus],
                      batch_id: int | None) -> tuple[RunPlan, PaidPlan | None]:
        plan = plan_retry_failed(self.context, entries, statuses)
        return plan, video_plan_work(self.context, plan.videos, batch_id) if plan.count else None

    def _confirm_all(self, result: tuple[RunPlan, PaidPlan | None]) -> None:
        raise NotImplementedError  # QueuePanel shows the plan and runs it

    def _planned(self) -> None:
        raise NotImplementedError

    def action_clear_failed(self) -> None:
        if self.model is None:
            return
        failed = clearable(self.model.entries, self.model.statuses, "failed")
        if failed:
            count = len(failed)
            dialog = ConfirmDialog(f"Take the {count} failed or cancelled entr{'y' if count == 1 else 'ies'} off "
                                   "the queue?", title="Clear failed entries?", yes="Clear", no="Keep")
            self.app.push_screen(dialog, callback=partial(self._clear_failed, failed))

    def _clear_failed(self, entry_ids: set[str], yes: bool | None) -> None:
        if not yes or self.model is None:
            return
        self.model.clear(entry_ids)
        self.save()
        self.show_queue()
        self.notify(f"Cleared {len(entry_ids)} failed entr{'y' if len(entry_ids) == 1 else 'ies'}",
                    title="Img2Video")

    # ---- start/end and settings -----------------------------------------------------------------------

    def action_end_frame(self) -> None:
        entry = self.selected
        if self.model is None or entry is None or not self.model.editable(entry):
            return
        if entry.end_image:
            set_end_frame(entry, None)
            self._entry_changed(entry, f"{entry.name}: an image-to-video entry again")
            return
        start = Path(entry.image)
        self.app.push_screen(
            PathInputDialog("Start/end video: the end frame",
                            f"The video moves from {start.name} to this image (JPEG, PNG or WebP).",
                            value=str(start.parent) + "/", want="file", validator=confirmations.check_path),
            callback=partial(self._set_end, entry.id))

    def _set_end(self, entry_id: str, path: Path | None) -> None:
        entry = self.model.find(entry_id) if self.model else None
        if path is None or entry is None:
            return
        in_thread(self, "Checking the end frame", partial(set_end_frame, entry, str(path)),
                  lambda changed: self._entry_changed(changed, f"{changed.name}: a start/end video"))

    def _entry_changed(self, entry: QueueEntry, message: str) -> None:
        self.save()
        self.show_queue(select=entry.id)
        self.notify(message, title="Img2Video")

    def action_apply_settings(self) -> None:
        model, entry = self.model, self.selected
        if model is None:
            return
        editable = [e for e in model.entries if model.editable(e)]
        if entry is None or entry not in editable or len(editable) == 1:
            self._apply_settings(editable if entry is None or entry not in editable else [entry], "all")
            return
        self.app.push_screen(ChoiceDialog("Apply the queue's settings (prompts stay) to", [
            ("one", f"This entry · {entry.name}"),
            ("all", f"All {len(editable)} entries not on their way"),
        ]), callback=partial(self._apply_settings, editable))

    def _apply_settings(self, editable: list[QueueEntry], target: str | None) -> None:
        if target is None or self.model is None:
            return
        entry = self.selected
        targets = editable if target == "all" else [e for e in editable if entry is not None and e.id == entry.id]
        if not targets:
            warn(self, "No entry can take the settings now (each is on its way)")
            return
        count = apply_queue_settings(self.model.queue, targets)
        self.save()
        self.show_queue(select=entry.id if entry else None)
        self.notify(f"The queue's settings applied to {count} entr{'y' if count == 1 else 'ies'}",
                    title="Img2Video")
