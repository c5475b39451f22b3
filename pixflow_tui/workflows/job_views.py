"""Job rows for tables: one query, shaped for display."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pixflow_tui.core.jobs import JobView

if TYPE_CHECKING:
    from pixflow_tui.store import Store
    from pixflow_tui.store.records import JobRecord


def job_summary(job: JobRecord) -> dict[str, Any]:
    """A job as the CLI prints it (`jobs list`, `jobs show`, a batch's summary)."""
    return {"job_id": job.id, "batch_id": job.batch_id, "kind": str(job.kind), "status": str(job.status),
            "provider": job.provider, "model": job.model, "request_id": job.request_id, "attempts": job.attempts,
            "error": job.error, "output_path": job.output_path, "cost": job.cost, "cost_estimate": job.cost_estimate,
            "parent_job_id": job.parent_job_id, "created_at": job.created_at, "finished_at": job.finished_at}


def _prompt_text(job: JobRecord) -> str:
    meta = job.request.get("meta", {})
    arguments = job.request.get("arguments", {})
    prompt = meta.get("prompt")
    text = prompt.get("style", "") if isinstance(prompt, dict) else arguments.get("prompt") or arguments.get("text", "")
    text = " ".join(str(text).split())
    return text if len(text) <= 80 else text[:79] + "…"


def _elapsed(job: JobRecord) -> float | None:
    if job.submitted_at is None:
        return None
    end = job.finished_at or datetime.now(timezone.utc).replace(tzinfo=None)
    return max(0.0, (end - job.submitted_at).total_seconds())


def to_view(job: JobRecord, rating: int | None = None) -> JobView:
    return JobView(
        job_id=job.id, batch_id=job.batch_id, index=job.job_index, kind=job.kind, prompt=_prompt_text(job),
        state=job.status, queue_position=job.queue_position, progress=job.progress, elapsed=_elapsed(job),
        cost=job.cost if job.cost is not None else None, rating=rating, output_path=job.output_path, error=job.error,
    )


def job_views(store: Store, *, module: str | None = None, batch_id: int | None = None, limit: int = 200) -> list[JobView]:
    if batch_id is not None:
        jobs = store.jobs.list(batch_id=batch_id)
    else:
        batch_ids = None
        if module:
            batch_ids = {b.id for b in store.batches.list(module=module, limit=50)}
        jobs = [j for j in store.jobs.list(newest_first=True, limit=limit * 4 if module else limit)
                if batch_ids is None or j.batch_id in batch_ids][:limit]
        jobs.reverse()
    ratings: dict[int, int] = {}
    for job in jobs:
        for image in store.images.for_job(job.id)[:1]:
            if image.rating is not None:
                ratings[job.id] = image.rating
    return [to_view(job, ratings.get(job.id)) for job in jobs]
