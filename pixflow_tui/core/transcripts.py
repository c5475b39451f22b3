"""A transcript of spoken audio (a script source in Avatar Studio): what the providers return and workflows hand on."""
from __future__ import annotations

from dataclasses import dataclass

DEMO_PREFIX = "[demo transcript]"


@dataclass(frozen=True)
class TranscriptSegment:
    start: float  # seconds from the start of the audio
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None  # upper-case code as on the language cards ("EN", "TR"), None when not detected
    seconds: float  # length of the transcribed audio
    segments: tuple[TranscriptSegment, ...] = ()
    demo: bool = False  # made offline by the demo provider; the text starts with DEMO_PREFIX
    source: str = ""  # the file path or URL it came from

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def language_code(value: object) -> str | None:
    """A provider's language ("en", "en-US", "english"?) as the app's upper-case code; None when unusable."""
    if not isinstance(value, str):
        return None
    code = value.strip().replace("_", "-").split("-")[0]
    return code.upper() if 2 <= len(code) <= 3 and code.isalpha() else None


__all__ = ["DEMO_PREFIX", "Transcript", "TranscriptSegment", "language_code"]
