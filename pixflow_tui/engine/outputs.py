"""Where outputs go, how they are checked, and how their metadata travels with them."""
from __future__ import annotations

import hashlib
import json
import mimetypes
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from PIL import Image, UnidentifiedImageError

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind

THUMBNAIL_SIZE = (384, 384)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METADATA_KEY = "pixflow"

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "video/mp4": ".mp4",
               "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav"}
_CAPS = {JobKind.IMAGE: catalog.IMAGE_DOWNLOAD_CAP, JobKind.VIDEO: catalog.VIDEO_DOWNLOAD_CAP,
         JobKind.LIPSYNC: catalog.VIDEO_DOWNLOAD_CAP, JobKind.SPEECH: catalog.AUDIO_DOWNLOAD_CAP}


class InvalidOutput(Exception):
    """The downloaded file does not decode as what it should be."""


@dataclass(frozen=True)
class MediaInfo:
    width: int | None = None
    height: int | None = None
    duration: float | None = None


def size_cap(kind: JobKind) -> int:
    return _CAPS[kind]


def extension_for(content_type: str, file_name: str, fallback: str) -> str:
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    suffix = Path(file_name).suffix.lower()
    if suffix:
        return ".jpg" if suffix == ".jpeg" else suffix
    guessed = mimetypes.guess_extension(content_type or "")
    return guessed or fallback


def output_path(outputs_dir: Path, module: str, batch_id: int | None, job_id: int, job_index: int,
                prompt_index: int, variant_index: int, extension: str, output_number: int = 0) -> Path:
    """outputs/<module>/<batch>/b<batch>_<index>_p<prompt>_v<variant>.<ext>: the name says batch, index and variant."""
    folder = outputs_dir / module / (f"batch-{batch_id:05d}" if batch_id is not None else f"job-{job_id}")
    stem = f"b{batch_id or 0:05d}_{job_index + 1:03d}_p{prompt_index + 1:02d}_v{variant_index + 1}"
    if output_number:
        stem += f"_{output_number + 1}"
    return folder / f"{stem}{extension}"


def verify(path: Path, kind: JobKind) -> MediaInfo:
    """Decode the file enough to know it is whole; return its size or duration."""
    if kind == JobKind.IMAGE:
        try:
            with Image.open(path) as image:
                image.load()
                return MediaInfo(width=image.width, height=image.height)
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise InvalidOutput(f"the downloaded image does not decode: {exc}") from exc
    try:
        with av.open(str(path)) as container:
            if not container.streams:
                raise InvalidOutput("the downloaded file has no audio or video stream")
            duration = container.duration / av.time_base if container.duration else None
            video = container.streams.video[0] if container.streams.video else None
            if video is not None:
                next(container.decode(video=0))
                return MediaInfo(width=video.width, height=video.height, duration=duration)
            return MediaInfo(duration=duration)
    except (av.FFmpegError, StopIteration, OSError) as exc:
        raise InvalidOutput(f"the downloaded media does not decode: {exc}") from exc


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def embed_metadata(path: Path, metadata: dict[str, Any], sidecar: Path) -> bool:
    """Put the metadata into a PNG (an iTXt chunk, no re-encoding) or else into the JSON `sidecar`.

    Returns True when a sidecar was written."""
    text = json.dumps(metadata, ensure_ascii=False, default=str)
    data = path.read_bytes()
    if data.startswith(PNG_SIGNATURE):
        iend = data.rfind(b"IEND") - 4
        if iend > len(PNG_SIGNATURE):
            chunk = _png_chunk(b"iTXt", METADATA_KEY.encode() + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))
            path.write_bytes(data[:iend] + chunk + data[iend:])
            return False
    sidecar.write_text(text, encoding="utf-8")
    return True


def read_metadata(path: Path) -> dict[str, Any] | None:
    """The metadata embedded by `embed_metadata` (PNG chunk or sidecar)."""
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        return json.loads(sidecar.read_text(encoding="utf-8"))
    try:
        with Image.open(path) as image:
            value = getattr(image, "text", {}).get(METADATA_KEY)
    except (UnidentifiedImageError, OSError):
        return None
    return json.loads(value) if value else None


def thumbnail_path(thumbnails_dir: Path, source: Path) -> Path:
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:20]
    return thumbnails_dir / f"{digest}.png"


def make_thumbnail(source: Path, kind: JobKind, thumbnails_dir: Path) -> Path | None:
    """A small PNG of the image or of a video's first frame; None for audio."""
    if kind == JobKind.SPEECH:
        return None
    target = thumbnail_path(thumbnails_dir, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == JobKind.IMAGE:
        with Image.open(source) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            image.convert("RGB").save(target, "PNG")
        return target
    with av.open(str(source)) as container:
        frame = next(container.decode(video=0)).to_image()
    frame.thumbnail(THUMBNAIL_SIZE)
    frame.save(target, "PNG")
    return target
