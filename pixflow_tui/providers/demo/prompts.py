"""Build 9-section prompts from the local vocabulary: from a concept, from an image analysis, or from free text."""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pixflow_tui.core.prompt_schema import (
    Camera,
    Effects,
    Expression,
    Hairstyle,
    Lighting,
    Makeup,
    Outfit,
    Pose,
    PromptOutput,
    SetDesign,
)
from pixflow_tui.core.taste import Pattern, TasteGuidance, field_pattern
from pixflow_tui.core.research import SubTheme
from pixflow_tui.providers.base import ImageAnalysis
from pixflow_tui.providers.demo import vocabulary as vocab
from pixflow_tui.providers.demo.analysis import contrast_word, key_of, temperature_of
from pixflow_tui.providers.demo.colors import colors_in_text
from pixflow_tui.providers.demo.concepts import parse_concept
from pixflow_tui.providers.demo.common import stable_seed

T = TypeVar("T")
_NEUTRALS = frozenset({"black", "white", "gray", "charcoal", "silver"})
# colour words that read as places or things before a fabric name ("sunset linen")
_NOT_OUTFIT_COLOURS = frozenset({"forest", "sunset", "midnight", "neon", "ink", "lemon", "chocolate", "chrome"})
_FABRIC_ADJECTIVES = frozenset({"fine", "heavy", "crisp", "washed", "raw", "supple", "brushed", "crushed",
                                "wide-wale", "fluffy", "ribbed", "selvedge"})
_LOCKED_RE = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in vocab.LOCKED_TERMS + vocab.BANNED_WORDS) + r")\b",
                        re.IGNORECASE)


def find_locked_terms(text: str) -> list[str]:
    """Locked identity terms and banned words present in `text` (whole words, any case)."""
    return [m.group(0).lower() for m in _LOCKED_RE.finditer(text)]


def clean_concept(concept: str) -> str:
    """The concept as prompt text: no `<>{}`, no `CRITICAL:` marker, no locked identity terms, single spaces."""
    text = re.sub(r"[<>{}]", " ", concept)
    text = re.sub(r"critical\s*:", " ", text, flags=re.IGNORECASE)
    text = _LOCKED_RE.sub(" ", text)
    return " ".join(text.split()).strip(" ,;:.-")


def _first_clause(text: str) -> str:
    return text.split(",")[0].strip()


# How a category's option shows in a prompt, as (section, field text) pairs: what taste guidance is matched on.
_TASTE_FIELDS: dict[str, Callable[[Any], tuple[tuple[str, str], ...]]] = {
    "lighting": lambda s: (("lighting", s.setup), ("style", f"{s.name} lighting")),
    "lens": lambda lens: (("camera", lens.lens), ("style", f"shot on {lens.lens.split()[0]}")),
    "angle": lambda text: (("camera", text),),
    "framing": lambda text: (("pose", text), ("style", text)),
    "backdrop": lambda text: (("set_design", text), ("style", text)),
    "surface": lambda text: (("set_design", text),),
    "accessories": lambda text: (("outfit", text),),
    "styling": lambda text: (("outfit", text),),
    "grade": lambda text: (("effects", text), ("style", text)),
    "vignette": lambda text: (("effects", text),),
    "grain": lambda text: (("effects", text),),
    "flare": lambda text: (("effects", text),),
    "hair": lambda hair: (("hairstyle", hair.style),),
    "makeup": lambda makeup: (("makeup", makeup.style),),
}
TASTE_SHARE = 0.6  # how often a category with liked options takes one: the rest keeps the batch varied


def _option_patterns(salt: str, option: Any) -> set[Pattern]:
    fields = _TASTE_FIELDS.get(salt)
    return {p for section, text in fields(option) if (p := field_pattern(section, text))} if fields else set()


class _Picker:
    """Deterministic choices for one prompt of a batch: each category is a seeded permutation indexed by the
    prompt's position, so prompts in a batch differ until a category's list runs out. With taste guidance a
    category takes one of its liked options TASTE_SHARE of the time (rotating among them) and otherwise skips
    disliked ones."""

    def __init__(self, concept: str, index: int, taste: TasteGuidance | None = None) -> None:
        self.base = stable_seed("concept", concept.lower())
        self.index = index
        self.rng = random.Random(stable_seed("prompt", concept.lower(), index))
        self.taste = taste if taste is not None and not taste.empty else None

    def _order(self, count: int, salt: str) -> list[int]:
        order = list(range(count))
        random.Random(self.base ^ stable_seed(salt)).shuffle(order)
        return order

    def _choose(self, options: Sequence[T], salt: str, order: list[int]) -> T:
        if self.taste is None or salt not in _TASTE_FIELDS:
            return options[order[self.index % len(options)]]
        patterns = {i: _option_patterns(salt, options[i]) for i in order}
        liked = [i for i in order if any(self.taste.is_liked(p) for p in patterns[i])]
        allowed = [i for i in order if not any(self.taste.is_disliked(p) for p in patterns[i])] or order
        dice = random.Random(stable_seed("taste", salt, self.base, self.index))
        if liked and dice.random() < TASTE_SHARE:
            return options[liked[self.index % len(liked)]]
        return options[allowed[self.index % len(allowed)]]

    def pick(self, options: Sequence[T], salt: str) -> T:
        return self._choose(options, salt, self._order(len(options), salt))

    def ordered(self, options: Sequence[T], salt: str, first: frozenset[int]) -> T:
        """Like pick, but options whose index is in `first` come before the rest."""
        order = self._order(len(options), salt)
        order.sort(key=lambda i: i not in first)
        return self._choose(options, salt, order)


def _reference_words(reference: ImageAnalysis) -> tuple[str, str, str]:
    """(tones phrase, key, contrast phrase) of a reference, e.g. ("warm amber and brown tones", "low-key", …)."""
    colours = reference.dominant_colors[:2] or ("neutral",)
    tones = f"{temperature_of(reference.dominant_colors)} {' and '.join(colours)} tones"
    return tones, key_of(reference.brightness), contrast_word(reference.contrast)


def concept_prompt(concept: str, index: int, reference: ImageAnalysis | None = None,
                   taste: TasteGuidance | None = None, sub_theme: SubTheme | None = None) -> PromptOutput:
    """Prompt number `index` of a batch for `concept` (already cleaned), following `taste` when given, in
    `sub_theme`'s aesthetic and mood."""
    p = _Picker(concept, index, taste)
    lowered = concept.lower()

    concept_colours = [name for name, _ in colors_in_text(concept) if name not in _NOT_OUTFIT_COLOURS]
    colour = concept_colours[index % len(concept_colours)] if concept_colours else p.pick(vocab.OUTFIT_COLORS, "colour")
    words = set(re.findall(r"[a-z-]+", lowered))
    fabrics = [f for f in vocab.FABRICS if words & (set(f.split()) - _FABRIC_ADJECTIVES)]
    fabric = fabrics[index % len(fabrics)] if fabrics else p.pick(vocab.FABRICS, "fabric")
    cut = p.pick(vocab.CUTS, "cut")
    mood = next((m for m in vocab.MOODS if m.lower() in lowered), None) or vocab.MOODS[(p.base + index * 2) % 5]
    aesthetic = vocab.AESTHETICS[(p.base // 7 + index) % len(vocab.AESTHETICS)]
    if sub_theme is not None:
        mood, aesthetic = sub_theme.mood or mood, sub_theme.aesthetic or aesthetic

    if reference is not None:
        dark = key_of(reference.brightness) == "low-key"
        preferred = frozenset(i for i, s in enumerate(vocab.LIGHTING) if s.low_key == dark)
        light = p.ordered(vocab.LIGHTING, "lighting", preferred)
    else:
        light = p.pick(vocab.LIGHTING, "lighting")
    framing = p.pick(vocab.FRAMINGS, "framing")
    parts = parse_concept(concept)
    backdrop = (f"{parts.setting}, {parts.backdrop}, {p.pick(vocab.PLACE_VIEWS, 'view')}" if parts.setting
                else p.pick(vocab.BACKDROPS, "backdrop"))
    lens = p.pick(vocab.LENSES, "lens")
    grade = p.pick(vocab.COLOR_GRADES, "grade")
    expression = p.pick(vocab.EXPRESSIONS, "expression")
    hero = p.pick(vocab.HEROES, "hero").format(fabric=fabric, colour=colour, light=light.name,
                                               place=parts.setting or "the set")

    subject = f" of {parts.subject}" if parts.subject else ""
    theme = (f" in {parts.worn}" if parts.worn else "") + (f", {parts.theme} mood" if parts.theme else "")
    scene = _first_clause(backdrop) if not parts.setting else ""  # a named place is already in the headline
    style = (f"{aesthetic} {mood.lower()} portrait{subject}{parts.where}{theme}: {_first_clause(framing)}, "
             f"{light.name} lighting{f' with {parts.light.split(chr(59))[0]}' if parts.light else ''}, "
             f"{colour} {fabric} {cut.garment}{f', {scene}' if scene else ''}, "
             f"shot on {lens.lens.split()[0]} at {lens.aperture}, {_first_clause(grade)}.")
    light_mood = f"{mood} — {light.mood}" + (f"; {parts.light}" if parts.light else "")
    colour_grade = grade
    contrast = p.pick(vocab.CONTRASTS, "contrast")
    if reference is not None:
        tones, key, contrast_text = _reference_words(reference)
        style += f" Inspired by the reference: {tones}, {key}, {contrast_text}."
        light_mood += f"; inspired by the reference: {tones}, {key}"
        colour_grade = f"{grade}, inspired by the reference palette of {', '.join(reference.dominant_colors[:3])}"
        contrast = contrast_text
    if sub_theme is not None:
        style += f" Sub-theme “{sub_theme.name}”: {', '.join(clean_concept(e) for e in sub_theme.key_elements[:3])}."
    style += f" CRITICAL: {hero}."

    hair = p.pick(vocab.HAIRSTYLES, "hair")
    makeup = p.pick(vocab.MAKEUP, "makeup")
    return PromptOutput(
        style=style,
        pose=Pose(framing=framing, body_position=p.pick(vocab.BODY_POSITIONS, "body"),
                  arms=p.pick(vocab.ARMS, "arms"), posture=p.pick(vocab.POSTURES, "posture"),
                  expression=Expression(facial=expression.facial, eyes=expression.eyes, mouth=expression.mouth)),
        lighting=Lighting(setup=light.setup, key_light=light.key, fill_light=light.fill, shadows=light.shadows,
                          mood=light_mood),
        set_design=SetDesign(backdrop=backdrop, surface=p.pick(vocab.SURFACES, "surface"),
                             props=p.rng.sample(list(vocab.PROPS), 2),
                             atmosphere=parts.air or p.pick(vocab.SET_ATMOSPHERES, "atmosphere")),
        outfit=Outfit(main=f"{colour.capitalize()} {fabric} {cut.garment}, {cut.fit}",
                      underneath=p.pick(vocab.UNDERNEATH, "underneath"),
                      accessories=p.pick(vocab.ACCESSORIES, "accessories"),
                      styling=p.pick(vocab.STYLING, "styling")
                      + (f"; practical for {parts.setting}" if parts.setting else "")),
        camera=Camera(lens=lens.lens, aperture=lens.aperture, angle=p.pick(vocab.ANGLES, "angle"), focus=lens.focus,
                      distortion=p.pick(vocab.DISTORTIONS, "distortion")),
        hairstyle=Hairstyle(style=hair.style, parting=hair.parting, details=hair.details, finish=hair.finish),
        makeup=Makeup(style=makeup.style, skin=makeup.skin, eyes=makeup.eyes, lips=makeup.lips),
        effects=Effects(vignette=p.pick(vocab.VIGNETTES, "vignette"), color_grade=colour_grade,
                        lens_flare=p.pick(vocab.LENS_FLARES, "flare"),
                        atmosphere=p.pick(vocab.EFFECT_ATMOSPHERES, "fx-atmosphere"),
                        grain=p.pick(vocab.GRAINS, "grain"), contrast=contrast),
    )


_ORIENTATION_FRAMING = {
    "portrait": "vertical waist-up framing with the subject centred and headroom kept above",
    "landscape": "wide horizontal medium shot with the subject on the left third and the set visible",
    "square": "centred square head-and-shoulders framing with even margins on every side",
}


def _light_for(analysis: ImageAnalysis) -> vocab.LightingSetup:
    by_name = {s.name: s for s in vocab.LIGHTING}
    key, high_contrast = key_of(analysis.brightness), analysis.contrast > 0.5
    if key == "low-key":
        return by_name["chiaroscuro" if high_contrast else "Rembrandt"]
    if key == "high-key":
        return by_name["clamshell" if high_contrast else "high-key"]
    return by_name["rim-lit" if high_contrast else "window"]


def analysis_prompt(analysis: ImageAnalysis, context: str = "") -> PromptOutput:
    """A prompt that reverse-engineers an analysed image: palette → grade, brightness/contrast → light, shape →
    framing; `context` words lead the style."""
    context = clean_concept(context)
    colours = analysis.dominant_colors or ("gray",)
    accent = next((c for c in colours if c not in _NEUTRALS), colours[0])
    tones = f"{temperature_of(colours)} {' and '.join(colours[:2])}"
    key, contrast = key_of(analysis.brightness), contrast_word(analysis.contrast)
    light = _light_for(analysis)
    p = _Picker(analysis.summary + context, 0)
    fabric, cut, lens = p.pick(vocab.FABRICS, "fabric"), p.pick(vocab.CUTS, "cut"), p.pick(vocab.LENSES, "lens")
    makeup, hair = p.pick(vocab.MAKEUP, "makeup"), p.pick(vocab.HAIRSTYLES, "hair")
    lead = f"{context} — " if context else ""
    style = (f"{lead}{analysis.orientation} {key} portrait reconstructed from the reference image: {tones} palette, "
             f"{light.name} lighting, {contrast}, shot on {lens.lens.split()[0]} at {lens.aperture}. "
             f"CRITICAL: keep the {accent}-led palette and the {key} light balance of the original.")
    return PromptOutput(
        style=style,
        pose=Pose(framing=_ORIENTATION_FRAMING.get(analysis.orientation, _ORIENTATION_FRAMING["portrait"]),
                  body_position=p.pick(vocab.BODY_POSITIONS, "body"), arms=p.pick(vocab.ARMS, "arms"),
                  posture=p.pick(vocab.POSTURES, "posture"),
                  expression=Expression(facial="composed and calm, face turned toward the camera",
                                        eyes="direct gaze into the lens", mouth="lips relaxed and closed")),
        lighting=Lighting(setup=light.setup, key_light=light.key, fill_light=light.fill,
                          shadows=f"{light.shadows}; {contrast} as in the reference",
                          mood=f"{key}, {light.mood}"),
        set_design=SetDesign(backdrop=f"a backdrop carrying the reference's {tones} tones, softly out of focus "
                                      f"behind the subject", surface=p.pick(vocab.SURFACES, "surface"),
                             props=[], atmosphere=p.pick(vocab.SET_ATMOSPHERES, "atmosphere")),
        outfit=Outfit(main=f"{accent.capitalize()} {fabric} {cut.garment}, {cut.fit}",
                      accessories=p.pick(vocab.ACCESSORIES, "accessories"),
                      styling=f"colours kept within the {tones} palette"),
        camera=Camera(lens=lens.lens, aperture=lens.aperture, angle=p.pick(vocab.ANGLES, "angle"), focus=lens.focus),
        hairstyle=Hairstyle(style=hair.style, parting=hair.parting, details=hair.details, finish=hair.finish),
        makeup=Makeup(style=makeup.style, skin=makeup.skin, eyes=makeup.eyes, lips=makeup.lips),
        effects=Effects(color_grade=f"grade built on the {', '.join(colours[:3])} palette, "
                                    f"{temperature_of(colours)} balance",
                        grain=p.pick(vocab.GRAINS, "grain"), contrast=contrast),
    )


def converted_text_prompt(text: str) -> PromptOutput:
    """The demo's "convert with the model": a full prompt built around the text's words, the text leading the
    style."""
    cleaned = clean_concept(text)
    built = concept_prompt(cleaned[:300] or "portrait", 0)
    return built.model_copy(update={"style": f"{cleaned} — {built.style}"})


def text_prompt(text: str) -> PromptOutput:
    """Preserve-original conversion: the text is the style, verbatim; every other field stays empty."""
    return PromptOutput(style=text)
