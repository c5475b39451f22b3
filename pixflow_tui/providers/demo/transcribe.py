"""Demo transcription: a deterministic, clearly labelled transcript as long as the audio (2.5 words per second)."""
from __future__ import annotations

import random
from pathlib import Path

import av

from pixflow_tui.core import catalog
from pixflow_tui.core.transcripts import DEMO_PREFIX, Transcript, TranscriptSegment
from pixflow_tui.providers.base import PermanentProviderError
from pixflow_tui.providers.demo.common import stable_seed

_SENTENCES = (
    "So I tried this photo app last weekend.",
    "Honestly I did not expect much from it.",
    "You pick a photo and choose a style.",
    "Then you wait a few seconds.",
    "The lighting came out really soft.",
    "Every outfit detail stayed where it was.",
    "I made a whole set for my profile.",
    "My friends asked me where I took them.",
    "It works on the phone you already have.",
    "Each version is a little different.",
    "Save the ones you like best.",
    "Share them wherever you post.",
    "That is pretty much the whole process.",
    "Give it a try if you are curious.",
)
_SEGMENT_WORDS = 12  # about five seconds of speech per segment


def audio_seconds(path: Path) -> float:
    """Length of the first audio stream, counted from decoded samples (streamed, not held in memory)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise PermanentProviderError(f"audio {path.name}: the file has no audio stream")
            stream = container.streams.audio[0]
            return sum(frame.samples / (frame.sample_rate or 1) for frame in container.decode(stream))
    except PermanentProviderError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise PermanentProviderError(f"audio {path.name}: not a decodable audio file ({exc})") from None


def demo_words(seconds: float) -> list[str]:
    """round(seconds × 2.5) words (at least one) of plausible spoken text, the same for the same length."""
    count = max(1, round(seconds * catalog.WORDS_PER_SECOND))
    rng = random.Random(stable_seed("transcript", round(seconds, 1)))
    words: list[str] = []
    while len(words) < count:
        words.extend(rng.choice(_SENTENCES).split())
    words = words[:count]
    if not words[-1].endswith((".", "!", "?")):
        words[-1] = words[-1].rstrip(",;:") + "."
    return words


def demo_transcript(seconds: float, source: str = "") -> Transcript:
    """The demo transcript of `seconds` of audio: DEMO_PREFIX, then the words in ~5 s segments, language EN."""
    seconds = max(0.0, float(seconds))
    words = demo_words(seconds)
    step = seconds / len(words) if words else 0.0
    segments = []
    for first in range(0, len(words), _SEGMENT_WORDS):
        chunk = words[first:first + _SEGMENT_WORDS]
        segments.append(TranscriptSegment(round(first * step, 2), round((first + len(chunk)) * step, 2),
                                          " ".join(chunk)))
    text = f"{DEMO_PREFIX} " + " ".join(words)
    return Transcript(text=text, language="EN", seconds=round(seconds, 3), segments=tuple(segments), demo=True,
                      source=source)
