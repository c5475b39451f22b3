"""Read prompts that users bring: our schema, the common scene/subject/camera shape, or plain text."""
from __future__ import annotations

import json
import re
from typing import Any

from pixflow_tui.core.prompt_schema import (
    SECTIONS,
    PromptOutput,
    PromptParseError,
    parse_prompt,
)

# keys of the other common prompt shape, mapped to where their text belongs in ours
_FOREIGN_KEYS = {
    "scene": ("set_design", "backdrop"),
    "setting": ("set_design", "backdrop"),
    "background": ("set_design", "backdrop"),
    "environment": ("set_design", "atmosphere"),
    "subject": ("pose", "body_position"),
    "pose": ("pose", "body_position"),
    "expression": ("pose", "expression"),
    "camera": ("camera", "lens"),
    "composition": ("pose", "framing"),
    "framing": ("pose", "framing"),
    "lighting": ("lighting", "setup"),
    "mood": ("lighting", "mood"),
    "outfit": ("outfit", "main"),
    "wardrobe": ("outfit", "main"),
    "clothing": ("outfit", "main"),
    "hair": ("hairstyle", "style"),
    "makeup": ("makeup", "style"),
    "color_grade": ("effects", "color_grade"),
    "effects": ("effects", "color_grade"),
}
_BLANK_LINES = re.compile(r"\n\s*\n")
_PROMPT_HEADING = re.compile(r"^\s*prompt\s*\d+\s*[:.)-]?\s*", re.IGNORECASE)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_text(v)}" for k, v in value.items() if _text(v))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    return "" if value is None else str(value)


def from_foreign_shape(data: dict[str, Any]) -> PromptOutput:
    """Map a scene/subject/camera style object into our sections; unknown keys go into the style text."""
    prompt = PromptOutput().model_dump()
    style_parts = [_text(data.get("style")), _text(data.get("prompt")), _text(data.get("description"))]
    for key, value in data.items():
        target = _FOREIGN_KEYS.get(key.lower())
        text = _text(value)
        if not text or key in ("style", "prompt", "description"):
            continue
        if target is None:
            style_parts.append(f"{key.replace('_', ' ')}: {text}")
            continue
        section, field = target
        if field == "expression":
            prompt["pose"]["expression"]["facial"] = text
        else:
            existing = prompt[section][field]
            prompt[section][field] = f"{existing}; {text}" if existing else text
    prompt["style"] = ". ".join(p for p in style_parts if p)
    return PromptOutput.model_validate(prompt)


def _is_our_schema(data: dict[str, Any]) -> bool:
    """Our sections hold objects (only `style` is text), and the keys are ours."""
    if not any(key in data for key in SECTIONS):
        return False
    sections_are_objects = all(isinstance(data[k], dict) for k in SECTIONS[1:] if k in data)
    return sections_are_objects and all(key in SECTIONS or key == "quality_score" for key in data)


def prompt_from_any(data: Any) -> PromptOutput:
    """One prompt from a JSON value: our schema, the foreign shape, or a string (kept verbatim as the style)."""
    if isinstance(data, str):
        text = data.strip()
        if not text:
            raise PromptParseError("the prompt is empty")
        if text.startswith("{"):
            return prompt_from_any(json.loads(text))
        return PromptOutput(style=text)
    if isinstance(data, dict):
        return parse_prompt(data) if _is_our_schema(data) else from_foreign_shape(data)
    raise PromptParseError(f"a prompt must be text or a JSON object, not {type(data).__name__}")


def split_prompt_text(text: str) -> list[str]:
    """The one rule for plain text holding several prompts (a TXT file, `--prompts-file`, a paste into Text →
    prompt, `pixflow prompts from-text`): blank-line-separated blocks when there are any, otherwise one prompt per
    line; a "Prompt 3:" heading is dropped and each block's whitespace joined."""
    stripped = text.strip()
    if not stripped:
        return []
    blocks = _BLANK_LINES.split(stripped) if _BLANK_LINES.search(stripped) else stripped.splitlines()
    cleaned = [" ".join(_PROMPT_HEADING.sub("", block).split()) for block in blocks]
    return [block for block in cleaned if block]


def prompts_from_text_file(text: str) -> list[PromptOutput]:
    """A TXT file: one prompt per block of `split_prompt_text`, kept verbatim as its style."""
    return [PromptOutput(style=block) for block in split_prompt_text(text)]


def prompts_from_file_content(name: str, text: str) -> list[PromptOutput]:
    """Prompts from a .json (list or object), .jsonl or .txt file's content; errors name the line or item."""
    lowered = name.lower()
    if lowered.endswith(".jsonl"):
        prompts = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    prompts.append(prompt_from_any(json.loads(line)))
                except (json.JSONDecodeError, PromptParseError) as exc:
                    raise PromptParseError(f"{name} line {number}: {exc}") from None
        return prompts
    if lowered.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PromptParseError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if isinstance(data, dict) and isinstance(data.get("prompts"), list):
            data = data["prompts"]
        items = data if isinstance(data, list) else [data]
        prompts = []
        for number, item in enumerate(items, 1):
            try:
                prompts.append(prompt_from_any(item))
            except PromptParseError as exc:
                raise PromptParseError(f"{name} item {number}: {exc}") from None
        return prompts
    return prompts_from_text_file(text)
