"""What the run panel shows of a finished video or audio: its poster frame (the first frame, read with PyAV and
kept in the thumbnail cache), its length, its size on disk and, for a video, its picture size."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".m4v")


@dataclass(frozen=True)
class MediaFacts:
    path: Path
    kind: str  # "video", "audio" or "missing"
    seconds: float | None = None
    bytes: int = 0
    width: int = 0
    height: int = 0
    poster: Path | None = None  # a PNG of the first frame (videos)
    problem: str = ""

    def line(self) -> str:
        """One line: kind, length, picture size, file size."""
        if self.kind == "missing":
            return f"missing: {self.problem or self.path}"
        parts = ["▶ video" if self.kind == "video" else "♪ audio"]
        if self.seconds is not None:
            parts.append(f"{self.seconds:.1f} s")
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        parts.append(human_size(self.bytes))
        if self.problem:
            parts.append(self.problem)
        return " · ".join(parts)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def media_facts(path: str | Path, cache_dir: Path) -> MediaFacts:
    """Read a deliverable (blocking: call it in a thread). A file PyAV cannot read keeps its size and a problem."""
    import av

    file = Path(path)
    try:
        stat = file.stat()
    except OSError:
        return MediaFacts(file, "missing", problem=f"the file is gone: {file}")
    kind = "video" if file.suffix.lower() in VIDEO_SUFFIXES else "audio"
    try:
        with av.open(str(file)) as container:
            seconds = float(container.duration) / av.time_base if container.duration else None
            if kind == "audio" or not container.streams.video:
                return MediaFacts(file, "audio" if not container.streams.video else kind, seconds, stat.st_size)
            stream = container.streams.video[0]
            poster = _poster(container, stream, file, stat, cache_dir)
            return MediaFacts(file, "video", seconds, stat.st_size, stream.width, stream.height, poster)
    except (av.FFmpegError, OSError, ValueError) as exc:
        return MediaFacts(file, kind, None, stat.st_size, problem=f"cannot read it ({exc})")


def _poster(container: object, stream: object, file: Path, stat: os.stat_result, cache_dir: Path) -> Path | None:
    key = hashlib.sha1(f"{file.resolve()}|{stat.st_mtime_ns}|{stat.st_size}".encode()).hexdigest()
    poster = cache_dir / "posters" / f"{key}.png"
    if poster.is_file():
        return poster
    for frame in container.decode(stream):  # type: ignore[attr-defined]
        image = frame.to_image()
        poster.parent.mkdir(parents=True, exist_ok=True)
        temporary = poster.with_suffix(f".{os.getpid()}.tmp")
        image.save(temporary, format="PNG")
        temporary.replace(poster)
        return poster
    return None
