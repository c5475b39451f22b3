"""Img2Img: remake chosen images (from Asset Monster, the Library or files) with a prompt through the edit model,
1–4 outputs each, as engine jobs through the one door. Each output keeps a link to the image it was made from.
One workflow for every front end: Asset Monster's results, the Library (`i` on an image) and
`pixflow images transform`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.requests import RequestError, transform_request
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_count, check_image_file
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, plan_work

MODULE = "img2img"
IMAGE_KEY = "image:"


@dataclass(frozen=True)
class TransformSource:
    path: str
    image_id: int | None = None  # the Library image it is (its outputs link to it)
    concept: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class TransformSettings:
    prompt: str
    outputs: int = 1
    aspect_ratio: str = "9:16"
    resolution: str = "2K"
    output_format: str = "jpeg"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_sources(ctx: AppContext, items: Sequence[str | int]) -> list[TransformSource]:
    """Library images (an id, or "image:<id>") and image files, each checked as the provider would."""
    if not items:
        raise InputError("choose at least one image to transform")
    if len(items) > catalog.IMG2IMG_MAX_SOURCES:
        raise InputError(f"{len(items)} images chosen; Img2Img takes at most {catalog.IMG2IMG_MAX_SOURCES} at once")
    sources: list[TransformSource] = []
    for item in items:
        text = str(item).strip()
        digits = text[len(IMAGE_KEY):] if text.startswith(IMAGE_KEY) else text if isinstance(item, int) else ""
        if digits:
            if not digits.isdigit() or (image := ctx.store.images.get(int(digits))) is None:
                raise InputError(f"there is no image {digits}")
            path = check_image_file(image.local_path, what=f"image {image.id}")
            sources.append(TransformSource(str(path), image.id, image.concept))
            continue
        path = check_image_file(text, what="source image")
        known = ctx.store.images.find_by_path(str(path))
        sources.append(TransformSource(str(path), known.id if known else None, known.concept if known else ""))
    return sources


def plan_transform(ctx: AppContext, items: Sequence[str | int], settings: TransformSettings) -> PaidPlan:
    """The door's plan: per source image (`resolve_sources`) `settings.outputs` jobs of the edit model (one
    output each, so every image is its own durable job), in one new batch."""
    check_count(settings.outputs, *catalog.IMG2IMG_OUTPUTS_RANGE, "outputs per image")
    sources = resolve_sources(ctx, items)
    provider = ctx.media_provider_name
    jobs: list[NewJob] = []
    for index, source in enumerate(sources):
        meta: dict[str, Any] = {"module": MODULE, "concept": source.concept or f"img2img · {source.name}",
                                "source_path": source.path, "transform": settings.to_dict()}
        if source.image_id is not None:
            meta["source_image_id"] = source.image_id
        try:
            request = transform_request(settings.prompt, source.path, aspect_ratio=settings.aspect_ratio,
                                        resolution=settings.resolution, output_format=settings.output_format,
                                        meta=meta)
        except RequestError as exc:
            raise InputError(str(exc)) from None
        jobs.extend(NewJob(request, provider, prompt_index=index, variant_index=variant)
                    for variant in range(settings.outputs))
    prompt = " ".join(settings.prompt.split())
    name = f"Img2Img · {prompt[:50]}"
    batch = NewBatch(MODULE, name, sources[0].concept,
                     {**settings.to_dict(), "provider": provider, "sources": [s.path for s in sources]})
    return plan_work(ctx, jobs, batch=batch, action="img2img")
