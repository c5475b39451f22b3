"""The Img2Video queue's controls, as the original app has them: skip (to the end), move up/down, pause and
resume, retry failed, clear finished or failed, start/end entries, and the queue's settings applied to one or all
entries.

The order of the queue is the order "generate" sends its drafts in. Pause never strands or double-pays a job: a
job the provider has keeps its request id, and resume waits on that same request (engine/control.py)."""
from __future__ import annotations

from collections.abc import Iterable

from pixflow_tui.core.jobs import JobState
from pixflow_tui.engine.control import JobActionError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.img2video import DRAFT, EntryStatus, QueueEntry, RunPlan, VideoQueue, plan_pending
from pixflow_tui.workflows.inputs import InputError, check_image_file

CLEARABLE = {"finished": frozenset({JobState.DONE}), "failed": frozenset({JobState.FAILED, JobState.CANCELLED})}


# ---- order ----------------------------------------------------------------------------------------------


def move_entry(queue: VideoQueue, entry_id: str, offset: int) -> bool:
    """Move an entry `offset` places (negative: up), within the queue; False when it cannot move."""
    entry = queue.find(entry_id)
    if entry is None:
        return False
    index = queue.entries.index(entry)
    target = min(max(index + offset, 0), len(queue.entries) - 1)
    if target == index:
        return False
    queue.entries.insert(target, queue.entries.pop(index))
    return True


def skip_entry(queue: VideoQueue, entry_id: str) -> bool:
    """Skip: the entry goes to the end of the queue (the others are sent before it)."""
    return move_entry(queue, entry_id, len(queue.entries))


# ---- pause and resume -----------------------------------------------------------------------------------


def pause_entry(ctx: AppContext, status: EntryStatus) -> JobState:
    """Stop waiting on the entry's video; the provider keeps any request already sent (resume follows it)."""
    if status.job_id is None or status.state not in (JobState.PENDING, JobState.QUEUED, JobState.RUNNING):
        raise InputError(f"only a video waiting or rendering can be paused (this one is {status.state})")
    try:
        return ctx.pause_job(status.job_id)
    except JobActionError as exc:
        raise InputError(str(exc)) from None


def resume_entry(ctx: AppContext, status: EntryStatus) -> JobState:
    """Wait on a paused video again: the same provider request, nothing sent or paid twice."""
    if status.job_id is None or status.state != JobState.PAUSED:
        raise InputError(f"only a paused video can be resumed (this one is {status.state})")
    try:
        return ctx.resume_job(status.job_id)
    except JobActionError as exc:
        raise InputError(str(exc)) from None


# ---- retry, clear ---------------------------------------------------------------------------------------


def plan_retry_failed(ctx: AppContext, entries: list[QueueEntry], statuses: dict[str, EntryStatus]) -> RunPlan:
    """The failed entries only, planned as "generate" plans them (a failed video is retried; one whose result the
    provider already made is only fetched again, free)."""
    failed = [e for e in entries if (statuses.get(e.id) or EntryStatus(DRAFT)).state == JobState.FAILED]
    if not failed:
        raise InputError("no failed videos to retry")
    return plan_pending(ctx, failed, statuses)


def clearable(entries: Iterable[QueueEntry], statuses: dict[str, EntryStatus], which: str) -> set[str]:
    """Entries "finished" (done) or "failed" (failed or cancelled): clearing them keeps their videos."""
    states = CLEARABLE[which]
    return {e.id for e in entries if (statuses.get(e.id) or EntryStatus(DRAFT)).state in states}


# ---- settings and kinds ---------------------------------------------------------------------------------


def apply_queue_settings(queue: VideoQueue, targets: list[QueueEntry]) -> int:
    """The queue's settings (what new images start with) onto `targets`; each keeps its own prompt."""
    for entry in targets:
        entry.settings = queue.defaults.copy(prompt=entry.settings.prompt)
    return len(targets)


def set_end_frame(entry: QueueEntry, path: str | None) -> QueueEntry:
    """Make the entry a start/end video ending on `path` (checked as the provider would), or (None) an
    image-to-video one again."""
    entry.end_image = str(check_image_file(path, what="end frame")) if path else None
    return entry
