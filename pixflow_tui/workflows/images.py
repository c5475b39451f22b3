"""Asset Monster's service: plan a batch of images, check it against the budget, and hand it to the engine."""
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

MODULE = "asset_monster"


class BudgetExceeded(RuntimeError):
    """The batch would take spending past the configured cap; the message gives the figures."""


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


def check_budget(ctx: AppContext, estimate: float) -> None:
    cap = ctx.settings.budget_cap
    if cap is None:
        return
    spent = ctx.spend_today()
    if spent + estimate > cap:
        raise BudgetExceeded(f"this batch is estimated at ${estimate:.2f}; with ${spent:.2f} spent today that is "
                             f"${spent + estimate:.2f}, over the budget cap of ${cap:.2f} (setting budget_cap)")


def create_image_batch(ctx: AppContext, plan: ImageBatchPlan) -> BatchRecord:
    """Write the batch and all its jobs (pending) in one transaction, then wake the engine."""
    check_budget(ctx, plan.cost_estimate)
    store = ctx.store
    with store.atomic():
        name = plan.concept[:60] or plan.prompts[0].short(60)
        batch = store.batches.create(module=MODULE, name=name, concept=plan.concept, settings=plan.settings(),
                                     cost_estimate=plan.cost_estimate)
        for index, job in enumerate(plan.jobs):
            store.jobs.create(kind=job.request.kind, provider=plan.provider, model=job.request.model,
                              request=job.request.to_dict(), batch_id=batch.id, job_index=index,
                              prompt_index=job.prompt_index, variant_index=job.variant_index, cost_estimate=job.cost)
    ctx.wake_engine()
    return batch
