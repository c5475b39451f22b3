"""How a job's request is stored: without the copies of its prompt that can be made again.

An image request carries its prompt twice: structured in `meta.prompt` (what lineage, the Library and a
regenerate read) and flattened in `arguments.prompt` (the text the model receives, `core/flatten.py`). The stored
JSON keeps the structured prompt once and says under `"rebuilt"` what to make again when the row is read:

- `"prompt": "flattened"`: `arguments.prompt` is `flatten_prompt(meta.prompt, number of image_urls)`;
  `"prompt": "style"`: it is `meta.prompt["style"]` (an Img2Img transform's text).
  A request is stored so only when the text made again is exactly the one it had.
- `"meta_prompt": <image id>`: once the job's image is saved, its structured prompt is that image's `prompt`
  (the same JSON), so the job keeps none. Changing or deleting that image writes the prompt back into the job
  first (`restore_image_prompt`).

Every reader gets the whole request back (`decode`); nothing above the store sees the stored form. Rebuilding
the text depends on `flatten_prompt` staying as it is (a test pins its output): a change to it must keep the
old text for stored jobs.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

REBUILT = "rebuilt"
FLATTENED, STYLE = "flattened", "style"


def _references(request: dict[str, Any]) -> int:
    urls = request.get("files", {}).get("image_urls") or []
    return len(urls) if isinstance(urls, list) else 1


@lru_cache(maxsize=1024)
def _flattened(prompt_json: str, references: int) -> str | None:
    """The text `flatten_prompt` makes of a structured prompt (JSON), or None when it is not a valid one. Cached:
    the engine reads a job several times on its way, and a batch's variants share their prompt."""
    from pydantic import ValidationError

    from pixflow_tui.core.flatten import flatten_prompt
    from pixflow_tui.core.prompt_schema import PromptOutput

    try:
        return flatten_prompt(PromptOutput.model_validate_json(prompt_json), references)
    except (ValidationError, ValueError):
        return None


def _argument_prompt(how: str, prompt: Any, prompt_json: str, references: int) -> str | None:
    if not isinstance(prompt, dict):
        return None
    if how == STYLE:
        style = prompt.get("style")
        return style if set(prompt) == {"style"} and isinstance(style, str) else None
    return _flattened(prompt_json, references) if how == FLATTENED else None


def encode(request: dict[str, Any]) -> str:
    """The JSON to store for a whole request: `arguments.prompt` left out when it can be made again."""
    if REBUILT in request:
        raise ValueError("a request passed to the store must be whole (decoded), not in its stored form")
    arguments, meta = request.get("arguments"), request.get("meta")
    if request.get("kind") != "image" or not isinstance(arguments, dict) or not isinstance(meta, dict):
        return json.dumps(request)
    text, prompt = arguments.get("prompt"), meta.get("prompt")
    if not isinstance(text, str) or not isinstance(prompt, dict):
        return json.dumps(request)
    prompt_json = json.dumps(prompt)
    for how in (STYLE, FLATTENED):
        if _argument_prompt(how, prompt, prompt_json, _references(request)) == text:
            rest = {name: value for name, value in arguments.items() if name != "prompt"}
            return json.dumps({**request, "arguments": rest, REBUILT: {"prompt": how}})
    return json.dumps(request)


def image_holding_prompt(stored: dict[str, Any]) -> int | None:
    """The id of the image whose prompt a stored request points at, if it does."""
    found = stored.get(REBUILT, {}).get("meta_prompt")
    return found if isinstance(found, int) else None


@lru_cache(maxsize=1024)
def _flattened_in(stored_text: str, how: str) -> str | None:
    """`arguments.prompt` of a stored request that holds its structured prompt (cached by the stored text: the
    engine reads a pending job several times on its way)."""
    request = json.loads(stored_text)
    prompt = request.get("meta", {}).get("prompt")
    return _argument_prompt(how, prompt, json.dumps(prompt), _references(request))


def decode(text: str | None, image_prompt: Callable[[int], str | None]) -> dict[str, Any]:
    """The whole request from its stored JSON; `image_prompt(image id)` reads an image's stored prompt JSON."""
    if not text:
        return {}
    request = json.loads(text)
    rebuilt = request.pop(REBUILT, None) if isinstance(request, dict) else None
    if not rebuilt:
        return request or {}
    how = rebuilt.get("prompt")
    image_id = rebuilt.get("meta_prompt")
    if isinstance(image_id, int):
        prompt_json = image_prompt(image_id)
        if prompt_json is None:
            return request  # the image is gone without its prompt written back: only raw SQL does that
        prompt = json.loads(prompt_json)
        request["meta"] = {"prompt": prompt, **request.get("meta", {})}  # first, where it was
        made = _argument_prompt(how, prompt, prompt_json, _references(request)) if how else None
    else:
        made = _flattened_in(text, how) if how else None
    if made is not None:
        request["arguments"] = {"prompt": made, **request.get("arguments", {})}
    return request


def point_at_image(stored_text: str, image_id: int, image_prompt_json: str) -> str | None:
    """The stored request with its structured prompt replaced by a pointer to the image saved from it, or None
    when it holds no prompt to drop (already pointing, not an image request, or a prompt the image does not
    have)."""
    stored = json.loads(stored_text)
    if not isinstance(stored, dict) or image_holding_prompt(stored) is not None:
        return None
    meta = stored.get("meta")
    if not isinstance(meta, dict) or "prompt" not in meta or meta["prompt"] != json.loads(image_prompt_json):
        return None
    rest = {name: value for name, value in meta.items() if name != "prompt"}
    return json.dumps({**stored, "meta": rest, REBUILT: {**stored.get(REBUILT, {}), "meta_prompt": image_id}})


def with_prompt_back(stored_text: str, image_id: int, image_prompt_json: str) -> str | None:
    """The stored request holding its structured prompt again, when it points at `image_id`; else None."""
    stored = json.loads(stored_text)
    if not isinstance(stored, dict) or image_holding_prompt(stored) != image_id:
        return None
    rebuilt = {name: value for name, value in stored[REBUILT].items() if name != "meta_prompt"}
    stored["meta"] = {"prompt": json.loads(image_prompt_json), **stored.get("meta", {})}
    if rebuilt:
        stored[REBUILT] = rebuilt
    else:
        del stored[REBUILT]
    return json.dumps(stored)
