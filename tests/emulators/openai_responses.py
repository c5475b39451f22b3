"""The Responses API (`POST /v1/responses`) of the OpenAI emulator, with its web-search tool.

Without a JSON schema the answer is text: when the input shows a fenced ```json example, the reply is a fenced JSON
object of that shape (every string and list filled from the input's words), else a sentence. With a web-search tool
the output starts with a `web_search_call` whose action lists the emulator's sources, and the message cites each of
them (`url_citation` annotations). A server without the tool answers 400, as OpenAI does for an unsupported tool.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

WEB_SEARCH_TOOLS = ("web_search", "web_search_preview", "web_search_preview_2025_03_11")
DEFAULT_SOURCES = (
    ("https://www.vogue.com/article/portrait-trends", "Portrait trends this season"),
    ("https://www.harpersbazaar.com/fashion/trends/", "Fashion trends"),
    ("https://petapixel.com/lighting-guide/", "A lighting guide"),
    ("https://www.vogue.com/fashion/street-style", "Street style"),
)


def input_text(value: Any) -> str:
    """All text of a Responses `input` (a string, or messages whose content is a string or parts)."""
    if isinstance(value, str):
        return value
    texts: list[str] = []
    for item in value or []:
        if not isinstance(item, dict):
            continue
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts += [str(p.get("text", "")) for p in content if isinstance(p, dict)]
    return "\n".join(texts)


def wants_web_search(body: dict[str, Any]) -> str | None:
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and tool.get("type") in WEB_SEARCH_TOOLS:
            return str(tool["type"])
    return None


def _fill(example: Any, words: list[str], name: str = "value") -> Any:
    phrase = " ".join(words[:4]) or "untitled idea"
    if isinstance(example, dict):
        return {k: _fill(v, words, k) for k, v in example.items()}
    if isinstance(example, list):
        label = name.replace("_", " ")
        return [f"{label} {i + 1}: {phrase}" for i in range(3)]
    if isinstance(example, str):
        return f"{name.replace('_', ' ').capitalize()}: {phrase}"
    return example


def answer_text(text: str, words: list[str]) -> str:
    match = re.search(r"```json\s*(.*?)```", text, flags=re.DOTALL)
    if match:
        try:
            example = json.loads(match.group(1))
        except json.JSONDecodeError:
            example = None
        if isinstance(example, dict):
            return "Here is what I found:\n```json\n" + json.dumps(_fill(example, words), indent=1) + "\n```"
    return f"Emulated research about {' '.join(words[:6]) or 'nothing'}."


def response_body(body: dict[str, Any], text: str, sources: list[tuple[str, str]], counter: int) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    searched = wants_web_search(body) is not None
    if searched:
        output.append({"type": "web_search_call", "id": f"ws_emu{counter:06d}", "status": "completed",
                       "action": {"type": "search", "query": text[:60],
                                  "sources": [{"type": "url", "url": url} for url, _ in sources]}})
    annotations = [{"type": "url_citation", "start_index": 0, "end_index": len(text), "url": url, "title": title}
                   for url, title in sources] if searched else []
    output.append({"type": "message", "id": f"msg_emu{counter:06d}", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}]})
    tokens_in = max(1, len(json.dumps(body.get("input"))) // 4)
    tokens_out = max(1, len(text) // 4)
    return {
        "id": f"resp_emu{counter:06d}{uuid.uuid4().hex[:8]}", "object": "response", "created_at": int(time.time()),
        "status": "completed", "model": body.get("model") or "gpt-4o-mini", "output": output,
        "instructions": body.get("instructions"), "tools": body.get("tools") or [], "tool_choice": "auto",
        "parallel_tool_calls": True, "temperature": body.get("temperature"), "top_p": 1.0, "metadata": {},
        "error": None, "incomplete_details": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out, "total_tokens": tokens_in + tokens_out,
                  "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}},
    }
