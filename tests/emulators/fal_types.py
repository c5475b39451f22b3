"""Data the fal emulator keeps: faults, queued requests, stored files, uploads."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["400", "401", "403", "404", "429", "500", "503", "slow", "drop", "truncate", "malformed",
                    "content_policy", "failed"]
FaultTarget = Literal["submit", "status", "result", "cancel", "download", "upload", "history"]
Outcome = Literal["ok", "invalid", "content_policy", "failed"]
State = Literal["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]

OUTCOME_FAULTS = ("content_policy", "failed")
TRANSPORT_FAULTS = ("400", "401", "403", "404", "429", "500", "503", "slow", "drop", "truncate", "malformed")
# a gateway's or an auth layer's answer (a rotated key, a blip): says nothing about the request itself
CLIENT_ERROR_FAULTS = {"400": "Bad Request", "401": "Invalid authorization", "403": "Forbidden", "404": "Not Found"}

CONTENT_POLICY_MSG = "The content was flagged by a content checker."
FAILED_MSG = "Internal error while running the model."
CANCELLED_MSG = "Request was cancelled by the client."


@dataclass
class Fault:
    """One injected fault; consumed `times` times by requests matching `on` (and `app`, if given)."""

    kind: FaultKind
    on: FaultTarget = "submit"
    times: int = 1
    app: str | None = None
    retry_after: float = 1.0
    seconds: float = 1.0
    # submit/upload only: does the server keep the request/file before the fault hits the answer?
    # None = per kind: yes for slow/truncate/malformed, no for 429/500/503/drop.
    after_accept: bool | None = None
    hits: int = 0

    @property
    def remaining(self) -> int:
        return self.times - self.hits

    def matches(self, on: str, app_id: str | None) -> bool:
        if self.remaining <= 0 or self.on != on:
            return False
        return self.app is None or (app_id is not None and (app_id == self.app or app_id.startswith(self.app + "/")))

    def accepts(self) -> bool:
        if self.kind in ("slow", "truncate"):
            return True
        return self.after_accept if self.after_accept is not None else self.kind == "malformed"


@dataclass
class FalRequest:
    request_id: str
    app_id: str
    owner: str
    alias: str
    arguments: Any
    headers: dict[str, str]
    submitted_at: float
    queue_seconds: float
    run_seconds: float
    webhook_url: str | None = None
    outcome: Outcome = "ok"
    errors: list[dict[str, Any]] = field(default_factory=list)
    cancelled_at: float | None = None
    result: dict[str, Any] | None = None
    status_polls: int = 0
    result_fetches: int = 0
    sent_wall: float = field(default_factory=time.time)  # wall clock, for the platform API's request history
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def state(self, now: float) -> State:
        if self.cancelled_at is not None:
            return "COMPLETED"
        elapsed = now - self.submitted_at
        if elapsed < self.queue_seconds:
            return "IN_QUEUE"
        if elapsed < self.queue_seconds + self.run_seconds:
            return "IN_PROGRESS"
        return "COMPLETED"

    def error(self) -> tuple[str, str | None] | None:
        """(error, error_type) that the COMPLETED status carries, or None for a success."""
        if self.cancelled_at is not None:
            return CANCELLED_MSG, "client_cancelled"
        if self.outcome == "content_policy":
            return CONTENT_POLICY_MSG, "content_policy_violation"
        if self.outcome == "failed":
            return FAILED_MSG, "runner_server_error"
        if self.outcome == "invalid":
            return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in self.errors), None
        return None


@dataclass
class StoredFile:
    file_id: str
    name: str
    content_type: str
    data: bytes
    app_id: str | None = None
    request_id: str | None = None


@dataclass
class Upload:
    file_id: str
    file_name: str
    content_type: str
    data: bytes
    url: str
    via: Literal["fal_v3", "fal"]
