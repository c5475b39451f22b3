"""Where outputs go, how they are checked, and how their metadata travels with them."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import mimetypes
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import av
from PIL import Image, UnidentifiedImageError

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.engine import embedded

THUMBNAIL_SIZE = (384, 384)
METADATA_KEY = "pixflow"
log = logging.getLogger(__name__)

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "video/mp4": ".mp4",
               "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav"}
_CAPS = {JobKind.IMAGE: catalog.IMAGE_DOWNLOAD_CAP, JobKind.VIDEO: catalog.VIDEO_DOWNLOAD_CAP,
         JobKind.LIPSYNC: catalog.VIDEO_DOWNLOAD_CAP, JobKind.SPEECH: catalog.AUDIO_DOWNLOAD_CAP}


class InvalidOutput(Exception):
    """The downloaded file does not decode as what it should be."""


class WrongKind(InvalidOutput):
    """The file is whole but is another kind of thing (a PNG served as a video): downloading again will not help."""


_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, embedded.PNG_SIGNATURE, "a PNG image"), (0, b"\xff\xd8\xff", "a JPEG image"), (0, b"GIF8", "a GIF image"),
    (8, b"WEBP", "a WebP image"),
)  # a page of HTML in place of a file is a CDN hiccup, left to the decoder (and a second download)


def sniff(path: Path) -> str | None:
    """What the first bytes say when the file is plainly a still image; None otherwise."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for offset, magic, what in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return what
    return None


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


def check_and_thumbnail(path: Path, kind: JobKind, thumbnail: Path | None, data: bytes | None = None) -> MediaInfo:
    """Decode the file (or `data`, its bytes when already read) enough to know it is whole, write its thumbnail on
    the way, and return its size/duration.

    One decode serves both: JPEGs decode at reduced scale (every block is still read, so truncation shows)."""
    try:
        if kind == JobKind.IMAGE:
            return _image(path if data is None else io.BytesIO(data), thumbnail)
        found = sniff(path)
        if found is not None:
            raise WrongKind(f"the provider served {found} where {_EXPECTED[kind]} was expected; it was not saved")
        return _media(path, kind, thumbnail)
    except InvalidOutput:
        raise
    except OSError as exc:
        if exc.errno is not None:  # writing the thumbnail failed (full disk): a storage problem, not a bad file
            raise
        raise InvalidOutput(f"the downloaded {kind} does not decode: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, av.FFmpegError, StopIteration) as exc:
        raise InvalidOutput(f"the downloaded {kind} does not decode: {exc}") from exc


def _image(source: Path | io.BytesIO, thumbnail: Path | None) -> MediaInfo:
    with Image.open(source) as image:
        size = image.size
        if image.format == "JPEG":
            image.draft("RGB", THUMBNAIL_SIZE)
        image.load()
        if thumbnail is not None:
            shrink_for_thumbnail(image)
            _save_thumbnail(image, thumbnail)
    return MediaInfo(width=size[0], height=size[1])


def shrink_for_thumbnail(image: Image.Image) -> None:
    """Shrink a decoded image (in place) to thumbnail size, as the check makes every thumbnail."""
    # BOX averages the pixels under each one, as a downscale wants, for ~70 % of BILINEAR's CPU (512 → 384)
    image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.BOX, reducing_gap=2.0)


_EXPECTED = {JobKind.VIDEO: "a video", JobKind.LIPSYNC: "a video", JobKind.SPEECH: "audio"}


def _media(path: Path, kind: JobKind, thumbnail: Path | None) -> MediaInfo:
    with av.open(str(path)) as container:
        if not container.streams:
            raise InvalidOutput("the downloaded file has no audio or video stream")
        format_name = container.format.name
        if format_name == "image2" or format_name.endswith("_pipe"):
            raise WrongKind(f"the provider served an image ({format_name}) where {_EXPECTED[kind]} was expected; "
                            "it was not saved")
        if kind == JobKind.SPEECH and not container.streams.audio:
            raise WrongKind("the provider served a file without sound where audio was expected; it was not saved")
        if kind != JobKind.SPEECH and not container.streams.video:
            raise WrongKind("the provider served a file without pictures where a video was expected; "
                            "it was not saved")
        duration = container.duration / av.time_base if container.duration else None
        if not container.streams.video:
            for _ in container.decode(audio=0):
                break
            return MediaInfo(duration=duration)
        video = container.streams.video[0]
        frame = next(container.decode(video=0)).to_image()
        if thumbnail is not None:
            frame.thumbnail(THUMBNAIL_SIZE)
            _save_thumbnail(frame, thumbnail)
        return MediaInfo(width=video.width, height=video.height, duration=duration)


def _save_thumbnail(image: Image.Image, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    encode_thumbnail(image, target)


def encode_thumbnail(image: Image.Image, target: Path | IO[bytes]) -> None:
    # JPEG: a PNG encode of a 384 px thumbnail costs ~12 ms of CPU on a small machine, a JPEG one under 1 ms
    (image if image.mode == "RGB" else image.convert("RGB")).save(target, "JPEG", quality=85)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def embed_metadata(path: Path, metadata: dict[str, Any], sidecar: Path,
                   size: tuple[int | None, int | None] = (None, None)) -> bool:
    """Embed the prompt where image tools read it and Pixflow's JSON beside it (`engine/embedded.py`): a PNG
    carries both inside; a JPEG or WebP gets EXIF/XMP inside and the JSON in `sidecar`; anything else only the
    sidecar. `path` is rewritten in place, so it must be a download's own temporary file (a failed write means
    downloading it again). Returns True when a sidecar was written."""
    written, problem = _embed(path, metadata, sidecar, size)
    if problem is not None:
        log_embed_problem(path, problem)
    return written


def check_tag_and_thumbnail(path: Path, kind: JobKind, thumbnail: Path | None, metadata: dict[str, Any],
                            sidecar: Path) -> tuple[MediaInfo, str | None]:
    """`check_and_thumbnail`, then `embed_metadata` with the size found: one trip to a worker process for both, and
    the tagging's CPU off the app's own process; an image is read once for both. The second value is a failed
    embedding's trace for the caller to log (a worker's log goes nowhere)."""
    data = path.read_bytes() if kind == JobKind.IMAGE else None
    info = check_and_thumbnail(path, kind, thumbnail, data)
    _, problem = _embed(path, metadata, sidecar, (info.width, info.height), data)
    return info, problem


def log_embed_problem(path: Path, problem: str) -> None:
    log.warning("could not embed the prompt in %s (kept as it is, with a sidecar):\n%s", path, problem)


_TAGGED_SIGNATURES = (embedded.PNG_SIGNATURE, b"\xff\xd8", b"RIFF")


def _embed(path: Path, metadata: dict[str, Any], sidecar: Path, size: tuple[int | None, int | None],
           data: bytes | None = None) -> tuple[bool, str | None]:
    text = json.dumps(metadata, ensure_ascii=False, default=str)
    kind = None
    problem = None
    try:
        if data is None:
            with path.open("rb") as handle:  # a video or a sound is never read whole
                head = handle.read(len(embedded.PNG_SIGNATURE))
                data = head + handle.read() if head.startswith(_TAGGED_SIGNATURES) else None
        tagged = embedded.embed(data, metadata, text, size) if data is not None else None
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno is not None:  # a full or read-only disk: the caller's storage error
            raise
        # a head the writers cannot follow: the file stays as it came, and the sidecar records everything
        tagged, problem = None, traceback.format_exc()
    if tagged is not None:
        kind, content = tagged
        with path.open("r+b") as out:  # in place: no second copy of the file to allocate on the disk
            out.write(content)
            out.truncate()
    if kind == "png":
        return False, problem
    sidecar.write_text(text, encoding="utf-8")
    return True, problem


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


def local_thumbnail(thumbnails_dir: Path, output: str, stored: str | None, kind: str) -> str | None:
    """The thumbnail this machine can show for an output: the stored one when it is here, else one made here from
    the output itself (machines sharing a library and its outputs root each keep thumbnails in their own home) into
    this machine's thumbnails, made once. None for an image without one (the picture is the image itself), for
    audio, and when the output cannot be read here."""
    if stored and os.path.exists(stored):
        return stored
    source = Path(output)
    if kind in ("image", "audio") or not source.is_file():
        return None
    target = thumbnail_path(thumbnails_dir, source)
    if not target.exists():
        try:
            if sniff(source) is not None:  # an avatar can be a still picture
                _image(source, target)
            else:
                _media(source, JobKind.VIDEO, target)
        except (InvalidOutput, UnidentifiedImageError, OSError, SyntaxError, ValueError, av.FFmpegError,
                StopIteration):
            log.info("no thumbnail could be made of %s", source)
            return None
    return str(target)


def thumbnail_path(thumbnails_dir: Path, source: Path) -> Path:
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:20]
    return thumbnails_dir / f"{digest}.jpg"
