"""Flatten a structured prompt into the text an image model receives (the original app's "Prompt text"), and
write it with its settings the way other image tools read it."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pixflow_tui.core.prompt_schema import PromptOutput

_SPACES = re.compile(r"\s+")


def identity_guard(reference_count: int) -> str:
    if reference_count <= 0:
        return ""
    if reference_count == 1:
        return ("Keep the person from the reference image exactly as they are: same face, identity, age and "
                "expression; show a single person only")
    return (f"Include exactly {reference_count} distinct people, one from each reference image; "
            "do not merge them and do not add anyone")


def _fragment(label: str, *values: str) -> str:
    text = ", ".join(v.strip() for v in values if v and v.strip())
    return f"{label}: {text}" if text else ""


def flatten_prompt(prompt: PromptOutput, reference_count: int = 0) -> str:
    parts = [
        identity_guard(reference_count),
        prompt.style,
        _fragment("Pose", prompt.pose.framing, prompt.pose.body_position, prompt.pose.expression.facial),
        _fragment("Lighting", prompt.lighting.setup, prompt.lighting.mood),
        _fragment("Background", prompt.set_design.backdrop),
        _fragment("Outfit", prompt.outfit.main, prompt.outfit.accessories),
        _fragment("Hair", prompt.hairstyle.style),
        _fragment("Makeup", prompt.makeup.style, prompt.makeup.eyes, prompt.makeup.lips),
        _fragment("Camera", prompt.camera.lens, prompt.camera.angle),
        _fragment("Effects", prompt.effects.color_grade, prompt.effects.grain),
    ]
    return _SPACES.sub(" ", ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())).strip()


def _quoted(value: str) -> str:
    # AUTOMATIC1111 quotes a value that holds a comma, a colon or a line break (as a JSON string)
    return json.dumps(value, ensure_ascii=False) if any(c in value for c in ",:\n") else value


def parameters_text(prompt: str, fields: Mapping[str, object], negative_prompt: str = "") -> str:
    """The AUTOMATIC1111 "parameters" text image tools read: the prompt, an optional "Negative prompt:" line, then
    one line of `Key: value` settings (empty values left out)."""
    settings = ", ".join(f"{key}: {_quoted(str(value))}" for key, value in fields.items()
                         if value is not None and str(value) != "")
    lines = [prompt.strip()]
    if negative_prompt.strip():
        lines.append(f"Negative prompt: {negative_prompt.strip()}")
    lines.append(settings)
    return "\n".join(lines)
