"""A local HTTP emulator of fal's queue and storage protocol, good enough for the real `fal_client.AsyncClient`.

Aim the client at it with `point_fal_client_at(emu.base_url)` (it patches the four module constants of
`fal_client.client`). State lives in memory for the life of the object,
so request ids stay answerable across client restarts, and even across a stop()/start() on the same port.

This module holds the queue (submit, status, result, cancel, direct run); `fal_base` holds auth, fault injection
and storage; `fal_models` decides what each endpoint accepts and returns.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Literal

from . import fal_models
from ._http import Request, Response, json_response
from .fal_base import FalServiceBase
from .fal_types import (
    CANCELLED_MSG,
    CONTENT_POLICY_MSG,
    FAILED_MSG,
    OUTCOME_FAULTS,
    FalRequest,
    Fault,
    Outcome,
    State,
    StoredFile,
    Upload,
)

__all__ = ["FalEmulator", "FalRequest", "Fault", "StoredFile", "Upload", "fal_client_overrides", "point_fal_client_at"]

FAL_CONSTANTS = ("QUEUE_URL_FORMAT", "RUN_URL_FORMAT", "REST_URL", "CDN_URL")


def fal_client_overrides(base_url: str) -> dict[str, str]:
    """Values for the four `fal_client.client` constants that aim the client at `base_url` over plain HTTP.

    RUN_URL_FORMAT gets a `/_run/` prefix so the emulator can tell `client.run()` from `client.submit()`.
    """
    base = base_url.rstrip("/")
    return {"QUEUE_URL_FORMAT": base + "/", "RUN_URL_FORMAT": base + "/_run/", "REST_URL": base, "CDN_URL": base}


def point_fal_client_at(base_url: str) -> Callable[[], None]:
    """Aim the real fal_client at `base_url`; returns a function that restores the old values.

    Call before a client's first upload: AsyncCDNTokenManager copies REST_URL when it is built.
    """
    import fal_client.client as fc

    saved = {name: getattr(fc, name) for name in FAL_CONSTANTS}
    for name, value in fal_client_overrides(base_url).items():
        setattr(fc, name, value)

    def restore() -> None:
        for name, value in saved.items():
            setattr(fc, name, value)

    return restore


class FalEmulator(FalServiceBase):
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        queue_seconds: float = 0.05,
        run_seconds: float = 0.05,
        image_scale: float = 1.0,
        video_long_side: int = 160,
        video_fps: int = 8,
        words_per_second: float = 2.5,
        validate_at: Literal["result", "submit"] = "result",
        fixed_image: bytes | None = None,
    ) -> None:
        super().__init__(host=host, port=port)
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self.validate_at = validate_at
        self.media = fal_models.MediaSettings(image_scale, video_long_side, video_fps, words_per_second, fixed_image)
        self.requests: dict[str, FalRequest] = {}
        self.submissions: Counter[str] = Counter()  # accepted submissions per full app id; .total() for all
        self.runs: Counter[str] = Counter()
        self.rejected: list[tuple[str, Any]] = []  # (app_id, arguments) refused with 422 at submit
        self.cancelled: set[str] = set()
        self._timing: dict[str, tuple[float, float]] = {}

    # ------------------------------------------------------------------ test controls

    @property
    def total_submissions(self) -> int:
        with self._lock:
            return self.submissions.total()

    def set_timing(self, queue_seconds: float, run_seconds: float, *, app: str | None = None) -> None:
        """Timing for later submissions: all apps, or one app id prefix (math.inf holds requests forever)."""
        with self._lock:
            if app is None:
                self.queue_seconds, self.run_seconds = queue_seconds, run_seconds
            else:
                self._timing[app] = (queue_seconds, run_seconds)

    def complete(self, request_id: str) -> None:
        """Finish a request now, whatever its timing."""
        with self._lock:
            fr = self.requests[request_id]
            fr.queue_seconds = 0.0
            fr.run_seconds = min(fr.run_seconds, max(0.0, time.monotonic() - fr.submitted_at))

    def state_of(self, request_id: str) -> State:
        return self.requests[request_id].state(time.monotonic())

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/_emu/state":
            return json_response(self._state())
        if (storage := self._route_storage(request)) is not None:
            return storage
        segments = [s for s in path.split("/") if s]
        if path == "/v1/models/requests/by-endpoint" and method == "GET":
            return self._history(request)
        if path.startswith("/_run/") and method == "POST":
            return self._run(request, "/".join(segments[1:]))
        if len(segments) >= 4 and segments[2] == "requests":
            owner, alias, _, request_id, *rest = segments
            if rest == [] and method == "GET":
                return self._result(request, owner, alias, request_id)
            if rest == ["status"] and method == "GET":
                return self._status(request, owner, alias, request_id)
            if rest == ["cancel"] and method == "PUT":
                return self._cancel(request, owner, alias, request_id)
        if method == "POST" and len(segments) >= 2:
            return self._submit(request, "/".join(segments))
        return json_response({"detail": "Not Found"}, 404)

    def _history(self, request: Request) -> Response:
        """fal's platform API: an endpoint's ended requests in a time window, with their inputs (expand=payloads)."""
        if denied := self._check_key(request):
            return denied
        endpoint = request.param("endpoint_id") or ""
        fault = self._take_fault("history", endpoint)

        def accept() -> Response:
            def wall(text: str | None, default: float) -> float:
                return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else default

            start, end = wall(request.param("start"), time.time() - 86400), wall(request.param("end"), time.time())
            now = time.monotonic()
            with self._lock:
                ended = [fr for fr in self.requests.values() if fr.app_id == endpoint
                         and start <= fr.sent_wall <= end and fr.state(now) == "COMPLETED"]
            items = [{"request_id": fr.request_id, "endpoint_id": fr.app_id,
                      "sent_at": datetime.fromtimestamp(fr.sent_wall, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "status_code": 200 if fr.outcome == "ok" else 500,
                      **({"json_input": fr.arguments} if request.param("expand") == "payloads" else {})}
                     for fr in ended]
            return json_response({"items": items, "next_cursor": None, "has_more": False})

        return self._with_fault(fault, accept)

    def _take_outcome(self, app_id: str) -> Outcome:
        with self._lock:
            for f in self.faults:
                if f.kind in OUTCOME_FAULTS and f.matches("submit", app_id):
                    f.hits += 1
                    return f.kind  # type: ignore[return-value]
        return "ok"

    # ------------------------------------------------------------------ queue

    def _urls(self, fr: FalRequest) -> dict[str, str]:
        base = f"{self.origin}/{fr.owner}/{fr.alias}/requests/{fr.request_id}"
        return {"response_url": base, "status_url": base + "/status", "cancel_url": base + "/cancel"}

    def _queue_position(self, fr: FalRequest, now: float) -> int:
        with self._lock:
            return sum(
                1
                for other in self.requests.values()
                if other.owner == fr.owner
                and other.alias == fr.alias
                and other.submitted_at < fr.submitted_at
                and other.state(now) == "IN_QUEUE"
            )

    def _timing_for(self, app_id: str) -> tuple[float, float]:
        with self._lock:
            matches = [p for p in self._timing if app_id == p or app_id.startswith(p + "/")]
            return self._timing[max(matches, key=len)] if matches else (self.queue_seconds, self.run_seconds)

    def _submit(self, request: Request, app_id: str) -> Response:
        if denied := self._check_key(request):
            return denied
        try:
            arguments = request.json()
        except ValueError:
            return json_response({"detail": [{"loc": ["body"], "msg": "Invalid JSON", "type": "value_error"}]}, 422)
        fault = self._take_fault("submit", app_id)
        errors: list[dict[str, Any]] = []
        if fault is None or fault.accepts():
            errors = fal_models.validate(app_id, arguments)
            if errors and self.validate_at == "submit":
                with self._lock:
                    self.rejected.append((app_id, arguments))
                return json_response({"detail": errors}, 422)

        def accept() -> Response:
            owner, alias = app_id.split("/")[:2]
            queue_s, run_s = self._timing_for(app_id)
            fr = FalRequest(
                request_id=str(uuid.uuid4()),
                app_id=app_id,
                owner=owner,
                alias=alias,
                arguments=arguments,
                headers={k: v for k, v in request.headers.items() if k.lower().startswith("x-fal")},
                submitted_at=time.monotonic(),
                queue_seconds=queue_s,
                run_seconds=run_s,
                webhook_url=request.param("fal_webhook"),
            )
            if errors:
                fr.outcome, fr.errors = "invalid", errors
            else:
                fr.outcome = self._take_outcome(app_id)
            with self._lock:
                self.requests[fr.request_id] = fr
                self.submissions[app_id] += 1
            body = {
                "status": "IN_QUEUE",
                "request_id": fr.request_id,
                **self._urls(fr),
                "queue_position": self._queue_position(fr, fr.submitted_at),
            }
            return json_response(body, 200, {"x-fal-request-id": fr.request_id})

        return self._with_fault(fault, accept)

    def _find(self, owner: str, alias: str, request_id: str) -> FalRequest | None:
        with self._lock:
            fr = self.requests.get(request_id)
        # Status/result/cancel URLs carry only owner/alias; a subpath or another app is a different URL.
        return fr if fr is not None and (fr.owner, fr.alias) == (owner, alias) else None

    def _status(self, request: Request, owner: str, alias: str, request_id: str) -> Response:
        if denied := self._check_key(request):
            return denied
        fr = self._find(owner, alias, request_id)
        if fr is None:
            return json_response({"detail": "Request not found"}, 404)
        with_logs = (request.param("logs") or "").lower() in ("true", "1")

        def accept() -> Response:
            now = time.monotonic()
            state = fr.state(now)
            with self._lock:
                fr.status_polls += 1
            body: dict[str, Any] = {"status": state, "request_id": fr.request_id, **self._urls(fr)}
            if state == "IN_QUEUE":
                body["queue_position"] = self._queue_position(fr, now)
                return json_response(body, 202)
            logs = self._logs(fr, state) if with_logs else None
            body["logs"] = logs
            if state == "IN_PROGRESS":
                return json_response(body, 202)
            body["metrics"] = {"inference_time": round(fr.run_seconds, 3) if math.isfinite(fr.run_seconds) else None}
            if err := fr.error():
                body["error"], body["error_type"] = err
            return json_response(body, 200)

        return self._with_fault(self._take_fault("status", fr.app_id), accept)

    @staticmethod
    def _logs(fr: FalRequest, state: State) -> list[dict[str, str]]:
        stamp = datetime.now(timezone.utc).isoformat()
        logs = [{"message": f"Running {fr.app_id}", "level": "INFO", "source": "user", "timestamp": stamp}]
        if state == "COMPLETED":
            logs.append({"message": "Done", "level": "INFO", "source": "user", "timestamp": stamp})
        return logs

    def _result(self, request: Request, owner: str, alias: str, request_id: str) -> Response:
        if denied := self._check_key(request):
            return denied
        fr = self._find(owner, alias, request_id)
        if fr is None:
            return json_response({"detail": "Request not found"}, 404)
        return self._with_fault(self._take_fault("result", fr.app_id), lambda: self._result_body(fr))

    def _result_body(self, fr: FalRequest) -> Response:
        if fr.state(time.monotonic()) != "COMPLETED":
            return json_response({"detail": "Request is still in progress"}, 400)
        with self._lock:
            fr.result_fetches += 1
        rid = {"x-fal-request-id": fr.request_id}
        if fr.cancelled_at is not None:
            body = {"detail": CANCELLED_MSG, "error_type": "client_cancelled"}
            return json_response(body, 499, {**rid, "X-Fal-Error-Type": "client_cancelled"})
        if fr.outcome == "invalid":
            return json_response({"detail": fr.errors}, 422, rid)
        if fr.outcome == "content_policy":
            detail = [{
                "loc": ["body", "prompt"],
                "msg": CONTENT_POLICY_MSG,
                "type": "content_policy_violation",
                "url": "https://docs.fal.ai/errors#content_policy_violation",
                "input": fr.arguments.get("prompt") if isinstance(fr.arguments, dict) else None,
            }]
            return json_response({"detail": detail}, 422, rid)
        if fr.outcome == "failed":
            body = {"detail": FAILED_MSG, "error_type": "runner_server_error"}
            return json_response(body, 500, {**rid, "X-Fal-Error-Type": "runner_server_error"})
        with fr.lock:  # generate once, even when two clients fetch at the same time
            if fr.result is None:
                fr.result = fal_models.build_result(fr.app_id, fr.arguments, fr.request_id, self.media, self)
        return json_response(fr.result, 200, rid)

    def _cancel(self, request: Request, owner: str, alias: str, request_id: str) -> Response:
        if denied := self._check_key(request):
            return denied
        fr = self._find(owner, alias, request_id)
        if fr is None:
            return json_response({"status": "NOT_FOUND", "detail": "Request not found"}, 404)

        def accept() -> Response:
            with self._lock:
                if fr.state(time.monotonic()) == "COMPLETED":
                    return json_response({"status": "ALREADY_COMPLETED"}, 400)
                fr.cancelled_at = time.monotonic()
                self.cancelled.add(fr.request_id)
            return json_response({"status": "CANCELLATION_REQUESTED"}, 202)

        return self._with_fault(self._take_fault("cancel", fr.app_id), accept)

    def _run(self, request: Request, app_id: str) -> Response:
        if denied := self._check_key(request):
            return denied
        try:
            arguments = request.json()
        except ValueError:
            arguments = None
        if errors := fal_models.validate(app_id, arguments):
            return json_response({"detail": errors}, 422)
        with self._lock:
            self.runs[app_id] += 1
        result = fal_models.build_result(app_id, arguments, str(uuid.uuid4()), self.media, self)
        response = json_response(result)
        run_seconds = self._timing_for(app_id)[1]
        response.delay = run_seconds if math.isfinite(run_seconds) else 0.0
        return response

    def _state(self) -> dict[str, Any]:
        """Counters as JSON, for tests whose emulator lives in another process."""
        now = time.monotonic()
        with self._lock:
            return {
                "submissions": dict(self.submissions),
                "total_submissions": self.submissions.total(),
                "requests": {rid: {"app_id": r.app_id, "state": r.state(now)} for rid, r in self.requests.items()},
                "cancelled": sorted(self.cancelled),
                "uploads": len(self.uploads),
                "keys_seen": sorted(self.keys_seen),
            }
