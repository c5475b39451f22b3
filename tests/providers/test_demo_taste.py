"""The demo provider follows taste guidance: over 50 prompts, liked patterns appear measurably more often and
disliked ones less often than without it, while the prompts stay varied."""
from __future__ import annotations

from collections import Counter

from pixflow_tui.core.taste import TasteGuidance, field_pattern, prompt_patterns
from pixflow_tui.providers.demo import prompts as demo
from pixflow_tui.providers.demo import vocabulary as vocab

CONCEPTS = ("rainy neon street portrait", "sunlit linen picnic", "velvet jazz club", "desert fashion editorial",
            "winter cabin knitwear")


def _pattern(section: str, text: str) -> tuple[str, str]:
    found = field_pattern(section, text)
    assert found is not None
    return found


LIKED = (_pattern("lighting", vocab.LIGHTING[0].setup), _pattern("camera", vocab.LENSES[0].lens),
         _pattern("set_design", vocab.BACKDROPS[0]), _pattern("effects", vocab.COLOR_GRADES[0]))
DISLIKED = (_pattern("lighting", vocab.LIGHTING[2].setup), _pattern("camera", vocab.LENSES[1].lens),
            _pattern("set_design", vocab.BACKDROPS[1]), _pattern("effects", vocab.COLOR_GRADES[1]))
TASTE = TasteGuidance("Clone AI", LIKED, DISLIKED, 40)


def _fifty(taste: TasteGuidance | None) -> list[frozenset[tuple[str, str]]]:
    return [prompt_patterns(demo.concept_prompt(concept, index, taste=taste).model_dump())
            for concept in CONCEPTS for index in range(10)]


def _counts(prompts: list[frozenset[tuple[str, str]]], patterns: tuple[tuple[str, str], ...]) -> Counter[tuple[str, str]]:
    return Counter(p for found in prompts for p in patterns if p in found)


def test_taste_on_uses_liked_patterns_more_and_disliked_ones_less() -> None:
    off, on = _fifty(None), _fifty(TASTE)
    liked_off, liked_on = _counts(off, LIKED), _counts(on, LIKED)
    disliked_off, disliked_on = _counts(off, DISLIKED), _counts(on, DISLIKED)
    for pattern in LIKED:  # each liked pattern at least twice as often (about 1 in 12 → more than half)
        assert liked_on[pattern] >= 2 * max(1, liked_off[pattern]), (pattern, liked_off, liked_on)
    assert sum(disliked_off.values()) >= 8 and sum(disliked_on.values()) < sum(disliked_off.values()) / 4
    # variety stays: most prompts take some liked patterns, not all of them, and the lighting still varies
    assert sum(len(found & set(LIKED)) == len(LIKED) for found in on) < len(on) / 2
    assert sum(bool(found & set(LIKED)) for found in on) > len(on) * 0.8
    lights = {p for found in on for p in found if p[0] == "lighting"}
    assert len(lights) >= 5


def test_each_prompt_says_what_it_used_and_avoided() -> None:
    prompt = demo.concept_prompt("velvet jazz club", 3, taste=TASTE).model_dump()
    note = TASTE.note_for(prompt)
    found = prompt_patterns(prompt)
    assert set(note.used_liked) == set(LIKED) & found
    assert set(note.avoided_disliked) == set(DISLIKED) - found
    assert note.text().startswith("used liked: ")


def test_without_guidance_prompts_are_unchanged() -> None:
    empty = TasteGuidance("x", (), ())
    assert demo.concept_prompt("velvet jazz club", 2, taste=empty) == demo.concept_prompt("velvet jazz club", 2)
