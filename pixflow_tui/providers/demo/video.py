"""Demo image-to-video: the camera moves named in the prompt, applied to the source image."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pixflow_tui.providers.demo.common import cover, stable_seed, stamp_label

VIDEO_FPS = 12
VIDEO_LONG_SIDE = 480
SUPERSAMPLE = 2  # the source is kept at 2× the frame size so zooming in stays sharp
SPEED_FACTORS = {"slow": 0.5, "normal": 1.0, "fast": 1.7}

# Phrase (regex) → move name. The catalog's presets are plain prompt text, so matching words is the mapping.
_MOVE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bzooms? in\b|\bzooming in\b|\bpush(?:es)? in\b", "zoom_in"),
    (r"\bzooms? out\b|\bzooming out\b|\bpull(?:s)? (?:back|out)\b", "zoom_out"),
    (r"\bpans? right\b|\bpanning right\b", "pan_right"),
    (r"\bpans? left\b|\bpanning left\b", "pan_left"),
    (r"\btilts? up\b|\btilting up\b", "tilt_up"),
    (r"\btilts? down\b|\btilting down\b", "tilt_down"),
    (r"\brotates? around\b|\borbits? around\b|\borbiting\b", "orbit"),
    (r"\bstationary\b|\bstatic camera\b|\blocked[- ]off\b", "stationary"),
    (r"\bhandheld\b|\bhand-held\b", "handheld"),
    (r"\bfollows? the subject\b|\btracking shot\b", "follow"),
)
DEFAULT_MOVE = "subtle_zoom_in"

ZOOM_AMOUNT = 0.35  # extra scale at normal speed over the whole clip
PAN_AMOUNT = 0.10  # view-centre travel as a fraction of the frame, each side of centre
ORBIT_DEGREES = 7.0
JITTER = 0.012


@dataclass(frozen=True)
class CameraPlan:
    moves: tuple[str, ...]
    speed: str

    @property
    def amount(self) -> float:
        return SPEED_FACTORS[self.speed]


def parse_camera(prompt: str) -> CameraPlan:
    text = prompt.lower()
    found = [(match.start(), move) for pattern, move in _MOVE_PATTERNS for match in [re.search(pattern, text)] if match]
    moves = tuple(dict.fromkeys(move for _, move in sorted(found)))
    if "stationary" in moves and len(moves) > 1:  # an explicit move beats "stationary"
        moves = tuple(m for m in moves if m != "stationary")
    speed = "normal"
    for word in ("fast", "slow"):
        if re.search(rf"\b{word}\b", text):
            speed = word
            break
    return CameraPlan(moves or (DEFAULT_MOVE,), speed)


def video_size(aspect_ratio: str | None, source: Image.Image) -> tuple[int, int]:
    """Frame size for an aspect ratio (long side VIDEO_LONG_SIDE, even); without one, the source's shape."""
    if aspect_ratio:
        w_ratio, h_ratio = (int(p) for p in aspect_ratio.split(":"))
    else:
        w_ratio, h_ratio = source.width, source.height
    width: float
    height: float
    if w_ratio >= h_ratio:
        width, height = VIDEO_LONG_SIDE, VIDEO_LONG_SIDE * h_ratio / w_ratio
    else:
        width, height = VIDEO_LONG_SIDE * w_ratio / h_ratio, VIDEO_LONG_SIDE
    return int(round(width / 2) * 2), int(round(height / 2) * 2)


def _ease(p: float) -> float:
    return p * p * (3 - 2 * p)


@dataclass(frozen=True)
class _View:
    zoom: float  # ≥ 1: how much of the source the frame shows (1 = all of it)
    dx: float  # view centre offset, fraction of the source width (+ = right)
    dy: float  # fraction of the source height (+ = down)
    angle: float  # radians


def camera_view(plan: CameraPlan, p: float, width: int, height: int, seed: int) -> _View:
    """Where the camera looks at progress p (0..1); combined moves add up."""
    a, e = plan.amount, _ease(p)
    zoom, dx, dy, angle = 1.0, 0.0, 0.0, 0.0
    margin_x = margin_y = 0.0  # how far the view centre may travel, summed over the moves
    for move in plan.moves:
        if move == "zoom_in":
            zoom *= 1 + ZOOM_AMOUNT * a * e
        elif move == "subtle_zoom_in":
            zoom *= 1 + 0.12 * a * e
        elif move == "zoom_out":
            zoom *= 1 + ZOOM_AMOUNT * a * (1 - e)
        elif move in ("pan_right", "pan_left"):
            travel = PAN_AMOUNT * a * (2 * e - 1)
            dx += travel if move == "pan_right" else -travel
            margin_x += PAN_AMOUNT * a
        elif move in ("tilt_up", "tilt_down"):
            travel = PAN_AMOUNT * a * (2 * e - 1)
            dy += -travel if move == "tilt_up" else travel
            margin_y += PAN_AMOUNT * a
        elif move == "orbit":
            angle += math.radians(ORBIT_DEGREES * a) * (2 * e - 1)
            dx += 0.06 * a * (2 * e - 1)
            margin_x += 0.06 * a
        elif move == "follow":
            zoom *= 1 + 0.15 * a * e
            dx += 0.04 * a * e
            margin_x += 0.04 * a
        elif move == "handheld":
            t = p * 10.0
            phase = (seed % 1000) / 159.0
            dx += JITTER * a * (math.sin(2.1 * t + phase) + 0.5 * math.sin(5.3 * t + 2 * phase))
            dy += JITTER * a * (math.sin(1.7 * t + 3 * phase) + 0.5 * math.sin(4.1 * t + phase))
            margin_x += 1.5 * JITTER * a
            margin_y += 1.5 * JITTER * a
    # enough base zoom that the rotated, shifted window never leaves the source
    max_angle = math.radians(ORBIT_DEGREES * a) if "orbit" in plan.moves else 0.0
    aspect = max(width / height, height / width)
    rotation_fit = math.cos(max_angle) + math.sin(max_angle) * aspect
    margin = max(margin_x, margin_y)
    shift_fit = 1 / max(0.2, 1 - 2 * margin)
    return _View(zoom * rotation_fit * shift_fit * 1.01 if margin or max_angle else zoom, dx, dy, angle)


def render_frames(source: Image.Image, plan: CameraPlan, width: int, height: int, frame_count: int,
                  seed: int) -> Iterator[np.ndarray]:
    """Yield RGB frames of the camera moving over `source`, each stamped with the DEMO badge."""
    src_w, src_h = width * SUPERSAMPLE, height * SUPERSAMPLE
    base = cover(source.convert("RGB"), src_w, src_h, Image.Resampling.LANCZOS)
    if plan.moves == ("stationary",):
        yield from _still_frames(base, width, height, frame_count, seed)
        return
    for index in range(frame_count):
        p = index / max(1, frame_count - 1)
        view = camera_view(plan, p, width, height, seed)
        k = SUPERSAMPLE / view.zoom  # source pixels per frame pixel
        cx, cy = src_w * (0.5 + view.dx), src_h * (0.5 + view.dy)
        if abs(view.angle) < 1e-4:  # no rotation: a box resize is ~2× faster than an affine transform
            half_w, half_h = min(k * width / 2, src_w / 2), min(k * height / 2, src_h / 2)
            cx, cy = min(max(cx, half_w), src_w - half_w), min(max(cy, half_h), src_h - half_h)
            box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            frame = base.resize((width, height), Image.Resampling.BILINEAR, box=box)
        else:
            cos, sin = math.cos(view.angle), math.sin(view.angle)
            a, b, d, e = k * cos, -k * sin, k * sin, k * cos
            coeffs = (a, b, cx - a * width / 2 - b * height / 2, d, e, cy - d * width / 2 - e * height / 2)
            frame = base.transform((width, height), Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR)
        rgb = np.array(frame)
        stamp_label(rgb)
        yield rgb


def _still_frames(base: Image.Image, width: int, height: int, frame_count: int, seed: int) -> Iterator[np.ndarray]:
    """A locked-off shot: the same picture with a little sensor noise that changes from frame to frame."""
    still = np.asarray(base.resize((width, height), Image.Resampling.BILINEAR), dtype=np.int16)
    rng = np.random.default_rng(stable_seed("video-noise", seed))
    noise = [rng.integers(-3, 4, size=still.shape, dtype=np.int16) for _ in range(4)]
    for index in range(frame_count):
        rgb = np.clip(still + noise[index % len(noise)], 0, 255).astype(np.uint8)
        stamp_label(rgb)
        yield rgb


def transition_frames(start: Image.Image, end: Image.Image, width: int, height: int,
                      frame_count: int) -> Iterator[np.ndarray]:
    """A start/end video: the first frame is `start`, the last `end`, eased cross-fades between them."""
    first = np.asarray(cover(start.convert("RGB"), width, height, Image.Resampling.BILINEAR), dtype=np.float32)
    last = np.asarray(cover(end.convert("RGB"), width, height, Image.Resampling.BILINEAR), dtype=np.float32)
    for index in range(frame_count):
        p = _ease(index / max(1, frame_count - 1))
        rgb = np.clip(first * (1 - p) + last * p, 0, 255).astype(np.uint8)
        stamp_label(rgb)
        yield rgb
