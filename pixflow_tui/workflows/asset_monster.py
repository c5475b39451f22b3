"""What the Asset Monster screen needs beside `images.py`: runs that start or extend a batch, batch summaries,
job details with their images, job actions, exports and the system viewer. Inputs (prompt sources, settings,
presets, references) are in `asset_monster_setup.py` and re-exported here."""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixflow_tui.core.jobs import FINISHED_STATES, JobState, JobView
from pixflow_tui.core.prompt_import import prompt_from_any
from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
from pixflow_tui.engine.control import JobActionError
from pixflow_tui.store import ImageFilter
from pixflow_tui.store.records import BatchRecord, ImageRecord, JobRecord
from pixflow_tui.workflows.asset_monster_setup import (
    MAX_PROMPT_FILE_BYTES, PRESET_KIND, BatchSettings, PromptEntry, SavedSetup, check_reference, default_settings,
    favorite_prompts, history_prompts, load_setup, new_prompts, prompt_from_typed, prompts_from_file,
    settings_from_preset, setup_path, setup_to_dict, waiting_prompts,
)
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.exports import exports_folder
from pixflow_tui.workflows.images import MODULE, ImageBatchPlan, plan_image_batch, prompt_source
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.job_views import to_view
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, commit, plan_work

__all__ = [  # the inputs, so screens import one module
    "MAX_PROMPT_FILE_BYTES", "PRESET_KIND", "BatchSettings", "PromptEntry", "SavedSetup", "check_reference",
    "default_settings", "favorite_prompts", "history_prompts", "load_setup", "new_prompts", "prompt_from_typed",
    "prompts_from_file", "settings_from_preset", "setup_path", "setup_to_dict", "waiting_prompts",
]

# ---------------------------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Estimate:
    images: int
    cost: float
    demo: bool
    error: str = ""


def _groups(entries: list[PromptEntry]) -> list[tuple[tuple[str, str, int | None], list[PromptEntry]]]:
    groups: dict[tuple[str, str, int | None], list[PromptEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.concept, entry.source, entry.product_id), []).append(entry)
    return list(groups.items())


def plan_runs(ctx: AppContext, entries: list[PromptEntry], settings: BatchSettings) -> list[ImageBatchPlan]:
    """One plan per (concept, source, product), so every image records the concept and product its prompt was
    made for."""
    return [plan_image_batch(ctx, [e.prompt for e in group], concept=concept, references=settings.references,
                             aspect_ratio=settings.aspect_ratio, resolution=settings.resolution,
                             output_format=settings.output_format, variants=settings.variants,
                             source=prompt_source(source, product_id))
            for (concept, source, product_id), group in _groups(entries)]


def estimate(ctx: AppContext, entries: list[PromptEntry], settings: BatchSettings) -> Estimate:
    demo = ctx.media_provider_name == "demo"
    if not entries:
        return Estimate(0, 0.0, demo)
    try:
        plans = plan_runs(ctx, entries, settings)
    except InputError as exc:
        return Estimate(len(entries) * settings.variants, 0.0, demo, str(exc))
    return Estimate(sum(len(p.jobs) for p in plans), round(sum(p.cost_estimate for p in plans), 4), demo)


@dataclass(frozen=True)
class RunResult:
    batch: BatchRecord
    added: int
    cost_estimate: float
    new_batch: bool


def plan_run(ctx: AppContext, entries: list[PromptEntry], settings: BatchSettings, *,
             batch_id: int | None = None) -> PaidPlan:
    """The door's plan for `entries`: a new batch, or more jobs in batch `batch_id` (numbered after its prompts)."""
    plans = plan_runs(ctx, entries, settings)
    offset = 0
    if batch_id is not None:
        found = ctx.store.batches.get(batch_id)
        if found is None or found.module != MODULE:
            raise InputError(f"there is no Asset Monster batch {batch_id}")
        offset = max((j.prompt_index for j in ctx.store.jobs.list(batch_id=batch_id)), default=-1) + 1
    jobs: list[NewJob] = []
    for plan in plans:
        jobs.extend(NewJob(j.request, plan.provider, offset + j.prompt_index, j.variant_index) for j in plan.jobs)
        offset += len(plan.prompts)
    if batch_id is not None:
        return plan_work(ctx, jobs, batch_id=batch_id)
    first = plans[0]
    return plan_work(ctx, jobs, batch=NewBatch(MODULE, first.concept[:60] or first.prompts[0].short(60),
                                               first.concept, first.settings()))


def run_prompts(ctx: AppContext, entries: list[PromptEntry], settings: BatchSettings, *,
                batch_id: int | None = None) -> RunResult:
    """Plan and commit at once (for callers that have already confirmed): raises InputError for bad input and
    BudgetExceeded (with the figures) before anything is written."""
    return run_committed(ctx, plan_run(ctx, entries, settings, batch_id=batch_id))


def run_committed(ctx: AppContext, plan: PaidPlan) -> RunResult:
    committed = commit(ctx, plan)
    assert committed.batch_id is not None
    batch = ctx.store.batches.get(committed.batch_id)
    assert batch is not None
    return RunResult(batch, len(committed.job_ids), plan.estimate, plan.batch is not None)


# ---------------------------------------------------------------------------------------------- batches


@dataclass(frozen=True)
class BatchSummary:
    batch: BatchRecord
    counts: dict[JobState, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        return sum(n for state, n in self.counts.items() if state in FINISHED_STATES)

    @property
    def active(self) -> int:
        return self.total - self.finished

    def count(self, state: JobState) -> int:
        return self.counts.get(state, 0)


def estimate_eta(durations: list[float], remaining: int, concurrency: int) -> float | None:
    """Seconds left: the average time per finished image times the rounds still to run."""
    if not durations or remaining <= 0:
        return None
    return sum(durations) / len(durations) * math.ceil(remaining / max(1, concurrency))


def batch_summary(ctx: AppContext, batch_id: int) -> BatchSummary | None:
    """The batch and its job counts by state (one grouped query: cheap enough to run on every burst of events)."""
    batch = ctx.store.batches.get(batch_id)
    if batch is None:
        return None
    return BatchSummary(batch, ctx.store.jobs.count_by_status(batch_id))


def latest_batch(ctx: AppContext) -> BatchRecord | None:
    return ctx.store.batches.latest(MODULE)


def list_batches(ctx: AppContext, limit: int = 50) -> list[BatchSummary]:
    return [BatchSummary(b, ctx.store.jobs.count_by_status(b.id)) for b in ctx.store.batches.list(module=MODULE,
                                                                                                   limit=limit)]


def batch_job_views(ctx: AppContext, batch_id: int) -> list[JobView]:
    """The batch's table rows with their ratings, in two queries (not one per job)."""
    jobs = ctx.store.jobs.list(batch_id=batch_id)
    ratings = {image.job_id: image.rating
               for image in ctx.store.images.list(ImageFilter(batch_id=batch_id), limit=100_000)}
    return [to_view(job, ratings.get(job.id)) for job in jobs]


def finished_durations(views: list[JobView]) -> dict[int, float]:
    """Seconds each done job took (submitted to finished), for the ETA."""
    return {v.job_id: v.elapsed for v in views if v.state == JobState.DONE and v.elapsed is not None}


# ---------------------------------------------------------------------------------------------- jobs and images


@dataclass(frozen=True)
class JobDetail:
    job: JobRecord
    image: ImageRecord | None
    prompt: PromptOutput | None

    @property
    def path(self) -> str | None:
        return self.image.local_path if self.image else self.job.output_path

    def describe(self) -> str:
        """Dimensions and file path (what `image_renderer = none` users see), or why there is no image."""
        if self.image is not None:
            size = f"{self.image.width}×{self.image.height} " if self.image.width and self.image.height else ""
            return f"{size}{(self.image.output_format or '').upper()} · {self.image.local_path}".strip()
        if self.job.status == JobState.FAILED:
            return f"failed: {self.job.error or 'no reason given'}"
        if self.job.status == JobState.CANCELLED:
            return "cancelled, so no image (r sends it again)"
        return f"no image yet ({self.job.status})"


def image_for_job(ctx: AppContext, job_id: int) -> ImageRecord | None:
    images = ctx.store.images.for_job(job_id)
    return images[0] if images else None


def job_detail(ctx: AppContext, job_id: int) -> JobDetail | None:
    job = ctx.store.jobs.get(job_id)
    if job is None:
        return None
    image = image_for_job(ctx, job_id)
    data = job.request.get("meta", {}).get("prompt")
    try:
        prompt = prompt_from_any(data) if isinstance(data, dict) else None
    except PromptParseError:
        prompt = None
    return JobDetail(job, image, prompt)


def batch_images(ctx: AppContext, batch_id: int) -> list[ImageRecord]:
    """The batch's images in job order (the order of the table)."""
    images = ctx.store.images.list(ImageFilter(batch_id=batch_id), limit=100_000)
    return sorted(images, key=lambda i: (i.batch_index, i.id))


def images_for_jobs(ctx: AppContext, job_ids: list[int]) -> list[ImageRecord]:
    found = []
    for job_id in job_ids:
        found.extend(ctx.store.images.for_job(job_id)[:1])
    return found


def cancel_job(ctx: AppContext, job_id: int) -> str:
    """Cancel one job (blocks while the provider is told); returns a sentence for the user."""
    try:
        state = ctx.cancel_job(job_id)
    except JobActionError as exc:
        raise InputError(str(exc)) from None
    if state == JobState.CANCELLED:
        return f"Job {job_id} cancelled."
    return f"Job {job_id} is already {state}; nothing to cancel."


# ---------------------------------------------------------------------------------------------- files


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:40] or "batch"


def default_export_path(ctx: AppContext, batch: BatchRecord, selection: bool = False) -> Path:
    suffix = "_selection" if selection else ""
    return exports_folder(ctx) / f"{_slug(batch.name or batch.concept)}_batch{batch.id}{suffix}.zip"


def has_display(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    return platform == "darwin" or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


@dataclass
class ViewerLauncher:
    """Opens files with the desktop's viewer when there is a display (not over a plain SSH session)."""

    env: Mapping[str, str] | None = None
    platform: str | None = None
    popen: Callable[..., Any] = subprocess.Popen
    which: Callable[[str], str | None] = shutil.which
    opened: list[str] = field(default_factory=list)

    def open(self, path: str | Path) -> str | None:
        """Start the viewer; returns None when it started, else a sentence telling the user where the file is."""
        file = Path(path)
        if not file.is_file():
            return f"The file is missing: {file}"
        if not has_display(self.env, self.platform):
            return f"No display here (SSH?); the file is {file}"
        platform = sys.platform if self.platform is None else self.platform
        command = "open" if platform == "darwin" else "xdg-open"
        if self.which(command) is None:
            return f"{command} is not installed; the file is {file}"
        try:
            self.popen([command, str(file)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            return f"Could not start {command} ({exc.strerror or exc}); the file is {file}"
        self.opened.append(str(file))
        return None
