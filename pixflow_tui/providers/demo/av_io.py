"""PyAV plumbing: write H.264 MP4 (optionally with an AAC track), write MP3, read any audio file as mono float."""
from __future__ import annotations

import io
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.fifo import AudioFifo

from pixflow_tui.providers.base import PermanentProviderError

_AAC_RATES = frozenset({96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000})


def _encode_audio(container: av.container.OutputContainer, stream: av.audio.stream.AudioStream,
                  samples: np.ndarray, rate: int) -> None:
    """Feed mono float32 `samples` through a resampler and a FIFO sized to the encoder's frame size."""
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1),
                                       format="flt", layout="mono")
    frame.sample_rate = rate
    frame.time_base = Fraction(1, rate)
    frame.pts = 0
    formats = stream.codec_context.codec.audio_formats
    assert formats is not None  # an audio encoder lists its sample formats
    sample_fmt = formats[0].name
    resampler = av.AudioResampler(format=sample_fmt, layout="mono", rate=stream.codec_context.sample_rate)
    fifo = AudioFifo()
    for converted in resampler.resample(frame) + resampler.resample(None):
        fifo.write(converted)
    frame_size = stream.codec_context.frame_size or 1024
    while fifo.samples:
        chunk = fifo.read(min(frame_size, fifo.samples))
        if chunk is None:
            break
        for packet in stream.encode(chunk):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def write_mp4(path: Path, width: int, height: int, fps: int, frames: Iterable[np.ndarray],
              metadata: dict[str, str], audio: tuple[np.ndarray, int] | None = None) -> int:
    """Encode RGB frames (H×W×3 uint8, even sides) as H.264/yuv420p MP4; returns the number of frames written."""
    count = 0
    with av.open(str(path), mode="w", format="mp4") as container:
        container.metadata.update(metadata)
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "26"}
        sound = None
        if audio is not None:
            rate = audio[1] if audio[1] in _AAC_RATES else 44100  # the resampler converts odd rates
            sound = container.add_stream("aac", rate=rate)
            sound.layout = "mono"
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = count
            count += 1
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None and audio is not None:
            _encode_audio(container, sound, audio[0], audio[1])
    return count


def write_mp3(path: Path, samples: np.ndarray, rate: int, metadata: dict[str, str]) -> None:
    with av.open(str(path), mode="w", format="mp3") as container:
        container.metadata.update(metadata)
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.layout = "mono"
        stream.bit_rate = 64_000
        _encode_audio(container, stream, samples, rate)


def read_audio(source: Path | io.BytesIO, label: str) -> tuple[np.ndarray, int]:
    """Decode the first audio stream to mono float32 samples; PermanentProviderError naming `label` if it can't."""
    try:
        with av.open(source if isinstance(source, io.BytesIO) else str(source), mode="r") as container:
            if not container.streams.audio:
                raise PermanentProviderError(f"{label}: the file has no audio stream")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate or 44100
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks = [converted.to_ndarray().reshape(-1)
                      for frame in container.decode(stream) for converted in resampler.resample(frame)]
            chunks += [converted.to_ndarray().reshape(-1) for converted in resampler.resample(None)]
    except PermanentProviderError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise PermanentProviderError(f"{label}: not a decodable audio file ({exc})") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if not len(samples):
        raise PermanentProviderError(f"{label}: the audio stream is empty")
    return samples.astype(np.float32, copy=False), rate


def probe_audio(source: Path | io.BytesIO, label: str) -> None:
    """Cheap submit-time check that a file opens and has an audio stream."""
    try:
        with av.open(source if isinstance(source, io.BytesIO) else str(source), mode="r") as container:
            if not container.streams.audio:
                raise PermanentProviderError(f"{label}: the file has no audio stream")
    except PermanentProviderError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise PermanentProviderError(f"{label}: not a decodable audio file ({exc})") from None
    if isinstance(source, io.BytesIO):
        source.seek(0)
