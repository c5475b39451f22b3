"""OpenAITextProvider end to end: the real openai SDK against the local OpenAI emulator."""
from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from emulators._http import Request, Response
from emulators.openai_emulator import OpenAIEmulator
from provider_support import OPENAI_SECRET

from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.providers import openai_text
from pixflow_tui.providers.base import (
    ImageAnalysis,
    MissingKeyError,
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)
from pixflow_tui.providers.openai_text import OpenAITextProvider

GOOD_PROMPT = PromptOutput(style="CRITICAL: a red lacquered telephone; editorial diner portrait, 85mm").to_json()
REFERENCE = ImageAnalysis(summary="a warm, bright portrait", width=600, height=800, orientation="portrait",
                          dominant_colors=("amber", "burgundy"), brightness=0.7, contrast=0.4)


def words(n: int) -> str:
    return " ".join(["word"] * n)


def user_text(request: dict[str, Any]) -> str:
    content = request["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


# ---------------------------------------------------------------------------------------------- prompts


async def test_concept_prompts_one_call_per_prompt_each_with_its_own_angle(
        text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    prompts = [p async for p in text.concept_prompts("retro diner romance", 5, reference=REFERENCE,
                                                     product="Clone AI")]

    assert len(prompts) == 5 and all(isinstance(p, PromptOutput) and p.style for p in prompts)
    assert len(openai_emu.chat_requests) == 5
    users = sorted(user_text(r) for r in openai_emu.chat_requests)
    assert [f"brief {i} of 5" in u for i, u in enumerate(users, 1)] == [True] * 5
    request = openai_emu.chat_requests[0]
    assert request["model"] == "gpt-4o"
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    system = request["messages"][0]["content"]
    assert "CRITICAL:" in system and "English only" in system and "aspect ratio" in system
    assert all("retro diner romance" in u and "amber, burgundy" in u and "Clone AI" in u for u in users)
    assert openai_emu.auth_headers[0] == f"Bearer {OPENAI_SECRET}"


class _CountingEmulator(OpenAIEmulator):
    """Holds every chat call for a moment and records how many were in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.max_in_flight = 0
        self._count_lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        with self._count_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(0.1)
            return super().handle(request)
        finally:
            with self._count_lock:
                self.in_flight -= 1


async def test_concept_prompts_run_at_most_four_calls_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with _CountingEmulator() as emu:
        provider = OpenAITextProvider(OPENAI_SECRET, base_url=emu.base_url, max_retries=0)
        prompts = [p async for p in provider.concept_prompts("beach picnic", 9)]
        await provider.aclose()
    assert len(prompts) == 9
    assert emu.max_in_flight == 4


async def test_one_failed_prompt_does_not_stop_the_others(text: OpenAITextProvider, openai_emu: OpenAIEmulator,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_text, "MAX_CONCURRENT_PROMPTS", 1)  # deterministic order of scripted answers
    openai_emu.queue_response(refusal="I can't help with that.")
    openai_emu.queue_response(refusal="I can't help with that.")
    received = []
    with pytest.raises(PermanentProviderError, match="I can't help with that."):
        async for prompt in text.concept_prompts("night market", 3):
            received.append(prompt)
    assert len(received) == 2


async def test_image_to_prompt_sends_the_image_as_a_high_detail_data_url(
        text: OpenAITextProvider, openai_emu: OpenAIEmulator, make_image: Callable[..., Path]) -> None:
    image = make_image("look.png", size=(40, 30), color=(220, 20, 20))
    prompt = await text.image_to_prompt(image, context="summer campaign")

    assert isinstance(prompt, PromptOutput) and prompt.style
    [request] = openai_emu.chat_requests
    part = request["messages"][-1]["content"][1]
    assert part["image_url"]["detail"] == "high"
    url = part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == image.read_bytes()
    assert openai_emu.images_seen == [(40, 30)]
    assert "summer campaign" in user_text(request)


async def test_image_to_prompt_checks_the_file_first(text: OpenAITextProvider, openai_emu: OpenAIEmulator,
                                                     make_image: Callable[..., Path], tmp_path: Path) -> None:
    not_image = tmp_path / "notes.png"
    not_image.write_text("just text")
    too_big = tmp_path / "huge.jpg"
    with too_big.open("wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    gif = make_image("anim.gif", fmt="GIF")
    cases = [(tmp_path / "missing.png", "file not found"), (not_image, "not a readable image"),
             (too_big, "over the 10 MB limit"), (gif, "GIF is not supported")]
    for path, problem in cases:
        with pytest.raises(PermanentProviderError) as caught:
            await text.image_to_prompt(path)
        assert path.name in caught.value.message and problem in caught.value.message
    assert openai_emu.chat_requests == []


async def test_analyze_reference_asks_the_vision_model_and_keeps_the_pixel_statistics(
        text: OpenAITextProvider, openai_emu: OpenAIEmulator, make_image: Callable[..., Path]) -> None:
    analysis = await text.analyze_reference(make_image("wide.png", size=(120, 60), color=(30, 60, 230)))
    assert (analysis.width, analysis.height, analysis.orientation) == (120, 60, "landscape")
    assert analysis.dominant_colors[0] == "blue" and analysis.described_by == "gpt-4o"
    assert openai_emu.images_in_chat == 1 and openai_emu.images_seen == [(120, 60)]
    request = openai_emu.chat_requests[0]
    assert request["model"] == "gpt-4o" and request["response_format"]["type"] == "json_schema"
    assert "120x60 blue" in analysis.summary  # the emulator's look at the real pixels came back


async def test_text_to_prompt_needs_no_call_and_no_key() -> None:
    provider = OpenAITextProvider(None)
    plain = await provider.text_to_prompt("  A woman in a yellow raincoat, Tokyo at night  ")
    assert plain.style == "A woman in a yellow raincoat, Tokyo at night"
    assert plain.pose.framing == "" and plain.outfit.main == ""

    ours = PromptOutput(style="CRITICAL: neon", lighting={"setup": "two gelled strips"})  # type: ignore[arg-type]
    assert await provider.text_to_prompt(ours.to_json()) == ours

    foreign = json.dumps({
        "subject": {"description": "a dancer mid-spin", "clothing": "red tulle skirt", "expression": "joyful"},
        "scene": "rooftop at dusk", "camera": {"lens": "35mm", "angle": "low angle"},
        "lighting": "golden hour backlight", "mood": "euphoric", "color_palette": ["amber", "teal"],
        "weather": "light breeze",
    })
    mapped = await provider.text_to_prompt(foreign)
    assert mapped.style.startswith("a dancer mid-spin") and "weather: light breeze" in mapped.style
    assert mapped.outfit.main == "red tulle skirt"
    assert mapped.pose.expression.facial == "joyful"
    assert mapped.set_design.backdrop == "rooftop at dusk"
    assert (mapped.camera.lens, mapped.camera.angle) == ("35mm", "low angle")
    assert (mapped.lighting.setup, mapped.lighting.mood) == ("golden hour backlight", "euphoric")
    assert mapped.effects.color_grade == "amber, teal"


# ---------------------------------------------------------------------------------------------- scripts


async def test_write_script_targets_two_and_a_half_words_a_second(text: OpenAITextProvider,
                                                                  openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(json.dumps({"script": words(37)}))
    script = await text.write_script("one selfie, a whole photo shoot", 15, "energetic", app_name="Clone AI",
                                     examples=("You will not believe this.",))

    assert (script.word_count, script.estimated_duration) == (37, 14.8)
    [request] = openai_emu.chat_requests
    message = user_text(request)
    assert "37 words" in message and "energetic" in message and "Clone AI" in message
    assert "You will not believe this." in message


async def test_a_script_of_the_wrong_length_is_rewritten_once(text: OpenAITextProvider,
                                                              openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(json.dumps({"script": words(10)}))
    openai_emu.queue_response(json.dumps({"script": words(74)}))
    script = await text.write_script("glow-up", 30, "casual")
    assert script.word_count == 74
    assert len(openai_emu.chat_requests) == 2
    assert "has 10 words but must have 75" in user_text(openai_emu.chat_requests[1])


async def test_refine_script_passes_the_feedback(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(json.dumps({"script": words(25)}))
    script = await text.refine_script(words(30), "shorter and punchier", 10)
    assert script.word_count == 25
    assert "shorter and punchier" in user_text(openai_emu.chat_requests[0])


async def test_translate_returns_one_text_per_language(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(json.dumps({"translations": [
        {"language": "turkish", "text": "Merhaba"}, {"language": "Spanish", "text": "Hola"}]}))
    assert await text.translate("Hello", ("Turkish", "Spanish")) == {"Turkish": "Merhaba", "Spanish": "Hola"}
    assert await text.translate("Hello", ()) == {}
    assert len(openai_emu.chat_requests) == 1


async def test_translate_missing_a_language_is_retried_then_reported(text: OpenAITextProvider,
                                                                     openai_emu: OpenAIEmulator) -> None:
    partial = json.dumps({"translations": [{"language": "Spanish", "text": "Hola"}]})
    openai_emu.queue_response(partial)
    openai_emu.queue_response(partial)
    with pytest.raises(PermanentProviderError, match="no translation for Turkish"):
        await text.translate("Hello", ("Turkish", "Spanish"))
    assert len(openai_emu.chat_requests) == 2


# ---------------------------------------------------------------------------------------------- model failures


async def test_malformed_json_is_retried_once_then_reported_in_the_models_words(
        text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    garbage = '{"style": "a portrait in the rain", "pose": ' + "x" * 300
    openai_emu.queue_response(garbage)
    openai_emu.queue_response(garbage)
    with pytest.raises(PermanentProviderError) as caught:
        await _one_prompt(text)
    assert "the model returned malformed output" in caught.value.message
    assert garbage[:200] in caught.value.message and garbage[:201] not in caught.value.message
    assert len(openai_emu.chat_requests) == 2


async def _one_prompt(provider: OpenAITextProvider) -> PromptOutput:
    return [p async for p in provider.concept_prompts("rainy city", 1)][0]


async def test_malformed_then_good_succeeds(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response("not json at all")
    openai_emu.queue_response(GOOD_PROMPT)
    prompt = await _one_prompt(text)
    assert prompt.style.startswith("CRITICAL: a red lacquered telephone")
    assert len(openai_emu.chat_requests) == 2


async def test_refusal_twice_is_permanent_with_the_refusal_text(text: OpenAITextProvider,
                                                                openai_emu: OpenAIEmulator) -> None:
    for _ in range(2):
        openai_emu.queue_response(refusal="I'm sorry, I can't describe that image.")
    with pytest.raises(PermanentProviderError, match="I'm sorry, I can't describe that image."):
        await _one_prompt(text)
    assert len(openai_emu.chat_requests) == 2


async def test_a_refusal_then_a_good_answer_succeeds_after_one_retry(text: OpenAITextProvider,
                                                                     openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(refusal="I can't help with that.")
    openai_emu.queue_response(GOOD_PROMPT)
    assert (await _one_prompt(text)).style.startswith("CRITICAL:")
    assert len(openai_emu.chat_requests) == 2


async def test_cut_off_and_filtered_answers(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    for _ in range(2):
        openai_emu.queue_response('{"style": "a long', finish_reason="length")
    with pytest.raises(PermanentProviderError, match="cut off"):
        await _one_prompt(text)
    for _ in range(2):
        openai_emu.queue_response("", finish_reason="content_filter")
    with pytest.raises(PermanentProviderError, match="^refused by the provider's content policy"):
        await _one_prompt(text)
    assert len(openai_emu.chat_requests) == 4


# ---------------------------------------------------------------------------------------------- API failures


async def test_429_is_transient_with_retry_after(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    openai_emu.queue_response(status=429, headers={"Retry-After": "3"})
    with pytest.raises(TransientProviderError) as caught:
        await _one_prompt(text)
    assert (caught.value.retry_after, caught.value.status_code) == (3.0, 429)
    assert len(openai_emu.chat_requests) == 1


async def test_exhausted_quota_is_permanent(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    body = {"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                      "param": None, "code": "insufficient_quota"}}
    openai_emu.queue_response(status=429, body=body)
    with pytest.raises(PermanentProviderError, match="quota"):
        await text.write_script("x", 10, "casual")


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_transient(text: OpenAITextProvider, openai_emu: OpenAIEmulator,
                                           status: int) -> None:
    openai_emu.queue_response(status=status)
    with pytest.raises(TransientProviderError) as caught:
        await text.translate("Hello", ("German",))
    assert caught.value.status_code == status


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_client_errors_are_permanent_with_the_message(text: OpenAITextProvider, openai_emu: OpenAIEmulator,
                                                            status: int) -> None:
    openai_emu.queue_response(status=status)
    with pytest.raises(PermanentProviderError) as caught:
        await _one_prompt(text)
    assert caught.value.status_code == status and caught.value.message


async def test_connection_drop_and_timeout_are_transient(openai_emu: OpenAIEmulator) -> None:
    provider = OpenAITextProvider(OPENAI_SECRET, base_url=openai_emu.base_url, max_retries=0, timeout=0.5)
    openai_emu.queue_response(drop=True)
    with pytest.raises(TransientProviderError, match="could not reach OpenAI"):
        await _one_prompt(provider)
    openai_emu.queue_response(GOOD_PROMPT, delay=2)
    with pytest.raises(TransientProviderError, match="did not answer in time"):
        await _one_prompt(provider)
    openai_emu.stop()
    with pytest.raises(TransientProviderError):
        await _one_prompt(provider)
    await provider.aclose()


async def test_empty_inputs_are_refused_without_a_call(text: OpenAITextProvider,
                                                        openai_emu: OpenAIEmulator) -> None:
    with pytest.raises(PermanentProviderError, match="concept is empty"):
        [p async for p in text.concept_prompts("  ", 3)]
    with pytest.raises(PermanentProviderError, match="text is empty"):
        await text.text_to_prompt("\n")
    with pytest.raises(PermanentProviderError, match="limit is 8000"):
        await text.text_to_prompt("x" * 8001)
    with pytest.raises(PermanentProviderError, match="script is empty"):
        await text.refine_script("", "shorter", 10)
    assert openai_emu.chat_requests == []


async def test_a_rejected_key_stops_the_whole_batch(text: OpenAITextProvider, openai_emu: OpenAIEmulator,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_text, "MAX_CONCURRENT_PROMPTS", 1)
    openai_emu.queue_response(status=401)
    with pytest.raises(PermanentProviderError, match="refused the API key"):
        [p async for p in text.concept_prompts("city", 5)]
    assert len(openai_emu.chat_requests) <= 2  # the next call may already be on the wire when the first fails


async def test_missing_key_fails_only_when_called(openai_emu: OpenAIEmulator, make_image: Callable[..., Path]) -> None:
    provider = OpenAITextProvider(None, base_url=openai_emu.base_url)
    calls = [
        lambda: _one_prompt(provider),
        lambda: provider.image_to_prompt(make_image()),
        lambda: provider.write_script("x", 10, "casual"),
        lambda: provider.refine_script("x", "y", 10),
        lambda: provider.translate("x", ("French",)),
    ]
    for call in calls:
        with pytest.raises(MissingKeyError, match="OPENAI_API_KEY is not set"):
            await call()
    assert openai_emu.chat_requests == [] and openai_emu.auth_headers == []


async def test_the_key_never_appears_in_errors(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    leaky = [
        {"error": {"message": f"Incorrect API key provided: {OPENAI_SECRET}.", "type": "invalid_request_error",
                   "param": None, "code": "invalid_api_key"}},
        {"error": {"message": "Incorrect API key provided: sk-test-****2e.", "type": "invalid_request_error",
                   "param": None, "code": "invalid_api_key"}},
    ]
    messages = []
    for body in leaky:
        openai_emu.queue_response(status=401, body=body)
        with pytest.raises(ProviderError) as caught:
            await _one_prompt(text)
        messages.append(str(caught.value))
    for _ in range(2):
        openai_emu.queue_response(f"echo {OPENAI_SECRET} " + "{")
    with pytest.raises(ProviderError) as caught:
        await _one_prompt(text)
    messages.append(str(caught.value))
    assert all(OPENAI_SECRET not in m and "****2e" not in m for m in messages), messages
    assert OPENAI_SECRET not in repr(text)


async def test_openai_base_url_from_the_environment(openai_emu: OpenAIEmulator,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_emu.base_url)
    provider = OpenAITextProvider(OPENAI_SECRET, max_retries=0)
    assert (await _one_prompt(provider)).style
    await provider.aclose()


async def test_concept_prompts_carry_the_taste_guidance(text: OpenAITextProvider, openai_emu: OpenAIEmulator) -> None:
    from pixflow_tui.core.taste import TasteGuidance

    taste = TasteGuidance("Fyro", (("lighting", "rembrandt lighting"),), (("camera", "fisheye lens"),), 12)
    prompts = [p async for p in text.concept_prompts("retro diner romance", 2, taste=taste)]
    assert len(prompts) == 2
    for request in openai_emu.chat_requests:
        user = user_text(request)
        assert "Favour these liked patterns: Lighting setup: rembrandt lighting" in user
        assert "Avoid these disliked patterns: Camera: fisheye lens" in user
        assert "Keep variety" in user and "12 ratings for Fyro" in user
