"""Img2Video's service: image-to-video jobs with camera presets, queued progressively."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import MediaRequest
from pixflow_tui.core.requests import video_request
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_image_file
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, plan_work

MODULE = "img2video"
IMAGE_TO_VIDEO = "image_to_video"  # the kinds of Img2Video entry: one image animated,
START_END = "start_end"  # or a transition from a start frame to an end frame


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
                        extra_meta: dict[str, Any] | None = None, *, end_image: str | Path | None = None
                        ) -> MediaRequest:
    """An image-to-video request; with `end_image` a start/end video: a transition from `image` to it."""
    path = check_image_file(image, what="source image" if end_image is None else "start frame")
    source = ctx.store.images.find_by_path(str(path))
    meta: dict[str, Any] = {"module": MODULE, "source_path": str(path), "camera": settings.to_dict(),
                            **(extra_meta or {})}
    end = None
    if end_image is not None:
        end = str(check_image_file(end_image, what="end frame"))
        meta.update(end_frame_path=end, video_kind=START_END)
    if source is not None:
        meta.update(source_image_id=source.id, concept=source.concept)
    try:
        return video_request(str(path), prompt=settings.prompt, movements=settings.movements, speed=settings.speed,
                             shots=settings.shots, duration=settings.duration, aspect_ratio=settings.aspect_ratio,
                             model=settings.model, negative_prompt=settings.negative_prompt,
                             cfg_scale=settings.cfg_scale, end_image=end, meta=meta)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def video_work(ctx: AppContext, requests: list[MediaRequest], *, batch_id: int | None = None, name: str = "",
               parents: list[int | None] | None = None, requeue_ids: list[int] | None = None) -> PaidPlan:
    """The door's plan for video jobs: into batch `batch_id` (a new batch when None or gone), `parents[i]`
    linking job i to the job it regenerates, plus failed jobs sent round again (`requeue_ids`)."""
    if not requests and not requeue_ids:
        raise InputError("there are no images to turn into videos")
    if parents is not None and len(parents) != len(requests):
        raise ValueError("one parent (or None) per request")
    provider = ctx.media_provider_name
    jobs = [NewJob(request, provider, parent_job_id=parents[n] if parents else None)
            for n, request in enumerate(requests)]
    if not jobs:
        return plan_work(ctx, [], requeue_ids=requeue_ids or [])
    if batch_id is not None and ctx.store.batches.get(batch_id) is not None:
        return plan_work(ctx, jobs, batch_id=batch_id, requeue_ids=requeue_ids or [])
    batch = NewBatch(MODULE, name or Path(str(requests[0].files["image_url"])).name, settings={"provider": provider})
    return plan_work(ctx, jobs, batch=batch, requeue_ids=requeue_ids or [])
