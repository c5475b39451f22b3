"""Asset Monster's service: plan a batch of images and hand it to the one door for paid work."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import MediaRequest
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.requests import estimate_cost, image_request
from pixflow_tui.store.records import BatchRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_count, check_references
from pixflow_tui.workflows.paid_work import NewBatch, NewJob, PaidPlan, commit, plan_work

MODULE = "asset_monster"


@dataclass(frozen=True)
class PlannedJob:
    prompt_index: int
    variant_index: int
    request: MediaRequest
    cost: float


@dataclass
class ImageBatchPlan:
    concept: str
    prompts: list[PromptOutput]
    references: list[str]
    aspect_ratio: str
    resolution: str
    output_format: str
    variants: int
    provider: str
    jobs: list[PlannedJob] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def cost_estimate(self) -> float:
        return round(sum(job.cost for job in self.jobs), 4)

    @property
    def model(self) -> str:
        return catalog.image_model_for(len(self.references))

    def settings(self) -> dict[str, Any]:
        return {"aspect_ratio": self.aspect_ratio, "resolution": self.resolution, "output_format": self.output_format,
                "variants": self.variants, "references": self.references, "model": self.model,
                "provider": self.provider, **self.source}

    def describe(self) -> dict[str, Any]:
        return {"concept": self.concept, "prompts": len(self.prompts), "images": len(self.jobs),
                "cost_estimate": self.cost_estimate, "demo": self.provider == "demo", **self.settings(),
                "prompt_texts": [p.short(100) for p in self.prompts]}


def prompt_source(source: str, product_id: int | None = None, **lineage: Any) -> dict[str, Any]:
    """What a batch records of where its prompts came from; `product_id` files its images' ratings under that
    product's taste profile (store/taste_repo.py)."""
    return {"source": source, **lineage, **({"product_id": product_id} if product_id else {})}


def plan_image_batch(ctx: AppContext, prompts: list[PromptOutput], *, concept: str = "",
                     references: list[str] | tuple[str, ...] = (), aspect_ratio: str | None = None,
                     resolution: str | None = None, output_format: str | None = None, variants: int = 1,
                     source: dict[str, Any] | None = None) -> ImageBatchPlan:
    if not prompts:
        raise InputError("there are no prompts to generate from")
    if len(prompts) > catalog.MAX_BATCH_PROMPTS:
        raise InputError(f"{len(prompts)} prompts given; a batch takes at most {catalog.MAX_BATCH_PROMPTS}")
    check_count(variants, *catalog.VARIANTS_RANGE, "images per prompt")
    refs = [str(p) for p in check_references(list(references))]
    plan = ImageBatchPlan(
        concept=concept, prompts=prompts, references=refs,
        aspect_ratio=aspect_ratio or ctx.settings.default_aspect_ratio,
        resolution=resolution or ctx.settings.default_resolution,
        output_format=output_format or ctx.settings.default_format, variants=variants,
        provider=ctx.media_provider_name, source=dict(source or {}),
    )
    for prompt_index, prompt in enumerate(prompts):
        for variant in range(variants):
            request = image_request(prompt, references=refs, aspect_ratio=plan.aspect_ratio,
                                    resolution=plan.resolution, output_format=plan.output_format,
                                    meta={"module": MODULE, "concept": concept, **plan.source})
            plan.jobs.append(PlannedJob(prompt_index, variant, request, estimate_cost(request)))
    return plan


def image_batch_work(ctx: AppContext, plan: ImageBatchPlan, *, batch_id: int | None = None,
                     prompt_offset: int = 0) -> PaidPlan:
    """The door's plan for an image batch: a new batch, or more jobs in `batch_id` (prompts numbered after its own)."""
    jobs = [NewJob(job.request, plan.provider, prompt_offset + job.prompt_index, job.variant_index) for job in plan.jobs]
    if batch_id is not None:
        return plan_work(ctx, jobs, batch_id=batch_id)
    batch = NewBatch(MODULE, plan.concept[:60] or plan.prompts[0].short(60), plan.concept, plan.settings())
    return plan_work(ctx, jobs, batch=batch)


def create_image_batch(ctx: AppContext, plan: ImageBatchPlan) -> BatchRecord:
    """Write the batch and all its jobs through the door (budget checked; the caller has confirmed)."""
    committed = commit(ctx, image_batch_work(ctx, plan))
    assert committed.batch_id is not None
    batch = ctx.store.batches.get(committed.batch_id)
    assert batch is not None
    return batch
