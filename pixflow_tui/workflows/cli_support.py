"""Small services the CLI needs: open the context with a clear error, summarise batches and jobs."""
from __future__ import annotations

import sys
from typing import Any

from pixflow_tui.config import Settings
from pixflow_tui.engine.control import (
    JobActionError,  # noqa: F401  re-exported: the CLI never imports engine/
)
from pixflow_tui.store.records import JobRecord
from pixflow_tui.workflows import ui_support
from pixflow_tui.workflows.context import AppContext


def open_context(settings: Settings) -> AppContext | None:
    """The context, or None after printing why it cannot be opened (one line, no traceback)."""
    try:
        return ui_support.open_context(settings)
    except ui_support.ContextError as exc:
        print(f"pixflow: {exc}", file=sys.stderr)
        return None


def job_summary(job: JobRecord) -> dict[str, Any]:
    return {"job_id": job.id, "batch_id": job.batch_id, "kind": str(job.kind), "status": str(job.status),
            "provider": job.provider, "model": job.model, "request_id": job.request_id, "attempts": job.attempts,
            "error": job.error, "output_path": job.output_path, "cost": job.cost, "cost_estimate": job.cost_estimate,
            "parent_job_id": job.parent_job_id, "created_at": job.created_at, "finished_at": job.finished_at}


def summarize_batch(ctx: AppContext, batch_id: int) -> dict[str, Any]:
    batch = ctx.store.batches.get(batch_id)
    jobs = ctx.store.jobs.list(batch_id=batch_id)
    done = sum(1 for j in jobs if str(j.status) == "done")
    return {"batch_id": batch_id, "status": batch.status if batch else "missing", "total": len(jobs), "done": done,
            "cost": batch.cost_actual if batch else 0.0, "cost_estimate": batch.cost_estimate if batch else 0.0,
            "demo": all(j.provider == "demo" for j in jobs), "jobs": [job_summary(j) for j in jobs]}
