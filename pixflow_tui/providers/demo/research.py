"""Offline research from the local vocabulary: each keyword gets trends, competitors and technical notes picked
(deterministically, by the keyword) from the demo vocabulary; sub-themes mix the aesthetics and moods around the
keywords. No web: nothing is grounded in sources, and every answer says it is demo research."""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from pixflow_tui.core.research import (
    COMPETITORS,
    SUB_THEME_AESTHETICS,
    SUB_THEME_MOODS,
    CompetitorInsights,
    KeywordResearch,
    ResearchBrief,
    SubTheme,
    TechnicalRecommendations,
    TrendFindings,
)
from pixflow_tui.providers.demo import vocabulary as vocab
from pixflow_tui.providers.demo.common import stable_seed

DEMO_NOTE = "demo research from the local vocabulary (no model, no web)"
_PALETTES = ("warm terracotta and cream", "cool sage and slate", "burgundy with gold accents", "pastel blush and ivory",
             "monochrome charcoal", "cobalt and white", "earthy olive and camel", "neon magenta on deep navy")
_SETS = ("textured plaster walls", "sun-bleached outdoor terrace", "moody velvet-draped studio", "mirror and chrome set",
         "botanical conservatory", "retro diner booth", "minimal seamless paper sweep", "rain-wet city street")
_PATTERNS = ("centred hero portrait with shallow depth of field", "bold colour blocking", "soft beauty lighting",
             "candid mid-movement poses", "film-grain nostalgia", "high-gloss editorial finish")
_OPPORTUNITIES = ("tactile fabric close-ups", "unexpected locations", "a single bold hero prop",
                  "quiet intimate framing", "signature colour grade per batch")


T = TypeVar("T")


def _sample(rng: random.Random, options: Sequence[T], count: int) -> list[T]:
    return rng.sample(list(options), min(count, len(options)))


def research_keyword(keyword: str) -> KeywordResearch:
    rng = random.Random(stable_seed("research", keyword))
    cuts = [f"{rng.choice(vocab.OUTFIT_COLORS)} {rng.choice(vocab.FABRICS)} {cut.garment}"
            for cut in _sample(rng, vocab.CUTS, 3)]
    return KeywordResearch(
        keyword=keyword,
        trend_findings=TrendFindings(
            trending_aesthetics=[f"{a} {keyword}" for a in _sample(rng, vocab.AESTHETICS, 3)],
            color_palettes=_sample(rng, _PALETTES, 3), outfit_trends=cuts, set_design_trends=_sample(rng, _SETS, 3)),
        competitor_insights=CompetitorInsights(
            active_competitors=_sample(rng, COMPETITORS, 3), common_patterns=_sample(rng, _PATTERNS, 3),
            differentiation_opportunities=[f"{o} for {keyword}" for o in _sample(rng, _OPPORTUNITIES, 2)]),
        technical_recommendations=TechnicalRecommendations(
            lens_options=[lens.lens for lens in _sample(rng, vocab.LENSES, 2)],
            lighting_styles=[f"{light.name}: {light.setup}" for light in _sample(rng, vocab.LIGHTING, 3)],
            color_grades=_sample(rng, vocab.COLOR_GRADES, 2),
            notes=f"For {keyword}, keep one hero element sharp and let the set carry the mood."),
        effective_mode="demo", note=DEMO_NOTE)


def sub_themes(brief: ResearchBrief, keywords: Sequence[str]) -> list[SubTheme]:
    """Seven sub-themes: the first ones take the keywords in turn, twice round at most (so each keyword lands
    in one or two), the rest follow the brief's sets; aesthetics and moods rotate so that the batch varies."""
    rng = random.Random(stable_seed("sub-themes", brief.concept))
    sets = brief.trend_findings.set_design_trends or list(_SETS)
    palettes = brief.trend_findings.color_palettes or list(_PALETTES)
    lights = brief.technical_recommendations.lighting_styles or [light.name for light in vocab.LIGHTING]
    out: list[SubTheme] = []
    for index in range(7):
        aesthetic = SUB_THEME_AESTHETICS[index % len(SUB_THEME_AESTHETICS)]
        mood = SUB_THEME_MOODS[(index * 2 + rng.randrange(5)) % len(SUB_THEME_MOODS)]
        topic = keywords[index % len(keywords)] if index < 2 * len(keywords) else sets[index % len(sets)]
        light = lights[index % len(lights)].split(":")[0]
        elements = [sets[index % len(sets)], palettes[index % len(palettes)], f"{light} lighting"]
        out.append(SubTheme(name=f"{aesthetic} {topic}", aesthetic=aesthetic, mood=mood,
                            key_elements=list(dict.fromkeys(elements))))
    return out
