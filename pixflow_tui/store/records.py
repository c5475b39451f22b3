"""Plain dataclasses the repositories return; no peewee types leave `store/`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import json
from datetime import datetime
from functools import cached_property
from typing import Any

from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import job_requests
from pixflow_tui.store.values import fast_maker, loads, stamp  # noqa: F401 (here since before values.py)


@dataclass(frozen=True)
class JobRecord:
    id: int
    batch_id: int | None
    kind: JobKind
    provider: str
    model: str
    request: dict[str, Any]
    job_index: int
    prompt_index: int
    variant_index: int
    status: JobState
    request_id: str | None
    handle: dict[str, Any] | None
    result: dict[str, Any] | None
    queue_position: int | None
    progress: float | None
    attempts: int
    error: str | None
    lease_owner: str | None
    lease_expires: float | None
    next_attempt_at: float | None
    cost_estimate: float
    cost: float | None
    output_path: str | None
    parent_job_id: int | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    finished_at: datetime | None


def _job_json(text: str | None) -> Any:
    return json.loads(text) if text else None


def job_record(row: Any, image_prompt: Callable[[int], str | None]) -> JobRecord:
    """A job's record from its row: a peewee Job (jobs_repo.py), or the same attributes read raw (quick_read.py).
    `image_prompt(image id)` reads an image's stored prompt, which a job's stored request may point at."""
    return JobRecord(
        id=row.id,
        batch_id=row.batch_id,
        kind=JobKind(row.kind),
        provider=row.provider,
        model=row.model,
        request=job_requests.decode(row.request, image_prompt),
        job_index=row.job_index,
        prompt_index=row.prompt_index,
        variant_index=row.variant_index,
        status=JobState(row.status),
        request_id=row.request_id,
        handle=_job_json(row.handle),
        result=_job_json(row.result),
        queue_position=row.queue_position,
        progress=row.progress,
        attempts=row.attempts,
        error=row.error,
        lease_owner=row.lease_owner,
        lease_expires=row.lease_expires,
        next_attempt_at=row.next_attempt_at,
        cost_estimate=row.cost_estimate,
        cost=row.cost,
        output_path=row.output_path,
        parent_job_id=row.parent_job_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
        finished_at=row.finished_at,
    )


@dataclass(frozen=True)
class BatchRecord:
    id: int
    module: str
    name: str
    concept: str
    settings: dict[str, Any]
    status: str
    cost_estimate: float
    cost_actual: float
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageRecord:
    """The one read model of a generated image (`store.images` returns it; the Library's image rows are built from
    it), with the user's rating."""
    id: int
    job_id: int
    batch_id: int | None
    batch_index: int
    prompt_index: int
    variant_index: int
    url: str
    local_path: str
    file_name: str
    concept: str
    prompt_text: str  # the prompt as stored (JSON), parsed on first use of `prompt`
    aspect_ratio: str | None
    resolution: str | None
    output_format: str | None
    model: str | None
    provider: str | None
    width: int | None
    height: int | None
    thumbnail_path: str | None
    generated_at: datetime
    rating: int | None = None

    @cached_property
    def prompt(self) -> dict[str, Any]:
        value = loads(self.prompt_text, {})
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class RatingRecord:
    image_id: int
    rating: int
    notes: str | None
    rated_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HistoryRecord:
    id: int
    concept: str
    prompts: list[dict[str, Any]]
    prompt_count: int
    source: str
    model_used: str | None
    variety_score: dict[str, Any] | None
    quality_metrics: dict[str, Any] | None
    product_id: int | None
    created_at: datetime
    research: dict[str, Any] | None = None  # the research step's outcome (ResearchOutcome.to_dict), when it ran


@dataclass(frozen=True)
class FavoriteRecord:
    id: int
    prompt: dict[str, Any]
    name: str
    concept: str | None
    product_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class PresetRecord:
    id: int
    name: str
    description: str | None
    kind: str
    data: dict[str, Any]
    is_builtin: bool
    product_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class AssetRecord:
    id: int
    kind: str
    job_id: int | None
    batch_id: int | None
    local_path: str
    url: str
    prompt: str
    model: str | None
    provider: str | None
    metadata: dict[str, Any]
    duration: float | None
    source_image_id: int | None
    source_asset_id: int | None
    created_at: datetime
    concept: str = ""


@dataclass(frozen=True)
class ProductRecord:
    id: int
    name: str
    slug: str
    color_primary: str
    color_accent: str


@dataclass(frozen=True)
class PipelineRunRecord:
    id: int
    concept: str
    settings: dict[str, Any]
    step: str
    status: str
    failed_step: str | None
    artefacts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ScriptVersionRecord:
    id: int
    script_id: int
    parent_id: int | None
    text: str
    language: str
    action: str
    settings: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ScriptRecord:
    id: int
    title: str
    current: ScriptVersionRecord | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class UserRecord:
    """A person using the library (one row of `users`)."""

    id: int
    name: str
    email: str
    created_at: datetime
