"""The research step's pure parts (as in the original app): keywords from a concept, the per-keyword analyses and
their merge into one brief with the original's caps, sub-themes (normalised, every keyword covered, six defaults),
their round-robin assignment to prompt slots, the grounding score, and the insights and warnings shown with it."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from pixflow_tui.core.formatting import plural

RESEARCH_MODES = ("web", "model", "off")
MAX_KEYWORDS = 5
MIN_KEYWORD_CHARS = 3
CACHE_HOURS = 48
SOURCES_WITHOUT_URLS = 12  # what a keyword researched without web sources adds to `sources_analyzed`
SUB_THEMES_MIN, SUB_THEMES_MAX = 6, 8
SUB_THEME_AESTHETICS = ("Editorial", "Lifestyle editorial", "Minimal studio", "Intimate portrait", "Fashion-forward")
SUB_THEME_MOODS = ("Romantic", "Playful", "Confident", "Intimate", "Mysterious")
COMPETITORS = ("Hula AI", "Momo AI", "Glam AI", "AI Video Generator", "Remini", "Creati", "Pose")
ANALYSES = ("trends", "competitors", "technical")
# merge caps, per list
CAPS = {"trending_aesthetics": 6, "color_palettes": 5, "outfit_trends": 6, "set_design_trends": 6,
        "active_competitors": 4, "common_patterns": 6, "differentiation_opportunities": 5,
        "lens_options": 4, "lighting_styles": 5, "color_grades": 4}

_SPLIT = re.compile(r"[,;،]")


def research_keywords(concept: str) -> list[str]:
    """Lower-cased parts of the concept split on `,` `;` `،`, trimmed, at least 3 characters, at most 5 (first
    occurrence of a repeated one kept)."""
    found: list[str] = []
    for part in _SPLIT.split(concept.lower()):
        keyword = " ".join(part.split())
        if len(keyword) >= MIN_KEYWORD_CHARS and keyword not in found:
            found.append(keyword)
    return found[:MAX_KEYWORDS]


# ---- what one analysis answers (also the structured-output schemas of the model mode) --------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TrendFindings(_Answer):
    trending_aesthetics: list[str] = Field(default_factory=list)
    color_palettes: list[str] = Field(default_factory=list)
    outfit_trends: list[str] = Field(default_factory=list)
    set_design_trends: list[str] = Field(default_factory=list)


class CompetitorInsights(_Answer):
    active_competitors: list[str] = Field(default_factory=list)
    common_patterns: list[str] = Field(default_factory=list)
    differentiation_opportunities: list[str] = Field(default_factory=list)


class TechnicalRecommendations(_Answer):
    lens_options: list[str] = Field(default_factory=list)
    lighting_styles: list[str] = Field(default_factory=list)
    color_grades: list[str] = Field(default_factory=list)
    notes: str = ""


ANSWER_TYPES: dict[str, type[_Answer]] = {
    "trends": TrendFindings, "competitors": CompetitorInsights, "technical": TechnicalRecommendations,
}


class SubTheme(_Answer):
    name: str = ""
    aesthetic: str = ""
    mood: str = ""
    key_elements: list[str] = Field(default_factory=list)

    def line(self) -> str:
        return f"{self.name} · {self.aesthetic} · {self.mood}"


class SubThemeList(_Answer):
    sub_themes: list[SubTheme] = Field(default_factory=list)


class KeywordResearch(_Answer):
    """One keyword's three analyses as a provider returns them (and as the cache keeps them)."""

    keyword: str
    trend_findings: TrendFindings = Field(default_factory=TrendFindings)
    competitor_insights: CompetitorInsights = Field(default_factory=CompetitorInsights)
    technical_recommendations: TechnicalRecommendations = Field(default_factory=TechnicalRecommendations)
    source_urls: list[str] = Field(default_factory=list)
    effective_mode: str = "model"  # web | model | demo
    note: str = ""  # e.g. why web mode fell back to the model


class ResearchBrief(_Answer):
    concept: str
    research_date: str = Field(default_factory=lambda: date.today().isoformat())
    sources_analyzed: int = 0
    trend_findings: TrendFindings = Field(default_factory=TrendFindings)
    competitor_insights: CompetitorInsights = Field(default_factory=CompetitorInsights)
    technical_recommendations: TechnicalRecommendations = Field(default_factory=TechnicalRecommendations)
    sub_themes: list[SubTheme] = Field(default_factory=list)


def _union(lists: Iterable[list[str]], cap: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for items in lists:
        for item in items:
            text = " ".join(str(item).split())
            if text and text.lower() not in seen:
                seen.add(text.lower())
                out.append(text)
    return out[:cap]


def merge(concept: str, researched: Sequence[KeywordResearch]) -> ResearchBrief:
    """All keywords in one brief: set union per list, capped; notes concatenated; sources counted (the URLs of
    a web-grounded keyword, else 12)."""
    def union(group: str, name: str) -> list[str]:
        return _union((getattr(getattr(r, group), name) for r in researched), CAPS[name])

    notes = " ".join(n for n in (" ".join(r.technical_recommendations.notes.split()) for r in researched) if n)
    return ResearchBrief(
        concept=concept,
        sources_analyzed=sum(len(r.source_urls) or SOURCES_WITHOUT_URLS for r in researched),
        trend_findings=TrendFindings(**{n: union("trend_findings", n) for n in TrendFindings.model_fields}),
        competitor_insights=CompetitorInsights(
            **{n: union("competitor_insights", n) for n in CompetitorInsights.model_fields}),
        technical_recommendations=TechnicalRecommendations(
            lens_options=union("technical_recommendations", "lens_options"),
            lighting_styles=union("technical_recommendations", "lighting_styles"),
            color_grades=union("technical_recommendations", "color_grades"), notes=notes),
    )


# ---- sub-themes -----------------------------------------------------------------------------------------------

DEFAULT_SUB_THEMES = (
    SubTheme(name="Magazine cover", aesthetic="Editorial", mood="Confident",
             key_elements=["bold graphic set", "hard key light", "statement tailoring"]),
    SubTheme(name="Candid afternoon", aesthetic="Lifestyle editorial", mood="Playful",
             key_elements=["real location", "natural window light", "relaxed layers"]),
    SubTheme(name="Sculpted studio", aesthetic="Minimal studio", mood="Confident",
             key_elements=["seamless backdrop", "one sculptural prop", "clean silhouette"]),
    SubTheme(name="Quiet close-up", aesthetic="Intimate portrait", mood="Intimate",
             key_elements=["tight framing", "soft diffused light", "fine knit texture"]),
    SubTheme(name="Runway edge", aesthetic="Fashion-forward", mood="Mysterious",
             key_elements=["avant-garde outfit", "dramatic shadows", "metallic accents"]),
    SubTheme(name="Golden memory", aesthetic="Lifestyle editorial", mood="Romantic",
             key_elements=["golden-hour backlight", "film colour", "flowing fabric"]),
)


def _closest(value: str, allowed: tuple[str, ...], fallback: str) -> str:
    text = value.strip().lower()
    for option in allowed:
        if text == option.lower():
            return option
    for option in sorted(allowed, key=len, reverse=True):  # "lifestyle editorial" before "editorial"
        if option.lower() in text or (text and text in option.lower()):
            return option
    return fallback


def _mentions(theme: SubTheme, keyword: str) -> bool:
    text = " ".join([theme.name, *theme.key_elements]).lower()
    return keyword in text


def normalise_sub_themes(themes: Sequence[SubTheme], keywords: Sequence[str]) -> list[SubTheme]:
    """6–8 sub-themes with aesthetic and mood from the original's lists, 3–5 key elements each, and every keyword
    in one or two of them (a missing keyword is added to the sub-theme holding the fewest keywords; one found in
    more than two is taken out of the key elements of the extra ones where it is only a key element)."""
    out: list[SubTheme] = []
    for index, theme in enumerate(t for t in themes if t.name.strip()):
        if len(out) == SUB_THEMES_MAX:
            break
        elements = _union([theme.key_elements], 5)
        out.append(SubTheme(
            name=" ".join(theme.name.split()),
            aesthetic=_closest(theme.aesthetic, SUB_THEME_AESTHETICS,
                               SUB_THEME_AESTHETICS[index % len(SUB_THEME_AESTHETICS)]),
            mood=_closest(theme.mood, SUB_THEME_MOODS, SUB_THEME_MOODS[index % len(SUB_THEME_MOODS)]),
            key_elements=elements))
    for default in DEFAULT_SUB_THEMES:
        if len(out) >= SUB_THEMES_MIN:
            break
        if all(default.name != t.name for t in out):
            out.append(default.model_copy(deep=True))
    for keyword in keywords:
        holders = [t for t in out if _mentions(t, keyword)]
        if not holders:
            target = min(out, key=lambda t: sum(_mentions(t, k) for k in keywords))
            target.key_elements = [keyword, *target.key_elements][:5]
        for extra in holders[2:]:
            if keyword not in extra.name.lower():
                extra.key_elements = [e for e in extra.key_elements if keyword not in e.lower()]
    for theme in out:
        for filler in ("signature light", "considered styling", "layered set"):
            if len(theme.key_elements) >= 3:
                break
            theme.key_elements.append(filler)
    return out


def keyword_coverage(themes: Sequence[SubTheme], keywords: Sequence[str]) -> dict[str, int]:
    """In how many sub-themes each keyword appears (name or key elements)."""
    return {k: sum(_mentions(t, k) for t in themes) for k in keywords}


def assign_sub_themes(themes: Sequence[SubTheme], count: int) -> list[SubTheme]:
    """Round-robin: slot i gets sub-theme i mod n."""
    return [themes[i % len(themes)] for i in range(count)] if themes else []


# ---- grounding, insights, warnings ----------------------------------------------------------------------------


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def domains(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(d for d in (domain_of(u) for u in urls) if d))


def grounding_score(sources: int, domain_count: int) -> int:
    """min(70, 5·sources) + min(30, 6·domains)."""
    return min(70, 5 * sources) + min(30, 6 * domain_count)


def insights_and_warnings(brief: ResearchBrief, keywords: Sequence[str]) -> tuple[list[str], list[str]]:
    insights: list[str] = []
    warnings: list[str] = []
    if brief.trend_findings.trending_aesthetics:
        insights.append(f"Top aesthetic: {brief.trend_findings.trending_aesthetics[0]}")
    if brief.competitor_insights.active_competitors:
        insights.append("Active competitors: " + ", ".join(brief.competitor_insights.active_competitors))
    if brief.competitor_insights.differentiation_opportunities:
        insights.append(f"Differentiate: {brief.competitor_insights.differentiation_opportunities[0]}")
    coverage = keyword_coverage(brief.sub_themes, keywords)
    missing = [k for k, n in coverage.items() if n == 0]
    if keywords and not missing:
        insights.append("Every keyword is covered by a sub-theme")
    if len(brief.sub_themes) < 4:
        warnings.append(f"Only {len(brief.sub_themes)} sub-themes")
    distinct = {t.aesthetic for t in brief.sub_themes}
    if len(distinct) < 3:
        warnings.append(f"Only {len(distinct)} distinct aesthetics among the sub-themes")
    if missing:
        warnings.append("Keywords missing from the sub-themes: " + ", ".join(missing))
    return insights, warnings


@dataclass
class ResearchOutcome:
    """What the research step found and how: shown on screen, printed by the CLI, kept in history."""

    brief: ResearchBrief
    keywords: list[str]
    requested_mode: str
    effective_mode: str
    cache_hits: int = 0
    cache_misses: int = 0
    source_urls: list[str] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # fall-backs and failures, in words
    demo: bool = False

    @property
    def source_domains(self) -> list[str]:
        return domains(self.source_urls)

    @property
    def grounding_score(self) -> int:
        return grounding_score(len(self.source_urls), len(self.source_domains))

    @property
    def cache_hit_rate(self) -> float:
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else 0.0

    @property
    def used_web_search(self) -> bool:
        return self.effective_mode == "web"

    @property
    def sub_themes(self) -> list[SubTheme]:
        return self.brief.sub_themes

    def summary(self) -> str:
        trends = self.brief.trend_findings
        lead = "[demo research] " if self.demo else ""
        head = (f"{lead}Researched {plural(len(self.keywords), 'keyword')} "
                f"({', '.join(self.keywords)}) by {self.effective_mode}")
        if self.effective_mode != self.requested_mode and not self.demo:
            head += f" (asked for {self.requested_mode})"
        parts = [head]
        if trends.trending_aesthetics:
            parts.append("trending: " + ", ".join(trends.trending_aesthetics[:3]))
        if trends.color_palettes:
            parts.append("palettes: " + ", ".join(trends.color_palettes[:2]))
        return "; ".join(parts) + "."

    def grounding(self) -> dict[str, Any]:
        return {"requested_mode": self.requested_mode, "effective_mode": self.effective_mode,
                "sources": len(self.source_urls), "domains": self.source_domains,
                "grounding_score": self.grounding_score, "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses, "cache_hit_rate": round(self.cache_hit_rate, 3),
                "used_web_search": self.used_web_search}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["brief"] = self.brief.model_dump()
        data["summary"] = self.summary()
        data["grounding"] = self.grounding()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResearchOutcome:
        names = {"keywords", "requested_mode", "effective_mode", "cache_hits", "cache_misses", "source_urls",
                 "insights", "warnings", "notes", "demo"}
        values = {k: v for k, v in data.items() if k in names}
        return cls(brief=ResearchBrief.model_validate(data.get("brief") or {"concept": ""}), **values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
