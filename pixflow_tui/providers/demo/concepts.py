"""What a concept says, for the demo prompts to use rather than quote: who is in the picture, where, and the
weather or light that comes with the place ("rainy neon street portrait of a jazz singer" → a jazz singer, on a
rainy neon street, with rain and neon in the light and the air)."""
from __future__ import annotations

import re
from dataclasses import dataclass

# a place noun → (preposition, what the backdrop shows of it)
PLACES: dict[str, tuple[str, str]] = {
    "street": ("on", "wet asphalt and lit shopfronts receding behind the subject, softly out of focus"),
    "alley": ("in", "narrow brick walls and a strip of sky, signage glowing far behind"),
    "city": ("in", "city blocks and traffic lights dissolving into round bokeh"),
    "rooftop": ("on", "a parapet edge with the skyline falling away into bokeh"),
    "subway": ("in", "tiled walls and a platform edge lit by the arriving train"),
    "station": ("in", "steel girders and departure boards blurred behind the subject"),
    "diner": ("in", "chrome trim, vinyl booths and a counter line running into the distance"),
    "cafe": ("in", "a window table, steam and warm pendant lights behind"),
    "café": ("in", "a window table, steam and warm pendant lights behind"),
    "bar": ("in", "a backlit bottle wall and a polished counter glowing out of focus"),
    "club": ("in", "a dark room cut by coloured beams and a haze of smoke"),
    "stage": ("on", "stage lights and a dark auditorium beyond the footlights"),
    "library": ("in", "tall shelves of worn spines and brass lamps glowing softly"),
    "kitchen": ("in", "tiled splashback, copper pans and a window of daylight"),
    "bedroom": ("in", "rumpled linen, a window with sheer curtains and soft morning light"),
    "studio": ("in", "a seamless backdrop curving into the floor with no visible horizon"),
    "beach": ("on", "wet sand, low surf and a wide horizon behind the subject"),
    "desert": ("in", "dunes with long wind ripples leading to the horizon"),
    "road": ("on", "an open road narrowing to the horizon, heat shimmer above the asphalt"),
    "forest": ("in", "tall trunks and ferns layered in depth, light falling through the canopy"),
    "garden": ("in", "clipped hedges and blooms layered in front of and behind the subject"),
    "field": ("in", "tall grass to the horizon, tips catching the light"),
    "meadow": ("in", "wildflowers and long grass to the horizon, tips catching the light"),
    "park": ("in", "trees and winding paths softly out of focus"),
    "mountain": ("on", "ridgelines stepping back in layers of haze"),
    "lake": ("by", "still water reflecting the sky, the far shore soft"),
    "harbour": ("in", "moored boats, masts and water reflections behind"),
    "harbor": ("in", "moored boats, masts and water reflections behind"),
    "pier": ("on", "weathered planks running out over the water"),
    "bridge": ("on", "steel cables and railings converging into the distance"),
    "market": ("in", "stalls, awnings and hanging lights crowding the background"),
    "hotel": ("in", "a lobby of marble, brass and low lamps out of focus"),
    "museum": ("in", "gallery walls, framed works and polished floors receding"),
    "gallery": ("in", "white walls, framed works and polished floors receding"),
    "warehouse": ("in", "brick, steel columns and tall industrial windows"),
    "loft": ("in", "brick, steel columns and tall industrial windows"),
    "pool": ("by", "turquoise water, tiled edges and rippling reflections"),
    "train": ("on", "a carriage window with landscape streaking past"),
    "car": ("in", "a car interior with the window framing the passing street"),
    "balcony": ("on", "a wrought-iron railing with the street far below"),
    "terrace": ("on", "a stone balustrade with the view falling away into bokeh"),
    "snow": ("in", "fresh snow on the ground and branches, the distance white and soft"),
}
# words of the place phrase → light and air that come with them
WEATHER: dict[str, tuple[str, str]] = {
    "rainy": ("rain-slick reflections doubling every light source", "fine rain falling, droplets catching the light"),
    "rain": ("rain-slick reflections doubling every light source", "fine rain falling, droplets catching the light"),
    "neon": ("neon signage spilling magenta and cyan across the face", "a faint haze glowing with neon colour"),
    "foggy": ("light diffused to a soft wrap by the fog", "low fog softening everything behind the subject"),
    "misty": ("light diffused to a soft wrap by the mist", "mist softening everything behind the subject"),
    "snowy": ("cool bounce light from the snow filling the shadows", "light snowfall drifting through the frame"),
    "night": ("pools of artificial light against a dark surround", "night air, the background falling to black"),
    "sunset": ("warm low sun raking across the subject", "golden dust hanging in the low light"),
    "dawn": ("soft cool light of first sun", "morning haze lifting off the ground"),
    "sunny": ("hard midday sun with crisp shadows", "clear bright air"),
    "morning": ("soft low morning light through the windows", "fresh morning air"),
}
STYLE_WORDS = frozenset({"portrait", "portraits", "photo", "photos", "photograph", "photography", "shot", "shoot",
                         "editorial", "campaign", "fashion", "story", "series", "look", "looks", "lookbook",
                         "style", "session", "image", "images", "picture"})
_ARTICLES = ("a", "an", "the")
UNCOUNTED = frozenset({"snow", "rain", "fog", "water", "sand", "grass"})  # "in snow", not "in a snow"
# words after a place that say when or how, not who ("road trip", "cafe morning")
NOT_SUBJECTS = frozenset({"trip", "vibe", "vibes", "mood", "aesthetic", "day", "night", "evening", "morning",
                          "weekend", "holiday", "vacation", "summer", "winter", "autumn", "spring", "fall"})
_SPLIT_ON = re.compile(r"\s+(?:in|at|on|by|inside|under)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class ConceptParts:
    subject: str  # who or what is portrayed ("a jazz singer"); "" when the concept does not say
    setting: str  # the place with an article ("a rainy neon street"); "" when none is named
    preposition: str  # how the subject stands in it: on, in, by
    backdrop: str  # what the backdrop shows of the place; "" without a place
    light: str  # light that comes with the place's weather words ("" when none)
    air: str  # atmosphere that comes with them ("" when none)
    theme: str = ""  # what else the concept says of the moment ("jazz evening", "road trip")
    worn: str = ""  # what the concept says is worn ("emerald velvet", "a red coat")

    @property
    def where(self) -> str:
        """" on a rainy neon street" (with its leading space), or ""."""
        return f" {self.preposition} {self.setting}" if self.setting else ""


def _place_of(word: str) -> str | None:
    bare = word.lower().strip(",.;:!?")
    if bare in PLACES:
        return bare
    if bare.endswith("s") and bare[:-1] in PLACES:
        return bare[:-1]
    return None


def _with_article(phrase: str) -> str:
    words = phrase.split()
    plural = words and words[-1].lower().endswith("s") and not words[-1].lower().endswith("ss")
    if not words or words[0].lower() in _ARTICLES or plural or words[-1].lower() in UNCOUNTED:
        return phrase
    return f"{'an' if words[0][0].lower() in 'aeiou' else 'a'} {phrase}"


def _without_style_words(words: list[str]) -> list[str]:
    return [w for w in words if w.lower().strip(",.;:") not in STYLE_WORDS]


def _has_place(text: str) -> bool:
    return any(_place_of(word) for word in text.split())


def parse_concept(concept: str) -> ConceptParts:
    text = " ".join(concept.split())
    # "… in emerald velvet", "… wearing a trench": what is worn is the outfit's business, not the scene's
    worn = re.search(r"\s+(?:wearing|dressed in|in|with)\s+(.*)$", text, re.IGNORECASE)
    worn_text = ""
    if worn and not _has_place(worn.group(1)):
        text, worn_text = text[: worn.start()], " ".join(worn.group(1).replace(",", " ").split())
    subject_part, scene_part = "", text
    if re.search(r"\s+of\s+", text, re.IGNORECASE):  # "<scene> portrait of <subject>"
        scene_part, subject_part = re.split(r"\s+of\s+", text, maxsplit=1, flags=re.IGNORECASE)
    pieces = _SPLIT_ON.split(subject_part or scene_part, maxsplit=1)
    if len(pieces) == 2 and _has_place(pieces[1]):  # "<subject> in <place>"
        if subject_part:
            subject_part, scene_part = pieces[0], f"{scene_part} {pieces[1]}"
        else:
            subject_part, scene_part = pieces
    scene = _without_style_words(scene_part.split())
    place_at = next((i for i in range(len(scene) - 1, -1, -1) if _place_of(scene[i])), None)
    if place_at is None:
        setting_words: list[str] = []
        leftover = scene
    else:
        start = place_at
        while start > 0 and scene[start - 1].lower() not in _ARTICLES:
            start -= 1
        setting_words, leftover = scene[start:place_at + 1], scene[:start] + scene[place_at + 1:]
    subject = " ".join(_without_style_words(subject_part.split()))
    theme = ""
    if not subject:  # no place named: the concept is who or what is portrayed; else the words after the place
        after = leftover if not setting_words else scene[place_at + 1:] if place_at is not None else []
        if any(w.lower() in NOT_SUBJECTS for w in after):
            theme = " ".join(w for w in after if w.lower() not in WEATHER)
        else:
            subject = " ".join(w for w in after if w.lower() not in WEATHER)
    place = _place_of(setting_words[-1]) if setting_words else None
    weather = [WEATHER[w.lower()] for w in setting_words + leftover if w.lower() in WEATHER]
    preposition, backdrop = PLACES[place] if place else ("", "")
    setting = _with_article(" ".join(setting_words)) if setting_words else ""
    return ConceptParts(subject=_with_article(subject) if subject else "", setting=setting,
                        preposition=preposition, backdrop=backdrop,
                        light="; ".join(w[0] for w in weather), air="; ".join(w[1] for w in weather), theme=theme, worn=worn_text)
