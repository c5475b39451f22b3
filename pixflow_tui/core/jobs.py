"""Job states and the events the engine publishes (shared by engine, workflows and both front ends)."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    PENDING = "pending"
    SUBMITTING = "submitting"
    QUEUED = "queued"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    # the user stopped waiting on it: a job the provider has keeps its request id (and may still be billed); the
    # engine leaves it alone until it is resumed, which follows that same request (nothing is sent again)
    PAUSED = "paused"

    @property
    def finished(self) -> bool:
        return self in FINISHED_STATES

    @property
    def remote(self) -> bool:
        """The provider has (or may have) this job."""
        return self in (JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING)


FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})
PAUSABLE_STATES = frozenset({JobState.PENDING, JobState.QUEUED, JobState.RUNNING})
# States a new process picks up on start; UNKNOWN and PAUSED wait for the user.
RESUMABLE_STATES = frozenset(
    {JobState.PENDING, JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING}
)


def new_owner_id() -> str:
    """A process's lease-owner id: host:pid:nonce (the engine reads the pid back to see a dead owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    SPEECH = "speech"
    LIPSYNC = "lipsync"


class BatchStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    PARTIAL = "partial"  # finished with some failed or cancelled jobs
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class MediaRequest:
    """One remote media task exactly as a provider receives it.

    `files` maps an argument name to local files the provider must make reachable (upload, data URL) and put
    into `arguments` under that name: a list stays a list, a single path becomes a single URL.
    `meta` is ours, never sent: what the output was made from (prompt, concept, source ids) for lineage.
    """

    kind: JobKind
    model: str
    arguments: dict[str, Any]
    files: dict[str, list[str] | str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "model": self.model, "arguments": self.arguments, "files": self.files,
                "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaRequest:
        return cls(JobKind(data["kind"]), data["model"], dict(data.get("arguments", {})),
                   dict(data.get("files", {})), dict(data.get("meta", {})))


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    batch_id: int | None
    state: JobState
    progress: float | None = None  # 0..1 when known
    queue_position: int | None = None
    message: str = ""
    cost: float | None = None
    output_path: str | None = None


@dataclass(frozen=True)
class JobView:
    """One row of a job table, as the front ends show it."""

    job_id: int
    batch_id: int | None
    index: int
    kind: JobKind
    prompt: str
    state: JobState
    queue_position: int | None = None
    progress: float | None = None
    elapsed: float | None = None  # seconds since submission (or until it finished)
    cost: float | None = None
    rating: int | None = None  # 1 like, -1 dislike, None unrated
    output_path: str | None = None
    error: str | None = None
