"""Text → PromptOutput without a model call (the original app's "preserve original" rule and custom prompts).

Plain text becomes `style` verbatim. JSON in our 9-section schema is parsed as is; JSON in the other common shape
(`scene`, `subject`, `camera`, `lighting`, `outfit`, `style`, ...) is mapped field by field, and anything without
a home is appended to `style` so no words are lost.
"""
from __future__ import annotations

import json
from typing import Any

from pixflow_tui.core.prompt_schema import SECTIONS, PromptOutput, PromptParseError, parse_prompt

Dest = tuple[str, ...]  # path into PromptOutput.model_dump(), e.g. ("pose", "expression", "facial")

# a foreign top-level (or nested) key that names one of our sections
_SECTION_ALIASES: dict[str, str] = {
    **{s: s for s in SECTIONS},
    "light": "lighting", "lights": "lighting",
    "scene": "set_design", "setting": "set_design", "set": "set_design", "environment": "set_design",
    "background": "set_design", "location": "set_design",
    "clothing": "outfit", "wardrobe": "outfit", "attire": "outfit", "clothes": "outfit",
    "hair": "hairstyle",
    "post": "effects", "post_processing": "effects", "color": "effects", "colors": "effects",
    "composition": "pose", "framing": "pose",
}
# a leaf key, wherever it appears, and where its text goes
_FIELD_ALIASES: dict[str, Dest] = {
    "style": ("style",), "aesthetic": ("style",), "subject": ("style",), "description": ("style",),
    "prompt": ("style",), "summary": ("style",),
    "lighting": ("lighting", "setup"), "light": ("lighting", "setup"), "mood": ("lighting", "mood"),
    "key_light": ("lighting", "key_light"), "fill_light": ("lighting", "fill_light"),
    "shadows": ("lighting", "shadows"),
    "scene": ("set_design", "backdrop"), "setting": ("set_design", "backdrop"),
    "background": ("set_design", "backdrop"), "environment": ("set_design", "backdrop"),
    "location": ("set_design", "backdrop"), "backdrop": ("set_design", "backdrop"),
    "surface": ("set_design", "surface"), "props": ("set_design", "props"),
    "atmosphere": ("set_design", "atmosphere"),
    "outfit": ("outfit", "main"), "clothing": ("outfit", "main"), "wardrobe": ("outfit", "main"),
    "attire": ("outfit", "main"), "accessories": ("outfit", "accessories"),
    "camera": ("camera", "lens"), "lens": ("camera", "lens"), "aperture": ("camera", "aperture"),
    "angle": ("camera", "angle"), "camera_angle": ("camera", "angle"), "focus": ("camera", "focus"),
    "depth_of_field": ("camera", "focus"),
    "pose": ("pose", "body_position"), "body_position": ("pose", "body_position"), "arms": ("pose", "arms"),
    "posture": ("pose", "posture"), "composition": ("pose", "framing"), "framing": ("pose", "framing"),
    "shot": ("pose", "framing"), "shot_type": ("pose", "framing"),
    "expression": ("pose", "expression", "facial"), "facial": ("pose", "expression", "facial"),
    "eyes": ("pose", "expression", "eyes"), "mouth": ("pose", "expression", "mouth"),
    "hair": ("hairstyle", "style"), "hairstyle": ("hairstyle", "style"),
    "makeup": ("makeup", "style"), "skin": ("makeup", "skin"), "lips": ("makeup", "lips"),
    "color_grade": ("effects", "color_grade"), "color_grading": ("effects", "color_grade"),
    "colors": ("effects", "color_grade"), "palette": ("effects", "color_grade"),
    "color_palette": ("effects", "color_grade"), "grain": ("effects", "grain"), "vignette": ("effects", "vignette"),
    "contrast": ("effects", "contrast"), "lens_flare": ("effects", "lens_flare"),
    "effects": ("effects", "color_grade"),
}
_SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(PromptOutput.model_fields[name].annotation.model_fields)  # type: ignore[union-attr]
    for name in SECTIONS if name != "style"
}


def prompt_from_text(text: str) -> PromptOutput:
    """Our prompt for `text`: mapped from JSON when it is JSON, else the text kept verbatim as `style`."""
    stripped = text.strip()
    data = _json_object(stripped)
    if data is None:
        return PromptOutput(style=stripped)
    if isinstance(data.get("prompts"), list) and data["prompts"] and isinstance(data["prompts"][0], dict):
        data = data["prompts"][0]
    if set(data) <= set(SECTIONS):
        try:
            return parse_prompt(data)
        except PromptParseError:
            pass  # our keys with odd value types: the general mapping below copes
    return _map_foreign(data)


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _norm(key: object) -> str:
    return str(key).strip().lower().replace(" ", "_").replace("-", "_")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, ""))
    return "" if value is None else str(value).strip()


def _destination(path: tuple[str, ...]) -> Dest | None:
    leaf = path[-1]
    parent = _SECTION_ALIASES.get(path[-2]) if len(path) > 1 else None
    if len(path) > 1 and path[-2] == "expression" and leaf in ("facial", "eyes", "mouth"):
        return ("pose", "expression", leaf)
    if parent and parent != "style" and leaf in _SECTION_FIELDS[parent]:
        return (parent, leaf) if leaf != "expression" else ("pose", "expression", "facial")
    if leaf in _FIELD_ALIASES:
        return _FIELD_ALIASES[leaf]
    if parent and parent != "style":
        return (parent, _SECTION_FIELDS[parent][0])
    return None


def _put(out: dict[str, Any], dest: Dest, value: Any) -> None:
    node = out
    for key in dest[:-1]:
        node = node[key]
    field = dest[-1]
    if isinstance(node[field], list):
        items = value if isinstance(value, list) else [value]
        node[field].extend(_text(v) for v in items if _text(v))
        return
    text = _text(value)
    if text:
        node[field] = f"{node[field]}, {text}" if node[field] else text


def _walk(value: Any, path: tuple[str, ...], out: dict[str, Any], extras: list[str]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _walk(child, (*path, _norm(key)), out, extras)
        return
    if value in (None, "", [], {}):
        return
    dest = _destination(path)
    if dest is None:
        extras.append(f"{path[-1].replace('_', ' ')}: {_text(value)}")
    else:
        _put(out, dest, value)


def _map_foreign(data: dict[str, Any]) -> PromptOutput:
    out = PromptOutput().model_dump()
    extras: list[str] = []
    for key, value in data.items():
        _walk(value, (_norm(key),), out, extras)
    if extras:
        out["style"] = ". ".join([p for p in (out["style"],) if p] + extras)
    return PromptOutput.model_validate(out)
