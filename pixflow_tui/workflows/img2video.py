"""Img2Video's queue: entries (an image and its own video settings) that survive restarts, planned and queued as
video jobs progressively. Screens call these; nothing here imports textual.

Where the queue lives: a JSON file per user in the data folder (`img2video/queue-<user>.json`), written atomically.
It holds what only the user's hands made (images, settings, drafts). Which jobs belong to an entry is written to the
database too, in the job's request (`meta.queue_entry`) in the same transaction that creates the job, so a crash
between creating jobs and saving the file never makes a draft out of a paid video: `load_queue` relinks them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobState, MediaRequest
from pixflow_tui.core.requests import compose_video_prompt, estimate_cost
from pixflow_tui.store.records import JobRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import PaidPlan, commit
from pixflow_tui.workflows.quick_reads import thumbnail_here
from pixflow_tui.workflows.state_files import StateFile, user_state_path
from pixflow_tui.workflows.videos import (
    IMAGE_TO_VIDEO,
    MODULE,
    START_END,
    VideoSettings,
    build_video_request,
    video_work,
)

QUEUE_FORMAT = "pixflow-img2video-queue"
QUEUE_VERSION = 1
DRAFT = "draft"
ACTIVE_STATES = frozenset({JobState.PENDING, JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING,
                           JobState.DOWNLOADING})
_RELINK_BATCHES = 10  # recent img2video batches searched for jobs the queue file does not know yet


# ---- the queue ------------------------------------------------------------------------------------------


@dataclass
class QueueEntry:
    id: str
    image: str
    settings: VideoSettings
    job_ids: list[int] = field(default_factory=list)  # oldest first; the last one is the entry's current job
    added_at: str = ""
    end_image: str | None = None  # a start/end video: the transition from `image` to this frame

    @property
    def job_id(self) -> int | None:
        return self.job_ids[-1] if self.job_ids else None

    @property
    def kind(self) -> str:
        return START_END if self.end_image else IMAGE_TO_VIDEO

    @property
    def name(self) -> str:
        return f"{Path(self.image).name} → {Path(self.end_image).name}" if self.end_image else Path(self.image).name

    def composed_prompt(self) -> str:
        """The prompt text the next generation sends, exactly as the reference's composePrompt builds it."""
        s = self.settings
        default = catalog.TRANSITION_DEFAULT_PROMPT if self.end_image else catalog.VIDEO_DEFAULT_PROMPT
        return compose_video_prompt(s.prompt or default, s.movements, s.speed, s.shots)

    def copy(self) -> QueueEntry:
        return QueueEntry(self.id, self.image, self.settings.copy(), list(self.job_ids), self.added_at,
                          self.end_image)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "image": self.image, "settings": self.settings.to_dict(), "job_ids": self.job_ids,
                "added_at": self.added_at, **({"end_image": self.end_image} if self.end_image else {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueueEntry:
        end = data.get("end_image")
        return cls(id=str(data["id"]), image=str(data["image"]),
                   settings=VideoSettings.from_dict(dict(data.get("settings") or {})),
                   job_ids=[int(j) for j in data.get("job_ids") or []], added_at=str(data.get("added_at", "")),
                   end_image=str(end) if end else None)


@dataclass
class VideoQueue:
    entries: list[QueueEntry] = field(default_factory=list)
    defaults: VideoSettings = field(default_factory=VideoSettings)  # what a new entry starts with (prompt empty)
    batch_id: int | None = None  # the batch new jobs join, so one queue session is one batch

    def find(self, entry_id: str) -> QueueEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def add(self, image: str) -> QueueEntry:
        """A draft with the saved settings, in the aspect ratio that keeps the image's orientation."""
        settings = self.defaults.copy(prompt="", aspect_ratio=aspect_for_image(image, self.defaults.aspect_ratio))
        entry = QueueEntry(uuid.uuid4().hex[:12], image, settings,
                           added_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.entries.append(entry)
        return entry

    def to_dict(self) -> dict[str, Any]:
        return {"format": QUEUE_FORMAT, "version": QUEUE_VERSION, "batch_id": self.batch_id,
                "defaults": self.defaults.to_dict(), "entries": [e.to_dict() for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoQueue:
        if data.get("format") != QUEUE_FORMAT:
            raise ValueError(f"not an Img2Video queue (format {data.get('format')!r})")
        batch_id = data.get("batch_id")
        return cls(entries=[QueueEntry.from_dict(e) for e in data.get("entries") or []],
                   defaults=VideoSettings.from_dict(dict(data.get("defaults") or {})),
                   batch_id=int(batch_id) if batch_id is not None else None)


def queue_path(ctx: AppContext) -> Path:
    return user_state_path(ctx, "img2video", "queue")


class QueueFile(StateFile):
    """The queue's file (see `StateFile`: atomic, versioned writes)."""

    what = "saved queue"

    def read(self) -> tuple[VideoQueue, list[str]]:
        """The saved queue (empty when there is none); a damaged file is set aside, never silently lost."""
        queue, notes = self.read_data(VideoQueue.from_dict)
        return queue or VideoQueue(), notes


def load_queue(ctx: AppContext, file: QueueFile) -> tuple[VideoQueue, list[str]]:
    """Read the queue and relink jobs the database says belong to its entries (see the module docstring)."""
    queue, notes = file.read()
    if queue.entries and relink_jobs(ctx, queue):
        try:
            file.write(queue.to_dict(), 0)
        except OSError as exc:
            notes.append(f"cannot save the queue to {file.path}: {exc.strerror or exc}")
    return queue, notes


def relink_jobs(ctx: AppContext, queue: VideoQueue) -> bool:
    by_id = {e.id: e for e in queue.entries}
    batch_ids = {b.id for b in ctx.store.batches.list(module=MODULE, limit=_RELINK_BATCHES)}
    if queue.batch_id is not None:
        batch_ids.add(queue.batch_id)
    changed = False
    for batch_id in sorted(batch_ids):
        for job in ctx.store.jobs.list(batch_id=batch_id):
            entry = by_id.get(str(job.request.get("meta", {}).get("queue_entry", "")))
            if entry is not None and job.id not in entry.job_ids:
                entry.job_ids = sorted([*entry.job_ids, job.id])
                queue.batch_id = queue.batch_id or batch_id
                changed = True
    return changed


# ---- what each entry is doing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoInfo:
    """A finished video of an entry."""

    path: str
    job_id: int
    asset_id: int | None
    thumbnail: str | None
    duration: float | None
    width: int | None
    height: int | None
    prompt: str
    provider: str
    model: str
    source_image: str
    settings: dict[str, Any]
    parent_job_id: int | None = None


@dataclass(frozen=True)
class EntryStatus:
    state: str  # DRAFT or a JobState value
    job_id: int | None = None
    queue_position: int | None = None
    progress: float | None = None
    error: str | None = None
    cost: float | None = None
    prompt_sent: str | None = None  # what the current job sent (settings may have changed since)
    video: VideoInfo | None = None  # the newest finished video (an older one while a regenerate runs)
    has_result: bool = False  # the provider's output exists (a failed download retries for free)
    request: dict[str, Any] | None = field(default=None, repr=False)  # what the current job asked for

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


def entry_status(ctx: AppContext, entry: QueueEntry) -> EntryStatus:
    jobs = [job for job in (ctx.store.jobs.get(j) for j in entry.job_ids) if job is not None]
    if not jobs:
        return EntryStatus(DRAFT)
    current = jobs[-1]
    video = None
    for job in reversed(jobs):
        if job.status == JobState.DONE:
            video = _video_of(ctx, job)
            if video is not None:
                break
    return EntryStatus(str(current.status), current.id, current.queue_position, current.progress, current.error,
                       current.cost if current.cost is not None else current.cost_estimate,
                       str(current.request.get("arguments", {}).get("prompt", "")), video, bool(current.result),
                       current.request)


def entry_statuses(ctx: AppContext, entries: list[QueueEntry]) -> dict[str, EntryStatus]:
    return {entry.id: entry_status(ctx, entry) for entry in entries}


def _video_of(ctx: AppContext, job: JobRecord) -> VideoInfo | None:
    assets = ctx.store.assets.list(kind="video", job_id=job.id, limit=1)
    meta = job.request.get("meta", {})
    args = job.request.get("arguments", {})
    if assets:
        asset = assets[0]
        thumbnail = thumbnail_here(ctx.settings, asset.local_path, asset.metadata.get("thumbnail"), "video")
        return VideoInfo(asset.local_path, job.id, asset.id, thumbnail, asset.duration,
                         asset.metadata.get("width"), asset.metadata.get("height"), asset.prompt,
                         asset.provider or job.provider, job.model, str(meta.get("source_path", "")),
                         dict(meta.get("camera") or {}), job.parent_job_id)
    if job.output_path:
        return VideoInfo(job.output_path, job.id, None, None, None, None, None, str(args.get("prompt", "")),
                         job.provider, job.model, str(meta.get("source_path", "")), dict(meta.get("camera") or {}),
                         job.parent_job_id)
    return None


# ---- adding images --------------------------------------------------------------------------------------


def _orientation(width: float, height: float) -> str:
    ratio = width / height if height else 1.0
    return "landscape" if ratio > 1.1 else "portrait" if ratio < 0.9 else "square"


def aspect_for_image(image: str | Path, preferred: str) -> str:
    """`preferred` when it has the image's orientation, else the video aspect ratio that has it (a 4:3 photo
    becomes a 16:9 video, not a 9:16 one); `preferred` when the image cannot be read."""
    try:
        with Image.open(image) as opened:  # reads the header only
            width, height = opened.size
    except (OSError, ValueError):
        return preferred
    wanted = _orientation(width, height)
    pw, ph = (int(part) for part in preferred.split(":"))
    if _orientation(pw, ph) == wanted:
        return preferred
    return next(a for a in catalog.VIDEO_ASPECT_RATIOS
                if _orientation(*(int(part) for part in a.split(":"))) == wanted)


def check_source_images(paths: list[str]) -> tuple[list[str], list[str]]:
    """(usable absolute paths, refusal messages) — each image (a folder: each image in it) checked as the
    provider would."""
    usable, refused = [], []
    for path in expand_image_paths(paths):
        try:
            usable.append(str(check_image_file(path, what="source image")))
        except InputError as exc:
            refused.append(str(exc))
    return usable, refused


# ---- planning and queueing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedVideo:
    entry_id: str
    request: MediaRequest | None  # None: send `retry_job_id` round again (its output is already paid for)
    parent_job_id: int | None = None
    retry_job_id: int | None = None
    cost: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class RunPlan:
    videos: list[PlannedVideo]
    refused: list[str]  # why an entry that should have gone cannot
    others: int = 0  # entries already made or on their way (the headline says "more")

    @property
    def count(self) -> int:
        return len(self.videos)

    @property
    def cost(self) -> float:
        return round(sum(v.cost for v in self.videos), 4)

    def headline(self) -> str:
        more = "more " if self.others else ""
        return f"Generate {self.count} {more}video{'' if self.count == 1 else 's'}"


def plan_pending(ctx: AppContext, entries: list[QueueEntry], statuses: dict[str, EntryStatus]) -> RunPlan:
    """What "generate" sends: drafts and failed entries only, never one already made or on its way."""
    videos, refused, others = [], [], 0
    for entry in entries:
        status = statuses.get(entry.id) or EntryStatus(DRAFT)
        if status.state not in (DRAFT, JobState.FAILED):
            others += 1
            continue
        try:
            videos.append(_plan_entry(ctx, entry, status))
        except InputError as exc:
            refused.append(f"{entry.name}: {exc}")
    return RunPlan(videos, refused, others)


def plan_one(ctx: AppContext, entry: QueueEntry, status: EntryStatus) -> PlannedVideo:
    """`r` on one entry: generate a draft, failed or cancelled one; regenerate a finished one (a new job linked
    to the old, whose video stays); an unknown one is retried (the provider may already have it)."""
    if status.active:
        raise InputError(f"{entry.name} is {status.state}; cancel it first (x) to change course")
    if status.state == JobState.PAUSED:
        raise InputError(f"{entry.name} is paused; resume it (space) — its request is still at the provider")
    if status.state == JobState.UNKNOWN and status.job_id is not None:
        return PlannedVideo(entry.id, None, retry_job_id=status.job_id, cost=0.0,
                            note="the provider may already have this job; retrying can charge it twice")
    return _plan_entry(ctx, entry, status)


def _same_request(request: MediaRequest, sent: dict[str, Any] | None) -> bool:
    return bool(sent) and (request.model, request.arguments, request.files) == (
        sent.get("model"), sent.get("arguments"), sent.get("files"))  # type: ignore[union-attr]


def _plan_entry(ctx: AppContext, entry: QueueEntry, status: EntryStatus) -> PlannedVideo:
    request = build_video_request(ctx, entry.image, entry.settings, extra_meta={"queue_entry": entry.id},
                                  end_image=entry.end_image)
    if status.state == JobState.FAILED and status.job_id is not None and (
            status.has_result or _same_request(request, status.request)):
        # Unchanged settings: the engine's retry knows when the provider already made it (then it only
        # downloads again, nothing is paid twice); otherwise it is a fresh submission of the same job.
        cost = 0.0 if status.has_result else estimate_cost(request)
        note = "download again (already paid)" if status.has_result else "retry"
        return PlannedVideo(entry.id, None, retry_job_id=status.job_id, cost=cost, note=note)
    parent = status.job_id if status.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED) else None
    return PlannedVideo(entry.id, request, parent_job_id=parent, cost=estimate_cost(request))


@dataclass(frozen=True)
class RunResult:
    batch_id: int | None
    links: dict[str, int]  # entry id -> its new current job


def video_plan_work(ctx: AppContext, videos: list[PlannedVideo], batch_id: int | None) -> PaidPlan:
    """The door's plan for planned videos: new jobs join `batch_id` (or a new batch when it is gone), failed
    ones go round again."""
    fresh = [v for v in videos if v.request is not None]
    requests = [v.request for v in fresh if v.request is not None]
    name = f"Img2Video queue · {Path(str(requests[0].files['image_url'])).name}" if requests else ""
    return video_work(ctx, requests, batch_id=batch_id, name=name, parents=[v.parent_job_id for v in fresh],
                      requeue_ids=[v.retry_job_id for v in videos if v.request is None and v.retry_job_id is not None])


def run_plan(ctx: AppContext, plan: RunPlan | list[PlannedVideo], batch_id: int | None) -> RunResult:
    """Queue the planned videos through the door (the caller has confirmed); links each entry to its new job."""
    videos = plan.videos if isinstance(plan, RunPlan) else plan
    committed = commit(ctx, video_plan_work(ctx, videos, batch_id))
    fresh = [v for v in videos if v.request is not None]
    links = {v.entry_id: job_id for v, job_id in zip(fresh, committed.job_ids, strict=True)}
    links.update({v.entry_id: v.retry_job_id for v in videos if v.request is None and v.retry_job_id is not None})
    return RunResult(committed.batch_id if fresh else batch_id, links)


def cancel_entry(ctx: AppContext, status: EntryStatus) -> JobState:
    if status.job_id is None or not status.active and status.state not in (JobState.UNKNOWN, JobState.PAUSED):
        raise InputError("only a video that is on its way can be cancelled")
    return ctx.cancel_job(status.job_id)


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def expand_image_paths(paths: list[str]) -> list[str]:
    """Files stay as they are (checked later, so a bad one is refused by name); a folder gives its images."""
    found: list[str] = []
    for path in paths:
        folder = Path(path).expanduser()
        if folder.is_dir():
            found.extend(str(p) for p in sorted(folder.iterdir())
                         if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
        else:
            found.append(path)
    return found
