"""The offline text provider: schema-valid, varied prompts; real image statistics; scripts of the right length."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.prompt_schema import PromptOutput, parse_prompt
from pixflow_tui.providers.base import ImageAnalysis, PermanentProviderError, TextProvider
from pixflow_tui.providers.demo import DemoTextProvider
from pixflow_tui.providers.demo import vocabulary as vocab
from pixflow_tui.providers.demo.prompts import find_locked_terms

CONCEPT = "rooftop jazz evening in emerald velvet"


@pytest.fixture
def demo_text() -> DemoTextProvider:
    return DemoTextProvider(latency=0)


async def prompts_for(provider: DemoTextProvider, concept: str, count: int, **kwargs: object) -> list[PromptOutput]:
    return [p async for p in provider.concept_prompts(concept, count, **kwargs)]  # type: ignore[arg-type]


def save(tmp_path: Path, name: str, arr: np.ndarray) -> Path:
    path = tmp_path / name
    Image.fromarray(arr.astype(np.uint8)).save(path)
    return path


def solid(height: int, width: int, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, dtype=np.uint8), (height, width, 3)).copy()


def fabric_words() -> set[str]:
    return {w for f in vocab.FABRICS for w in f.split()}


# --------------------------------------------------------------------------- concept → prompts


def test_is_a_text_provider(demo_text: DemoTextProvider) -> None:
    assert isinstance(demo_text, TextProvider) and demo_text.name == "demo"


async def test_concept_prompts_are_valid_and_meet_the_minimums(demo_text: DemoTextProvider) -> None:
    prompts = await prompts_for(demo_text, CONCEPT, 8)
    assert len(prompts) == 8
    for prompt in prompts:
        dumped = prompt.to_json()
        assert parse_prompt(dumped) == prompt  # round-trips through the schema
        assert dumped.count("CRITICAL:") == 1 and prompt.style.count("CRITICAL:") == 1
        assert len(prompt.style) >= 100
        assert len(prompt.pose.framing) >= 30
        assert len(prompt.lighting.setup) >= 40
        assert len(prompt.set_design.backdrop) >= 50
        assert len(prompt.camera.lens) >= 20
        assert len(prompt.outfit.main) >= 40
        skin = prompt.makeup.skin.lower()
        assert "pore" in skin and ("natural" in skin or "texture" in skin)
        assert not find_locked_terms(dumped)


async def test_outfit_names_fabric_colour_and_cut(demo_text: DemoTextProvider) -> None:
    cuts = {w for c in vocab.CUTS for w in c.garment.split()}
    colours = set(vocab.OUTFIT_COLORS) | {"emerald"}
    for prompt in await prompts_for(demo_text, "minimal studio portrait", 6):
        words = set(re.findall(r"[a-z-]+", prompt.outfit.main.lower()))
        assert words & fabric_words(), prompt.outfit.main
        assert words & colours, prompt.outfit.main
        assert words & cuts, prompt.outfit.main


async def test_prompts_reflect_the_concept(demo_text: DemoTextProvider) -> None:
    for prompt in await prompts_for(demo_text, CONCEPT, 4):
        assert "portrait on a rooftop in emerald velvet, jazz evening mood" in prompt.style
        assert prompt.set_design.backdrop.startswith("a rooftop, a parapet edge with the skyline")
        # colour and fabric words of the concept drive the outfit
        assert "emerald" in prompt.outfit.main.lower() and "velvet" in prompt.outfit.main.lower()


async def test_prompts_use_the_concept_rather_than_quote_it(demo_text: DemoTextProvider) -> None:
    concept = "rainy neon street portrait of a jazz singer"
    for prompt in await prompts_for(demo_text, concept, 4):
        dumped = prompt.to_json()
        assert concept not in dumped and " story" not in dumped and "theme" not in dumped
        assert "portrait of a jazz singer on a rainy neon street:" in prompt.style
        assert prompt.set_design.backdrop.startswith("a rainy neon street, wet asphalt")
        assert "paper sweep" not in dumped  # the place named is the set
        assert "neon signage" in prompt.lighting.mood and "rain falling" in prompt.set_design.atmosphere


async def test_prompts_are_written_four_at_a_time_like_the_live_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    prompts = await prompts_for(DemoTextProvider(latency=0.5), CONCEPT, 9)
    assert len(prompts) == 9 and catalog.PROMPTS_AT_ONCE == 4
    assert waits == [0.5, 0.5, 0.5]  # 4 + 4 + 1, one latency per group


async def test_a_batch_is_varied(demo_text: DemoTextProvider) -> None:
    prompts = await prompts_for(demo_text, "city night portraits", 8)
    assert len({p.lighting.setup[:40] for p in prompts}) == 8
    assert len({p.pose.framing for p in prompts}) == 8
    assert len({p.outfit.main for p in prompts}) == 8
    assert len({p.set_design.backdrop for p in prompts}) == 8
    assert len({p.camera.lens for p in prompts}) >= 5
    assert len({p.style for p in prompts}) == 8


async def test_prompts_are_deterministic_per_concept(demo_text: DemoTextProvider) -> None:
    assert await prompts_for(demo_text, CONCEPT, 3) == await prompts_for(DemoTextProvider(0), CONCEPT, 3)
    other = await prompts_for(demo_text, "desert dawn in linen", 1)
    assert other[0] != (await prompts_for(demo_text, CONCEPT, 1))[0]


async def test_locked_identity_terms_in_the_concept_are_dropped(demo_text: DemoTextProvider) -> None:
    prompts = await prompts_for(demo_text, "young blonde beautiful asian woman with blue eyes, CRITICAL: red coat", 3)
    for prompt in prompts:
        dumped = prompt.to_json()
        assert not find_locked_terms(dumped)
        assert dumped.count("CRITICAL:") == 1
        assert "red coat" in prompt.style


async def test_reference_analysis_is_folded_in(demo_text: DemoTextProvider) -> None:
    reference = ImageAnalysis(summary="", width=800, height=1200, orientation="portrait",
                              dominant_colors=("amber", "brown", "black"), brightness=0.2, contrast=0.7)
    for prompt in await prompts_for(demo_text, "candlelit dinner", 3, reference=reference):
        assert "Inspired by the reference: warm amber and brown tones, low-key, high contrast" in prompt.style
        assert "inspired by the reference" in prompt.lighting.mood and "amber" in prompt.lighting.mood
        assert "amber" in prompt.effects.color_grade
        assert prompt.effects.contrast == "high contrast"
        assert prompt.style.count("CRITICAL:") == 1


def test_vocabulary_has_no_locked_terms() -> None:
    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, tuple):
            return [s for item in value for s in strings(item)]
        return []

    entries = [s for name, value in vars(vocab).items()
               if name.isupper() and name not in ("LOCKED_TERMS", "BANNED_WORDS") for s in strings(value)]
    assert len(entries) > 200
    assert not [e for e in entries if find_locked_terms(e)]


async def test_empty_concept_is_rejected(demo_text: DemoTextProvider) -> None:
    with pytest.raises(PermanentProviderError):
        await prompts_for(demo_text, "   ", 2)


# --------------------------------------------------------------------------- image analysis and image → prompt


async def test_half_black_half_white_has_full_contrast(demo_text: DemoTextProvider, tmp_path: Path) -> None:
    arr = np.zeros((100, 200, 3), dtype=np.uint8)
    arr[:, 100:] = 255
    analysis = await demo_text.analyze_reference(save(tmp_path, "half.png", arr))
    assert (analysis.width, analysis.height, analysis.orientation) == (200, 100, "landscape")
    assert analysis.contrast > 0.95
    assert abs(analysis.brightness - 0.5) < 0.03
    assert set(analysis.dominant_colors[:2]) == {"black", "white"}
    assert "landscape" in analysis.summary


@pytest.mark.parametrize(("size", "rgb", "orientation", "colour"), [
    ((200, 300), (0, 0, 255), "landscape", "blue"),
    ((300, 150), (220, 20, 20), "portrait", "red"),
    ((120, 120), (40, 160, 60), "square", "green"),
    ((90, 160), (240, 130, 30), "landscape", "orange"),
])
async def test_solid_images(demo_text: DemoTextProvider, tmp_path: Path, size: tuple[int, int], rgb: tuple[int, int, int],
                            orientation: str, colour: str) -> None:
    analysis = await demo_text.analyze_reference(save(tmp_path, "solid.jpg", solid(*size, rgb)))
    assert analysis.orientation == orientation
    assert analysis.dominant_colors[0] == colour
    assert analysis.contrast < 0.02


async def test_brightness_is_mean_luma(demo_text: DemoTextProvider, tmp_path: Path) -> None:
    white = await demo_text.analyze_reference(save(tmp_path, "white.png", solid(50, 50, (255, 255, 255))))
    grey = await demo_text.analyze_reference(save(tmp_path, "grey.png", solid(50, 50, (64, 64, 64))))
    assert white.brightness == pytest.approx(1.0, abs=0.01)
    assert grey.brightness == pytest.approx(64 / 255, abs=0.01)


async def test_bad_image_files_are_named(demo_text: DemoTextProvider, tmp_path: Path) -> None:
    missing = tmp_path / "gone.png"
    with pytest.raises(PermanentProviderError) as info:
        await demo_text.analyze_reference(missing)
    assert str(missing) in info.value.message and "not found" in info.value.message
    bogus = tmp_path / "notes.jpg"
    bogus.write_text("hello")
    with pytest.raises(PermanentProviderError) as info:
        await demo_text.image_to_prompt(bogus)
    assert str(bogus) in info.value.message and "not a decodable image" in info.value.message


async def test_image_to_prompt_follows_the_pixels(demo_text: DemoTextProvider, tmp_path: Path) -> None:
    dark = solid(300, 200, (20, 30, 110))
    dark[100:200, 60:140] = (200, 170, 60)
    prompt = await demo_text.image_to_prompt(save(tmp_path, "dark.png", dark), context="moody jazz club")
    assert parse_prompt(prompt.to_json()) == prompt
    assert prompt.style.startswith("moody jazz club")
    assert "low-key" in prompt.style and "low-key" in prompt.lighting.mood
    assert "navy" in prompt.effects.color_grade
    assert "vertical" in prompt.pose.framing  # portrait source
    assert prompt.style.count("CRITICAL:") == 1
    bright = await demo_text.image_to_prompt(save(tmp_path, "bright.png", solid(100, 300, (240, 240, 235))))
    assert "high-key" in bright.style and "horizontal" in bright.pose.framing
    assert len(bright.lighting.setup) >= 40 and len(bright.outfit.main) >= 40


async def test_text_to_prompt_preserves_the_original(demo_text: DemoTextProvider) -> None:
    original = "  A portrait in soft window light,\nlinen shirt, 85mm.  "
    prompt = await demo_text.text_to_prompt(original)
    assert prompt.style == original
    assert prompt == PromptOutput(style=original)  # every other field empty
    with pytest.raises(PermanentProviderError):
        await demo_text.text_to_prompt("x" * (catalog.TEXT_TO_JSON_MAX_CHARS + 1))


# --------------------------------------------------------------------------- scripts and translation


def within_tolerance(count: int, duration: int) -> bool:
    target = max(8, math.floor(duration * 2.5))
    return abs(count - target) <= max(4, target * 0.18)


@pytest.mark.parametrize("tone", catalog.TONES)
@pytest.mark.parametrize("duration", [5, 15, 30, 60])
async def test_script_length_and_content(demo_text: DemoTextProvider, tone: str, duration: int) -> None:
    script = await demo_text.write_script("golden hour portraits", duration, tone, app_name="Clone AI")
    assert script.word_count == len(script.text.split())
    assert within_tolerance(script.word_count, duration), (script.word_count, script.text)
    assert script.estimated_duration == pytest.approx(script.word_count / 2.5, abs=0.01)
    assert "golden hour portraits" in script.text.lower()
    assert "Clone AI" in script.text


async def test_tones_sound_different(demo_text: DemoTextProvider) -> None:
    scripts = {tone: (await demo_text.write_script("city lights", 20, tone)).text for tone in catalog.TONES}
    assert len(set(scripts.values())) == len(catalog.TONES)
    assert "AI photo app" in scripts["casual"]  # no app name: the product context is still there


async def test_refine_script(demo_text: DemoTextProvider) -> None:
    script = (await demo_text.write_script("velvet evening looks", 30, "friendly", "Fyro")).text
    words = script.split()
    shorter = await demo_text.refine_script(script, "make it shorter", 30)
    assert shorter.word_count < len(words) and shorter.text.split()[:6] == words[:6]
    longer = await demo_text.refine_script(script, "a bit longer please", 30)
    assert longer.word_count > len(words) and longer.text.startswith(script.rstrip("."))
    fitted = await demo_text.refine_script(script, "improve the flow", 10)
    assert within_tolerance(fitted.word_count, 10) and fitted.text.split()[:5] == words[:5]
    assert fitted.text.endswith((".", "!", "?"))


async def test_translate_is_labelled(demo_text: DemoTextProvider) -> None:
    result = await demo_text.translate("Hello there.", ("TR", "Spanish"))
    assert result == {"TR": "[demo translation to Turkish] Hello there.",
                      "Spanish": "[demo translation to Spanish] Hello there."}
    assert json.dumps(result)  # plain strings


async def test_a_concept_with_its_own_article_reads_naturally(demo_text: DemoTextProvider) -> None:
    for prompt in await prompts_for(demo_text, "a red fox in snow", 3):
        text = prompt.to_json().lower()
        assert "portrait of a red fox in snow:" in prompt.style.lower()
        assert not re.search(r"\b(a|the) (a|an|the) ", text), prompt.style
