"""Reference image analysis from real pixel statistics (size, orientation, dominant colours, brightness, contrast)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pixflow_tui.providers.base import ImageAnalysis
from pixflow_tui.providers.demo.colors import dominant_colors
from pixflow_tui.providers.demo.common import load_image

WARM_COLORS = frozenset({"red", "burgundy", "orange", "amber", "yellow", "brown", "beige", "pink", "magenta"})
COOL_COLORS = frozenset({"blue", "navy", "teal", "cyan", "green", "purple", "olive"})
SQUARE_TOLERANCE = 0.02  # sides within 2 % count as square


def orientation_of(width: int, height: int) -> str:
    if abs(width - height) <= SQUARE_TOLERANCE * max(width, height):
        return "square"
    return "landscape" if width > height else "portrait"


def key_of(brightness: float) -> str:
    return "low-key" if brightness < 0.35 else "high-key" if brightness > 0.65 else "mid-key"


def contrast_word(contrast: float) -> str:
    return "high contrast" if contrast > 0.5 else "soft low contrast" if contrast < 0.2 else "moderate contrast"


def temperature_of(colors: tuple[str, ...]) -> str:
    warm = sum(1 for c in colors[:3] if c in WARM_COLORS)
    cool = sum(1 for c in colors[:3] if c in COOL_COLORS)
    return "warm" if warm > cool else "cool" if cool > warm else "neutral"


def analyze_image(image: Path) -> ImageAnalysis:
    img = load_image(str(image), "image")
    width, height = img.size
    small = img.copy()
    small.thumbnail((256, 256))
    rgb = np.asarray(small, dtype=np.float32)
    luma = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    brightness = float(luma.mean() / 255.0)
    contrast = float(min(1.0, luma.std() / 127.5))  # 1.0 = half black, half white
    colors = tuple(name for name, _, _ in dominant_colors(img))
    orientation = orientation_of(width, height)
    summary = (f"{orientation} {width}×{height} image, mostly {' and '.join(colors[:2])}, "
               f"{temperature_of(colors)} tones, {key_of(brightness)} (brightness {brightness:.2f}), "
               f"{contrast_word(contrast)} ({contrast:.2f})")
    return ImageAnalysis(summary=summary, width=width, height=height, orientation=orientation,
                         dominant_colors=colors, brightness=round(brightness, 4), contrast=round(contrast, 4))
