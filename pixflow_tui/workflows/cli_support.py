"""Small services the CLI needs: open the context with a clear error, summarise batches and jobs."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import RESUMABLE_STATES
from pixflow_tui.workflows import ui_support
from pixflow_tui.workflows.job_views import job_summary  # noqa: F401 (the CLI imports it from here)
from pixflow_tui.workflows.context import AppContext

if TYPE_CHECKING:
    from pixflow_tui.engine.control import JobActionError as JobActionError  # re-exported, see __getattr__
    from pixflow_tui.engine.runner import EngineSummary


def __getattr__(name: str) -> Any:
    """`JobActionError`, re-exported for the CLI (which never imports engine/), loaded when a command asks for it:
    the engine and the providers behind it stay out of read-only commands (`pixflow library images`)."""
    if name == "JobActionError":
        from pixflow_tui.engine.control import JobActionError

        return JobActionError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


WAIT_POLL = 1.0  # seconds between looks at jobs another live process is driving


def open_context(settings: Settings) -> AppContext | None:
    """The context, or None after printing why it cannot be opened (one line, no traceback)."""
    try:
        return ui_support.open_context(settings)
    except ui_support.ContextError as exc:
        print(f"pixflow: {exc}", file=sys.stderr)
        return None


def summarize_batch(ctx: AppContext, batch_id: int) -> dict[str, Any]:
    batch = ctx.store.batches.get(batch_id)
    jobs = ctx.store.jobs.list(batch_id=batch_id)
    done = sum(1 for j in jobs if str(j.status) == "done")
    return {"batch_id": batch_id, "status": batch.status if batch else "missing", "total": len(jobs), "done": done,
            "cost": batch.cost_actual if batch else 0.0, "cost_estimate": batch.cost_estimate if batch else 0.0,
            "demo": all(j.provider == "demo" for j in jobs), "jobs": [job_summary(j) for j in jobs]}


async def drive_until_done(ctx: AppContext, *, batch_ids: Iterable[int] | None = None,
                           job_ids: Iterable[int] | None = None) -> EngineSummary:
    """Drive these jobs, and wait for those another live process (a TUI, another command) is driving, until
    every one has ended — whoever finished it — or the run stalled; the ledger then holds the true outcome."""
    import asyncio  # here: read-only commands (`pixflow library images`) never load it

    batches = list(batch_ids) if batch_ids is not None else None
    jobs = list(job_ids) if job_ids is not None else None
    while True:
        summary = await ctx.run_jobs(batch_ids=batches, job_ids=jobs)
        if summary.stalled or getattr(summary, "stopped", False):
            return summary
        now = ctx.store.clock()
        waiting = [j for j in ctx.store.jobs.list(statuses=RESUMABLE_STATES)
                   if (batches is None or j.batch_id in batches) and (jobs is None or j.id in jobs)]
        held_elsewhere = [j for j in waiting if j.lease_owner not in (None, ctx.owner)
                          and (j.lease_expires or 0) >= now]
        if not held_elsewhere:
            return summary  # nothing left, or only what this process could not claim for another reason
        await asyncio.sleep(WAIT_POLL)
