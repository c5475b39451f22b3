"""Prompt Factory's service: prompts from a concept (streamed), saved to history."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from pixflow_tui.core import catalog
from pixflow_tui.core.prompt_import import prompt_from_any
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.scoring import quality_metrics, variety_score
from pixflow_tui.providers.base import ImageAnalysis, ProviderError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import (
    InputError,
    check_concept,
    check_count,
    check_image_file,
)


class PromptGenerationError(RuntimeError):
    """The text provider could not write the prompts; the message carries its words."""


@dataclass
class GeneratedPrompts:
    concept: str
    prompts: list[PromptOutput]
    history_id: int | None
    quality: dict
    variety: dict


async def stream_prompts(ctx: AppContext, concept: str, count: int, *, reference: Path | None = None,
                         product: str | None = None) -> AsyncIterator[PromptOutput]:
    concept = check_concept(concept)
    check_count(count, *catalog.PROMPT_COUNT_RANGE, "the prompt count")
    analysis: ImageAnalysis | None = None
    try:
        if reference is not None:
            analysis = await ctx.text.analyze_reference(check_image_file(reference))
        async for prompt in ctx.text.concept_prompts(concept, count, reference=analysis, product=product):
            yield prompt
    except ProviderError as exc:
        raise PromptGenerationError(f"prompt generation failed: {exc.message}") from exc


def save_to_history(ctx: AppContext, concept: str, prompts: list[PromptOutput], *, source: str = "generated",
                    product_id: int | None = None) -> tuple[int, dict, dict]:
    dumped = [p.model_dump() for p in prompts]
    quality = quality_metrics(prompts)
    variety = variety_score(prompts)
    entry = ctx.store.history.add(concept=concept, prompts=dumped, source=source, model_used=ctx.text.name,
                                  variety_score=variety, quality_metrics=quality, product_id=product_id)
    return entry.id, quality, variety


async def generate_prompts(ctx: AppContext, concept: str, count: int, *, reference: Path | None = None,
                           on_prompt: Callable[[int, PromptOutput], None] | None = None) -> GeneratedPrompts:
    """Write `count` prompts and save them to history (partial results are saved too when a later one fails)."""
    prompts: list[PromptOutput] = []
    concept = check_concept(concept)
    history_id, quality, variety = None, {}, {}
    try:
        async for prompt in stream_prompts(ctx, concept, count, reference=reference):
            prompts.append(prompt)
            if on_prompt:
                on_prompt(len(prompts) - 1, prompt)
    finally:
        if prompts:
            history_id, quality, variety = save_to_history(ctx, concept, prompts)
    return GeneratedPrompts(concept, prompts, history_id, quality, variety)


async def analyze_image(ctx: AppContext, image: str | Path, context: str = "") -> tuple[PromptOutput, int]:
    """Image → prompt in the same schema, saved to history (source "analyzed"); returns the prompt and history id."""
    path = check_image_file(image, what="image")
    if len(context) > catalog.CONCEPT_MAX_CHARS:
        raise InputError(f"the context has {len(context)} characters; the limit is {catalog.CONCEPT_MAX_CHARS}")
    try:
        prompt = await ctx.text.image_to_prompt(path, context.strip())
    except ProviderError as exc:
        raise PromptGenerationError(f"image analysis failed: {exc.message}") from exc
    history_id, _, _ = save_to_history(ctx, context.strip() or path.name, [prompt], source="analyzed")
    return prompt, history_id


async def prompt_from_text(ctx: AppContext, text: str) -> tuple[PromptOutput, int]:
    """Free text or a JSON prompt (ours or the scene/subject/camera shape) → a schema prompt, saved to history."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the text is empty; paste a prompt or a JSON object")
    if len(stripped) > catalog.TEXT_TO_JSON_MAX_CHARS:
        raise InputError(f"the text has {len(stripped)} characters; the limit is {catalog.TEXT_TO_JSON_MAX_CHARS}")
    if stripped.startswith("{"):
        try:
            prompt = prompt_from_any(json.loads(stripped))
        except json.JSONDecodeError as exc:
            raise InputError(f"the text starts like JSON but is not valid JSON: {exc.msg} at line {exc.lineno}, "
                             f"column {exc.colno}") from None
    else:
        try:
            prompt = await ctx.text.text_to_prompt(stripped)
        except ProviderError as exc:
            raise PromptGenerationError(f"text conversion failed: {exc.message}") from exc
    concept = " ".join(prompt.style.split()[:8]) or "custom"
    history_id, _, _ = save_to_history(ctx, concept, [prompt], source="text")
    return prompt, history_id
