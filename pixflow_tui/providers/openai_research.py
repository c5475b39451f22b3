"""The research step's calls to OpenAI (as in the original app): per keyword three analyses (trends,
competitors, technical), by the model alone (chat, structured output) or grounded in a web search (the Responses API
with its web-search tool; its answer is JSON in text, parsed defensively, its sources collected); then sub-themes.

When the server has no Responses API or no web-search tool, the keyword is researched by the model instead and the
answer says so; the provider remembers it and does not ask again."""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import openai
from pydantic import BaseModel, ValidationError

from pixflow_tui.core.research import (
    ANSWER_TYPES,
    COMPETITORS,
    SUB_THEME_AESTHETICS,
    SUB_THEME_MOODS,
    CompetitorInsights,
    KeywordResearch,
    ResearchBrief,
    SubTheme,
    SubThemeList,
    TechnicalRecommendations,
    TrendFindings,
)
from pixflow_tui.providers.base import PermanentProviderError, ProviderError

if TYPE_CHECKING:
    from pixflow_tui.providers.openai_text import OpenAITextProvider

WEB_SEARCH_TOOL: dict[str, Any] = {"type": "web_search_preview", "search_context_size": "high",
                                   "user_location": {"type": "approximate", "country": "US"}}
NO_WEB_SEARCH = "the server has no web-search tool ({why}); researched with the model instead"

RESEARCH_SYSTEM = (
    "You are the trend researcher of an AI photo app whose users are re-shot inside concepts. You know current "
    "portrait, fashion and social-media visual trends, the apps that compete for the same users and the "
    "photography craft behind a look. Be specific: name aesthetics, palettes, garments, sets, lenses and light "
    "setups, never generic adjectives. Never describe body type, age, ethnicity or skin colour.")

_TASKS = {
    "trends": "the visual trends around \u201c{keyword}\u201d right now: trending aesthetics, colour palettes, "
              "outfit trends and set-design trends (3-6 items each)",
    "competitors": "how competing AI photo apps ({competitors}) present \u201c{keyword}\u201d: which of them are "
                   "active on it, the patterns their images share, and opportunities to stand out",
    "technical": "the photography technique for \u201c{keyword}\u201d: lens options, lighting styles, colour "
                 "grades (3-5 items each) and a short note on what makes the look work",
}
_EXAMPLES: dict[str, BaseModel] = {
    "trends": TrendFindings(trending_aesthetics=["..."], color_palettes=["..."], outfit_trends=["..."],
                            set_design_trends=["..."]),
    "competitors": CompetitorInsights(active_competitors=["..."], common_patterns=["..."],
                                      differentiation_opportunities=["..."]),
    "technical": TechnicalRecommendations(lens_options=["..."], lighting_styles=["..."], color_grades=["..."],
                                          notes="..."),
}
_GROUP = {"trends": "trend_findings", "competitors": "competitor_insights", "technical": "technical_recommendations"}


def task_text(kind: str, keyword: str, concept: str) -> str:
    task = _TASKS[kind].format(keyword=keyword, competitors=", ".join(COMPETITORS))
    return f"Concept: {concept.strip()}\nKeyword: {keyword}\nResearch {task}."


def web_task_text(kind: str, keyword: str, concept: str) -> str:
    example = _EXAMPLES[kind].model_dump_json(indent=1)
    return (f"{task_text(kind, keyword, concept)}\nSearch the web for current sources. Answer with one JSON object "
            f"in a fenced json code block, with exactly these keys:\n```json\n{example}\n```")


def extract_json(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's free text: a fenced ```json block first, then the first balanced {…}."""
    for match in re.finditer(r"```(?:json)?\s*(.*?)```", text, flags=re.DOTALL):
        try:
            found = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(found, dict):
            return found
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            found, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(found, dict):
            return found
    return None


def source_urls(response: dict[str, Any]) -> list[str]:
    """Every URL a Responses answer cites: the web-search calls' sources and the message's url citations."""
    urls: list[str] = []
    for item in response.get("output") or []:
        if item.get("type") == "web_search_call":
            for source in ((item.get("action") or {}).get("sources") or []):
                if source.get("url"):
                    urls.append(source["url"])
        elif item.get("type") == "message":
            for part in item.get("content") or []:
                for note in part.get("annotations") or []:
                    if note.get("type") == "url_citation" and note.get("url"):
                        urls.append(note["url"])
    return list(dict.fromkeys(urls))


def _answer_text(response: dict[str, Any]) -> str:
    return "".join(part.get("text") or "" for item in response.get("output") or [] if item.get("type") == "message"
                   for part in item.get("content") or [] if part.get("type") == "output_text")


def _tool_missing(exc: BaseException) -> str | None:
    """Why the server cannot search the web, when `exc` says so; None for any other failure."""
    if isinstance(exc, openai.NotFoundError):
        return "no Responses API"
    if isinstance(exc, openai.BadRequestError):
        message = str(getattr(exc, "message", exc)).lower()
        if "web_search" in message or "tool" in message:
            return "web search not supported"
    return None


async def _model_analysis(provider: OpenAITextProvider, kind: str, keyword: str, concept: str) -> BaseModel:
    return await provider.structured(
        [{"role": "developer", "content": RESEARCH_SYSTEM},
         {"role": "user", "content": task_text(kind, keyword, concept)}],
        ANSWER_TYPES[kind], context=f"research {kind} of {keyword}", temperature=0.7, max_tokens=1500)


async def _web_analysis(provider: OpenAITextProvider, kind: str, keyword: str,
                        concept: str) -> tuple[BaseModel, list[str]]:
    """One web-grounded analysis: (answer, source URLs). Raises the openai error when the call fails, and
    PermanentProviderError when its answer holds no usable JSON."""
    client = await provider.client()
    # the raw answer's JSON, not the SDK's Response model: building that model costs tens of milliseconds on the
    # event loop per answer, and the web answers of several keywords tend to arrive together
    raw = await client.responses.with_raw_response.create(
        model=provider.research_web_model, instructions=RESEARCH_SYSTEM, input=web_task_text(kind, keyword, concept),
        tools=[WEB_SEARCH_TOOL], include=["web_search_call.action.sources"], temperature=0.2)  # type: ignore[list-item]
    data = raw.http_response.json()
    found = extract_json(_answer_text(data))
    try:
        return ANSWER_TYPES[kind].model_validate(found or {}), source_urls(data)
    except ValidationError as exc:
        raise PermanentProviderError(f"the web research of {keyword} ({kind}) was not usable JSON") from exc


async def research_keyword(provider: OpenAITextProvider, keyword: str, concept: str, *, web: bool) -> KeywordResearch:
    notes: list[str] = []
    mode = "web" if web and provider.web_search_missing is None else "model"
    if web and provider.web_search_missing is not None:
        notes.append(NO_WEB_SEARCH.format(why=provider.web_search_missing))

    async def one(kind: str) -> tuple[BaseModel, list[str], str]:
        if mode == "web" and provider.web_search_missing is None:
            try:
                answer, urls = await _web_analysis(provider, kind, keyword, concept)
                return answer, urls, "web"
            except PermanentProviderError as exc:
                notes.append(f"{exc.message}; used the model's answer")
            except Exception as exc:
                why = _tool_missing(exc)
                if why is None:
                    raise provider.error(exc, f"web research of {keyword}") from exc
                provider.web_search_missing = why
                notes.append(NO_WEB_SEARCH.format(why=why))
        return await _model_analysis(provider, kind, keyword, concept), [], "model"

    results = await asyncio.gather(*(one(kind) for kind in _GROUP), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        first = failures[0]
        raise first if isinstance(first, ProviderError) else provider.error(first, f"research of {keyword}")
    answers = [r for r in results if not isinstance(r, BaseException)]
    effective = "web" if all(how == "web" for _, _, how in answers) else "model"
    urls = list(dict.fromkeys(u for _, found, _ in answers for u in found))
    data = {_GROUP[kind]: answer.model_dump() for kind, (answer, _, _) in zip(_GROUP, answers)}
    return KeywordResearch.model_validate({"keyword": keyword, "source_urls": urls, "effective_mode": effective,
                                           "note": "; ".join(dict.fromkeys(notes)), **data})


def sub_themes_text(brief: ResearchBrief, keywords: Sequence[str]) -> str:
    trends, tech = brief.trend_findings, brief.technical_recommendations
    lines = [
        f"Concept: {brief.concept}",
        f"Keywords: {', '.join(keywords)}",
        f"Trending aesthetics: {', '.join(trends.trending_aesthetics) or '-'}",
        f"Palettes: {', '.join(trends.color_palettes) or '-'}; outfits: {', '.join(trends.outfit_trends) or '-'}; "
        f"sets: {', '.join(trends.set_design_trends) or '-'}",
        f"Lighting: {', '.join(tech.lighting_styles) or '-'}",
        "Write 6 to 8 distinct sub-themes for a batch of photo briefs. Each has a short name, an aesthetic (one of: "
        f"{', '.join(SUB_THEME_AESTHETICS)}), a mood (one of: {', '.join(SUB_THEME_MOODS)}) and 3 to 5 key elements. "
        "Every keyword must appear, in its own words, in the name or key elements of one or two sub-themes. "
        "Use at least three different aesthetics.",
    ]
    return "\n".join(lines)


async def sub_themes(provider: OpenAITextProvider, brief: ResearchBrief, keywords: Sequence[str]) -> list[SubTheme]:
    out = await provider.structured(
        [{"role": "developer", "content": RESEARCH_SYSTEM}, {"role": "user", "content": sub_themes_text(brief, keywords)}],
        SubThemeList, context="sub-themes", temperature=0.8, max_tokens=2000,
        check=lambda o: None if o.sub_themes else "no sub-themes")
    return list(out.sub_themes)
