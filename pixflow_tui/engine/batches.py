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


class BatchTracker:
    """Keeps batch statuses in step with their jobs without a GROUP BY per finished job.

    A batch is refreshed when its first job driven here finishes (pending → running) and when a job finishes or
    stops with no other job of the batch still driven here (it may have been the last). In between, a job of the
    batch is still unfinished, so the status is "running" and a refresh would write the same again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._batch_of: dict[int, int] = {}
        self._driving: dict[int, int] = {}
        self._refreshed: set[int] = set()
        self._skipped: set[int] = set()

    def started(self, job_id: int, batch_id: int | None) -> None:
        if batch_id is not None:
            self._batch_of[job_id] = batch_id
            self._driving[batch_id] = self._driving.get(batch_id, 0) + 1

    def finished(self, job_id: int) -> None:
        """The job reached a final state (call while it still counts as driven)."""
        batch_id = self._batch_of.get(job_id)
        if batch_id is None:
            return
        if batch_id in self._refreshed and self._driving.get(batch_id, 0) > 1:
            self._skipped.add(batch_id)
            return
        self._refresh(batch_id)

    def ended(self, job_id: int) -> None:
        """The engine stopped driving the job, finished or not."""
        batch_id = self._batch_of.pop(job_id, None)
        if batch_id is None:
            return
        left = self._driving.get(batch_id, 0) - 1
        if left > 0:
            self._driving[batch_id] = left
            return
        self._driving.pop(batch_id, None)
        if batch_id in self._skipped:
            self._refresh(batch_id)
        self._refreshed.discard(batch_id)

    def flush(self) -> None:
        for batch_id in list(self._skipped):
            self._refresh(batch_id)

    def _refresh(self, batch_id: int) -> None:
        self._skipped.discard(batch_id)
        self._refreshed.add(batch_id)
        refresh_batch_status(self.store, batch_id)
