"""Img2Video actions that change what is made: add images, generate (only drafts and failed entries), generate
or regenerate one, cancel, remove. Mixed into the screen; every database call runs in a thread worker."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog
from pixflow_tui.workflows.img2video import (
    DRAFT,
    EntryStatus,
    PlannedVideo,
    RunPlan,
    RunResult,
    cancel_entry,
    check_source_images,
    plan_one,
    plan_pending,
    run_plan,
    video_plan_work,
)
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import PaidPlan

if TYPE_CHECKING:
    from pixflow_tui.tui.screens.img2video.screen import Img2VideoScreen

    _Base = Img2VideoScreen
else:
    _Base = object


def _check_path(text: str) -> str | None:
    """The add dialog's check: a file must be a usable image (the message says why not); folders pass."""
    path = Path(text.strip()).expanduser()
    if not text.strip() or path.is_dir() or not path.exists():
        return None  # the dialog itself reports empty and missing paths
    try:
        check_image_file(path, what="source image")
    except InputError as exc:
        return str(exc)
    return None


class RunFlows(_Base):
    # ---- adding -------------------------------------------------------------------------------------

    def action_add(self) -> None:
        self.app.push_screen(
            PathInputDialog("Add images to the queue", "A JPEG, PNG or WebP file up to 10 MB, or a folder of them.",
                            value=str(Path.cwd()) + "/", want="any", validator=_check_path),
            callback=lambda path: self.add_paths([str(path)]) if path else None)

    def _take_handoff(self) -> None:
        paths = self.context.handoff.take_images()
        if paths:
            self.add_paths(paths, sent=True)

    def add_paths(self, paths: list[str], *, sent: bool = False) -> None:
        def done(result: tuple[list[str], list[str]]) -> None:
            usable, refused = result
            assert self.queue is not None
            added = [self.queue.add(path) for path in usable]
            for message in refused:
                self.notify(message, title="Image refused", severity="error", timeout=12)
            if not usable and not refused:
                self.warn(f"no JPEG, PNG or WebP images in {', '.join(paths)}")
            if added:
                self.save()
                self.show_queue(select=added[-1].id)
                self.table.focus()
                where = " from another module" if sent else ""
                drafts = "a draft" if len(added) == 1 else "drafts"
                self.notify(f"Added {len(added)} image{'' if len(added) == 1 else 's'}{where} as {drafts} · "
                            "s: edit settings · ctrl+g: generate", title="Img2Video")

        self.background("Checking images", lambda: check_source_images(paths), done)

    # ---- generating ---------------------------------------------------------------------------------

    def action_generate(self) -> None:
        """Generate every draft and failed entry: says how many and what it costs before anything is sent."""
        if self.queue is None or self.planning:
            return
        entries = [e.copy() for e in self.queue.entries if e.id not in self.busy]
        statuses = dict(self.statuses)
        context, batch_id = self.context, self.queue.batch_id
        self.planning = True

        def priced() -> tuple[RunPlan, PaidPlan | None]:
            plan = plan_pending(context, entries, statuses)
            return plan, video_plan_work(context, plan.videos, batch_id) if plan.count else None

        def done(result: tuple[RunPlan, PaidPlan | None]) -> None:
            plan, paid = result
            for message in plan.refused:
                self.notify(message, title="Cannot generate", severity="error", timeout=12)
            if plan.count == 0:
                if not plan.refused:
                    self.warn("Nothing to generate: every video is made or on its way "
                              "(r regenerates the highlighted one)")
                return
            assert paid is not None
            if paid.refusal:
                self.warn(f"Not run: {paid.refusal}")
                return
            lines = [f"{plan.headline()}, each with its own settings."]
            if plan.others:
                lines.append(f"{plan.others} other entr{'y is' if plan.others == 1 else 'ies are'} made or on "
                             "the way and will not be sent again.")
            retries = sum(1 for v in plan.videos if v.request is None)
            if retries:
                lines.append(f"{retries} failed video{'s' if retries > 1 else ''} will be retried as they were.")
            self.app.push_screen(ConfirmDialog("\n".join([" ".join(lines), *paid.lines()]),
                                               title=f"{plan.headline()}?", yes="Generate",
                                               no="Not now"),
                                 callback=lambda yes: self.run_videos(plan.videos) if yes else None)

        def finish() -> None:
            self.planning = False

        self.background("Planning videos", priced, done, always=finish)

    def action_generate_one(self) -> None:
        self.run_selected()

    def action_regenerate(self) -> None:
        self.run_selected()

    def run_selected(self) -> None:
        entry = self.selected
        if entry is None or not self.editable(entry) or self.planning:
            return
        snapshot, status, context = entry.copy(), self.status_of(entry), self.context
        regenerate, batch_id = status.state == JobState.DONE, self.queue.batch_id if self.queue else None
        self.planning = True

        def priced() -> tuple[PlannedVideo, PaidPlan]:
            video = plan_one(context, snapshot, status)
            return video, video_plan_work(context, [video], batch_id)

        def done(result: tuple[PlannedVideo, PaidPlan]) -> None:
            video, paid = result
            if paid.refusal:
                self.warn(f"Not run: {paid.refusal}")
                return
            what = "Regenerate" if regenerate else "Generate"
            lines = [f"{what} the video of {snapshot.name}."]
            if regenerate:
                lines.append("The current video is kept; the new one is linked to it.")
            if video.note:
                lines.append(video.note[0].upper() + video.note[1:] + ".")
            self.app.push_screen(ConfirmDialog("\n".join([" ".join(lines), *paid.lines()]),
                                               title=f"{what} this video?", yes=what, no="Not now"),
                                 callback=lambda yes: self.run_videos([video]) if yes else None)

        def finish() -> None:
            self.planning = False

        self.background("Planning a video", priced, done, always=finish)

    def run_videos(self, videos: list[PlannedVideo]) -> None:
        """Queue the confirmed videos; entries that changed since the plan are left alone."""
        assert self.queue is not None
        fresh = []
        for video in videos:
            entry = self.queue.find(video.entry_id)
            basis = video.retry_job_id or video.parent_job_id
            if entry is None or entry.id in self.busy or entry.job_id != basis:
                continue
            fresh.append(video)
        if not fresh:
            return
        ids = [v.entry_id for v in fresh]
        self.busy.update(ids)
        for entry_id in ids:
            old = self.statuses.get(entry_id) or EntryStatus(DRAFT)
            self.statuses[entry_id] = EntryStatus(str(JobState.PENDING), None, video=old.video)
            self._show_row(entry_id)
        self._show_summary()
        self._show_detail()
        self.refresh_bindings()
        context, batch_id = self.context, self.queue.batch_id

        def done(result: RunResult) -> None:
            assert self.queue is not None
            self.queue.batch_id = result.batch_id or self.queue.batch_id
            for entry_id, job_id in result.links.items():
                entry = self.queue.find(entry_id)
                if entry is not None and job_id not in entry.job_ids:
                    entry.job_ids.append(job_id)
                if entry is not None:
                    self._job_entry[job_id] = entry_id
            self.save()
            count = len(result.links)
            self.notify(f"{count} video{'' if count == 1 else 's'} on the way; keep adding images meanwhile",
                        title="Img2Video")

        def finish() -> None:
            self.busy.difference_update(ids)
            self.refresh_statuses(ids)

        self.background("Queueing videos", lambda: run_plan(context, fresh, batch_id), done, always=finish)

    # ---- cancelling and removing ----------------------------------------------------------------------

    def action_cancel(self) -> None:
        entry = self.selected
        if entry is None or entry.id in self.busy:
            return
        status = self.status_of(entry)
        if not status.active and status.state != JobState.UNKNOWN:
            return
        where = "is waiting here" if status.state == JobState.PENDING else f"is {status.state} at the provider"
        message = (f"The video of {entry.name} {where}. Cancel it? A video the provider has already started "
                   "may still be charged.")
        self.app.push_screen(ConfirmDialog(message, title="Cancel this video?", yes="Cancel it", no="Keep it"),
                             callback=lambda yes: self._cancel(entry.id, status) if yes else None)

    def _cancel(self, entry_id: str, status: EntryStatus) -> None:
        context = self.context
        self.busy.add(entry_id)

        def done(state: JobState) -> None:
            self.notify(f"Video {state}" if state != JobState.CANCELLED else "Video cancelled", title="Img2Video")

        def finish() -> None:
            self.busy.discard(entry_id)
            self.refresh_statuses([entry_id])

        self.background("Cancelling a video", lambda: cancel_entry(context, status), done, always=finish)

    def action_remove(self) -> None:
        entry = self.selected
        if entry is None or self.queue is None:
            return
        if not self.editable(entry):
            self.warn(f"{entry.name} is on its way; cancel it first (x)")
            return
        index = self.queue.entries.index(entry)
        had_video = self.status_of(entry).video is not None
        self.queue.entries.remove(entry)
        self.statuses.pop(entry.id, None)
        self.save()
        following = self.queue.entries[min(index, len(self.queue.entries) - 1)].id if self.queue.entries else None
        self.show_queue(select=following)
        kept = "; its video stays in the Library" if had_video else ""
        self.notify(f"Removed {entry.name} from the queue{kept}", title="Img2Video")

    def action_clear_done(self) -> None:
        if self.queue is None:
            return
        done = [e for e in self.queue.entries if self.status_of(e).state == JobState.DONE]
        if not done:
            return

        def clear(yes: bool | None) -> None:
            if not yes or self.queue is None:
                return
            ids = {e.id for e in done}
            self.queue.entries = [e for e in self.queue.entries if e.id not in ids]
            self.save()
            self.show_queue()
            self.notify(f"Cleared {len(ids)} finished entr{'y' if len(ids) == 1 else 'ies'}; "
                        "the videos stay in the Library", title="Img2Video")

        self.app.push_screen(ConfirmDialog(
            f"Take the {len(done)} finished entr{'y' if len(done) == 1 else 'ies'} off the queue? The videos stay "
            "in the Library.", title="Clear finished entries?", yes="Clear", no="Keep"), callback=clear)
