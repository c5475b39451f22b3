"""Helpers shared by the demo generators: stable seeds, reading input files, atomic writes, the DEMO label."""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from pixflow_tui.providers.base import PermanentProviderError

DEMO_DESCRIPTION = "Pixflow demo output"
LABEL_TEXT = "DEMO"


def stable_seed(*parts: object) -> int:
    """A 32-bit seed that is the same in every process (hash() is salted per process)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big")


def read_source(ref: str, role: str) -> tuple[str, Path | io.BytesIO]:
    """Resolve an input reference (local path, file:// URL or data: URL) to something Pillow/PyAV can open.

    Returns (label for messages, path or in-memory bytes). The demo provider is offline, so http(s) URLs fail.
    """
    text = str(ref).strip()
    if not text:
        raise PermanentProviderError(f"{role}: no file was given")
    if text.startswith("data:"):
        header, _, payload = text.partition(",")
        try:
            data = base64.b64decode(payload, validate=False) if ";base64" in header else unquote(payload).encode()
        except (binascii.Error, ValueError):
            raise PermanentProviderError(f"{role}: the data URL is not valid base64") from None
        return f"{role} (data URL)", io.BytesIO(data)
    if text.startswith(("http://", "https://")):
        raise PermanentProviderError(f"{role} {text}: the demo provider works offline and cannot fetch URLs")
    path = Path(unquote(urlparse(text).path)) if text.startswith("file://") else Path(text).expanduser()
    if not path.exists():
        raise PermanentProviderError(f"{role} {path}: file not found")
    if not path.is_file():
        raise PermanentProviderError(f"{role} {path}: not a file")
    return str(path), path


def load_image(ref: str, role: str) -> Image.Image:
    """Decode an input image fully (RGB), or raise PermanentProviderError naming the file."""
    label, source = read_source(ref, role)
    try:
        with Image.open(source) as img:
            img.load()
            return ImageOps.exif_transpose(img).convert("RGB")  # phone photos: honour the EXIF rotation
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        reason = "not a decodable image" if isinstance(exc, UnidentifiedImageError) else f"cannot be decoded ({exc})"
        raise PermanentProviderError(f"{role} {label}: {reason}") from None


def check_image(ref: str, role: str) -> None:
    """Cheap submit-time check: the file exists and its header is an image Pillow can read."""
    label, source = read_source(ref, role)
    try:
        with Image.open(source) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PermanentProviderError(f"{role} {label}: not a decodable image") from None


def atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """Let `write` fill a temp file next to `target` (what it returns is ignored), then rename it into place (a
    crash leaves no half file).

    No fsync: the rename is enough to survive the app being killed, and a demo is not worth a disk flush."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError):  # Pillow built without FreeType: bitmap font
        return ImageFont.load_default()


def draw_label(img: Image.Image) -> None:
    """Draw a small "DEMO" badge in the bottom-right corner, in place."""
    size = max(10, min(img.width, img.height) // 28)
    font = _font(size)
    draw = ImageDraw.Draw(img)
    left, top, right, bottom = draw.textbbox((0, 0), LABEL_TEXT, font=font)
    pad = max(3, size // 3)
    box_w, box_h = right - left + 2 * pad, bottom - top + 2 * pad
    margin = max(4, size // 2)
    x0, y0 = img.width - box_w - margin, img.height - box_h - margin
    draw.rectangle((x0, y0, x0 + box_w, y0 + box_h), fill=(20, 20, 24), outline=(255, 200, 0), width=max(1, size // 12))
    draw.text((x0 + pad - left, y0 + pad - top), LABEL_TEXT, fill=(255, 200, 0), font=font)


@lru_cache(maxsize=8)
def label_overlay(width: int, height: int) -> tuple[int, int, np.ndarray, np.ndarray]:
    """The DEMO badge for a video frame as (x, y, rgb patch, mask) so frames can stamp it with numpy."""
    canvas = Image.new("RGB", (width, height), (255, 0, 255))
    draw_label(canvas)
    arr = np.asarray(canvas)
    mask = np.any(arr != (255, 0, 255), axis=2)
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    return int(x0), int(y0), arr[y0:y1, x0:x1].copy(), mask[y0:y1, x0:x1].copy()


def stamp_label(frame: np.ndarray) -> None:
    """Stamp the DEMO badge onto an RGB frame (H×W×3 uint8) in place."""
    x, y, patch, mask = label_overlay(frame.shape[1], frame.shape[0])
    region = frame[y:y + patch.shape[0], x:x + patch.shape[1]]
    region[mask] = patch[mask]


def cover(img: Image.Image, width: int, height: int, resample: Image.Resampling = Image.Resampling.BILINEAR
          ) -> Image.Image:
    """Scale `img` to cover width×height and centre-crop to exactly that size."""
    scale = max(width / img.width, height / img.height)
    new_w, new_h = max(width, round(img.width * scale)), max(height, round(img.height * scale))
    left, top = (new_w - width) // 2, (new_h - height) // 2
    box = (left / scale, top / scale, (left + width) / scale, (top + height) / scale)
    return img.resize((width, height), resample, box=box, reducing_gap=2.0)
