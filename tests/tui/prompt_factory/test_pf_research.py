"""The research step (no UI): keywords, the cache, web mode and its fall-back, sub-themes, grounding, the vision
look at a reference and the reference rules, against the OpenAI emulator (Responses API with web search) and the
demo provider."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import pytest_asyncio
from emulators.openai_emulator import OpenAIEmulator

from pixflow_tui.core.reference_rules import REFERENCE_HAIR_PREFIX, REFERENCE_STYLE_PREFIX
from pixflow_tui.core.research import (
    DEFAULT_SUB_THEMES,
    SUB_THEME_AESTHETICS,
    SUB_THEME_MOODS,
    keyword_coverage,
    research_keywords,
)
from pixflow_tui.store.models import utcnow
from pixflow_tui.workflows import prompts as flow
from pixflow_tui.workflows.context import AppContext
from pf_helpers import make_image

CONCEPT = "Neon street portrait, rainy night; vintage film look"
KEYWORDS = ["neon street portrait", "rainy night", "vintage film look"]


@pytest_asyncio.fixture
async def live(settings, emu: OpenAIEmulator) -> AsyncIterator[AppContext]:
    context = AppContext(replace(settings, provider_mode="live", openai_api_key="sk-test",
                                 openai_base_url=emu.base_url))
    yield context
    await context.text.aclose()
    context.close()


@pytest.fixture
def demo(settings) -> Iterator[AppContext]:
    context = AppContext(settings)
    yield context
    context.close()


def research_calls(emu: OpenAIEmulator) -> int:
    """Chat calls that were research (the developer-role research persona), not prompts or sub-themes."""
    return sum(1 for r in emu.chat_requests if r["messages"][0]["role"] == "developer"
               and "Keyword:" in r["messages"][-1]["content"])


def test_keywords_follow_the_original_rules() -> None:
    assert research_keywords(CONCEPT) == KEYWORDS
    assert research_keywords("a, bb, cat ; cat،  dog  days ,x") == ["cat", "dog days"]
    assert research_keywords("one, two, three, four, five, six, seven") == ["one", "two", "three", "four", "five"]


async def test_web_research_collects_sources_and_a_cache_hit_makes_no_call(live: AppContext,
                                                                           emu: OpenAIEmulator) -> None:
    emu.web_sources = [("https://www.vogue.com/a", "A"), ("https://vogue.com/b", "B"), ("https://petapixel.com/c", "C")]
    first = await flow.research(live, CONCEPT, "web")
    assert first is not None
    assert len(emu.responses_requests) == 3 * len(KEYWORDS)  # trends, competitors, technical per keyword
    request = emu.responses_requests[0]
    assert request["tools"][0]["type"] == "web_search_preview" and request["model"] == "gpt-4o-mini"
    assert request["include"] == ["web_search_call.action.sources"]
    assert (first.requested_mode, first.effective_mode, first.used_web_search) == ("web", "web", True)
    assert first.source_domains == ["vogue.com", "petapixel.com"]
    # 3 distinct URLs, 2 domains: min(70, 5·3) + min(30, 6·2)
    assert len(first.source_urls) == 3 and first.grounding_score == 15 + 12
    assert first.brief.sources_analyzed == 3 * len(KEYWORDS)
    assert first.brief.trend_findings.trending_aesthetics  # parsed from the fenced JSON of the answer
    assert (first.cache_hits, first.cache_misses, first.cache_hit_rate) == (0, 3, 0.0)
    sub_theme_calls = len(emu.chat_requests)

    second = await flow.research(live, CONCEPT, "web")
    assert len(emu.responses_requests) == 3 * len(KEYWORDS)  # every keyword came from the cache
    assert len(emu.chat_requests) == sub_theme_calls + 1  # only the sub-themes are written again
    assert (second.cache_hits, second.cache_misses, second.cache_hit_rate) == (3, 0, 1.0)
    assert second.brief.trend_findings == first.brief.trend_findings
    cached = live.store.research_cache.get("web", "rainy night")
    assert cached is not None and cached.access_count == 2  # the second run's hit, and this look


async def test_the_cache_expires_after_48_hours_and_is_kept_per_mode(live: AppContext, emu: OpenAIEmulator) -> None:
    await flow.research(live, "rainy night", "model")
    assert research_calls(emu) == 3 and emu.responses_requests == []
    await flow.research(live, "rainy night", "web")  # a model answer is not used for web mode
    assert len(emu.responses_requests) == 3
    later = utcnow() + timedelta(hours=49)
    assert live.store.research_cache.get("model", "rainy night", now=later) is None
    assert live.store.research_cache.get("model", "rainy night", now=utcnow() + timedelta(hours=47)) is not None


async def test_web_mode_without_the_tool_falls_back_to_the_model_and_says_so(live: AppContext,
                                                                            emu: OpenAIEmulator) -> None:
    emu.web_search = False
    outcome = await flow.research(live, CONCEPT, "web")
    assert outcome is not None
    assert (outcome.requested_mode, outcome.effective_mode) == ("web", "model")
    assert any("no web-search tool" in note for note in outcome.notes)
    assert research_calls(emu) == 3 * len(KEYWORDS)  # every analysis was done by the model
    # the provider stopped asking once the server said no: the keyword researched after the first two sent none
    assert 0 < len(emu.responses_requests) <= 6
    assert not any("Keyword: vintage film look" in r["input"] for r in emu.responses_requests)
    assert outcome.source_urls == [] and outcome.grounding_score == 0
    assert outcome.brief.sources_analyzed == 12 * len(KEYWORDS)
    assert live.store.research_cache.get("web", "rainy night") is None  # a fallback is not cached as web
    assert "(asked for web)" in outcome.summary()


async def test_a_server_without_the_responses_api_falls_back_too(settings) -> None:
    with OpenAIEmulator(responses_api=False) as emu:
        ctx = AppContext(replace(settings, provider_mode="live", openai_api_key="sk-test", openai_base_url=emu.base_url))
        try:
            outcome = await flow.research(ctx, "rainy night", "web")
        finally:
            await ctx.text.aclose()
            ctx.close()
    assert outcome is not None and outcome.effective_mode == "model"
    assert any("no Responses API" in note for note in outcome.notes)


async def test_sub_themes_cover_every_keyword_once_or_twice(live: AppContext, emu: OpenAIEmulator) -> None:
    outcome = await flow.research(live, CONCEPT, "model")
    themes = outcome.sub_themes
    assert 6 <= len(themes) <= 8
    assert all(t.aesthetic in SUB_THEME_AESTHETICS and t.mood in SUB_THEME_MOODS for t in themes)
    assert all(3 <= len(t.key_elements) <= 5 for t in themes)
    assert all(1 <= n <= 2 for n in keyword_coverage(themes, KEYWORDS).values())
    assert "Keywords missing" not in " ".join(outcome.warnings)


async def test_failed_sub_themes_use_the_six_defaults(live: AppContext, emu: OpenAIEmulator) -> None:
    await flow.research(live, "rainy night", "model")  # cached now: the next run's only call is the sub-themes
    emu.queue_response(status=500)
    emu.queue_response(status=500)
    emu.queue_response(status=500)
    outcome = await flow.research(live, "rainy night", "model")
    assert [t.name for t in outcome.sub_themes] == [t.name for t in DEFAULT_SUB_THEMES]
    assert keyword_coverage(outcome.sub_themes, ["rainy night"]) == {"rainy night": 1}
    assert any("six defaults" in note for note in outcome.notes)


async def test_prompts_follow_the_sub_themes_round_robin_and_keep_the_research(live: AppContext,
                                                                              emu: OpenAIEmulator) -> None:
    result = await flow.generate_prompts(live, CONCEPT, 8, research_with="model")
    themes = result.research.sub_themes
    prompt_users = [r["messages"][-1]["content"] for r in emu.chat_requests
                    if "This is brief" in str(r["messages"][-1]["content"])]
    assert len(prompt_users) == 8
    for index in range(8):
        theme = themes[index % len(themes)]
        line = f"This is brief {index + 1} of 8. Sub-theme: {theme.name} - aesthetic {theme.aesthetic}"
        assert sum(line in u for u in prompt_users) == 1
    assert all("Research context" in u for u in prompt_users)
    stored = live.store.history.get(result.history_id)
    assert stored.research["grounding"]["effective_mode"] == "model"
    assert [t["name"] for t in stored.research["brief"]["sub_themes"]] == [t.name for t in themes]


async def test_research_off_makes_no_research_call(live: AppContext, emu: OpenAIEmulator) -> None:
    result = await flow.generate_prompts(live, CONCEPT, 2, research_with="off")
    assert result.research is None and len(emu.chat_requests) == 2 and emu.responses_requests == []
    assert live.store.history.get(result.history_id).research is None


async def test_the_reference_reaches_the_vision_model_and_the_rules_are_added(live: AppContext,
                                                                            emu: OpenAIEmulator, tmp_path) -> None:
    reference = make_image(tmp_path, "ref.png", size=(40, 60), color=(200, 30, 30))
    result = await flow.generate_prompts(live, "studio portrait", 2, reference=reference, research_with="off")
    assert emu.images_in_chat == 1 and emu.images_seen == [(40, 60)]  # one vision call, the real image
    prompt_users = [str(r["messages"][-1]["content"]) for r in emu.chat_requests[1:]]
    assert all("Reference image analysis" in u and "40x60 red" in u for u in prompt_users)
    for prompt in result.prompts:
        assert prompt.style.startswith(REFERENCE_STYLE_PREFIX)
        assert prompt.hairstyle.style.startswith(REFERENCE_HAIR_PREFIX)


async def test_text_can_be_converted_by_the_model_or_kept(live: AppContext, emu: OpenAIEmulator) -> None:
    kept = await flow.text_prompt(live, "a dancer on a rooftop at dusk")
    assert kept.style == "a dancer on a rooftop at dusk" and emu.chat_requests == []
    converted = await flow.text_prompt(live, "a dancer on a rooftop at dusk", convert=True)
    assert len(emu.chat_requests) == 1 and emu.chat_requests[0]["model"] == "gpt-5.2"
    assert converted.pose.framing and converted.lighting.setup  # every field written, not only the style


async def test_demo_research_is_local_and_marked(demo: AppContext) -> None:
    outcome = await flow.research(demo, CONCEPT, "web")
    assert outcome.demo and outcome.effective_mode == "demo" and outcome.summary().startswith("[demo research]")
    assert outcome.brief.trend_findings.trending_aesthetics and outcome.source_urls == []
    assert all(1 <= n <= 2 for n in keyword_coverage(outcome.sub_themes, KEYWORDS).values())
    again = await flow.research(demo, CONCEPT, "model")
    assert again.cache_hits == 3  # demo research is cached under its own mode
    converted = await flow.text_prompt(demo, "a dancer on a rooftop at dusk", convert=True)
    assert converted.style.startswith("a dancer on a rooftop at dusk") and converted.outfit.main
