"""Prompt Factory's research step (as in the original app): the concept's keywords, each researched by the text
provider (web-grounded or by the model) unless the research cache holds it, merged into one brief with 6–8
sub-themes that cover every keyword. A cached keyword costs nothing; a fresh one is kept for 48 hours."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from pixflow_tui.core.formatting import plural
from pixflow_tui.core.research import (
    CACHE_HOURS,
    DEFAULT_SUB_THEMES,
    KeywordResearch,
    ResearchOutcome,
    SubTheme,
    insights_and_warnings,
    merge,
    normalise_sub_themes,
    research_keywords,
)
from pixflow_tui.providers.base import MissingKeyError, ProviderError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError, check_concept

MODES = ("web", "model")
KEYWORDS_AT_ONCE = 2  # each keyword is three calls at once


class ResearchError(RuntimeError):
    """The text provider refused the research outright (no key, a refused key); the message carries its words."""


def _fatal(exc: ProviderError) -> bool:
    """Errors every further call would repeat: stop rather than go on without research."""
    return isinstance(exc, MissingKeyError) or exc.status_code in (401, 403)


def check_mode(mode: str) -> str:
    text = mode.strip().lower()
    if text not in MODES:
        raise InputError(f"research mode {mode!r} is not one of: {', '.join(MODES)} (or off)")
    return text


def concept_keywords(concept: str) -> list[str]:
    """The keywords researched for `concept`; the whole concept when no part is long enough."""
    return research_keywords(concept) or [" ".join(concept.lower().split())]


async def research_concept(ctx: AppContext, concept: str, mode: str, *,
                           on_progress: Callable[[str], None] | None = None) -> ResearchOutcome:
    """Research `concept` in `mode` ("web" or "model"). Keyword failures are noted and skipped; a refused key
    raises ResearchError."""
    concept, mode = check_concept(concept), check_mode(mode)
    say = on_progress or (lambda _text: None)
    keywords = concept_keywords(concept)
    demo = ctx.text.name == "demo"
    cache_mode = "demo" if demo else mode
    cache = ctx.store.research_cache
    found: dict[str, KeywordResearch] = {}
    for keyword in keywords:
        cached = await asyncio.to_thread(cache.get, cache_mode, keyword)
        if cached is not None:
            found[keyword] = KeywordResearch.model_validate(cached.payload)
    hits = len(found)
    missing = [k for k in keywords if k not in found]
    notes: list[str] = []
    done = 0
    say(_progress(len(keywords), hits, 0, len(missing)))
    gate = asyncio.Semaphore(KEYWORDS_AT_ONCE)

    async def one(keyword: str) -> None:
        nonlocal done
        async with gate:
            try:
                researched = await ctx.text.research_keyword(keyword, concept, web=mode == "web")
            except ProviderError as exc:
                if _fatal(exc):
                    raise ResearchError(f"research failed: {exc.message}") from exc
                notes.append(f"research of “{keyword}” failed: {exc.message}")
                return
        found[keyword] = researched
        if researched.note:
            notes.append(researched.note)
        if researched.effective_mode == cache_mode:
            await asyncio.to_thread(cache.put, cache_mode, keyword, researched.model_dump(), hours=CACHE_HOURS)
        done += 1
        say(_progress(len(keywords), hits, done, len(missing)))

    tasks = [asyncio.create_task(one(k)) for k in missing]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    researched = [found[k] for k in keywords if k in found]
    brief = merge(concept, researched)
    say("Writing the sub-themes…")
    themes: list[SubTheme]
    try:
        themes = await ctx.text.sub_themes(brief, keywords)
    except ProviderError as exc:
        if _fatal(exc):
            raise ResearchError(f"research failed: {exc.message}") from exc
        notes.append(f"the sub-themes could not be written ({exc.message}); using the six defaults")
        themes = [t.model_copy(deep=True) for t in DEFAULT_SUB_THEMES]
    brief.sub_themes = normalise_sub_themes(themes, keywords)
    insights, warnings = insights_and_warnings(brief, keywords)
    if demo:
        effective = "demo"
    else:
        effective = "web" if researched and all(r.effective_mode == "web" for r in researched) else "model"
    return ResearchOutcome(
        brief=brief, keywords=keywords, requested_mode=mode, effective_mode=effective, cache_hits=hits,
        cache_misses=len(missing), source_urls=list(dict.fromkeys(u for r in researched for u in r.source_urls)),
        insights=insights, warnings=warnings, notes=list(dict.fromkeys(notes)), demo=demo)


def _progress(total: int, hits: int, done: int, fresh: int) -> str:
    cached = f" ({hits} cached)" if hits else ""
    if not fresh:
        return f"Research: all {plural(total, 'keyword')} cached…"
    return f"Researching keywords: {hits + done} of {total} ready{cached}…"
