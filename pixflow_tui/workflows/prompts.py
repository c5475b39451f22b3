"""Prompt Factory's service: prompts from a concept (streamed), saved to history."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pixflow_tui.core import catalog
from pixflow_tui.core.prompt_import import prompt_from_any, split_prompt_text
from pixflow_tui.core.prompt_schema import SECTIONS, PromptOutput, PromptParseError, parse_prompt
from pixflow_tui.core.reference_rules import enforce_reference_rules
from pixflow_tui.core.research import ResearchOutcome, assign_sub_themes
from pixflow_tui.core.scoring import quality_metrics, variety_score
from pixflow_tui.core.taste import TasteGuidance
from pixflow_tui.providers.base import ImageAnalysis, ProviderError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import (
    InputError,
    check_concept,
    check_count,
    check_image_file,
)
from pixflow_tui.workflows.products import ProductChoice, list_products
from pixflow_tui.workflows.research import ResearchError, research_concept


class PromptGenerationError(RuntimeError):
    """The text provider could not write the prompts; the message carries its words."""


@dataclass
class GeneratedPrompts:
    concept: str
    prompts: list[PromptOutput]
    history_id: int | None
    quality: dict
    variety: dict
    research: ResearchOutcome | None = None


def research_mode(ctx: AppContext, mode: str | None = None) -> str:
    """The research mode of a run: `mode` when given, else the `research` setting (web, model or off)."""
    chosen = (mode or ctx.settings.research).strip().lower()
    if chosen not in ("web", "model", "off"):
        raise InputError(f"research mode {mode!r} is not one of: web, model, off")
    return chosen


async def research(ctx: AppContext, concept: str, mode: str | None = None, *,
                   on_progress: Callable[[str], None] | None = None) -> ResearchOutcome | None:
    """The research step before prompts are written; None when research is off."""
    chosen = research_mode(ctx, mode)
    if chosen == "off":
        return None
    try:
        return await research_concept(ctx, concept, chosen, on_progress=on_progress)
    except ResearchError as exc:
        raise PromptGenerationError(str(exc)) from exc


async def describe_reference(ctx: AppContext, reference: Path) -> ImageAnalysis:
    """The text provider's look at a reference photo (its vision model when live)."""
    try:
        return await ctx.text.analyze_reference(await check_image(reference))
    except ProviderError as exc:
        raise PromptGenerationError(f"reading the reference image failed: {exc.message}") from exc


async def stream_prompts(ctx: AppContext, concept: str, count: int, *, reference: Path | None = None,
                         product: str | None = None, taste: TasteGuidance | None = None,
                         researched: ResearchOutcome | None = None,
                         analysis: ImageAnalysis | None = None) -> AsyncGenerator[PromptOutput, None]:
    """Prompts one by one as they are written: `taste` (workflows/taste.guidance) steers them toward liked
    patterns, slot i follows sub-theme i (round-robin) of `researched`. With a reference photo, its look
    (`analysis`, else read now) guides the style and every prompt keeps the reference's person and hair."""
    concept = check_concept(concept)
    check_count(count, *catalog.PROMPT_COUNT_RANGE, "the prompt count")
    if reference is not None and analysis is None:
        analysis = await describe_reference(ctx, reference)
    sub_themes = assign_sub_themes(researched.sub_themes, count) if researched is not None else []
    try:
        async for prompt in ctx.text.concept_prompts(concept, count, reference=analysis, product=product,
                                                     taste=taste, sub_themes=sub_themes,
                                                     brief=researched.brief if researched else None):
            yield enforce_reference_rules(prompt) if reference is not None else prompt
    except ProviderError as exc:
        raise PromptGenerationError(f"prompt generation failed: {exc.message}") from exc


def taste_record(taste: TasteGuidance, prompts: list[dict[str, Any]]) -> dict[str, Any]:
    """What a history entry keeps of the taste its prompts followed: the guidance, and per prompt the liked
    patterns it used and the disliked ones it avoided (measured on the prompt)."""
    return {"guidance": taste.to_json(), "prompts": [taste.note_for(p).to_json() for p in prompts]}


def save_to_history(ctx: AppContext, concept: str, prompts: list[PromptOutput], *, source: str = "generated",
                    product_id: int | None = None,
                    taste: TasteGuidance | None = None,
                    researched: ResearchOutcome | None = None) -> tuple[int, dict[str, Any], dict[str, Any]]:
    dumped = [p.model_dump() for p in prompts]
    quality = quality_metrics(prompts)
    if taste is not None:
        quality["taste"] = taste_record(taste, dumped)
    variety = variety_score(prompts)
    entry = ctx.store.history.add(concept=concept, prompts=dumped, source=source, model_used=ctx.text.name,
                                  variety_score=variety, quality_metrics=quality, product_id=product_id,
                                  research=researched.to_dict() if researched is not None else None)
    return entry.id, quality, variety


async def generate_prompts(ctx: AppContext, concept: str, count: int, *, reference: Path | None = None,
                           on_prompt: Callable[[int, PromptOutput], None] | None = None,
                           taste: TasteGuidance | None = None, product_id: int | None = None,
                           product: ProductChoice | None = None, research_with: str | None = None,
                           on_research: Callable[[ResearchOutcome], None] | None = None) -> GeneratedPrompts:
    """Research the concept (`research_with`: web, model or off; the setting when None), then write `count`
    prompts (following `taste` when given; for `product`, as Prompt Factory's product choice does) and save them
    with the research to history (partial results are saved too when a later one fails)."""
    prompts: list[PromptOutput] = []
    concept = check_concept(concept)
    check_count(count, *catalog.PROMPT_COUNT_RANGE, "the prompt count")
    history_id: int | None = None
    quality: dict[str, Any] = {}
    variety: dict[str, Any] = {}
    product_id = product.id if product is not None else product_id
    analysis = await describe_reference(ctx, reference) if reference is not None else None
    researched = await research(ctx, concept, research_with)
    if researched is not None and on_research:
        on_research(researched)
    try:
        async for prompt in stream_prompts(ctx, concept, count, reference=reference, taste=taste,
                                           product=product.name if product else None,
                                           researched=researched, analysis=analysis):
            prompts.append(prompt)
            if on_prompt:
                on_prompt(len(prompts) - 1, prompt)
    finally:
        if prompts:
            history_id, quality, variety = save_to_history(ctx, concept, prompts, product_id=product_id, taste=taste,
                                                           researched=researched)
    return GeneratedPrompts(concept, prompts, history_id, quality, variety, researched)


async def check_image(path: str | Path, *, what: str = "reference image") -> Path:
    """`check_image_file` off the event loop (it decodes the whole image, up to 10 MB)."""
    return await asyncio.to_thread(check_image_file, path, what=what)


async def image_prompt(ctx: AppContext, image: str | Path, context: str = "") -> PromptOutput:
    """Image → one prompt in the same schema (not saved; see `analyze_image`)."""
    if len(context) > catalog.CONCEPT_MAX_CHARS:
        raise InputError(f"the context has {len(context)} characters; the limit is {catalog.CONCEPT_MAX_CHARS}")
    path = await check_image(image, what="image")
    try:
        return await ctx.text.image_to_prompt(path, context.strip())
    except ProviderError as exc:
        raise PromptGenerationError(f"image analysis failed: {exc.message}") from exc


def image_concept(image: str | Path, context: str = "") -> str:
    """What an analysed image is filed under in history: the context, else the file name."""
    return context.strip() or Path(image).name


async def analyze_image(ctx: AppContext, image: str | Path, context: str = "") -> tuple[PromptOutput, int]:
    """Image → prompt in the same schema, saved to history (source "analyzed"); returns the prompt and history id."""
    prompt = await image_prompt(ctx, image, context)
    history_id, _, _ = save_to_history(ctx, image_concept(image, context), [prompt], source="analyzed")
    return prompt, history_id


async def text_prompt(ctx: AppContext, text: str, *, convert: bool = False) -> PromptOutput:
    """Free text (kept verbatim as `style`, or with `convert` written into the schema by the conversion model) or
    a JSON prompt (ours or the scene/subject/camera shape) → a schema prompt (not saved; see `prompt_from_text`)."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the text is empty; paste a prompt or a JSON object")
    if len(stripped) > catalog.TEXT_TO_JSON_MAX_CHARS:
        raise InputError(f"the text has {len(stripped)} characters; the limit is {catalog.TEXT_TO_JSON_MAX_CHARS}")
    if stripped.startswith("{"):
        try:
            return prompt_from_any(json.loads(stripped))
        except json.JSONDecodeError as exc:
            raise InputError(f"the text starts like JSON but is not valid JSON: {exc.msg} at line {exc.lineno}, "
                             f"column {exc.colno}") from None
    try:
        return await ctx.text.text_to_prompt(stripped, convert=convert)
    except ProviderError as exc:
        raise PromptGenerationError(f"text conversion failed: {exc.message}") from exc


def text_blocks(text: str) -> list[str]:
    """The prompts a pasted text holds: a JSON object is one; plain text splits by the shared rule
    (`split_prompt_text`: blank-line-separated blocks, else one per line), as `--prompts-file` does."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the text is empty; paste a prompt or a JSON object")
    if stripped.startswith("{"):
        return [stripped]
    blocks = split_prompt_text(stripped)
    if len(blocks) > catalog.MAX_BATCH_PROMPTS:
        raise InputError(f"the text holds {len(blocks)} prompts (one per blank-line-separated block, or per line); "
                         f"at most {catalog.MAX_BATCH_PROMPTS} at once")
    return blocks


async def text_prompts(ctx: AppContext, text: str, *, convert: bool = False) -> list[PromptOutput]:
    """Every prompt of a pasted text (see `text_blocks`), each converted as `text_prompt` does (not saved)."""
    return [await text_prompt(ctx, block, convert=convert) for block in text_blocks(text)]


def text_concept(prompt: PromptOutput) -> str:
    """What a converted text is filed under in history: the first words of its style."""
    return " ".join(prompt.style.split()[:8]) or "custom"


async def prompt_from_text(ctx: AppContext, text: str, *, convert: bool = False) -> tuple[PromptOutput, int]:
    """Free text or a JSON prompt (ours or the scene/subject/camera shape) → a schema prompt, saved to history."""
    prompt = await text_prompt(ctx, text, convert=convert)
    history_id, _, _ = save_to_history(ctx, text_concept(prompt), [prompt], source="text")
    return prompt, history_id


async def prompts_from_text(ctx: AppContext, text: str, *, convert: bool = False) -> tuple[list[PromptOutput], int]:
    """Every prompt of a text (see `text_blocks`), saved to history as one entry."""
    converted = await text_prompts(ctx, text, convert=convert)
    history_id, _, _ = save_to_history(ctx, text_concept(converted[0]), converted, source="text")
    return converted, history_id


def product_named(ctx: AppContext, name: str) -> ProductChoice:
    """A product by its name or slug (any case); the error lists the products."""
    wanted = " ".join(name.split()).lower()
    products = list_products(ctx)
    for product in products:
        if wanted in (product.name.lower(), product.slug.lower()):
            return product
    raise InputError(f"there is no product {name!r}; the products are {', '.join(p.name for p in products)}")


def save_favorite(ctx: AppContext, prompt: PromptOutput, name: str, concept: str | None = None, *,
                  product_id: int | None = None) -> int:
    """Keep one prompt among the favourites under `name`; returns the favourite's id."""
    name = " ".join(name.split())
    if not name:
        raise InputError("a favourite needs a name")
    record = ctx.store.favorites.add(prompt=prompt.model_dump(), name=name, concept=concept or None,
                                     product_id=product_id)
    return record.id


def _unknown_keys(data: dict[str, Any], model: type[BaseModel], prefix: str = "") -> list[str]:
    unknown = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            if not (prefix == "" and key == "quality_score"):
                unknown.append(prefix + key)
            continue
        nested = field.annotation
        if isinstance(value, dict) and isinstance(nested, type) and issubclass(nested, BaseModel):
            unknown.extend(_unknown_keys(value, nested, f"{prefix}{key}."))
    return unknown


def parse_edited_prompt(text: str) -> PromptOutput:
    """A prompt a person edited as JSON. Stricter than `parse_prompt`: a misspelt key is an error rather than
    silently dropped, so no edit is lost without a word."""
    prompt = parse_prompt(text)
    unknown = _unknown_keys(json.loads(text), PromptOutput)
    if unknown:
        keys = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise PromptParseError(f"unknown key{'s' if len(unknown) > 1 else ''} {keys}; the sections are "
                               f"{', '.join(SECTIONS)} (a misspelt key would be dropped)")
    return prompt
