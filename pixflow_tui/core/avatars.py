"""Avatars: the generator's options (one list each: value, label, what goes into the prompt), the prompt template
and the green-box rule of the original app."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GREEN_HEX = "#1ebf1a"
GREEN_RGB = (0x1E, 0xBF, 0x1A)
MAX_AVATARS_PER_RUN = 4
AVATAR_RESOLUTION = "1K"
AVATAR_FROM_REFERENCE_RESOLUTION = "2K"
AVATAR_ASPECT_RATIO = "9:16"
AVATAR_FORMAT = "png"
GREEN_SHARE_NEEDED = 0.6  # of the edge samples
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    words: str  # what the prompt says


GENDERS = (
    Option("female", "Female", "woman"),
    Option("male", "Male", "man"),
    Option("nonbinary", "Non-binary", "androgynous person"),
)
AGE_GROUPS = (
    Option("young-adult", "Young adult (18–25)", "in their early twenties"),
    Option("adult", "Adult (26–39)", "in their thirties"),
    Option("middle-aged", "Middle-aged (40–59)", "in their fifties"),
    Option("senior", "Senior (60+)", "in their late sixties"),
)
ETHNICITIES = (
    Option("any", "Any", ""),
    Option("african", "African", "of African descent"),
    Option("east-asian", "East Asian", "of East Asian descent"),
    Option("south-asian", "South Asian", "of South Asian descent"),
    Option("european", "European", "of European descent"),
    Option("latino", "Latino / Hispanic", "of Latin American descent"),
    Option("middle-eastern", "Middle Eastern", "of Middle Eastern descent"),
)
OUTFITS = (
    Option("casual", "Casual", "a soft cotton crew-neck T-shirt in a muted colour"),
    Option("smart-casual", "Smart casual", "a tailored open-collar shirt under a light knit cardigan"),
    Option("business", "Business", "a fitted charcoal blazer over a crisp white shirt"),
    Option("streetwear", "Streetwear", "an oversized graphic hoodie"),
    Option("sporty", "Sporty", "a fitted athletic zip jacket"),
)
EXPRESSIONS = ("a warm closed-mouth smile", "a relaxed, friendly expression", "a confident, open expression")
OPTIONS = {"gender": GENDERS, "age": AGE_GROUPS, "ethnicity": ETHNICITIES, "outfit": OUTFITS}


def option(kind: str, value: str) -> Option:
    """The option `value` of `kind` (gender, age, ethnicity, outfit); ValueError naming the choices."""
    for candidate in OPTIONS[kind]:
        if candidate.value == value:
            return candidate
    choices = ", ".join(o.value for o in OPTIONS[kind])
    raise ValueError(f"{kind} {value!r} is not offered; choose one of {choices}")


def avatar_prompt(gender: str, age: str, ethnicity: str, outfit: str, variant: int = 0) -> str:
    """A waist-up, camera-facing portrait on solid green, soft studio light; `variant` picks the expression."""
    who = " ".join(w for w in (option("gender", gender).words, option("age", age).words,
                               option("ethnicity", ethnicity).words) if w)
    return (f"Waist-up portrait of a {who}, facing the camera, looking straight into the lens with "
            f"{EXPRESSIONS[variant % len(EXPRESSIONS)]}, wearing {option('outfit', outfit).words}. Solid flat green "
            f"({GREEN_HEX}) studio backdrop filling the whole background, no shadows on it. Soft, even studio "
            "light from the front, natural skin texture with visible pores. Photorealistic, sharp focus, centred.")


GREEN_VERSION_PROMPT = (f"Keep this exact person, face, hair, outfit and pose. Replace the background with a solid flat "
                        f"green ({GREEN_HEX}) studio backdrop filling the whole frame, soft even front light, "
                        "waist-up, facing the camera.")


def is_green(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return g >= 120 and g - r >= 35 and g - b >= 35


def green_share(edge_pixels: Iterable[tuple[int, int, int]]) -> float:
    """The share of edge samples that are backdrop green (G ≥ 120 and at least 35 above R and B)."""
    samples = list(edge_pixels)
    return sum(1 for p in samples if is_green(p)) / len(samples) if samples else 0.0


# Reaction videos: the avatar's face moves into one emotion (image-to-video, no speech)
REACTIONS = {
    "sad": "the person's face slowly falls into quiet sadness, eyes lowering, lips pressing together, a slight sigh",
    "upset": "the person frowns, brows pulling together, jaw tightening, a short exhale through the nose",
    "angry": "the person's brows drop sharply, nostrils flare, lips tighten into a hard line, a tense stare",
    "disappointed": "the person's smile fades, eyes drop, shoulders sink a little, a small shake of the head",
    "sob": "the person's face crumples, chin trembling, eyes squeezing shut, shoulders shaking as they sob",
    "excited": "the person's eyes widen and brighten, a big open smile spreads, eyebrows lift, a quick nod",
    "surprised": "the person's eyebrows shoot up, eyes open wide, mouth opens into a small gasp",
    "confused": "the person tilts their head, one brow raised, eyes narrowing, lips pursed in doubt",
    "worried": "the person's brows knit upward, eyes dart, lips press together, a nervous swallow",
    "happy": "the person breaks into a warm, genuine smile, cheeks lifting, eyes crinkling, a soft laugh",
}
REACTION_SUFFIX = "Camera still, face toward the camera, natural micro-expressions, the backdrop unchanged."
