"""Checks of what users hand us (files, text), each failing with a message that names the problem."""
from __future__ import annotations

import re
from pathlib import Path

from pixflow_tui.core import catalog
from pixflow_tui.workflows.errors import InputError  # its own module: read-only commands raise it without these checks

# Far above any provider's input size, far below what exhausts memory when decoded (a compressed file of a few
# kilobytes can declare 20,000 × 20,000 pixels: 1.2 GB as RGB).
MAX_PIXELS = 50_000_000


def check_image_file(path: str | Path, *, what: str = "reference image",
                     max_bytes: int = catalog.MAX_UPLOAD_BYTES) -> Path:
    """An existing JPEG/PNG/WebP file up to `max_bytes` that really decodes; returns its absolute path."""
    file = Path(path).expanduser()
    if not file.exists():
        raise InputError(f"{what} {file} does not exist")
    if not file.is_file():
        raise InputError(f"{what} {file} is not a file")
    from PIL import Image, UnidentifiedImageError  # here: every command imports InputError, few decode images

    size = file.stat().st_size
    if size > max_bytes:
        raise InputError(f"{what} {file} is {size / 1024 / 1024:.1f} MB; the limit is {max_bytes // (1024 * 1024)} MB")
    try:
        with Image.open(file) as image:
            kind = image.format or "unknown"
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(_too_many_pixels(what, file, width * height, f"{width}×{height} pixels, "))
            image.load()
    except Image.DecompressionBombError as exc:  # Pillow's own, far higher limit, met before the size is known
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise InputError(_too_many_pixels(what, file, int(found.group(1)) if found else None, "")) from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        reason = "it is not an image" if isinstance(exc, UnidentifiedImageError) else f"it does not decode ({exc})"
        raise InputError(f"{what} {file} cannot be used: {reason}") from None
    if kind not in catalog.UPLOAD_FORMATS:
        raise InputError(f"{what} {file} is {kind}; use JPEG, PNG or WebP")
    return file.resolve()


def _too_many_pixels(what: str, file: Path, pixels: int | None, dimensions: str) -> str:
    amount = f" ({dimensions}{pixels / 1_000_000:.0f} megapixels)" if pixels else ""
    return (f"{what} {file} is too large{amount}; the limit is {MAX_PIXELS // 1_000_000} megapixels, "
            "scale it down first")


def check_references(paths: list[str] | tuple[str, ...]) -> list[Path]:
    if len(paths) > catalog.MAX_REFERENCE_IMAGES:
        raise InputError(f"{len(paths)} reference images given; at most {catalog.MAX_REFERENCE_IMAGES}")
    return [check_image_file(p) for p in paths]


def check_concept(concept: str) -> str:
    """1–300 characters once trimmed, with <>{} removed as the original app does."""
    cleaned = " ".join(concept.translate({ord(c): None for c in "<>{}"}).split())
    if not cleaned:
        raise InputError("the concept is empty; describe what to create (1–300 characters)")
    if len(cleaned) > catalog.CONCEPT_MAX_CHARS:
        raise InputError(f"the concept has {len(cleaned)} characters; the limit is {catalog.CONCEPT_MAX_CHARS}")
    return cleaned


def check_count(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise InputError(f"{what} must be {low}–{high}, not {value}")
    return value
