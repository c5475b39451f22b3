"""The text each table's rows are found by in the full-text index (images, assets, history, favourites).

The SQLite index keeps no copy of this text (it is contentless), so taking a document out of it needs the same text
again: `current_body` rebuilds it from the row, with the same functions that made it when the row was written."""
from __future__ import annotations

import json
from typing import Any

from peewee import Database


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


def history_search_text(concept: str, prompts: list[Any]) -> str:
    return " ".join(prompt_search_text(concept, p) for p in prompts) or concept


def favorite_search_text(name: str, concept: str | None, prompt: dict[str, Any] | str) -> str:
    return f"{name} {prompt_search_text(concept or '', prompt)}"


def _loads(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except json.JSONDecodeError:
        return default


_ROWS = {
    "image": "SELECT concept, prompt FROM generated_images WHERE id = {p}",
    "history": "SELECT concept, prompts FROM history WHERE id = {p}",
    "favorite": "SELECT name, concept, prompt FROM favorites WHERE id = {p}",
    "asset": "SELECT concept, prompt, metadata FROM assets WHERE id = {p}",
}


def current_body(db: Database, kind: str, ref_id: int) -> str | None:
    """The text the row `ref_id` of `kind` is indexed by, as it is now; None when the row is gone."""
    row = db.execute_sql(_ROWS[kind].format(p=db.param), (ref_id,)).fetchone()
    if row is None:
        return None
    if kind == "image":
        return prompt_search_text(row[0] or "", _loads(row[1], {}))
    if kind == "history":
        prompts = _loads(row[1], [])
        return history_search_text(row[0] or "", prompts if isinstance(prompts, list) else [])
    if kind == "favorite":
        return favorite_search_text(row[0] or "Untitled", row[1], _loads(row[2], {}))
    metadata = _loads(row[2], {})
    return asset_search_text(row[0] or "", row[1] or "", metadata if isinstance(metadata, dict) else {})
