"""Demo lipsync: the avatar as a video whose "mouth" opens with the loudness of the audio, audio muxed in."""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

from pixflow_tui.providers.demo.common import stamp_label

LIPSYNC_FPS = 15
LIPSYNC_LONG_SIDE = 480
# Where the mouth is drawn, as fractions of the frame: just below the centre of a demo portrait's head
# (images.SUBJECT_HEAD_Y). A real model finds the face; this demo does not try.
MOUTH_CENTER = (0.5, 0.455)
MOUTH_HALF_WIDTH = 0.045  # of the frame's short side
MOUTH_MAX_HALF_HEIGHT = 0.03


def lipsync_size(avatar: Image.Image) -> tuple[int, int]:
    scale = LIPSYNC_LONG_SIDE / max(avatar.width, avatar.height)
    return max(2, int(round(avatar.width * scale / 2) * 2)), max(2, int(round(avatar.height * scale / 2) * 2))


def mouth_openness(samples: np.ndarray, rate: int, fps: int, frame_count: int) -> np.ndarray:
    """0..1 per video frame from the RMS loudness of the audio under it, with a fast attack and slower release."""
    per_frame = rate / fps
    rms = np.zeros(frame_count, dtype=np.float32)
    for i in range(frame_count):
        chunk = samples[int(i * per_frame):int((i + 1) * per_frame)]
        rms[i] = float(np.sqrt(np.mean(chunk**2))) if len(chunk) else 0.0
    loud = float(np.percentile(rms, 95)) or 1.0
    level = np.clip(rms / loud, 0, 1)
    smoothed = np.zeros_like(level)
    current = 0.0
    for i, target in enumerate(level):
        current += (target - current) * (0.8 if target > current else 0.45)
        smoothed[i] = current
    smoothed[smoothed < 0.08] = 0.0
    return smoothed


def _draw_mouth(frame: np.ndarray, openness: float) -> None:
    height, width = frame.shape[:2]
    short = min(width, height)
    cx, cy = MOUTH_CENTER[0] * width, MOUTH_CENTER[1] * height
    half_w = max(3.0, MOUTH_HALF_WIDTH * short)
    lip_h = max(1.5, 0.25 * MOUTH_MAX_HALF_HEIGHT * short)
    open_h = openness * MOUTH_MAX_HALF_HEIGHT * short
    outer_h = open_h + lip_h
    x0, x1 = int(max(0, cx - half_w - 2)), int(min(width, cx + half_w + 3))
    y0, y1 = int(max(0, cy - outer_h - 2)), int(min(height, cy + outer_h + 3))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    region = frame[y0:y1, x0:x1]
    lips = ((xx - cx) / (half_w + 1.5)) ** 2 + ((yy - cy) / outer_h) ** 2 <= 1
    region[lips] = (150, 60, 70)
    if open_h >= 1.0:
        inner = ((xx - cx) / half_w) ** 2 + ((yy - cy) / open_h) ** 2 <= 1
        region[inner] = (35, 12, 16)


def render_lipsync_frames(avatar: Image.Image, openness: np.ndarray, width: int, height: int) -> Iterator[np.ndarray]:
    base = np.asarray(avatar.convert("RGB").resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0))
    for value in openness:
        frame = base.copy()
        _draw_mouth(frame, float(value))
        stamp_label(frame)
        yield frame
