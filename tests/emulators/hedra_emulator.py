"""A local HTTP emulator of Hedra's public API, the part a Character-3 lipsync uses (base `/web-app/public`):

- `POST /assets` `{name, type}` → `{id, name, type}`; `POST /assets/{id}/upload` (multipart `file`) → the asset
- `POST /generations` `{type: "video", ai_model_id, start_keyframe_id, audio_id, generated_video_inputs}` →
  `{id, asset_id, status: "queued", progress, ...}` (counted in `submissions`)
- `GET /generations/{id}/status` → queued → processing (progress) → complete with `url` (a small real MP4 served
  from `/files/...`), or `error` with `error_message`
- `GET /generations?type=&created_after=&created_before=` → `{data: [{id, type, input, status, ...}], page_info}`

Every call needs `X-API-Key` equal to the emulator's key (else 401). Faults: `inject("500" | "429" | "401" |
"drop", on=<call>)`, and `fail_next(message)` makes the next generation end in `error`. State lives in memory
for the life of the object, also across stop()/start() on the same port.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Literal

from ._http import HttpEmulator, Request, Response, json_response
from .media import mp4_bytes

HEDRA_TEST_KEY = "test-hedra-key"
Call = Literal["create_asset", "upload", "generate", "status", "list", "download"]
FaultKind = Literal["500", "429", "401", "drop", "drop_after_accept"]
ASSET_TYPES = ("text", "image", "audio", "video", "voice")


@dataclass
class HedraFault:
    kind: FaultKind
    on: Call
    times: int = 1
    retry_after: float = 1.0
    hits: int = 0


@dataclass
class Asset:
    id: str
    name: str
    type: str
    created_at: str
    data: bytes | None = None
    content_type: str = ""


@dataclass
class Generation:
    id: str
    asset_id: str
    input: dict[str, Any]
    created: datetime
    submitted_at: float
    queue_seconds: float
    run_seconds: float
    error: str | None = None
    polls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def state(self, now: float) -> tuple[str, float]:
        elapsed = now - self.submitted_at
        if elapsed < self.queue_seconds:
            return "queued", 0.0
        if elapsed < self.queue_seconds + self.run_seconds:
            return "processing", round((elapsed - self.queue_seconds) / max(self.run_seconds, 1e-9), 3)
        return ("error" if self.error else "complete"), 1.0


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


class HedraEmulator(HttpEmulator):
    path_prefix = "/web-app/public"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, key: str = HEDRA_TEST_KEY,
                 queue_seconds: float = 0.05, run_seconds: float = 0.1) -> None:
        super().__init__(host=host, port=port)
        self.key = key
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self.assets: dict[str, Asset] = {}
        self.generations: dict[str, Generation] = {}
        self.submissions = 0  # accepted POST /generations
        self.uploads = 0
        self.auth_failures = 0
        self.rejected: list[dict[str, Any]] = []  # generation bodies refused with 422
        self.faults: list[HedraFault] = []
        self._fail_next: list[str] = []
        self._video: bytes | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ test controls

    def inject(self, kind: FaultKind, *, on: Call = "generate", times: int = 1,
               retry_after: float = 1.0) -> HedraFault:
        fault = HedraFault(kind, on, times, retry_after)
        with self._lock:
            self.faults.append(fault)
        return fault

    def fail_next(self, message: str = "Generation failed: the face could not be detected") -> None:
        """The next accepted generation ends in `error` with `message`."""
        with self._lock:
            self._fail_next.append(message)

    def set_timing(self, queue_seconds: float, run_seconds: float) -> None:
        """Timing of later generations (math.inf holds them)."""
        with self._lock:
            self.queue_seconds, self.run_seconds = queue_seconds, run_seconds

    def complete(self, generation_id: str) -> None:
        with self._lock:
            gen = self.generations[generation_id]
            gen.queue_seconds = gen.run_seconds = 0.0

    def state_of(self, generation_id: str) -> str:
        return self.generations[generation_id].state(time.monotonic())[0]

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/files/") and request.method in ("GET", "HEAD"):
            return self._with_fault("download", lambda: self._file(path))
        if not path.startswith(self.path_prefix + "/"):
            return json_response({"detail": "Not Found"}, 404)
        if (request.headers.get("X-API-Key") or "") != self.key:
            with self._lock:
                self.auth_failures += 1
            return json_response({"detail": "Invalid API key"}, 401)
        parts = path[len(self.path_prefix) + 1:].split("/")
        method = request.method
        if parts == ["assets"] and method == "POST":
            return self._with_fault("create_asset", lambda: self._create_asset(request))
        if len(parts) == 3 and parts[0] == "assets" and parts[2] == "upload" and method == "POST":
            return self._with_fault("upload", lambda: self._upload(request, parts[1]))
        if parts == ["generations"] and method == "POST":
            return self._with_fault("generate", lambda: self._generate(request))
        if parts == ["generations"] and method == "GET":
            return self._with_fault("list", lambda: self._list(request))
        if len(parts) == 3 and parts[0] == "generations" and parts[2] == "status" and method == "GET":
            return self._with_fault("status", lambda: self._status(parts[1]))
        return json_response({"detail": "Not Found"}, 404)

    def _take_fault(self, on: Call) -> HedraFault | None:
        with self._lock:
            for fault in self.faults:
                if fault.on == on and fault.hits < fault.times:
                    fault.hits += 1
                    return fault
        return None

    def _with_fault(self, on: Call, accept: Any) -> Response:
        fault = self._take_fault(on)
        if fault is None:
            return accept()
        if fault.kind == "drop_after_accept":
            accept()
            return Response(action="drop")
        if fault.kind == "drop":
            return Response(action="drop")
        if fault.kind == "429":
            return json_response({"detail": "Too many requests"}, 429, {"Retry-After": f"{fault.retry_after:g}"})
        if fault.kind == "401":
            return json_response({"detail": "Invalid API key"}, 401)
        return json_response({"detail": "Internal server error"}, 500)

    # ------------------------------------------------------------------ assets

    def _create_asset(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or not body.get("name") or body.get("type") not in ASSET_TYPES:
            return json_response({"detail": [{"loc": ["body", "type"], "msg": "name and a valid type required",
                                              "type": "value_error"}]}, 422)
        asset = Asset(str(uuid.uuid4()), str(body["name"]), str(body["type"]), _iso(_utcnow()))
        with self._lock:
            self.assets[asset.id] = asset
        return json_response({"id": asset.id, "name": asset.name, "type": asset.type, "upload_url": None})

    def _upload(self, request: Request, asset_id: str) -> Response:
        with self._lock:
            asset = self.assets.get(asset_id)
        if asset is None:
            return json_response({"detail": "Asset not found"}, 404)
        content_type = request.headers.get("Content-Type") or ""
        if not content_type.startswith("multipart/form-data"):
            return json_response({"detail": "multipart/form-data with a file is required"}, 422)
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n"
                                                       + request.body)
        part = next((p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"),
                    None)
        if part is None:
            return json_response({"detail": [{"loc": ["body", "file"], "msg": "Field required"}]}, 422)
        with self._lock:
            asset.data = part.get_payload(decode=True)
            asset.content_type = part.get_content_type()
            self.uploads += 1
        return json_response({"id": asset.id, "type": asset.type, "name": asset.name, "created_at": asset.created_at,
                              "asset": {"url": f"{self.origin}/files/asset-{asset.id}"}})

    # ------------------------------------------------------------------ generations

    def _generate(self, request: Request) -> Response:
        body = request.json()
        problem = self._check_generation(body)
        if problem:
            with self._lock:
                self.rejected.append(body)
            return json_response({"detail": [{"loc": ["body", *problem[0]], "msg": problem[1]}]}, 422)
        with self._lock:
            error = self._fail_next.pop(0) if self._fail_next else None
            gen = Generation(str(uuid.uuid4()), str(uuid.uuid4()), body, _utcnow(), time.monotonic(),
                             self.queue_seconds, self.run_seconds, error)
            self.generations[gen.id] = gen
            self.submissions += 1
        return json_response({**body, "id": gen.id, "asset_id": gen.asset_id, "created_at": _iso(gen.created),
                              "status": "queued", "progress": 0.0, "eta_sec": None, "batch_results": []})

    def _check_generation(self, body: Any) -> tuple[list[str], str] | None:
        if not isinstance(body, dict):
            return [], "a JSON object is required"
        if body.get("type") != "video":
            return ["type"], "this emulator speaks video generations only"
        if not (body.get("ai_model_id") or body.get("model_slug")):
            return ["ai_model_id"], "a model is required"
        inputs = body.get("generated_video_inputs")
        if not isinstance(inputs, dict) or not isinstance(inputs.get("text_prompt"), str):
            return ["generated_video_inputs", "text_prompt"], "Field required"
        for name, kind in (("start_keyframe_id", "image"), ("audio_id", "audio")):
            asset = self.assets.get(str(body.get(name)))
            if asset is None or asset.type != kind or asset.data is None:
                return [name], f"no uploaded {kind} asset {body.get(name)!r}"
        return None

    def _status(self, generation_id: str) -> Response:
        with self._lock:
            gen = self.generations.get(generation_id)
            if gen is None:
                return json_response({"detail": "Generation not found"}, 404)
            gen.polls += 1
            state, progress = gen.state(time.monotonic())
        answer: dict[str, Any] = {"id": gen.id, "asset_id": gen.asset_id, "type": "video", "status": state,
                                  "progress": progress, "created_at": _iso(gen.created)}
        if state == "complete":
            answer["url"] = answer["download_url"] = f"{self.origin}/files/{gen.id}.mp4"
        if state == "error":
            answer["error_message"] = gen.error
        return json_response(answer)

    def _list(self, request: Request) -> Response:
        after, before = _parse_time(request.param("created_after")), _parse_time(request.param("created_before"))
        kind = request.param("type")
        now = time.monotonic()
        with self._lock:
            items = [g for g in self.generations.values()
                     if (after is None or g.created >= after) and (before is None or g.created <= before)
                     and kind in (None, "video")]
            data = [{"id": g.id, "type": "video", "input": g.input, "status": g.state(now)[0],
                     "progress": g.state(now)[1], "created_at": _iso(g.created)} for g in items[:100]]
        return json_response({"page_info": {"limit": 100, "offset": 0}, "data": data})

    def _file(self, path: str) -> Response:
        name = path.split("/")[-1]
        if name.startswith("asset-"):
            asset = self.assets.get(name[len("asset-"):])
            if asset is None or asset.data is None:
                return json_response({"detail": "Not Found"}, 404)
            return Response(200, asset.data, asset.content_type or "application/octet-stream")
        if name.removesuffix(".mp4") not in self.generations:
            return json_response({"detail": "Not Found"}, 404)
        with self._lock:
            if self._video is None:
                self._video = mp4_bytes(72, 128, duration_s=1.0, fps=8, seed=7)
            data = self._video
        return Response(200, data, "video/mp4")
