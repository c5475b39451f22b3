"""The Prompt Factory against the OpenAI emulator: the real `openai` SDK, the real wire protocol, no network."""
from __future__ import annotations

from pathlib import Path

import pytest
from emulators.openai_emulator import OpenAIEmulator

from pf_helpers import fill, make_image, message, pf, prompt_list, results, settle, view, write_concept

CONCEPT = "vintage racing driver portrait"


@pytest.fixture
def live_app(make_app, emu: OpenAIEmulator):
    """Research is off unless a test asks for it: the scripted answers below are for the prompt calls."""
    def make(**overrides):
        overrides.setdefault("research", "off")
        return make_app(provider_mode="live", openai_api_key="sk-test", openai_base_url=emu.base_url, **overrides)

    return make


async def test_concept_flow_against_the_emulator(live_app, emu: OpenAIEmulator) -> None:
    app = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.context.mode_label == "LIVE"
        await write_concept(pilot, CONCEPT, 2)
        screen = pf(app)
        assert len(emu.chat_requests) == 2  # one structured call per prompt
        assert all(r["response_format"]["type"] == "json_schema" for r in emu.chat_requests)
        assert all(CONCEPT in str(r["messages"]) for r in emu.chat_requests)
        assert emu.auth_headers and all(h == "Bearer sk-test" for h in emu.auth_headers)
        assert screen.results.shown is not None and len(screen.results.shown.prompts) == 2
        assert prompt_list(app).highlighted == 0 and view(app).prompt == screen.results.shown.prompts[0]
        # the emulator writes every field from the words it was sent
        assert "vintage" in view(app).prompt.style.lower()
        history = app.context.store.history.list()
        assert [(h.source, h.prompt_count, h.model_used) for h in history] == [("generated", 2, "openai")]
        assert "2 prompts written" in message(app)


async def test_malformed_model_output_is_reported_and_the_app_carries_on(live_app, emu: OpenAIEmulator) -> None:
    app = live_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        emu.queue_response(content="not json")
        emu.queue_response(content="not json")  # the provider tries once more, then gives up
        await write_concept(pilot, CONCEPT, 1)
        text = message(app)
        assert "Prompt generation failed: the model returned malformed output (prompt 1 of 1): not json" in text
        assert pf(app).query_one("#message").has_class("-error")
        assert "Traceback" not in text
        assert len(emu.chat_requests) == 2
        assert app.context.store.history.count() == 0  # nothing arrived, nothing to keep
        assert results(app).shown is None and app.is_running and not pf(app).busy

        # the next run works
        await pilot.press("c", "enter")
        await settle(pilot)
        assert results(app).shown is not None and len(results(app).shown.prompts) == 1
        assert app.context.store.history.count() == 1


async def test_one_bad_answer_in_a_batch_keeps_the_good_prompts(live_app, emu: OpenAIEmulator) -> None:
    app = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # both first answers are cut-off JSON, and so is one of the two retries: one prompt fails for good
        for _ in range(3):
            emu.queue_response(content="{\"style\": ")
        await write_concept(pilot, CONCEPT, 2)
        screen = pf(app)
        assert len(emu.chat_requests) == 4
        assert screen.results.shown is not None and len(screen.results.shown.prompts) == 1
        assert "malformed output" in message(app) and "kept the 1 prompt already written" in message(app)
        history = app.context.store.history.list()
        assert [h.prompt_count for h in history] == [1]


async def test_an_http_error_from_the_provider_is_shown_in_its_words(live_app, emu: OpenAIEmulator) -> None:
    app = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        emu.queue_response(status=401)
        await write_concept(pilot, CONCEPT, 1)
        assert "Prompt generation failed" in message(app)
        assert "OpenAI refused the API key (401): Incorrect API key provided." in message(app)
        assert "sk-test" not in message(app)
        assert app.is_running


async def test_image_mode_against_the_emulator(live_app, emu: OpenAIEmulator, tmp_path: Path) -> None:
    image = make_image(tmp_path, "blue.png", size=(32, 16), color=(20, 40, 220))
    app = live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await fill(pilot, "#image", str(image), typed=False)
        await pilot.press("enter")
        await settle(pilot)
        assert emu.images_seen == [(32, 16)]  # the real PNG went over the wire as a data URL
        prompt = view(app).prompt
        assert prompt is not None and "32x16" in prompt.to_json()
        assert app.context.store.history.list()[0].source == "analyzed"


async def test_a_run_researches_on_the_web_first_and_shows_the_report(live_app, emu: OpenAIEmulator) -> None:
    from pixflow_tui.tui.screens.prompt_factory.research_panel import ResearchPanel

    emu.web_sources = [("https://www.vogue.com/x", "x"), ("https://petapixel.com/y", "y")]
    app = live_app(research="web")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await write_concept(pilot, "neon portrait, rainy night", 2)
        assert len(emu.responses_requests) == 6  # two keywords, three web analyses each
        prompt_calls = [r for r in emu.chat_requests if "This is brief" in str(r["messages"][-1]["content"])]
        assert len(prompt_calls) == 2 and len(emu.chat_requests) == 3  # and one for the sub-themes
        batch = results(app).shown
        assert batch is not None and batch.research is not None and batch.research.effective_mode == "web"
        assert "grounding 22" in message(app)  # min(70, 5·2) + min(30, 6·2)
        panel = pf(app).query_one(ResearchPanel)
        assert not panel.display  # the prompt view is shown once prompts arrive
        await pilot.press("R")
        await pilot.pause()
        assert panel.display and not view(app).display and app.focused is panel
        shown = str(panel.query_one("#research-text").render())
        assert "vogue.com, petapixel.com" in shown and "Grounding 22/100" in shown
        assert all(t.name in shown for t in batch.research.sub_themes)
        stored = app.context.store.history.list()[0]
        assert stored.research["grounding"]["grounding_score"] == 22
        await pilot.press("R")
        await pilot.pause()
        assert not panel.display and view(app).display

        # the same concept again: every keyword comes from the cache, no web call
        await write_concept(pilot, "neon portrait, rainy night", 1)
        assert len(emu.responses_requests) == 6
        assert "cache 2/2" in message(app)
