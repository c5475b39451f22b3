"""Transcription of a script source (Avatar Studio's "Transcript Media"): a local audio or video file, or a URL.

`transcribe(ctx, source)` checks the input, gets its audio track as a small mono MP3 (PyAV, no ffmpeg binary; a URL
is fetched first with yt-dlp, an optional extra), and has the media provider transcribe it: fal's wizper model when
live (upload to fal storage, then one queued call), the demo provider's labelled text otherwise. It is one short
call, not an engine job; the temporary files are removed before it returns.
"""
from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlparse

from pixflow_tui.core.transcripts import Transcript, TranscriptSegment
from pixflow_tui.workflows.inputs import InputError

if TYPE_CHECKING:
    from pixflow_tui.workflows.context import AppContext

__all__ = ["MAX_AUDIO_BYTES", "MAX_VIDEO_BYTES", "YT_DLP_HELP", "Transcript", "TranscriptSegment",
           "extract_audio", "transcribe"]

MB = 1024 * 1024
MAX_AUDIO_BYTES = 50 * MB
MAX_VIDEO_BYTES = 500 * MB
AUDIO_RATE = 16_000  # what speech recognition uses; mono MP3 at this rate is ~6 kB per second
AUDIO_BIT_RATE = 48_000
# extensions that name audio-only files: over the audio limit these are refused before they are opened
AUDIO_SUFFIXES = frozenset({".mp3", ".m4a", ".wav", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wma", ".mpga",
                            ".aif", ".aiff", ".amr", ".weba"})
YT_DLP_HELP = (
    "downloading from a URL needs yt-dlp, which is not installed: run "
    "`.venv/bin/pip install 'pixflow-tui[transcribe-urls]'` (or `pip install yt-dlp`), "
    "or download the file yourself and give its path"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Transcriber(Protocol):
    async def transcribe(self, audio_path: str | Path) -> Transcript: ...

    async def aclose(self) -> None: ...


async def transcribe(ctx: AppContext, source: str) -> Transcript:
    """Transcribe `source` (a local audio/video path or an http(s) URL) with the current media provider.

    Raises InputError for anything wrong with the input (missing, too large, not audio/video, no audio track,
    unreachable URL, yt-dlp missing) and ProviderError (from providers.base) when the provider fails.
    `Transcript.seconds` is the length of the audio that was sent; `source` is `source` as given (trimmed)."""
    text = (source or "").strip()
    if not text:
        raise InputError("nothing to transcribe: give an audio or video file path, or an http(s) URL")
    with tempfile.TemporaryDirectory(prefix="pixflow-transcribe-") as tmp:
        folder = Path(tmp)
        if _is_url(text):
            media = await asyncio.to_thread(download_audio, text, folder / "download")
            seconds = await asyncio.to_thread(extract_audio, media, folder / "audio.mp3", label=text,
                                              max_audio_bytes=None)
        else:
            media = check_media_file(text)
            seconds = await asyncio.to_thread(extract_audio, media, folder / "audio.mp3", label=str(media))
        provider = _transcriber(ctx)
        try:
            transcript = await provider.transcribe(folder / "audio.mp3")
        finally:
            await provider.aclose()
    return replace(transcript, seconds=round(seconds, 3), source=text)


def _transcriber(ctx: AppContext) -> _Transcriber:
    """A provider of its own for this one call: the shared ones belong to the engine's event loop."""
    from pixflow_tui.providers import provider_for

    provider = provider_for(ctx.media_provider_name, ctx.settings)
    if not hasattr(provider, "transcribe"):  # pragma: no cover - both media providers transcribe
        raise InputError(f"the {provider.name} provider cannot transcribe audio")
    return provider  # type: ignore[return-value]


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


# ------------------------------------------------------------------------------------------------ local files


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def check_media_file(source: str | Path) -> Path:
    """An existing, non-empty file within the video limit (and the audio limit when its name says audio)."""
    text = str(source)
    path = Path(unquote(urlparse(text).path)) if text.startswith("file://") else Path(text).expanduser()
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if not path.is_file():
        raise InputError(f"{path} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path} is empty")
    if size > MAX_VIDEO_BYTES:
        raise InputError(f"{path} is {_mb(size)}; the limit is {MAX_VIDEO_BYTES // MB} MB for a video "
                         f"and {MAX_AUDIO_BYTES // MB} MB for audio")
    if size > MAX_AUDIO_BYTES and path.suffix.lower() in AUDIO_SUFFIXES:
        raise InputError(f"{path} is {_mb(size)}; the limit for an audio file is {MAX_AUDIO_BYTES // MB} MB")
    return path.resolve()


def extract_audio(media: Path, target: Path, *, label: str = "",
                  max_audio_bytes: int | None = MAX_AUDIO_BYTES) -> float:
    """Write the first audio track of `media` to `target` as mono 16 kHz MP3; returns its length in seconds.

    InputError (naming `label`, the file by default) when PyAV cannot open the file, it has no audio track, the
    audio does not decode or holds no samples, or it is an audio-only file over `max_audio_bytes`."""
    import av

    label = label or str(media)
    try:
        container = av.open(str(media))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise InputError(f"{label} cannot be transcribed: it is not an audio or video file PyAV can read "
                         f"({_reason(exc)})") from None
    with container:
        is_video = any(not (s.disposition & av.stream.Disposition.attached_pic) for s in container.streams.video)
        if not container.streams.audio:
            name = container.format.name
            if name.endswith("_pipe") or name in ("image2", "gif", "webp"):
                what = "it is an image, not audio or video"
            else:
                what = "the video has no audio track" if is_video else "it holds no audio track"
            raise InputError(f"{label} cannot be transcribed: {what}")
        size = media.stat().st_size
        if not is_video and max_audio_bytes is not None and size > max_audio_bytes:
            raise InputError(f"{label} is {_mb(size)} of audio; the limit for an audio file is "
                             f"{max_audio_bytes // MB} MB")
        try:
            samples = _encode_mp3(container, container.streams.audio[0], target)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise InputError(f"{label} cannot be transcribed: its audio track does not decode "
                             f"({_reason(exc)})") from None
    if samples == 0:
        raise InputError(f"{label} cannot be transcribed: its audio track holds no sound")
    return samples / AUDIO_RATE


def _encode_mp3(container, stream, target: Path) -> int:  # type: ignore[no-untyped-def]
    """Decode `stream` (only its packets are read, so a video's frames are never decoded) into `target`."""
    import av

    written = 0
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=AUDIO_RATE)
    with av.open(str(target), mode="w", format="mp3") as out:
        mp3 = out.add_stream("libmp3lame", rate=AUDIO_RATE)
        mp3.layout = "mono"
        mp3.bit_rate = AUDIO_BIT_RATE

        def encode(frames) -> None:  # type: ignore[no-untyped-def]
            nonlocal written
            for frame in frames:
                written += frame.samples
                frame.pts = None  # the encoder re-chunks to its frame size and numbers frames itself
                for packet in mp3.encode(frame):
                    out.mux(packet)

        for packet in container.demux(stream):
            for frame in packet.decode():
                encode(resampler.resample(frame))
        encode(resampler.resample(None))
        for packet in mp3.encode(None):
            out.mux(packet)
    return written


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return " ".join(str(text).split()) or type(exc).__name__


# ------------------------------------------------------------------------------------------------ URLs


class _QuietLogger:
    """yt-dlp prints to the terminal by default; the TUI owns it. Errors come back as DownloadError."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        pass


def download_audio(url: str, folder: Path) -> Path:
    """Fetch the audio of `url` (a page yt-dlp knows, or a direct media link) into `folder` with yt-dlp."""
    try:
        import yt_dlp  # type: ignore[import-untyped]  # an optional extra, without type hints
    except ImportError:
        raise InputError(YT_DLP_HELP) from None
    folder.mkdir(parents=True, exist_ok=True)
    options = {
        "format": "bestaudio/best",  # audio only when the site offers it; merging formats would need ffmpeg
        "outtmpl": str(folder / "media.%(ext)s"),
        "noplaylist": True,
        "playlist_items": "1",
        "max_filesize": MAX_VIDEO_BYTES,
        "socket_timeout": 30,
        "retries": 2,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _QuietLogger(),
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            ydl.extract_info(url, download=True)
    except Exception as exc:  # DownloadError for network, 404, unsupported sites; anything else is about the URL too
        message = _ANSI.sub("", str(exc)).strip()
        message = re.sub(r"^ERROR:\s*", "", message) or type(exc).__name__
        raise InputError(f"could not download {url}: {' '.join(message.split())}") from None
    files = [p for p in folder.iterdir()
             if p.is_file() and p.stat().st_size > 0 and not p.name.endswith((".part", ".ytdl", ".json"))]
    if not files:
        raise InputError(f"could not download {url}: nothing was saved (the media may be over "
                         f"{MAX_VIDEO_BYTES // MB} MB, need a login, or the page holds no audio or video)")
    return max(files, key=lambda p: p.stat().st_size)
