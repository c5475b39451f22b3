"""Img2Video's service: image-to-video jobs with camera presets, queued progressively."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import MediaRequest
from pixflow_tui.core.requests import estimate_cost, video_request
from pixflow_tui.store.records import BatchRecord, JobRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import check_budget
from pixflow_tui.workflows.inputs import InputError, check_image_file

MODULE = "img2video"


@dataclass
class VideoSettings:
    prompt: str = ""
    movements: list[str] = field(default_factory=list)
    speed: str | None = None
    shots: list[str] = field(default_factory=list)
    duration: str = "5"
    aspect_ratio: str = "9:16"
    model: str = catalog.DEFAULT_VIDEO_MODEL
    negative_prompt: str = catalog.VIDEO_DEFAULT_NEGATIVE
    cfg_scale: float = catalog.VIDEO_DEFAULT_CFG

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "movements": list(self.movements), "shots": list(self.shots)}

    def copy(self, **changes: Any) -> VideoSettings:
        return VideoSettings.from_dict({**self.to_dict(), **changes})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoSettings:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def build_video_request(ctx: AppContext, image: str | Path, settings: VideoSettings,
                        extra_meta: dict[str, Any] | None = None) -> MediaRequest:
    path = check_image_file(image, what="source image")
    source = ctx.store.images.find_by_path(str(path))
    meta: dict[str, Any] = {"module": MODULE, "source_path": str(path), "camera": settings.to_dict(),
                            **(extra_meta or {})}
    if source is not None:
        meta.update(source_image_id=source.id, concept=source.concept)
    try:
        return video_request(str(path), prompt=settings.prompt, movements=settings.movements, speed=settings.speed,
                             shots=settings.shots, duration=settings.duration, aspect_ratio=settings.aspect_ratio,
                             model=settings.model, negative_prompt=settings.negative_prompt,
                             cfg_scale=settings.cfg_scale, meta=meta)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def estimate_videos(requests: list[MediaRequest]) -> float:
    return round(sum(estimate_cost(r) for r in requests), 4)


def queue_videos(ctx: AppContext, requests: list[MediaRequest], *, batch_id: int | None = None,
                 name: str = "") -> BatchRecord:
    """Add video jobs to a batch (a new one unless given), checked against the budget, then wake the engine."""
    batch, _ = add_video_jobs(ctx, requests, batch_id=batch_id, name=name)
    return batch


def add_video_jobs(ctx: AppContext, requests: list[MediaRequest], *, batch_id: int | None = None, name: str = "",
                   parents: list[int | None] | None = None) -> tuple[BatchRecord, list[JobRecord]]:
    """`queue_videos`, returning the jobs too; `parents[i]` links job i to the job it regenerates.

    Every job is written (pending) in one transaction before the engine is woken, so nothing is submitted
    that the database does not know about."""
    if not requests:
        raise InputError("there are no images to turn into videos")
    if parents is not None and len(parents) != len(requests):
        raise ValueError("one parent (or None) per request")
    estimate = estimate_videos(requests)
    check_budget(ctx, estimate)
    store = ctx.store
    jobs: list[JobRecord] = []
    with store.atomic():
        if batch_id is None:
            batch = store.batches.create(module=MODULE, name=name or Path(str(requests[0].files["image_url"])).name,
                                         settings={"provider": ctx.media_provider_name}, cost_estimate=estimate)
        else:
            found = store.batches.get(batch_id)
            if found is None:
                raise InputError(f"there is no batch {batch_id}")
            batch = found
            store.batches.update(batch_id, cost_estimate=batch.cost_estimate + estimate, status="running")
        start = len(store.jobs.list(batch_id=batch.id))
        for offset, request in enumerate(requests):
            jobs.append(store.jobs.create(
                kind=request.kind, provider=ctx.media_provider_name, model=request.model, request=request.to_dict(),
                batch_id=batch.id, job_index=start + offset, prompt_index=start + offset,
                cost_estimate=estimate_cost(request), parent_job_id=parents[offset] if parents else None))
    ctx.wake_engine()
    return store.batches.get(batch.id) or batch, jobs
