"""What the Img2Video queue widget knows, without Textual: the queue, each entry's latest status, the entries
with an operation in flight, and which job belongs to which entry. The widget shows it; workers fill it."""
from __future__ import annotations

import dataclasses
from typing import Any

from pixflow_tui.core.jobs import FINISHED_STATES, JobEvent, JobState
from pixflow_tui.tui.screens.img2video.settings_dialog import SettingsResult
from pixflow_tui.workflows.img2video import (
    DRAFT,
    EntryStatus,
    PlannedVideo,
    QueueEntry,
    RunResult,
    VideoInfo,
    VideoQueue,
)
from pixflow_tui.workflows.img2video_camera import apply_preset, estimate_settings_cost


class QueueModel:
    def __init__(self, queue: VideoQueue, statuses: dict[str, EntryStatus]) -> None:
        self.queue = queue
        self.statuses = statuses
        self.busy: set[str] = set()  # entries with an operation in flight (queueing, cancelling)
        self.planning = False  # a plan is being priced or confirmed: one at a time
        self._job_entry = {job_id: e.id for e in queue.entries for job_id in e.job_ids}

    @property
    def entries(self) -> list[QueueEntry]:
        return self.queue.entries

    def find(self, entry_id: str | None) -> QueueEntry | None:
        return self.queue.find(entry_id) if entry_id else None

    def status_of(self, entry: QueueEntry) -> EntryStatus:
        return self.statuses.get(entry.id) or EntryStatus(DRAFT)

    def editable(self, entry: QueueEntry) -> bool:
        status = self.status_of(entry)
        return entry.id not in self.busy and not status.active and status.state != JobState.PAUSED

    def videos(self) -> list[VideoInfo]:
        found = [self.status_of(e).video for e in self.entries]
        return [v for v in found if v is not None]

    def has_done(self) -> bool:
        return any(self.status_of(e).state == JobState.DONE for e in self.entries)

    def needs_watching(self) -> bool:
        """Some entry's job may still change (here or in another process)."""
        return any(self.status_of(e).active or self.status_of(e).state == JobState.UNKNOWN for e in self.entries)

    # ---- live status ------------------------------------------------------------------------------------

    def apply_event(self, event: JobEvent) -> tuple[str | None, bool]:
        """The entry whose current job the event is about (None: not ours, or an older job of the entry), and
        whether that job has ended (its video and cost are then read from the database)."""
        entry = self.find(self._job_entry.get(event.job_id))
        if entry is None or entry.job_id != event.job_id:
            return None, False
        old = self.status_of(entry)
        self.statuses[entry.id] = dataclasses.replace(
            old, state=str(event.state), job_id=event.job_id, queue_position=event.queue_position,
            progress=event.progress if event.progress is not None else old.progress)
        return entry.id, event.state in FINISHED_STATES or event.state == JobState.UNKNOWN

    def apply_statuses(self, statuses: dict[str, EntryStatus]) -> list[str]:
        """Take statuses read from the database; returns the entries changed."""
        changed = []
        for entry_id, status in statuses.items():
            entry = self.find(entry_id)
            if entry is None or status.job_id != entry.job_id:
                continue  # changed meanwhile; a newer read follows
            self.statuses[entry_id] = status
            changed.append(entry_id)
        return changed

    # ---- changes ------------------------------------------------------------------------------------------

    def start_run(self, videos: list[PlannedVideo]) -> list[PlannedVideo]:
        """The confirmed videos whose entries did not change since the plan, marked busy and waiting."""
        fresh = []
        for video in videos:
            entry = self.find(video.entry_id)
            if entry is None or entry.id in self.busy or entry.job_id != (video.retry_job_id or video.parent_job_id):
                continue
            fresh.append(video)
            self.busy.add(entry.id)
            self.statuses[entry.id] = EntryStatus(str(JobState.PENDING), None, video=self.status_of(entry).video)
        return fresh

    def link(self, result: RunResult) -> None:
        """Attach the jobs the door wrote to their entries."""
        self.queue.batch_id = result.batch_id or self.queue.batch_id
        for entry_id, job_id in result.links.items():
            entry = self.find(entry_id)
            if entry is None:
                continue
            if job_id not in entry.job_ids:
                entry.job_ids.append(job_id)
            self._job_entry[job_id] = entry_id

    def remove(self, entry: QueueEntry) -> str | None:
        """Take `entry` off the queue; returns the entry to highlight next."""
        index = self.entries.index(entry)
        self.entries.remove(entry)
        self.statuses.pop(entry.id, None)
        return self.entries[min(index, len(self.entries) - 1)].id if self.entries else None

    def clear(self, entry_ids: set[str]) -> None:
        self.queue.entries = [e for e in self.entries if e.id not in entry_ids]

    def save_settings(self, entry: QueueEntry, result: SettingsResult) -> int:
        """Store the dialog's settings on `entry` (and, to all, on every editable entry, prompts kept); they become
        what new images start with. Returns how many entries changed."""
        entry.settings = result.settings.copy()
        changed = 1
        if result.to_all:
            for other in self.entries:
                if other.id != entry.id and self.editable(other):
                    other.settings = result.settings.copy(prompt=other.settings.prompt)
                    changed += 1
        self.queue.defaults = result.settings.copy(prompt="")
        return changed

    def apply_preset(self, entries: list[QueueEntry], data: dict[str, Any]) -> int:
        """Apply a preset's camera, duration and aspect to `entries` and the defaults; ValueError when the
        preset names something unknown."""
        for entry in entries:
            entry.settings = apply_preset(entry.settings, data)
        self.queue.defaults = apply_preset(self.queue.defaults, data)
        return len(entries)

    # ---- the summary line -----------------------------------------------------------------------------------

    def summary(self) -> str:
        counts: dict[str, int] = {}
        pending, cost = 0, 0.0
        for entry in self.entries:
            status = self.status_of(entry)
            key = "on the way" if status.active or entry.id in self.busy else str(status.state)
            counts[key] = counts.get(key, 0) + 1
            if status.state in (DRAFT, JobState.FAILED) and entry.id not in self.busy:
                pending += 1
                cost += estimate_settings_cost(entry.settings)
        total = len(self.entries)
        names = {DRAFT: ("draft", "drafts")}
        parts = [f"{n} {names.get(k, (k, k))[0 if n == 1 else 1]}" for k, n in counts.items()]
        line = " · ".join(parts) if total else "No images yet"
        if pending:
            more = "more " if pending < total else ""
            line += f" — ctrl+g: {pending} {more}video{'' if pending == 1 else 's'} ≈ ${cost:.2f}"
        return line
