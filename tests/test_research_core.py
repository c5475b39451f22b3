"""The research step's pure parts: merge caps, the grounding score, sub-theme normalisation and assignment, the
defensive JSON reading of a web answer, and the reference rules."""
from __future__ import annotations

import pytest

from pixflow_tui.core.prompt_schema import Hairstyle, PromptOutput
from pixflow_tui.core.reference_rules import REFERENCE_HAIR_PREFIX, REFERENCE_STYLE_PREFIX, enforce_reference_rules
from pixflow_tui.core.research import (
    CAPS,
    DEFAULT_SUB_THEMES,
    KeywordResearch,
    ResearchOutcome,
    SubTheme,
    TrendFindings,
    assign_sub_themes,
    domains,
    grounding_score,
    insights_and_warnings,
    keyword_coverage,
    merge,
    normalise_sub_themes,
)
from pixflow_tui.providers.openai_research import extract_json, source_urls


@pytest.mark.parametrize(("sources", "domain_count", "score"), [
    (0, 0, 0), (3, 2, 27), (14, 5, 100), (20, 1, 76), (1, 9, 35),
])
def test_grounding_score_is_capped_per_part(sources: int, domain_count: int, score: int) -> None:
    assert grounding_score(sources, domain_count) == score


def test_domains_drop_www_and_repeat_once() -> None:
    assert domains(["https://www.vogue.com/a", "http://vogue.com/b", "https://x.petapixel.com/", "nota url"]) == [
        "vogue.com", "x.petapixel.com"]


def test_merge_unions_without_repeats_up_to_the_caps_and_counts_sources() -> None:
    many = [f"look {i}" for i in range(10)]
    first = KeywordResearch(keyword="a", trend_findings=TrendFindings(trending_aesthetics=many[:5]),
                            source_urls=["https://a.com/1", "https://b.com/2"])
    second = KeywordResearch(keyword="b", trend_findings=TrendFindings(trending_aesthetics=["LOOK 0", *many[5:]]))
    brief = merge("a, b", [first, second])
    assert brief.trend_findings.trending_aesthetics == many[:CAPS["trending_aesthetics"]]
    assert brief.sources_analyzed == 2 + 12  # URLs of the grounded keyword, 12 for the other


def test_normalise_fills_to_six_fixes_lists_and_covers_every_keyword() -> None:
    themes = [SubTheme(name="Night", aesthetic="editorial photo", mood="very playful", key_elements=["neon"]),
              SubTheme(name="  ", aesthetic="x", mood="y")]
    out = normalise_sub_themes(themes, ["rainy night", "vinyl"])
    assert len(out) == 6 and out[0].aesthetic == "Editorial" and out[0].mood == "Playful"
    assert all(3 <= len(t.key_elements) <= 5 for t in out)
    assert keyword_coverage(out, ["rainy night", "vinyl"]) == {"rainy night": 1, "vinyl": 1}


def test_normalise_takes_a_keyword_out_of_a_third_sub_theme() -> None:
    themes = [SubTheme(name=f"T{i}", aesthetic="Editorial", mood="Romantic", key_elements=["neon glow", "a", "b"])
              for i in range(7)]
    out = normalise_sub_themes(themes, ["neon"])
    assert keyword_coverage(out, ["neon"]) == {"neon": 2}


def test_defaults_and_round_robin() -> None:
    assert len(DEFAULT_SUB_THEMES) == 6
    assigned = assign_sub_themes(list(DEFAULT_SUB_THEMES), 8)
    assert [t.name for t in assigned] == [t.name for t in DEFAULT_SUB_THEMES] + [DEFAULT_SUB_THEMES[0].name,
                                                                                 DEFAULT_SUB_THEMES[1].name]


def test_warnings_name_missing_keywords_and_thin_variety() -> None:
    brief = merge("x", [])
    brief.sub_themes = [SubTheme(name="One", aesthetic="Editorial", mood="Romantic", key_elements=["a", "b", "c"])]
    _, warnings = insights_and_warnings(brief, ["vinyl"])
    assert warnings == ["Only 1 sub-themes", "Only 1 distinct aesthetics among the sub-themes",
                        "Keywords missing from the sub-themes: vinyl"]


def test_an_outcome_survives_its_dict() -> None:
    brief = merge("x", [])
    outcome = ResearchOutcome(brief=brief, keywords=["x"], requested_mode="web", effective_mode="model",
                              cache_hits=1, cache_misses=1, source_urls=["https://a.com"], notes=["fell back"])
    again = ResearchOutcome.from_dict(outcome.to_dict())
    assert again == outcome and again.grounding()["cache_hit_rate"] == 0.5


@pytest.mark.parametrize("text", [
    'Here:\n```json\n{"a": [1, 2]}\n```\nthanks',
    'Sure! {"a": [1, 2]} — sources below',
    'broken {"a": [1, } then {"a": [1, 2]}',
    '```\n{"a": [1, 2]}\n```',
])
def test_extract_json_finds_the_object(text: str) -> None:
    assert extract_json(text) == {"a": [1, 2]}


def test_extract_json_without_an_object() -> None:
    assert extract_json("no json here [1, 2]") is None


def test_source_urls_from_search_calls_and_citations() -> None:
    response = {"output": [
        {"type": "web_search_call", "action": {"sources": [{"type": "url", "url": "https://a.com/1"}]}},
        {"type": "message", "content": [{"type": "output_text", "annotations": [
            {"type": "url_citation", "url": "https://b.com/2"}, {"type": "url_citation", "url": "https://a.com/1"}]}]},
    ]}
    assert source_urls(response) == ["https://a.com/1", "https://b.com/2"]


def test_reference_rules_are_added_once() -> None:
    prompt = PromptOutput(style="CRITICAL: red coat", hairstyle=Hairstyle(style="sleek low bun"))
    ruled = enforce_reference_rules(prompt)
    assert ruled.style == f"{REFERENCE_STYLE_PREFIX} CRITICAL: red coat"
    assert ruled.hairstyle.style == f"{REFERENCE_HAIR_PREFIX} sleek low bun"
    assert enforce_reference_rules(ruled) == ruled
    already = PromptOutput(style="Keep the person of the reference image. CRITICAL: hat")
    assert enforce_reference_rules(already).style == already.style
