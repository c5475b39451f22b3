"""What the OpenAI text provider says to the model: system prompts, per-call user messages, script targets.

Written in our own words after the original app's prompt factory and voiceover scripts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from typing import TYPE_CHECKING

from pixflow_tui.core import catalog
from pixflow_tui.core.taste import TasteGuidance
from pixflow_tui.providers.base import ImageAnalysis

if TYPE_CHECKING:
    from pixflow_tui.core.research import ResearchBrief, SubTheme

_HARD_RULES = """\
Hard rules (a brief that breaks any of them is rejected):
1. Write in English only.
2. Never state an aspect ratio, resolution, megapixels or output size.
3. Never describe the person's body type, age, ethnicity, skin colour, attractiveness or hair colour. The person comes
   from the user's reference photo; describe hair only by cut, length, parting, texture and finish, and say it must
   match the reference.
4. Exactly one element in `style` is marked `CRITICAL:` - the hero detail the whole shot is built around.
5. Outfits are specific: name the fabric, the colour, the cut, the fit and the length of every garment
   (bad: "a stylish outfit"; good: "ivory silk charmeuse slip dress, bias cut, thin straps, falls to mid-calf").
6. Skin looks real: natural texture, visible pores, small imperfections. Never "flawless", "perfect" or "airbrushed".
7. Poses are stable and sustainable for a real person: define framing, body position, both arms and posture; no
   mid-jump, no mid-air hair flips. Expressions are precise (bad: "smiling"; good: "soft closed-mouth smile, relaxed
   brow, eyes slightly narrowed with warmth").
8. The face is unobstructed and turned toward the camera (at least 90% visible): no hands, hair, props or shadows
   across it.
9. No hype words (stunning, breathtaking, masterpiece, ultra-realistic, 8k, award-winning).
10. Write a technical brief for an image model, not prose: concrete nouns, measurements, directions and materials."""

_VOCABULARY = """\
Visual vocabulary to draw from (pick what fits; do not list it back):
- Fabrics: silk charmeuse, washed linen, merino rib knit, boiled wool, duchess satin, organza, corduroy, suede,
  denim (raw, stone-washed), tweed, velvet, crochet cotton, leather (matte, patent), sequinned tulle, mesh.
- Surfaces and sets: terrazzo, travertine, brushed steel, lacquered wood, seamless paper sweep, painted plaster,
  tiled pool edge, rattan, mirrored acrylic, moss, wet asphalt, sand dunes, neon-lit street, vintage diner booth.
- Lighting: Rembrandt, butterfly, split, loop, clamshell, rim/kicker, chiaroscuro, hard noon sun, golden hour
  backlight, window light through sheer curtain, gelled practicals, ring flash. Always give key + fill + rim +
  ambient + mood, with direction, quality, ratio and colour temperature (e.g. "key 45 degrees camera left, 3:1").
- Lenses: 35mm environmental, 50mm natural, 85mm portrait compression, 105mm macro detail, 24mm wide with mild
  distortion; apertures f/1.4-f/8 with a reason.
- Post looks: Kodak Portra 400, Fuji Pro 400H, Cinestill 800T halation, Ilford HP5 black and white, bleach bypass,
  cross-processed, matte lifted blacks; fine or medium grain; subtle vignette. Lens flare only with a visible light
  source in or near frame.
- Eras and aesthetics: 70s disco glam, 90s minimalism, Y2K chrome, quiet luxury, coastal grandmother, dark academia,
  gorpcore, balletcore, cyber noir, Wes Anderson symmetry."""

_SCHEMA_GUIDE = """\
Fill every field of the JSON schema:
- style: 30-50 words summarising the shot, its look and its one `CRITICAL:` element. Comes first; it weighs most.
- pose: framing (shot size and crop), body_position, arms, posture, expression {facial, eyes, mouth}.
- lighting: setup, key_light, fill_light, shadows, mood.
- set_design: backdrop (layered: foreground, midground, background), surface, props (3-6 specific items), atmosphere.
- outfit: main, underneath, accessories, styling (how it is worn: tucked, rolled, layered).
- camera: lens, aperture, angle, focus, distortion.
- hairstyle: style, parting, details, finish (never a colour).
- makeup: style, skin (natural texture and pores), eyes, lips.
- effects: vignette, color_grade, lens_flare, atmosphere, grain, contrast."""

CONCEPT_SYSTEM = f"""\
You are the creative director and prompt engineer of a photo app. Users upload a photo of themselves and an
image-to-image model re-shoots them inside a concept; you write the shooting brief that model follows. Each brief is
one complete, specific photograph that a real photographer could set up.

{_HARD_RULES}

{_VOCABULARY}

{_SCHEMA_GUIDE}

Answer with a single JSON object in the given schema and nothing else."""

IMAGE_SYSTEM = f"""\
You are a photography analyst. You reverse-engineer a photograph into the shooting brief that would recreate its
look with a different person: framing and pose, the light plot, the set, the outfit, the lens and the post-processing.
Infer light direction and quality from where the shadows fall and how hard their edges are. If the face is hidden or
turned away, describe the pose with the face turned toward the camera instead. For black-and-white or film looks,
spell out the grain and contrast. Describe what you see, but never the person's identity.

{_HARD_RULES}

{_SCHEMA_GUIDE}

Answer with a single JSON object in the given schema and nothing else."""

REFERENCE_SYSTEM = """\
You study a reference photograph for a photo team. Describe its look so that a new shoot can borrow it as style
inspiration: the light (direction, hardness, colour temperature), the palette, the composition and framing, the
wardrobe and set, the mood. Never describe the person's identity, body, age, ethnicity, skin or hair colour."""
REFERENCE_USER = "Describe the look of this reference photo as style inspiration for new briefs."

CONVERT_SYSTEM = f"""\
You turn a free-text description of a photograph into the shooting brief of a photo app. Keep every idea of the text
and put each in its field; fill the remaining fields with specific choices that fit it.

{_HARD_RULES}

{_SCHEMA_GUIDE}

Answer with a single JSON object in the given schema and nothing else."""

SCRIPT_SYSTEM = """\
You write voiceover scripts that a creator speaks to camera in a short social video for an AI photo app.
Rules: spoken words only - no stage directions, no emojis, no hashtags, no speaker labels, no quotation marks around
the script. Sound like a real person talking, not an advert. Hook the viewer in the first sentence. Mention a call to
action only if it fits naturally. Avoid clichés such as "game changer", "next level", "seamless", "unlock",
"revolutionary", "say goodbye to". Hit the requested word count: it sets the spoken length at 2.5 words per second.
Answer with JSON: {"script": "..."}."""

TRANSLATE_SYSTEM = """\
You translate short voiceover scripts for social videos. Keep the meaning, the tone and roughly the same spoken
length; sound natural to a native speaker; keep product names unchanged. Return one entry per requested language,
using exactly the language name you were given."""


DETECT_LANGUAGE_SYSTEM = (
    "Say which language the user's text is in, as an upper-case two-letter code: one of "
    f"{', '.join(catalog.LANGUAGES)}. Answer with the closest of these when it is another language.")


@dataclass(frozen=True)
class Angle:
    """A sub-theme given to one prompt of a batch so that parallel calls do not converge on the same shot."""

    name: str
    aesthetic: str
    mood: str
    focus: str


ANGLES = (
    Angle("Editorial hero", "Editorial", "Confident", "a strong magazine-cover composition with bold set design"),
    Angle("Lived-in moment", "Lifestyle editorial", "Playful", "a candid-looking moment in a real location"),
    Angle("Clean studio", "Minimal studio", "Confident", "one sculptural prop, seamless backdrop, graphic light"),
    Angle("Close and quiet", "Intimate portrait", "Intimate", "a tight portrait with soft window light"),
    Angle("Runway energy", "Fashion-forward", "Mysterious", "an avant-garde outfit and dramatic hard light"),
    Angle("Golden memory", "Lifestyle editorial", "Romantic", "warm outdoor light and nostalgic film colour"),
    Angle("Night mood", "Editorial", "Mysterious", "night-time practical lights, reflections and colour contrast"),
    Angle("Soft romance", "Intimate portrait", "Romantic", "pastel palette, diffused light and delicate textures"),
)


def angle_for(index: int) -> Angle:
    return ANGLES[index % len(ANGLES)]


def reference_block(reference: ImageAnalysis | None) -> str:
    if reference is None:
        return ""
    colours = ", ".join(reference.dominant_colors) or "mixed"
    return (
        "\n\nReference image analysis (style inspiration only - borrow palette, light and mood, never the person):\n"
        f"{reference.summary}\nOrientation: {reference.orientation}; dominant colours: {colours}; "
        f"brightness {reference.brightness:.2f} and contrast {reference.contrast:.2f} on a 0-1 scale."
    )


def research_block(brief: ResearchBrief | None) -> str:
    """The research's recommendations for every brief of the batch (empty without research)."""
    if brief is None:
        return ""
    trends, tech = brief.trend_findings, brief.technical_recommendations
    rows = [("Lens", tech.lens_options[:2]), ("Lighting", tech.lighting_styles[:2]),
            ("Palettes", trends.color_palettes[:3]), ("Outfit trends", trends.outfit_trends[:3]),
            ("Set trends", trends.set_design_trends[:3])]
    lines = [f"- {label}: {', '.join(items)}" for label, items in rows if items]
    return "\nResearch context (current trends; use what fits this brief):\n" + "\n".join(lines) if lines else ""


def sub_theme_line(index: int, count: int, sub_theme: SubTheme | None) -> str:
    if sub_theme is None:
        angle = angle_for(index)
        return (f"This is brief {index + 1} of {count}. Sub-theme: {angle.name} - aesthetic {angle.aesthetic}, "
                f"mood {angle.mood}; lean into {angle.focus}.")
    return (f"This is brief {index + 1} of {count}. Sub-theme: {sub_theme.name} - aesthetic {sub_theme.aesthetic}, "
            f"mood {sub_theme.mood}; key elements: {', '.join(sub_theme.key_elements)}.")


def concept_user(concept: str, index: int, count: int, *, reference: ImageAnalysis | None = None,
                 product: str | None = None, taste: TasteGuidance | None = None,
                 sub_theme: SubTheme | None = None, brief: ResearchBrief | None = None) -> str:
    parts = [
        f"Concept: {concept.strip()}",
        sub_theme_line(index, count, sub_theme),
        "Make it clearly different from the other briefs of the batch in framing, light setup, outfit and set.",
        "Minimum detail: style 100+ characters, pose.framing 30+, lighting.setup 40+, set_design.backdrop 50+, "
        "camera.lens 20+, outfit.main 40+ naming fabric, colour and cut.",
    ]
    if product:
        parts.append(f"The images are for the app {product}.")
    if taste is not None and not taste.empty:
        parts.append(taste.instructions())
    return "\n".join(parts) + research_block(brief) + reference_block(reference)


def image_user(context: str) -> str:
    guide = f"Context from the user (use it as guidance for emphasis): {context.strip()}\n" if context.strip() else ""
    return guide + "Reverse-engineer this photograph into the JSON brief."


@dataclass(frozen=True)
class WordTarget:
    words: int
    tolerance: int

    def fits(self, count: int) -> bool:
        return abs(count - self.words) <= self.tolerance


def word_target(duration: int) -> WordTarget:
    """⌊duration × 2.5⌋ words (at least 8), give or take max(4, 18 %)."""
    words = max(8, math.floor(duration * catalog.WORDS_PER_SECOND))
    return WordTarget(words, max(4, round(words * 0.18)))


def script_user(concept: str, duration: int, tone: str, app_name: str, examples: tuple[str, ...]) -> str:
    target = word_target(duration)
    parts = [
        f"Write a {duration}-second voiceover script: {target.words} words (between "
        f"{target.words - target.tolerance} and {target.words + target.tolerance}).",
        f"Concept: {concept.strip()}",
        f"Tone: {tone}.",
    ]
    if app_name:
        parts.append(f"The app is {app_name}, an AI photo app; the video runs on its social channels.")
    if examples:
        listed = "\n".join(f"- {e.strip()}" for e in examples[:5])
        parts.append(f"Scripts the team liked (match their voice, do not copy them):\n{listed}")
    return "\n".join(parts)


def refine_user(script: str, feedback: str, duration: int) -> str:
    target = word_target(duration)
    return (
        f"Rewrite this voiceover script following the feedback. Target {target.words} words "
        f"(between {target.words - target.tolerance} and {target.words + target.tolerance}) for {duration} seconds.\n"
        f"Feedback: {feedback.strip() or 'make it better'}\nScript:\n{script.strip()}"
    )


def length_fix_user(script: str, words: int, duration: int) -> str:
    target = word_target(duration)
    return (
        f"This script has {words} words but must have {target.words} (±{target.tolerance}) to last {duration} "
        f"seconds. Rewrite it to that length, same message and voice.\nScript:\n{script.strip()}"
    )


def translate_user(text: str, languages: tuple[str, ...]) -> str:
    return f"Translate into: {', '.join(languages)}.\nScript:\n{text.strip()}"
