"""Procedural demo images: palette and layout from the prompt's words, colour from the reference images."""
from __future__ import annotations

import colorsys
import re
from pathlib import Path

import numpy as np
from PIL import Image

from pixflow_tui.core.avatars import GREEN_HEX, GREEN_RGB, is_green
from pixflow_tui.providers.demo.colors import RGB, colors_in_text, dominant_colors
from pixflow_tui.providers.demo.common import DEMO_DESCRIPTION, cover, draw_label, stable_seed
from pixflow_tui.providers.demo.png import write_png

IMAGE_CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
IMAGE_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
THUMBNAIL_SIZE = (384, 384)  # as the engine's thumbnails (engine.outputs.THUMBNAIL_SIZE)
# Shapes are rendered with numpy at most this long side and then upscaled: keeps 4K fast.
WORK_LONG_SIDE = 512
MAX_ELEMENTS = 14
SUBJECT_HEAD_Y = 0.42  # centre of the silhouette's head, fraction of the height

_STOPWORDS = frozenset(
    "a an and are as at be by for from has in into is it its of on or over the this to under with without "
    "while very her his their them they she he you your pose lighting background outfit hair makeup camera "
    "effects critical".split()
)
_EXIF_IMAGE_DESCRIPTION = 0x010E
_EXIF_SOFTWARE = 0x0131


def prompt_words(prompt: str) -> list[str]:
    words = [w for w in re.findall(r"[a-z]+", prompt.lower()) if len(w) >= 3 and w not in _STOPWORDS]
    return list(dict.fromkeys(words))  # unique, first occurrence order


def _seeded_palette(rng: np.random.Generator, count: int) -> list[RGB]:
    """Harmonious colours around a random base hue (analogous + complementary)."""
    base = rng.random()
    offsets = [0.0, 0.08, 0.5, -0.1, 0.25]
    colours = []
    for i in range(count):
        hue = (base + offsets[i % len(offsets)] + rng.normal(0, 0.02)) % 1.0
        sat, val = 0.35 + 0.5 * rng.random(), 0.45 + 0.5 * rng.random()
        r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours


def build_palette(prompt: str, references: list[Image.Image], rng: np.random.Generator) -> list[RGB]:
    palette: list[RGB] = []
    for ref in references:
        palette.extend(rgb for _, rgb, _ in dominant_colors(ref, limit=2))
    palette.extend(rgb for _, rgb in colors_in_text(prompt)[:5])
    if len(palette) < 4:
        palette.extend(_seeded_palette(rng, 4 - len(palette)))
    return palette


def _tone(prompt: str) -> tuple[float, float]:
    """(brightness gain, vignette strength) from mood words in the prompt."""
    text = prompt.lower()
    gain = 1.0
    if any(w in text for w in ("low-key", "low key", "noir", "moody", "chiaroscuro", "night", "dark")):
        gain = 0.7
    elif any(w in text for w in ("high-key", "high key", "airy", "bright", "sunlit", "overexposed")):
        gain = 1.2
    return gain, (0.55 if "vignette" in text else 0.3)


def _blend(canvas: np.ndarray, colour: np.ndarray, alpha: np.ndarray, y0: int, x0: int) -> None:
    h, w = alpha.shape
    region = canvas[y0:y0 + h, x0:x0 + w]
    region += (colour - region) * alpha[..., None]


def _draw_element(canvas: np.ndarray, word: str, colour: RGB, rng: np.random.Generator) -> None:
    height, width = canvas.shape[:2]
    h = stable_seed(word)
    kind = h % 4
    short = min(width, height)
    cx = (h >> 4) % 997 / 997 * width * 0.9 + width * 0.05 + rng.normal(0, width * 0.05)
    cy = (h >> 14) % 991 / 991 * height * 0.9 + height * 0.05 + rng.normal(0, height * 0.05)
    radius = short * (0.08 + 0.22 * ((h >> 24) % 101) / 100)
    col = np.array(colour, dtype=np.float32)
    if kind == 2:  # a soft diagonal band across the whole frame
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = (h >> 8) % 180 * np.pi / 180
        dist = np.abs((xx - cx) * np.cos(angle) + (yy - cy) * np.sin(angle))
        alpha = np.clip(1 - dist / (radius * 0.35), 0, 1) ** 2 * 0.45
        _blend(canvas, col, alpha, 0, 0)
        return
    x0, x1 = int(max(0, cx - radius * 1.4)), int(min(width, cx + radius * 1.4))
    y0, y1 = int(max(0, cy - radius * 1.4)), int(min(height, cy + radius * 1.4))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dist = np.hypot(xx - cx, yy - cy) / radius
    if kind == 0:  # glow
        alpha = np.exp(-(dist**2) * 2.5) * 0.75
    elif kind == 1:  # ring
        alpha = np.clip(1 - np.abs(dist - 0.8) / 0.12, 0, 1) * 0.7
    else:  # soft-edged rounded square
        cheb = np.maximum(np.abs(xx - cx), np.abs(yy - cy)) / radius
        alpha = np.clip((1 - cheb) * 6, 0, 1) * 0.55
    _blend(canvas, col, alpha, y0, x0)


def _draw_subject(canvas: np.ndarray, colour: RGB) -> None:
    """A soft head-and-shoulders silhouette, so the demo reads as a portrait. Its head is where the demo lipsync
    draws the mouth (lipsync.MOUTH_CENTER), so keep the two in step."""
    height, width = canvas.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx = width * 0.5
    scale = min(width, height * 0.75)
    head_cy, head_r = height * SUBJECT_HEAD_Y, scale * 0.13
    head = ((xx - cx) / (head_r * 0.85)) ** 2 + ((yy - head_cy) / head_r) ** 2
    body = ((xx - cx) / (scale * 0.36)) ** 2 + ((yy - (head_cy + head_r * 3.2)) / (head_r * 2.2)) ** 2
    alpha = np.clip((1 - np.minimum(head, body)) * 4, 0, 1) * 0.8
    _blend(canvas, np.array(colour, dtype=np.float32) * 0.55, alpha, 0, 0)


def render_image(prompt: str, seed: int, width: int, height: int, references: list[Image.Image]) -> Image.Image:
    """A procedural picture at exactly width×height with the DEMO badge."""
    rng = np.random.default_rng(stable_seed(prompt, seed))
    scale = min(1.0, WORK_LONG_SIDE / max(width, height))
    w, h = max(8, round(width * scale)), max(8, round(height * scale))
    palette = build_palette(prompt, references, rng)
    if GREEN_HEX in prompt.lower():  # an avatar on a green box: a person on flat backdrop green, nothing else
        canvas = np.empty((h, w, 3), np.float32)
        canvas[:] = GREEN_RGB
        _draw_subject(canvas, palette[-1] if not is_green(palette[-1]) else (200, 150, 120))
        canvas += rng.normal(0, 2, size=(h, w, 1)).astype(np.float32)
        img = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
        img = img.resize((width, height), Image.Resampling.BILINEAR) if (w, h) != (width, height) else img
        draw_label(img)
        return img
    gain, vignette = _tone(prompt)

    # background: gradient between two palette colours along a seeded angle
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.random() * 2 * np.pi
    t = ((xx / w - 0.5) * np.cos(angle) + (yy / h - 0.5) * np.sin(angle) + 0.5).clip(0, 1)[..., None]
    first, second = np.array(palette[0], np.float32), np.array(palette[1 % len(palette)], np.float32)
    canvas = first * (1 - t) + second * t

    if references:  # the references' colour layout, heavily blurred, as the base of the composition
        blurred = cover(references[0], max(4, w // 24), max(4, h // 24)).resize((w, h), Image.Resampling.BICUBIC)
        canvas = canvas * 0.45 + np.asarray(blurred, dtype=np.float32) * 0.55

    for i, word in enumerate(prompt_words(prompt)[:MAX_ELEMENTS]):
        word_colours = colors_in_text(word)
        colour = word_colours[0][1] if word_colours else palette[(stable_seed(word) + i) % len(palette)]
        _draw_element(canvas, word, colour, rng)
    _draw_subject(canvas, palette[-1])

    # low-frequency light variation, vignette, grain
    light = rng.normal(1.0, 0.08, size=(4, 3)).astype(np.float32)
    light_map = np.asarray(Image.fromarray(light).resize((w, h), Image.Resampling.BICUBIC))
    radial = np.hypot(xx / w - 0.5, yy / h - 0.5) / 0.7071
    canvas *= (light_map * gain * (1 - vignette * radial**2))[..., None]
    grain = 10 if "grain" in prompt.lower() else 4
    canvas += rng.normal(0, grain, size=(h, w, 1)).astype(np.float32)

    img = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    if (w, h) != (width, height):
        img = img.resize((width, height), Image.Resampling.BILINEAR)
    draw_label(img)
    return img


def save_image(img: Image.Image, path: Path, fmt: str, extra: dict[str, str]) -> None:
    """Write `img` in `fmt` with the demo marker embedded (PNG text chunks; EXIF + comment for JPEG/WebP)."""
    if fmt == "png":
        text = {"pixflow:demo": "true", "Description": DEMO_DESCRIPTION}
        text.update({f"pixflow:{key}": value for key, value in extra.items()})
        write_png(path, np.asarray(img), text)
        return
    exif = Image.Exif()
    exif[_EXIF_IMAGE_DESCRIPTION] = DEMO_DESCRIPTION
    exif[_EXIF_SOFTWARE] = "Pixflow demo provider"
    if fmt == "jpeg":
        img.save(path, format="JPEG", quality=90, exif=exif.tobytes(), comment=DEMO_DESCRIPTION.encode())
    elif fmt == "webp":
        img.save(path, format="WEBP", quality=85, method=0, exif=exif.tobytes())
    else:
        raise ValueError(f"unsupported image format {fmt!r}")


def save_thumbnail(img: Image.Image, path: Path) -> None:
    """A JPEG thumbnail from the pixels in hand, so the app need not decode the output again to make one."""
    # a box-filter reduce by a whole factor does the smoothing; the last step to the size (less than 2x) is
    # nearest-neighbour, which on these smooth pictures looks the same at a twentieth of a bilinear pass's cost
    factor = max(1, min(img.width // THUMBNAIL_SIZE[0], img.height // THUMBNAIL_SIZE[1]))
    small = img.reduce(factor) if factor > 1 else img.copy()
    small.thumbnail(THUMBNAIL_SIZE, Image.Resampling.NEAREST, reducing_gap=None)
    small.convert("RGB").save(path, "JPEG", quality=85)
