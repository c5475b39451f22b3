"""Voiceover script rules (as the original app counts): ⌊duration × 2.5⌋ words, tolerance max(4, 18 %), at least 8."""
from __future__ import annotations

import math
from dataclasses import dataclass

from pixflow_tui.core import catalog

MIN_WORDS = 8
MAX_CONCEPT_CHARS = 500
MAX_SCRIPT_CHARS = 5000
MAX_FEEDBACK_CHARS = 1000
MAX_EXAMPLES = 5
MAX_APP_NAME_CHARS = 80
MAX_LANGUAGES = 10
RESIZE_SHARE = 0.2  # "shorter" and "longer" change the length by a fifth


def target_words(duration: float) -> int:
    return max(MIN_WORDS, math.floor(duration * catalog.WORDS_PER_SECOND))


def tolerance(target: int) -> int:
    return max(4, math.floor(target * 0.18))


def word_count(text: str) -> int:
    return len(text.split())


def spoken_seconds(text: str) -> float:
    return round(word_count(text) / catalog.WORDS_PER_SECOND, 1)


@dataclass(frozen=True)
class ScriptFit:
    words: int
    seconds: float
    target: int | None  # words wanted for the chosen duration, when there is one
    warning: str  # empty when on target (or no target)


def fit(text: str, duration: float | None) -> ScriptFit:
    """Word count and spoken length, and a warning when the script is off the target for `duration`."""
    words, seconds = word_count(text), spoken_seconds(text)
    if duration is None:
        return ScriptFit(words, seconds, None, "")
    target = target_words(duration)
    if abs(words - target) <= tolerance(target):
        return ScriptFit(words, seconds, target, "")
    side = "long" if words > target else "short"
    return ScriptFit(words, seconds, target,
                     f"{words} words is too {side} for {duration:g} s (about {target} ± {tolerance(target)})")


def resized_duration(current_words: int, how: str) -> int:
    """The duration (seconds) a "shorter" or "longer" refine aims at: the current length ∓ a fifth."""
    factor = 1 - RESIZE_SHARE if how == "shorter" else 1 + RESIZE_SHARE
    low, high = catalog.SCRIPT_DURATION_RANGE
    return max(low, min(high, round(current_words * factor / catalog.WORDS_PER_SECOND)))


_STOPWORDS = {
    "EN": "the and you this that with for your just it is are what",
    "ES": "el la los las y que de en es con para por una un lo",
    "FR": "le la les et que de des est une un pour avec dans vous",
    "DE": "der die das und ist nicht mit ein eine ich du sie zu",
    "IT": "il lo la gli le e che di è con per una un non sono",
    "PT": "o a os as e que de é com para uma um não você em",
    "TR": "ve bir bu da de için ile çok ne ben sen mi",
}


def guess_language(text: str) -> str:
    """A catalog language code for `text` from its letters and common words ("" when it cannot tell)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ""

    def share(low: int, high: int) -> float:
        return sum(1 for c in letters if low <= ord(c) <= high) / len(letters)

    if share(0x0600, 0x06FF) > 0.3:
        return "AR"
    if share(0x0400, 0x04FF) > 0.3:
        return "RU"
    if share(0x3040, 0x30FF) + share(0x4E00, 0x9FFF) > 0.3:
        return "JA"
    if any(c in "ğşıİĞŞ" for c in text):
        return "TR"
    words = [w.strip(".,!?;:\"'()").lower() for w in text.split()]
    scores = {code: sum(1 for w in words if w in stop.split()) for code, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] else ""
