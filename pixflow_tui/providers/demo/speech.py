"""Demo text-to-speech: a voiced, syllable-shaped tone whose length follows the text (2.5 words per second)."""
from __future__ import annotations

import re

import numpy as np

from pixflow_tui.core import catalog
from pixflow_tui.providers.demo.common import stable_seed

SPEECH_RATE = 24_000
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# formant-ish harmonic weights per vowel so syllables differ in timbre
_VOWEL_TIMBRE = {
    "a": (1.0, 0.7, 0.5, 0.3, 0.15),
    "e": (1.0, 0.4, 0.6, 0.2, 0.25),
    "i": (1.0, 0.2, 0.3, 0.5, 0.3),
    "o": (1.0, 0.8, 0.3, 0.1, 0.05),
    "u": (1.0, 0.6, 0.15, 0.05, 0.02),
    "y": (1.0, 0.3, 0.4, 0.3, 0.2),
}


def speech_duration(text: str) -> float:
    return max(1.0, len(text.split()) / catalog.WORDS_PER_SECOND)


def voice_pitch(voice: str) -> tuple[float, float]:
    """(base pitch Hz, vibrato depth) from the catalog voice's description; unknown voices get a stable pitch."""
    described = {v.name.lower(): v.description for v in catalog.VOICES}
    description = described.get(voice.lower(), "")
    if "female" in description:
        base = 205.0
    elif "non-binary" in description:
        base = 160.0
    elif "male" in description:
        base = 115.0
    else:
        base = 110.0 + stable_seed("voice", voice) % 120
    base += stable_seed("pitch", voice) % 15
    return (base * 0.9, 0.02) if "old" in description else (base, 0.005)


def _syllable_plan(text: str) -> list[tuple[str, float]]:
    """(vowel or '' for a pause, relative length) for every syllable and punctuation pause."""
    plan: list[tuple[str, float]] = []
    for token in text.split():
        groups = _VOWEL_GROUPS.findall(token.lower()) or ["a"]
        plan.extend((group[0], 1.0) for group in groups)
        if token[-1] in ",;:":
            plan.append(("", 1.0))
        elif token[-1] in ".!?":
            plan.append(("", 2.0))
    return plan or [("a", 1.0)]


def synthesize(text: str, voice: str, seed: int) -> tuple[np.ndarray, int]:
    """Mono float32 samples at SPEECH_RATE lasting speech_duration(text) seconds."""
    duration = speech_duration(text)
    total = int(round(duration * SPEECH_RATE))
    rng = np.random.default_rng(stable_seed("speech", text, voice, seed))
    base, vibrato = voice_pitch(voice)
    plan = _syllable_plan(text)
    bounds = np.cumsum([0.0] + [length for _, length in plan])
    bounds = (bounds / bounds[-1] * total).astype(np.int64)

    t = np.arange(total, dtype=np.float32) / SPEECH_RATE
    # intonation: slow drift, a fall toward the end, vibrato; then integrate frequency into phase
    contour = 1 + 0.06 * np.sin(2 * np.pi * 0.7 * t + rng.random() * 6) - 0.08 * (t / duration)
    contour *= 1 + vibrato * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(base * contour) / SPEECH_RATE

    out = np.zeros(total, dtype=np.float32)
    for (vowel, _), start, end in zip(plan, bounds[:-1], bounds[1:], strict=True):
        if not vowel or end - start < 8:
            continue
        n = end - start
        weights = _VOWEL_TIMBRE.get(vowel, _VOWEL_TIMBRE["a"])
        segment = sum(w * np.sin((k + 1) * phase[start:end]) for k, w in enumerate(weights))
        # syllable envelope: quick attack, held vowel, soft release, small gap between syllables
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        envelope = np.clip(ramp / 0.15, 0, 1) * np.clip((0.9 - ramp) / 0.3, 0, 1)
        accent = 0.7 + 0.3 * rng.random()
        out[start:end] = segment * envelope * accent
    out += rng.normal(0, 0.01, total).astype(np.float32)  # breath
    peak = float(np.abs(out).max()) or 1.0
    return (0.6 * out / peak).astype(np.float32), SPEECH_RATE
