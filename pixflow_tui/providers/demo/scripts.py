"""Voiceover scripts from a tone vocabulary: ⌊duration × 2.5⌋ words (tolerance max(4, 18 %), minimum 8)."""
from __future__ import annotations

import random
import re

from pixflow_tui.core import catalog
from pixflow_tui.core.scripts import MIN_WORDS, target_words, tolerance
from pixflow_tui.providers.base import Script
from pixflow_tui.providers.demo.common import stable_seed
from pixflow_tui.providers.demo.prompts import clean_concept

_TONES: dict[str, dict[str, tuple[str, ...]]] = {
    "casual": {
        "hooks": ("Okay, so I tried {concept} photos.", "So, {concept}. Here is what happened."),
        "compact": ("So I made {concept} photos with {app}.",),
        "app": ("I just used {app} on my phone.", "All of it came out of {app}."),
        "adjectives": ("pretty real", "kind of unreal", "honestly nice", "way better than I thought"),
        "ctas": ("Try it if you are curious.", "Anyway, give it a go."),
    },
    "professional": {
        "hooks": ("Here is a fast way to produce {concept} imagery.", "Let me show you a {concept} workflow."),
        "compact": ("{concept} imagery, produced in {app}.",),
        "app": ("Everything here was made in {app}.", "The tool is {app}."),
        "adjectives": ("consistent", "production ready", "clean and controlled", "on brief"),
        "ctas": ("Try it on your next shoot.", "Worth adding to your workflow."),
    },
    "energetic": {
        "hooks": ("Wait, {concept}? You have to see this!", "Stop scrolling, {concept} just got real!"),
        "compact": ("Wait, {concept} made with {app}? Yes!",),
        "app": ("I made all of these with {app}!", "This is {app}, and it is fast!"),
        "adjectives": ("insane", "so sharp", "wild", "incredibly good"),
        "ctas": ("Go try it right now!", "Seriously, try it today!"),
    },
    "friendly": {
        "hooks": ("Hi friends, let me show you {concept} photos.", "Hey, want to see my {concept} shots?"),
        "compact": ("Hey, I made {concept} shots with {app}.",),
        "app": ("I made them with {app}, and it was easy.", "I used {app} for every one."),
        "adjectives": ("lovely", "really warm", "so natural", "just right"),
        "ctas": ("I hope you try it too.", "Tell me what you make with it."),
    },
    "dramatic": {
        "hooks": ("Imagine {concept}, captured in a single frame.", "This is {concept}, like you have never seen it."),
        "compact": ("{concept}, reimagined by {app}.",),
        "app": ("One photo. One tap. {app}.", "Behind every frame, {app}."),
        "adjectives": ("cinematic", "haunting", "bold", "unforgettable"),
        "ctas": ("Your story starts now.", "Step into the frame."),
    },
}
_ASPECTS = ("the lighting", "the colour palette", "the skin texture", "the background", "every outfit detail",
            "the framing", "every shadow", "the fabric", "the mood", "the grain", "the final edit", "each close-up")
_VERBS = ("looks", "feels", "comes out", "turned out")
_STOPWORDS = frozenset("a an and at by for from in into of on or the to with".split())
_NEUTRAL_LINES = (
    "It only takes a minute to try.", "You pick a photo and a style.", "Then you wait a few seconds.",
    "Each version is a little different.", "Save the ones you like best.", "Share them wherever you post.",
)


def make_script(text: str) -> Script:
    count = len(text.split())
    return Script(text=text, word_count=count, estimated_duration=round(count / catalog.WORDS_PER_SECOND, 2))


def _count(sentence: str) -> int:
    return len(sentence.split())


def _filler(tone: str, rng: random.Random) -> list[str]:
    """An endless-enough supply of short, distinct sentences in the tone."""
    adjectives = _TONES[tone]["adjectives"]
    lines = [f"{aspect.capitalize()} {verb} {adj}." for aspect in _ASPECTS for verb in _VERBS for adj in adjectives]
    rng.shuffle(lines)
    neutral = list(_NEUTRAL_LINES)
    rng.shuffle(neutral)
    return neutral + lines


def _fill(sentences: list[str], pool: list[str], target: int) -> list[str]:
    """Append sentences from `pool` while they bring the count closer to `target` without overshooting it."""
    total = sum(_count(s) for s in sentences)
    for sentence in pool:
        if total >= target:
            break
        if total + _count(sentence) <= target:
            sentences.append(sentence)
            total += _count(sentence)
    return sentences


def _trim(text: str, target: int) -> str:
    """The first `target` words, ending on a sentence end when one lies within tolerance, else on a full stop."""
    words = text.split()[:target]
    for end in range(len(words), max(0, len(words) - tolerance(target)), -1):
        if words[end - 1][-1] in ".!?" and end >= MIN_WORDS:
            return " ".join(words[:end])
    return " ".join(words).rstrip(",;:-").rstrip() + "."


def write(concept: str, duration: float, tone: str, app_name: str = "") -> Script:
    tone = tone.lower() if tone.lower() in _TONES else catalog.DEFAULT_TONE
    keywords = [w for w in clean_concept(concept).split() if w.lower().strip(",.;:!?") not in _STOPWORDS]
    phrase = " ".join(keywords[:3]).strip(",.;:!?") or "portrait"
    app = app_name.strip() or "this AI photo app"
    rng = random.Random(stable_seed("script", concept, duration, tone, app_name))
    vocab = _TONES[tone]
    target = target_words(duration)
    cta = rng.choice(vocab["ctas"])
    if target < 24:  # too short for hook + app line + call to action: one compact line names both
        compact = rng.choice(vocab["compact"]).format(concept=phrase, app=app)
        opening = [compact[0].upper() + compact[1:]]
        if _count(opening[0]) > target + tolerance(target):
            return make_script(_trim(opening[0], target))
        return make_script(" ".join(_fill(opening, _filler(tone, rng), target)))
    opening = [rng.choice(vocab["hooks"]).format(concept=phrase), rng.choice(vocab["app"]).format(app=app)]
    body = _fill(opening, _filler(tone, rng), target - _count(cta))
    return make_script(" ".join(body + [cta]))


def refine(script: str, feedback: str, duration: float) -> Script:
    """Fit `script` to the duration's word count keeping its start; "shorter"/"longer" in the feedback win."""
    current = len(script.split())
    target = target_words(duration)
    lowered = feedback.lower()
    if re.search(r"\bshort(?:er|en)\b", lowered):
        target = min(target, max(MIN_WORDS, round(current * 0.8)))
    elif re.search(r"\blong(?:er)?\b|\blengthen\b", lowered):
        target = max(target, round(current * 1.2))
    if abs(current - target) <= tolerance(target) and not re.search(r"\bshort|\blong", lowered):
        return make_script(" ".join(script.split()))
    if target < current:
        return make_script(_trim(script, target))
    text = " ".join(script.split())
    if text and text[-1] not in ".!?":
        text += "."
    # the script's tone is unknown here: extend with the mildest phrasing
    extra = _fill([], _filler("friendly", random.Random(stable_seed("refine", script, feedback))), target - current)
    return make_script(" ".join([text, *extra]).strip())
