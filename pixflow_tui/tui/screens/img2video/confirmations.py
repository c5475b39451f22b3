"""What the queue's confirmations say: generating all pending entries, one entry, cancelling one."""
from __future__ import annotations

from pathlib import Path

from pixflow_tui.tui.screens.dialogs import ConfirmDialog, cancel_dialog, where_job_is
from pixflow_tui.workflows.img2video import EntryStatus, PlannedVideo, QueueEntry, RunPlan
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import PaidPlan


def generate_all(plan: RunPlan, paid: PaidPlan) -> ConfirmDialog:
    lines = [f"{plan.headline()}, each with its own settings."]
    if plan.others:
        lines.append(f"{plan.others} other entr{'y is' if plan.others == 1 else 'ies are'} made or on "
                     "the way and will not be sent again.")
    retries = sum(1 for v in plan.videos if v.request is None)
    if retries:
        lines.append(f"{retries} failed video{'s' if retries > 1 else ''} will be retried as they were.")
    return ConfirmDialog("\n".join([" ".join(lines), *paid.lines()]), title=f"{plan.headline()}?",
                         yes="Generate", no="Not now")


def generate_one(entry: QueueEntry, video: PlannedVideo, paid: PaidPlan, *, regenerate: bool) -> ConfirmDialog:
    what = "Regenerate" if regenerate else "Generate"
    lines = [f"{what} the video of {entry.name}."]
    if regenerate:
        lines.append("The current video is kept; the new one is linked to it.")
    if video.note:
        lines.append(video.note[0].upper() + video.note[1:] + ".")
    return ConfirmDialog("\n".join([" ".join(lines), *paid.lines()]), title=f"{what} this video?", yes=what,
                         no="Not now")


def cancel(entry: QueueEntry, status: EntryStatus) -> ConfirmDialog:
    return cancel_dialog(f"The video of {entry.name}", where_job_is(status.state), title="Cancel this video?")


def clear_done(count: int) -> ConfirmDialog:
    return ConfirmDialog(f"Take the {count} finished entr{'y' if count == 1 else 'ies'} off the queue? The videos "
                         "stay in the Library.", title="Clear finished entries?", yes="Clear", no="Keep")


def check_path(text: str) -> str | None:
    """The add dialog's check: a file must be a usable image (the message says why not); folders pass."""
    path = Path(text.strip()).expanduser()
    if not text.strip() or path.is_dir() or not path.exists():
        return None  # the dialog itself reports empty and missing paths
    try:
        check_image_file(path, what="source image")
    except InputError as exc:
        return str(exc)
    return None
