"""A batch's status follows from its jobs."""
from __future__ import annotations

from datetime import datetime, timezone

from pixflow_tui.core.jobs import BatchStatus, JobState
from pixflow_tui.store import Store


def batch_status(counts: dict[JobState, int]) -> BatchStatus:
    total = sum(counts.values())
    done = counts.get(JobState.DONE, 0)
    failed = counts.get(JobState.FAILED, 0)
    cancelled = counts.get(JobState.CANCELLED, 0)
    if total == 0:
        return BatchStatus.PENDING
    if done + failed + cancelled < total:
        untouched = counts.get(JobState.PENDING, 0) + counts.get(JobState.UNKNOWN, 0)
        return BatchStatus.PENDING if untouched == total and not counts.get(JobState.UNKNOWN) else BatchStatus.RUNNING
    if done == total:
        return BatchStatus.DONE
    if cancelled == total:
        return BatchStatus.CANCELLED
    if done == 0:
        return BatchStatus.FAILED
    return BatchStatus.PARTIAL


def refresh_batch_status(store: Store, batch_id: int | None) -> BatchStatus | None:
    if batch_id is None:
        return None
    status = batch_status(store.jobs.count_by_status(batch_id))
    finished = status in (BatchStatus.DONE, BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.PARTIAL)
    store.batches.update(batch_id, status=str(status),
                         finished_at=datetime.now(timezone.utc).replace(tzinfo=None) if finished else None)
    return status
