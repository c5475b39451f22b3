"""Poster frames of a run's videos: the first frame, read with PyAV and kept in the thumbnail cache (blocking:
call these in a thread). A file PyAV cannot read has no poster; the caller shows its name instead."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".m4v")
log = logging.getLogger(__name__)


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def poster_frame(path: str | Path, cache_dir: Path) -> Path | None:
    """A PNG of the video's first frame (cached by path, size and mtime), or None when it cannot be read."""
    file = Path(path)
    try:
        stat = file.stat()
    except OSError:
        return None
    key = hashlib.sha1(f"{file.resolve()}|{stat.st_mtime_ns}|{stat.st_size}".encode()).hexdigest()
    poster = cache_dir / "posters" / f"{key}.png"
    if poster.is_file():
        return poster
    import av

    try:
        with av.open(str(file)) as container:
            if not container.streams.video:
                return None
            for frame in container.decode(container.streams.video[0]):
                poster.parent.mkdir(parents=True, exist_ok=True)
                temporary = poster.with_suffix(f".{os.getpid()}.tmp")
                frame.to_image().save(temporary, format="PNG")
                temporary.replace(poster)
                return poster
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.info("no poster frame for %s: %s", file, exc)
    return None


def picture_of(path: str | Path, cache_dir: Path) -> str | None:
    """What to show for an output: the image itself, or a video's poster frame."""
    if is_video(path):
        poster = poster_frame(path, cache_dir)
        return str(poster) if poster else None
    return str(path)
