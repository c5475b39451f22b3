"""Colour names: the ~20 names an analysis reports, the wider set of colour words a prompt may use, and
dominant colours of an image from real pixel statistics."""
from __future__ import annotations

import re

import numpy as np
from PIL import Image

RGB = tuple[int, int, int]

# The names an image analysis reports (nearest match wins).
NAMED_COLORS: dict[str, RGB] = {
    "black": (12, 12, 12),
    "charcoal": (60, 62, 66),
    "gray": (128, 128, 128),
    "silver": (192, 192, 192),
    "white": (245, 245, 245),
    "red": (205, 30, 30),
    "burgundy": (110, 20, 40),
    "orange": (240, 130, 30),
    "amber": (225, 170, 60),
    "yellow": (240, 225, 40),
    "olive": (110, 115, 40),
    "green": (40, 160, 60),
    "teal": (0, 128, 128),
    "cyan": (40, 210, 220),
    "blue": (30, 60, 230),
    "navy": (20, 30, 100),
    "purple": (120, 50, 170),
    "magenta": (215, 40, 170),
    "pink": (240, 150, 185),
    "brown": (115, 70, 35),
    "beige": (220, 200, 165),
}

# Every colour word a prompt may use, mapped to a representative RGB (a superset of NAMED_COLORS).
COLOR_WORDS: dict[str, RGB] = {
    **NAMED_COLORS,
    "grey": (128, 128, 128),
    "ivory": (250, 245, 225),
    "cream": (245, 235, 205),
    "ecru": (225, 215, 185),
    "camel": (195, 150, 95),
    "tan": (205, 170, 125),
    "chocolate": (90, 50, 25),
    "crimson": (200, 20, 60),
    "scarlet": (235, 35, 20),
    "cherry": (190, 20, 45),
    "wine": (115, 25, 50),
    "rust": (180, 80, 35),
    "terracotta": (205, 105, 75),
    "coral": (250, 120, 95),
    "peach": (250, 190, 150),
    "apricot": (250, 175, 120),
    "golden": (225, 175, 40),
    "gold": (215, 170, 45),
    "mustard": (210, 170, 40),
    "lemon": (250, 240, 90),
    "sage": (150, 175, 135),
    "mint": (160, 230, 190),
    "emerald": (20, 150, 90),
    "forest": (35, 85, 45),
    "jade": (0, 165, 110),
    "turquoise": (60, 210, 200),
    "aqua": (0, 220, 230),
    "cobalt": (0, 70, 170),
    "sapphire": (20, 50, 150),
    "indigo": (60, 40, 130),
    "violet": (140, 80, 200),
    "lavender": (190, 165, 230),
    "lilac": (200, 160, 210),
    "plum": (110, 40, 90),
    "fuchsia": (240, 40, 170),
    "rose": (230, 110, 140),
    "blush": (235, 180, 180),
    "champagne": (240, 225, 190),
    "bronze": (170, 110, 50),
    "copper": (185, 100, 55),
    "chrome": (200, 205, 210),
    "ink": (25, 30, 45),
    "midnight": (20, 25, 60),
    "sunset": (245, 120, 60),
    "neon": (60, 255, 120),
}

_WORD_RE = re.compile(r"[a-z]+")


def colors_in_text(text: str) -> list[tuple[str, RGB]]:
    """Colour words in `text`, in order of first appearance, without repeats."""
    seen: dict[str, RGB] = {}
    for word in _WORD_RE.findall(text.lower()):
        if word in COLOR_WORDS and word not in seen:
            seen[word] = COLOR_WORDS[word]
    return list(seen.items())


def _redmean_distance(pixels: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Perceptually weighted RGB distance ("redmean") between each pixel and each reference colour."""
    rmean = (pixels[:, None, 0] + refs[None, :, 0]) / 2.0
    diff = pixels[:, None, :] - refs[None, :, :]
    return ((2 + rmean / 256) * diff[..., 0] ** 2 + 4 * diff[..., 1] ** 2
            + (2 + (255 - rmean) / 256) * diff[..., 2] ** 2)


_NAMES = tuple(NAMED_COLORS)
_REFS = np.array([NAMED_COLORS[n] for n in _NAMES], dtype=np.float32)


def nearest_color_name(rgb: RGB) -> str:
    pixel = np.array([rgb], dtype=np.float32)
    return _NAMES[int(_redmean_distance(pixel, _REFS).argmin(axis=1)[0])]


def dominant_colors(image: Image.Image, limit: int = 5, min_share: float = 0.04) -> list[tuple[str, RGB, float]]:
    """(name, mean actual RGB, share of pixels) of the most common named colours, most common first."""
    small = image.convert("RGB")
    small.thumbnail((64, 64))
    pixels = np.asarray(small, dtype=np.float32).reshape(-1, 3)
    nearest = _redmean_distance(pixels, _REFS).argmin(axis=1)
    counts = np.bincount(nearest, minlength=len(_NAMES))
    order = np.argsort(-counts, kind="stable")
    found: list[tuple[str, RGB, float]] = []
    for index in order[:limit]:
        share = counts[index] / len(pixels)
        if share < min_share and found:
            break
        mean = pixels[nearest == index].mean(axis=0)
        found.append((_NAMES[index], (int(mean[0]), int(mean[1]), int(mean[2])), float(share)))
    return found
