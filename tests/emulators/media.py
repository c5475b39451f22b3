"""Real media bytes for the emulators: images (Pillow), H.264 MP4 and audio (PyAV), and inspection helpers."""

from __future__ import annotations

import hashlib
import io
import math
import wave
from collections import Counter
from fractions import Fraction

import av
import numpy as np
from av.audio.fifo import AudioFifo
from PIL import Image

IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    # output_format -> (Pillow format, MIME type)
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "jpg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}

AUDIO_FORMATS: dict[str, str] = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "opus": "audio/ogg",
}

# Named colours used to describe images in words ("32x16 red").
PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "gray": (128, 128, 128),
    "red": (220, 20, 20),
    "green": (30, 170, 40),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 30),
    "orange": (245, 140, 20),
    "purple": (130, 40, 170),
    "pink": (245, 150, 190),
    "brown": (120, 70, 30),
    "cyan": (30, 200, 220),
}


def seed_of(*parts: object) -> int:
    """A stable 32-bit seed from arbitrary values (hash() is salted per process)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def words_duration(text: str, words_per_second: float = 2.5, minimum: float = 0.5) -> float:
    """Spoken length of `text` in seconds at `words_per_second`."""
    return max(minimum, len(text.split()) / words_per_second)


# --------------------------------------------------------------------------- images


def gradient_image(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    c1 = rng.integers(0, 256, 3).astype(np.float32)
    c2 = rng.integers(0, 256, 3).astype(np.float32)
    tx = np.linspace(0.0, 1.0, max(width, 1), dtype=np.float32)[None, :, None]
    ty = np.linspace(0.0, 1.0, max(height, 1), dtype=np.float32)[:, None, None]
    arr = c1 * (1 - tx) + c2 * tx
    arr = arr * (0.75 + 0.25 * np.cos(ty * math.pi))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def cover(img: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop `img` to exactly width x height."""
    img = img.convert("RGB")
    scale = max(width / img.width, height / img.height)
    resized = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    left = (resized.width - width) // 2
    top = (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def make_image(width: int, height: int, *, seed: int, base: Image.Image | None = None) -> Image.Image:
    img = gradient_image(width, height, seed)
    if base is not None:
        img = Image.blend(img, cover(base, width, height), 0.6)
    return img


def encode_image(img: Image.Image, fmt: str) -> bytes:
    pil_format, _ = IMAGE_FORMATS[fmt]
    buf = io.BytesIO()
    img.save(buf, format=pil_format, **({"quality": 85} if pil_format != "PNG" else {}))
    return buf.getvalue()


def image_bytes(width: int, height: int, fmt: str, *, seed: int, base: Image.Image | None = None) -> bytes:
    return encode_image(make_image(width, height, seed=seed, base=base), fmt)


def open_image(data: bytes) -> Image.Image | None:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
        return img
    except Exception:
        return None


def color_name(rgb: tuple[int, int, int]) -> str:
    return min(PALETTE, key=lambda n: sum((a - b) ** 2 for a, b in zip(PALETTE[n], rgb)))


def dominant_color(img: Image.Image) -> str:
    """Most frequent palette colour over a small thumbnail."""
    small = img.convert("RGB").resize((16, 16))
    pixels = np.asarray(small, dtype=np.int32).reshape(-1, 3)
    names = np.array(list(PALETTE))
    refs = np.array([PALETTE[n] for n in names], dtype=np.int32)
    nearest = ((pixels[:, None, :] - refs[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    return str(Counter(names[nearest]).most_common(1)[0][0])


# --------------------------------------------------------------------------- audio


def speech_samples(duration_s: float, sample_rate: int, seed: int) -> np.ndarray:
    """Mono float32 samples that sound vaguely like syllables (about 4 per second)."""
    n = max(1, int(round(duration_s * sample_rate)))
    t = np.arange(n, dtype=np.float32) / sample_rate
    pitch = 150 + seed % 120
    tone = np.sin(2 * np.pi * pitch * t) + 0.3 * np.sin(2 * np.pi * pitch * 2.01 * t)
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 4.0 * t))
    return (0.3 * tone * envelope).astype(np.float32)


def _wav(samples: np.ndarray, sample_rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _encode_audio(samples: np.ndarray, sample_rate: int, container: str, codec: str) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=sample_rate)
        stream.layout = "mono"
        sample_fmt = stream.codec_context.codec.audio_formats[0].name
        _write_audio(out, stream, samples, sample_rate, sample_fmt)
    return buf.getvalue()


def _write_audio(
    out: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    samples: np.ndarray,
    sample_rate: int,
    sample_fmt: str,
) -> None:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = sample_rate
    frame.time_base = Fraction(1, sample_rate)
    frame.pts = 0
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
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def audio_bytes(duration_s: float, fmt: str = "mp3", *, sample_rate: int = 24000, seed: int = 0) -> bytes:
    """Encoded audio of about `duration_s` seconds in one of AUDIO_FORMATS."""
    if fmt == "opus":
        sample_rate = 48000
    samples = speech_samples(duration_s, sample_rate, seed)
    if fmt == "wav":
        return _wav(samples, sample_rate)
    if fmt == "pcm":
        return (samples * 32767).astype("<i2").tobytes()
    container, codec = {
        "mp3": ("mp3", "libmp3lame"),
        "flac": ("flac", "flac"),
        "aac": ("adts", "aac"),
        "opus": ("ogg", "libopus"),
    }[fmt]
    return _encode_audio(samples, sample_rate, container, codec)


def decode_audio(data: bytes) -> tuple[np.ndarray, int] | None:
    """Mono float32 samples and sample rate of any container PyAV can read, or None."""
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks = [
                f.to_ndarray().reshape(-1)
                for frame in container.decode(stream)
                for f in resampler.resample(frame)
            ]
        return (np.concatenate(chunks) if chunks else np.zeros(0, np.float32)), rate
    except Exception:
        return None


def audio_duration(data: bytes) -> float | None:
    decoded = decode_audio(data)
    if decoded is None:
        return None
    samples, rate = decoded
    return len(samples) / rate


# --------------------------------------------------------------------------- video


def mp4_bytes(
    width: int,
    height: int,
    *,
    duration_s: float,
    fps: int,
    seed: int,
    base: Image.Image | None = None,
    audio: bytes | None = None,
) -> bytes:
    """A small H.264 MP4 that slowly pans over `base` (or a gradient); optional AAC track from `audio`."""
    width, height = max(2, width - width % 2), max(2, height - height % 2)
    margin = max(2, width // 8)
    source = make_image(width + margin, height, seed=seed, base=base)
    src = np.asarray(source, dtype=np.uint8)
    decoded = decode_audio(audio) if audio else None
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "tune": "zerolatency"}
        sound = None
        if decoded is not None:
            sound = out.add_stream("aac", rate=decoded[1])
            sound.layout = "mono"
        frames = max(1, round(duration_s * fps))
        for i in range(frames):
            shift = round(margin * i / max(1, frames - 1))
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(src[:, shift : shift + width]), format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None and decoded is not None:
            _write_audio(out, sound, decoded[0], decoded[1], "fltp")
    return buf.getvalue()


def first_frame(data: bytes) -> Image.Image | None:
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.video:
                return None
            for frame in container.decode(video=0):
                return frame.to_image()
    except Exception:
        return None
    return None


def probe_video(data: bytes) -> tuple[int, int, float, bool] | None:
    """(width, height, duration seconds, has audio) of a video, or None if unreadable."""
    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            rate = float(stream.average_rate or stream.base_rate or 1)
            return stream.width, stream.height, frames / rate, bool(container.streams.audio)
    except Exception:
        return None
