"""Taste: which prompt patterns a person's liked images carry more often than their disliked ones.

A *pattern* is a (section, value) pair taken from an image's structured prompt: the head phrase of a chosen field
of a section (lighting setup "rembrandt lighting", camera lens "85mm portrait prime", backdrop "seamless paper
backdrop", …) and, for `style`, each of its comma-separated phrases. Phrases are normalised (case, punctuation,
articles, parentheses, the trailing "with …/from …/at …" detail) so the same idea written twice counts once.

Liked means rated 1 (the `l` key), disliked rated -1 (`d`); an unrated or cleared image counts for neither.
A pattern's *share* is the part of its rated images that were liked; it *leans liked* when the Wilson lower bound
of that share (95 %) is above the person's overall liked share, and *leans disliked* when the lower bound of its
disliked share is above the overall disliked share, and only once it occurs in MIN_EVIDENCE rated images.
The confidence is that lower bound: 3 liked of 3 gives 0.44,
10 of 10 gives 0.72, 100 of 100 gives 0.96, so it grows with the evidence and a single rating never makes a pattern.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

# The fields each section contributes (dotted paths inside the section; "*" is the section's own text: style).
TASTE_FIELDS: dict[str, tuple[str, ...]] = {
    "style": ("*",),
    "lighting": ("setup",),
    "camera": ("lens", "angle"),
    "set_design": ("backdrop", "surface", "props"),
    "outfit": ("main", "accessories", "styling"),
    "effects": ("color_grade", "vignette", "grain", "lens_flare"),
    "pose": ("framing",),
    "hairstyle": ("style",),
    "makeup": ("style",),
}
SECTION_TITLES = {"style": "Style phrases", "lighting": "Lighting setup", "camera": "Camera", "set_design":
                  "Set design", "outfit": "Outfit", "effects": "Effects", "pose": "Pose", "hairstyle": "Hairstyle",
                  "makeup": "Makeup"}
MIN_EVIDENCE = 3  # rated images a pattern needs before it can lean either way
MIN_RATINGS_FOR_GUIDANCE = 5  # "use my taste" is on by default from this many rated images of the product
MAX_WORDS = 6
MAX_STYLE_PHRASES = 8
Z = 1.96  # 95 % Wilson interval

_PREPOSITIONS = frozenset({"with", "from", "at", "in", "on", "for", "behind", "under", "over", "against", "across",
                           "through", "into", "to", "toward", "towards", "beside", "above", "below", "near"})
_ARTICLES = frozenset({"a", "an", "the"})
_PARENS = re.compile(r"\([^)]*\)")
_NOT_WORD = re.compile(r"[^\w/.%+' -]+")
_EMPTY_VALUES = frozenset({"none", "n/a", "nothing", "no", "not visible"})
_CLAUSE = re.compile(r"[,;:—–]| - ")
_STYLE_SPLIT = re.compile(r"[,;:—–]|\.(?:\s|$)| - ")
_CRITICAL = re.compile(r"critical\s*:.*", re.IGNORECASE | re.DOTALL)
_REFERENCE = re.compile(r"\b(?:inspired by|reconstructed from|preserve|match(?:ing)?) (?:the )?reference\b.*",
                        re.IGNORECASE | re.DOTALL)

Pattern = tuple[str, str]  # (section, normalised value)


@lru_cache(maxsize=65536)  # the same field texts come back image after image (a recount reads them all)
def normalise_phrase(text: str) -> str:
    """The head of a phrase: lower case, no parentheses or punctuation, no leading article, cut before the first
    preposition after two words and at MAX_WORDS ("Rembrandt lighting from a large softbox" → "rembrandt lighting")."""
    text = _PARENS.sub(" ", text.lower())
    text = _NOT_WORD.sub(" ", text)
    words = [w.strip(".'-") for w in text.split()]
    words = [w for w in words if w]
    while words and words[0] in _ARTICLES:
        words.pop(0)
    head: list[str] = []
    for word in words:
        if len(head) >= 2 and word in _PREPOSITIONS:
            break
        if word not in _ARTICLES:
            head.append(word)
        if len(head) >= MAX_WORDS:
            break
    phrase = " ".join(head).replace("_", " ").strip()
    if len(phrase) < 3 or phrase in _EMPTY_VALUES or phrase.startswith("no "):
        return ""
    return phrase


def _field_values(section: dict[str, Any], path: str) -> list[str]:
    value = section.get(path)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def style_phrases(style: str) -> list[str]:
    """The normalised phrases of a style text, without its CRITICAL hero and any reference instruction."""
    text = _REFERENCE.sub("", _CRITICAL.sub("", style))
    phrases: list[str] = []
    for part in _STYLE_SPLIT.split(text):
        phrase = normalise_phrase(part)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
        if len(phrases) >= MAX_STYLE_PHRASES:
            break
    return phrases


@lru_cache(maxsize=65536)
def field_pattern(section: str, text: str) -> Pattern | None:
    """The pattern one field's text gives in `section` (as `prompt_patterns` reads it), or None."""
    phrase = normalise_phrase(_REFERENCE.sub("", _CRITICAL.sub("", _CLAUSE.split(text, maxsplit=1)[0])))
    return (section, phrase) if phrase else None


def prompt_patterns(prompt: Mapping[str, Any]) -> frozenset[Pattern]:
    """The patterns of one structured prompt (a dict as stored); each counts once per image."""
    found: set[Pattern] = set()
    for section, paths in TASTE_FIELDS.items():
        data = prompt.get(section)
        if section == "style":
            if isinstance(data, str):
                found.update(("style", phrase) for phrase in style_phrases(data))
            continue
        if not isinstance(data, dict):
            continue
        for path in paths:
            for text in _field_values(data, path):
                pattern = field_pattern(section, text)
                if pattern:
                    found.add(pattern)
    return frozenset(found)


def wilson_lower(successes: int, trials: int, z: float = Z) -> float:
    """The lower end of the Wilson score interval for successes/trials (0 with no trials)."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z * z / trials))


@dataclass(frozen=True)
class PatternStat:
    """One pattern's evidence: in how many liked and disliked images it occurs, against the person's totals."""

    section: str
    value: str
    liked: int
    disliked: int
    total_liked: int
    total_disliked: int

    @property
    def rated(self) -> int:
        return self.liked + self.disliked

    @property
    def share(self) -> float:
        return self.liked / self.rated if self.rated else 0.0

    @property
    def base_share(self) -> float:
        total = self.total_liked + self.total_disliked
        return self.total_liked / total if total else 0.0

    @cached_property
    def liked_confidence(self) -> float:
        return wilson_lower(self.liked, self.rated)

    @cached_property
    def disliked_confidence(self) -> float:
        return wilson_lower(self.disliked, self.rated)

    @cached_property
    def leaning(self) -> str:
        """"liked", "disliked" or "" (no clear lean yet)."""
        if self.rated < MIN_EVIDENCE:
            return ""
        if self.liked_confidence > self.base_share:
            return "liked"
        if self.disliked_confidence > 1 - self.base_share:
            return "disliked"
        return ""

    @property
    def confidence(self) -> float:
        return self.liked_confidence if self.leaning == "liked" else self.disliked_confidence

    @property
    def strength(self) -> float:
        """How far the confident share lies beyond the overall share (what the lists are ordered by)."""
        if self.leaning == "liked":
            return self.liked_confidence - self.base_share
        if self.leaning == "disliked":
            return self.disliked_confidence - (1 - self.base_share)
        return 0.0

    def explain(self) -> str:
        return (f"in {self.liked} liked and {self.disliked} disliked images ({self.share:.0%} liked vs "
                f"{self.base_share:.0%} overall), confidence {self.confidence:.2f}")

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "value": self.value, "liked": self.liked, "disliked": self.disliked,
                "share": round(self.share, 4), "leaning": self.leaning, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class TasteProfile:
    """A person's taste for one product (or all products): totals and every pattern's counts."""

    product: str  # the product's name, or "all products"
    total_liked: int
    total_disliked: int
    counts: Mapping[Pattern, tuple[int, int]] = field(default_factory=dict)  # (liked, disliked) per pattern

    @property
    def ratings(self) -> int:
        return self.total_liked + self.total_disliked

    def stats(self) -> list[PatternStat]:
        return self._stats

    @cached_property
    def _stats(self) -> list[PatternStat]:
        return [PatternStat(section, value, liked, disliked, self.total_liked, self.total_disliked)
                for (section, value), (liked, disliked) in self.counts.items()]

    @cached_property
    def _ranked(self) -> dict[str, list[PatternStat]]:
        """The leaning patterns per side, strongest first (computed once per profile)."""
        ranked: dict[str, list[PatternStat]] = {"liked": [], "disliked": []}
        for stat in self._stats:
            if stat.leaning:
                ranked[stat.leaning].append(stat)
        for side in ranked.values():
            side.sort(key=lambda s: (-s.strength, -s.rated, s.section, s.value))
        return ranked

    def leaning(self, side: str, section: str | None = None, limit: int = 10) -> list[PatternStat]:
        """The strongest patterns leaning `side` ("liked" | "disliked"), strongest first, in `section` or all."""
        chosen = self._ranked.get(side, [])
        if section is not None:
            chosen = [s for s in chosen if s.section == section]
        return chosen[:limit]

    def summary(self, per_section: int = 2) -> str:
        """A short text to copy: the strongest liked and disliked patterns per section."""
        lines = [f"Taste for {self.product}: {self.total_liked} liked, {self.total_disliked} disliked images."]
        for section in TASTE_FIELDS:
            liked = self.leaning("liked", section, per_section)
            disliked = self.leaning("disliked", section, per_section)
            if not liked and not disliked:
                continue
            parts = []
            if liked:
                parts.append("likes " + ", ".join(f"{s.value} ({s.liked}/{s.rated})" for s in liked))
            if disliked:
                parts.append("dislikes " + ", ".join(f"{s.value} ({s.disliked}/{s.rated})" for s in disliked))
            lines.append(f"- {SECTION_TITLES[section]}: {'; '.join(parts)}")
        if len(lines) == 1:
            lines.append("No pattern leans clearly yet; rate more images (l like, d dislike).")
        return "\n".join(lines)

    def guidance(self, limit: int = 12) -> TasteGuidance:
        return TasteGuidance(self.product, tuple((s.section, s.value) for s in self.leaning("liked", limit=limit)),
                             tuple((s.section, s.value) for s in self.leaning("disliked", limit=limit)),
                             self.ratings)

    def to_json(self) -> dict[str, Any]:
        stats = sorted(self.stats(), key=lambda s: (s.section, -s.rated, s.value))
        return {"product": self.product, "liked": self.total_liked, "disliked": self.total_disliked,
                "liked_patterns": [s.to_json() for s in self.leaning("liked", limit=50)],
                "disliked_patterns": [s.to_json() for s in self.leaning("disliked", limit=50)],
                "patterns": [s.to_json() for s in stats]}


@dataclass(frozen=True)
class TasteNote:
    """What one prompt did with the guidance, measured on the prompt itself."""

    used_liked: tuple[Pattern, ...]
    avoided_disliked: tuple[Pattern, ...]

    def text(self) -> str:
        used = ", ".join(value for _, value in self.used_liked) or "none"
        avoided = ", ".join(value for _, value in self.avoided_disliked) or "none"
        return f"used liked: {used}; avoided disliked: {avoided}"

    def to_json(self) -> dict[str, Any]:
        return {"used_liked": [list(p) for p in self.used_liked],
                "avoided_disliked": [list(p) for p in self.avoided_disliked]}


@dataclass(frozen=True)
class TasteGuidance:
    """What a text provider is asked to follow: favour `liked`, avoid `disliked`, keep variety."""

    product: str
    liked: tuple[Pattern, ...]
    disliked: tuple[Pattern, ...]
    ratings: int = 0

    @property
    def empty(self) -> bool:
        return not self.liked and not self.disliked

    def is_liked(self, pattern: Pattern) -> bool:
        return pattern in self.liked

    def is_disliked(self, pattern: Pattern) -> bool:
        return pattern in self.disliked

    def instructions(self) -> str:
        """The guidance as text for a language model."""
        def listed(patterns: Iterable[Pattern]) -> str:
            return "; ".join(f"{SECTION_TITLES.get(s, s)}: {v}" for s, v in patterns) or "none yet"

        return ("The person's taste, learned from their liked and disliked images "
                f"({self.ratings} ratings for {self.product}):\n"
                f"- Favour these liked patterns: {listed(self.liked)}.\n"
                f"- Avoid these disliked patterns: {listed(self.disliked)}.\n"
                "- Keep variety: use some liked patterns in each prompt, not all of them, and vary which; the "
                "concept, research and sub-theme still come first.")

    def note_for(self, prompt: Mapping[str, Any]) -> TasteNote:
        found = prompt_patterns(prompt)
        return TasteNote(tuple(p for p in self.liked if p in found),
                         tuple(p for p in self.disliked if p not in found))

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "ratings": self.ratings, "liked": [list(p) for p in self.liked],
                "disliked": [list(p) for p in self.disliked]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TasteGuidance:
        """The guidance `to_json` wrote (kept in a history entry); pairs that are not (section, value) are left out."""
        def pairs(key: str) -> tuple[Pattern, ...]:
            return tuple((str(p[0]), str(p[1])) for p in data.get(key, []) if isinstance(p, list) and len(p) == 2)

        ratings = data.get("ratings", 0)
        return cls(str(data.get("product", "")), pairs("liked"), pairs("disliked"),
                   ratings if isinstance(ratings, int) else 0)
