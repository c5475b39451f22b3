"""A local HTTP emulator of the OpenAI chat-completions, Responses (with web search) and speech endpoints, for the
real `openai.AsyncOpenAI`.

Use `AsyncOpenAI(base_url=emu.base_url, api_key="sk-test", max_retries=0)`. Structured output
(`response_format` json_schema, as sent by `chat.completions.parse`) gets a document that validates against
the schema, with strings built from the words of the last user message and from any images it carried.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

from . import media
from . import openai_responses
from ._http import HttpEmulator, Request, Response, json_response
from .schema_gen import fake_from_schema

Endpoint = Literal["chat", "speech", "responses"]

_STOPWORDS = frozenset(
    "a an and are as at be but by for from has have in into is it its of on or that the this to was were will "
    "with write make give create generate describe please me my our your you we i image picture photo prompt "
    "prompts about some any all each json return".split()
)

_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to use this model.", "invalid_request_error", None),
    404: ("Not found.", "invalid_request_error", None),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


def error_response(status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
    default_message, kind, code = _DEFAULT_ERRORS.get(status, ("Error.", "api_error", None))
    body = {"error": {"message": message or default_message, "type": kind, "param": None, "code": code}}
    return json_response(body, status, headers)


@dataclass
class ScriptedResponse:
    """A canned answer, consumed in FIFO order before anything is generated."""

    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    body: Any = None
    headers: dict[str, str] | None = None
    delay: float = 0.0
    drop: bool = False

    def is_raw(self) -> bool:
        return self.status != 200 or self.body is not None


def keywords(text: str, limit: int = 8) -> list[str]:
    seen: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text):
        w = word.lower().strip("'-")
        if w not in _STOPWORDS and w not in seen:
            seen.append(w)
    return seen[:limit]


class PromptTexts:
    """String source for generated documents: the user's words plus what the images looked like."""

    def __init__(self, words: list[str], image_notes: list[str]) -> None:
        self.words = words
        self.image_notes = image_notes

    def phrase(self, index: int = 0) -> str:
        if not self.words:
            return "untitled idea"
        k = index % len(self.words)
        return " ".join((self.words[k:] + self.words[:k])[:6])

    def text(self, name: str, index: int) -> str:
        label = name.replace("_", " ").strip().capitalize() or "Value"
        number = f" {index + 1}" if index else ""
        return f"{label}{number}: " + ", ".join([self.phrase(index), *self.image_notes])

    def sentence(self) -> str:
        seen = f" The image is {'; '.join(self.image_notes)}." if self.image_notes else ""
        return f"Emulated reply about {self.phrase()}.{seen}"


class OpenAIEmulator(HttpEmulator):
    path_prefix = "/v1"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        words_per_second: float = 2.5,
        require_auth: bool = True,
        web_search: bool = True,
        responses_api: bool = True,
    ) -> None:
        """`web_search`: the Responses API offers the web-search tool (else 400 for it); `responses_api`: the
        server has the Responses API at all (else 404, as an older compatible server)."""
        super().__init__(host=host, port=port)
        self.latency = latency
        self.words_per_second = words_per_second
        self.require_auth = require_auth
        self.chat_requests: list[dict[str, Any]] = []
        self.speech_requests: list[dict[str, Any]] = []
        self.responses_requests: list[dict[str, Any]] = []
        self.web_search = web_search
        self.responses_api = responses_api
        self.web_sources: list[tuple[str, str]] = list(openai_responses.DEFAULT_SOURCES)  # (url, title)
        self.auth_headers: list[str] = []
        self.images_seen: list[tuple[int, int]] = []
        self.image_colors: list[str] = []
        self._scripts: dict[Endpoint, deque[ScriptedResponse]] = {"chat": deque(), "speech": deque(),
                                                                  "responses": deque()}
        self._lock = threading.Lock()
        self._counter = 0

    # ------------------------------------------------------------------ test controls

    def queue_response(
        self,
        content: str | None = None,
        *,
        refusal: str | None = None,
        finish_reason: str = "stop",
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        drop: bool = False,
        endpoint: Endpoint = "chat",
    ) -> ScriptedResponse:
        """Script the next answer of `endpoint`.

        status != 200 without body: an OpenAI-shaped error (429 also gets `Retry-After: 1` unless headers say
        otherwise). body (dict -> JSON, str/bytes -> raw): sent as-is with `status`. Otherwise a normal completion
        whose content/refusal/finish_reason are the given ones (content None and no refusal: generated as usual).
        """
        scripted = ScriptedResponse(content, refusal, finish_reason, status, body, headers, delay, drop)
        with self._lock:
            self._scripts[endpoint].append(scripted)
        return scripted

    @property
    def pending_responses(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._scripts.values())

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Response:
        if denied := self._check_auth(request):
            return denied
        route = (request.method, request.path.rstrip("/"))
        if route == ("POST", "/v1/chat/completions"):
            response = self._chat(request)
        elif route == ("POST", "/v1/audio/speech"):
            response = self._speech(request)
        elif route == ("POST", "/v1/responses") and self.responses_api:
            response = self._responses(request)
        elif route == ("GET", "/v1/models"):
            models = ["gpt-4o", "gpt-4o-mini", "gpt-4o-mini-tts", "tts-1"]
            response = json_response({
                "object": "list",
                "data": [{"id": m, "object": "model", "created": 0, "owned_by": "emulator"} for m in models],
            })
        else:
            response = error_response(404, f"Unknown route {request.method} {request.path}")
        response.delay += self.latency
        return response

    def _check_auth(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization") or ""
        with self._lock:
            self.auth_headers.append(header)
        scheme, _, key = header.partition(" ")
        if self.require_auth and not (scheme == "Bearer" and key.strip()):
            return error_response(401)
        return None

    def _pop(self, endpoint: Endpoint) -> ScriptedResponse | None:
        with self._lock:
            queue = self._scripts[endpoint]
            return queue.popleft() if queue else None

    @staticmethod
    def _raw(scripted: ScriptedResponse) -> Response:
        if scripted.body is None:
            headers = {"Retry-After": "1"} if scripted.status == 429 else {}
            response = error_response(scripted.status, headers=headers)
        elif isinstance(scripted.body, (bytes, str)):
            raw = scripted.body.encode() if isinstance(scripted.body, str) else scripted.body
            response = Response(scripted.status, raw, "application/json")
        else:
            response = json_response(scripted.body, scripted.status)
        response.headers.update(scripted.headers or {})
        return response

    def _parse_body(self, request: Request) -> dict[str, Any] | None:
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # ------------------------------------------------------------------ chat

    def _chat(self, request: Request) -> Response:
        body = self._parse_body(request)
        if body is None:
            return error_response(400, "We could not parse the JSON body of your request.")
        with self._lock:
            self.chat_requests.append(body)
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return error_response(400, "Missing required parameter: 'messages'.")
        return self._answer("chat", lambda scripted: self._completion(body, scripted))

    def _answer(self, endpoint: Endpoint, make: Callable[[ScriptedResponse | None], Response]) -> Response:
        """The next scripted answer of `endpoint` (a dropped connection, a raw body or error) or `make`'s."""
        scripted = self._pop(endpoint)
        if scripted is not None and scripted.drop:
            return Response(action="drop", delay=scripted.delay)
        response = self._raw(scripted) if scripted is not None and scripted.is_raw() else make(scripted)
        if scripted is not None:
            response.delay += scripted.delay
        return response

    def _completion(self, body: dict[str, Any], scripted: ScriptedResponse | None) -> Response:
        texts = self._read_messages(body["messages"])
        if scripted is not None and (scripted.content is not None or scripted.refusal is not None):
            content, refusal = scripted.content, scripted.refusal
        else:
            content, refusal = self._generate(body, texts), None
        finish_reason = scripted.finish_reason if scripted is not None else "stop"
        with self._lock:
            self._counter += 1
            completion_id = f"chatcmpl-emu{self._counter:06d}{uuid.uuid4().hex[:8]}"
        prompt_tokens = max(1, len(json.dumps(body["messages"])) // 4)
        completion_tokens = max(1, len(content or refusal or "") // 4)
        message = {"role": "assistant", "content": content, "refusal": refusal, "annotations": []}
        completion = {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or "gpt-4o-mini",
            "choices": [
                {"index": i, "message": message, "logprobs": None, "finish_reason": finish_reason}
                for i in range(int(body.get("n") or 1))
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_emulator",
        }
        if body.get("stream"):
            return self._sse(completion, bool((body.get("stream_options") or {}).get("include_usage")))
        return json_response(completion)

    @staticmethod
    def _generate(body: dict[str, Any], texts: PromptTexts) -> str:
        response_format = body.get("response_format") or {}
        kind = response_format.get("type")
        if kind == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema") or {}
            return json.dumps(fake_from_schema(schema, texts))
        if kind == "json_object":
            return json.dumps({"summary": texts.sentence(), "keywords": texts.words[:5], "images": texts.image_notes})
        return texts.sentence()

    def _read_messages(self, messages: list[Any]) -> PromptTexts:
        """Keywords from the last user message; every image in user messages is decoded and described."""
        last_text = ""
        notes: list[str] = []
        for message in messages:
            if not isinstance(message, dict) or message.get("role") != "user":
                continue
            content = message.get("content")
            parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
            texts = []
            for part in parts:
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "text":
                    texts.append(str(part.get("text", "")))
                elif part.get("type") == "image_url":
                    image_url = part.get("image_url")
                    url = image_url.get("url") if isinstance(image_url, dict) else image_url
                    notes.append(self._describe_image(url))
            last_text = " ".join(texts)
        return PromptTexts(keywords(last_text), notes)

    def _describe_image(self, url: object) -> str:
        data: bytes | None = None
        if isinstance(url, str) and url.startswith("data:"):
            try:
                data = base64.b64decode(url.partition(",")[2])
            except ValueError:
                data = None
        elif isinstance(url, str) and urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            try:  # only ever loopback: tests never touch the network
                with urllib.request.urlopen(url, timeout=2) as fh:
                    data = fh.read()
            except OSError:
                data = None
        img = media.open_image(data) if data else None
        if img is None:
            return "an image that could not be read"
        color = media.dominant_color(img)
        with self._lock:
            self.images_seen.append(img.size)
            self.image_colors.append(color)
        return f"{img.width}x{img.height} {color}"

    @staticmethod
    def _sse(completion: dict[str, Any], include_usage: bool) -> Response:
        head = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
        head["object"] = "chat.completion.chunk"
        message = completion["choices"][0]["message"]
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        for key in ("content", "refusal"):
            text = message[key] or ""
            deltas += [{key: text[i : i + 16]} for i in range(0, len(text), 16)]
        events = [{**head, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
        finish_reason = completion["choices"][0]["finish_reason"]
        events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]})
        if include_usage:
            events.append({**head, "choices": [], "usage": completion["usage"]})
        payload = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return Response(200, payload.encode(), "text/event-stream")

    @property
    def images_in_chat(self) -> int:
        """How many images the chat requests carried (a vision call sends the image as a data URL part)."""
        return sum(1 for body in self.chat_requests for message in body.get("messages") or []
                   if isinstance(message, dict) and isinstance(message.get("content"), list)
                   for part in message["content"] if isinstance(part, dict) and part.get("type") == "image_url")

    # ------------------------------------------------------------------ responses (web search)

    def _responses(self, request: Request) -> Response:
        body = self._parse_body(request)
        if body is None:
            return error_response(400, "We could not parse the JSON body of your request.")
        with self._lock:
            self.responses_requests.append(body)
        if not body.get("input"):
            return error_response(400, "Missing required parameter: 'input'.")
        tool = openai_responses.wants_web_search(body)
        if tool is not None and not self.web_search:
            return error_response(400, f"Hosted tool '{tool}' is not supported with this server.")
        return self._answer("responses", lambda scripted: self._response(body, scripted))

    def _response(self, body: dict[str, Any], scripted: ScriptedResponse | None) -> Response:
        text = openai_responses.input_text(body.get("input"))
        answer = (scripted.content if scripted is not None and scripted.content is not None
                  else openai_responses.answer_text(text, keywords(text.split("Search the web")[0])))
        with self._lock:
            self._counter += 1
            counter = self._counter
            sources = list(self.web_sources)
        return json_response(openai_responses.response_body(body, answer, sources, counter))

    # ------------------------------------------------------------------ speech

    def _speech(self, request: Request) -> Response:
        body = self._parse_body(request)
        if body is None:
            return error_response(400, "We could not parse the JSON body of your request.")
        with self._lock:
            self.speech_requests.append(body)
        scripted = self._pop("speech")
        if scripted is not None and scripted.drop:
            return Response(action="drop", delay=scripted.delay)
        if scripted is not None and scripted.is_raw():
            response = self._raw(scripted)
            response.delay += scripted.delay
            return response
        text = body.get("input")
        if not isinstance(text, str) or not text.strip():
            return error_response(400, "Missing required parameter: 'input'.")
        fmt = body.get("response_format") or "mp3"
        if fmt not in media.AUDIO_FORMATS:
            return error_response(400, f"Invalid response_format {fmt!r}.")
        speed = float(body.get("speed") or 1.0)
        duration = media.words_duration(text, self.words_per_second) / speed
        data = media.audio_bytes(duration, fmt, seed=media.seed_of(text, body.get("voice")))
        return Response(200, data, media.AUDIO_FORMATS[fmt], delay=scripted.delay if scripted else 0.0)
