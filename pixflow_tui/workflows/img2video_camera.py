"""Img2Video's camera choices and video presets: the selection rules of the reference (movement up to 3 with the
oldest dropped, speed one, shot type up to 3), short summaries, per-video cost, presets of kind "video"."""
from __future__ import annotations

import re
from typing import Any

from pixflow_tui.core import catalog
from pixflow_tui.store.records import PresetRecord  # screens take it from here (they never import the store)
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.presets import list_presets, save_preset
from pixflow_tui.workflows.videos import VideoSettings

PRESET_KIND = "video"
PRESET_FIELDS = ("movements", "speed", "shots", "duration", "aspect_ratio")


# ---- camera choices -------------------------------------------------------------------------------------


def toggle_movement(chosen: list[str], movement: str) -> list[str]:
    """Up to three camera movements; choosing a fourth drops the oldest (the reference's rule)."""
    if movement in chosen:
        return [m for m in chosen if m != movement]
    return [*chosen, movement][-catalog.MAX_CAMERA_MOVEMENTS:]


def toggle_shot(chosen: list[str], shot: str) -> tuple[list[str], str | None]:
    """Up to three shot types; a fourth is refused with the reason."""
    if shot in chosen:
        return [s for s in chosen if s != shot], None
    if len(chosen) >= catalog.MAX_SHOT_TYPES:
        return list(chosen), f"up to {catalog.MAX_SHOT_TYPES} shot types; unselect one first"
    return [*chosen, shot], None


def toggle_speed(current: str | None, speed: str) -> str | None:
    return None if current == speed else speed


def _short_move(text: str) -> str:
    return re.sub(r"^(the )?camera (is )?", "", text)


def camera_summary(settings: VideoSettings | dict[str, Any], *, limit: int | None = None) -> str:
    """A short line such as "zooms in + pans right · slow · medium shot"."""
    data = settings.to_dict() if isinstance(settings, VideoSettings) else settings
    parts = []
    if data.get("movements"):
        parts.append(" + ".join(_short_move(m) for m in data["movements"]))
    if data.get("speed"):
        parts.append(str(data["speed"]))
    if data.get("shots"):
        parts.append(" + ".join(data["shots"]))
    text = " · ".join(parts) or "no camera preset"
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


# ---- presets (kind "video": camera, duration and aspect) ------------------------------------------------


def preset_data(settings: VideoSettings) -> dict[str, Any]:
    return {name: value for name, value in settings.to_dict().items() if name in PRESET_FIELDS}


def apply_preset(settings: VideoSettings, data: dict[str, Any]) -> VideoSettings:
    """The settings with the preset's camera, duration and aspect (prompt, model and the rest stay)."""
    movements = [str(m) for m in data.get("movements") or []]
    shots = [str(s) for s in data.get("shots") or []]
    speed = data.get("speed") or None
    checks: list[tuple[str, str, tuple[str, ...]]] = [("camera movement", m, catalog.CAMERA_MOVEMENTS)
                                                      for m in movements]
    checks += [("shot type", s, catalog.SHOT_TYPES) for s in shots]
    checks += [("camera speed", speed, catalog.CAMERA_SPEEDS)] if speed else []
    duration = str(data.get("duration", settings.duration))
    aspect = str(data.get("aspect_ratio", settings.aspect_ratio))
    checks += [("duration", duration, catalog.VIDEO_DURATIONS), ("aspect ratio", aspect, catalog.VIDEO_ASPECT_RATIOS)]
    for what, value, allowed in checks:
        if value not in allowed:
            raise InputError(f"the preset's {what} {value!r} is not offered")
    if len(movements) > catalog.MAX_CAMERA_MOVEMENTS or len(shots) > catalog.MAX_SHOT_TYPES:
        raise InputError("the preset has more camera movements or shot types than the model takes")
    return settings.copy(movements=movements, speed=speed, shots=shots, duration=duration, aspect_ratio=aspect)


def video_presets(ctx: AppContext) -> list[PresetRecord]:
    return list_presets(ctx, PRESET_KIND)


def save_video_preset(ctx: AppContext, name: str, settings: VideoSettings) -> tuple[PresetRecord, bool]:
    """Save under `name`; an own preset of that name is replaced. Returns (preset, replaced)."""
    name = name.strip()
    same = [p for p in video_presets(ctx) if p.name == name and not p.is_builtin]
    with ctx.store.atomic():
        for old in same:
            ctx.store.presets.delete(old.id)
        preset = save_preset(ctx, name, PRESET_KIND, preset_data(settings))
    return preset, bool(same)


def describe_preset(data: dict[str, Any]) -> str:
    return f"{camera_summary(data)} · {data.get('duration', '5')} s · {data.get('aspect_ratio', '9:16')}"


def estimate_settings_cost(settings: VideoSettings) -> float:
    """What one video with these settings is estimated to cost (USD)."""
    model_id = catalog.VIDEO_MODELS.get(settings.model, "")
    price = catalog.UNIT_PRICES.get(model_id)
    if price is None:
        return 0.0
    return round(price.per_unit * float(catalog.video_duration_for(model_id, settings.duration)), 4)
