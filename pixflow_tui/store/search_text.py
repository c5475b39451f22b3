"""The text each table's rows are found by in the full-text index (images, assets, history, favourites)."""
from __future__ import annotations

import json
from typing import Any


def prompt_search_text(concept: str, prompt: dict[str, Any] | str) -> str:
    """The text a prompt is found by: the concept and every string value of the prompt."""
    data = json.loads(prompt) if isinstance(prompt, str) else prompt
    parts = [concept]

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return " ".join(p for p in parts if p)


def asset_search_text(concept: str, prompt: str, metadata: dict[str, Any]) -> str:
    """What an asset is found by: its concept, its own prompt (a video's camera prompt, a script) and the
    image prompt it inherited from its source, when the engine recorded one."""
    inherited = metadata.get("prompt")
    parts = [concept, prompt]
    if isinstance(inherited, (dict, str)) and inherited:
        parts.append(prompt_search_text("", inherited if isinstance(inherited, dict) else json.dumps(inherited)))
    return " ".join(p for p in parts if p)
