"""Cancelling jobs, safe from any process while another drives them. (Retry and regenerate make work payable,
so they go through the one door: workflows/paid_work.py.)"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from pixflow_tui.core.events import EventBus
from pixflow_tui.core.jobs import PAUSABLE_STATES, JobEvent, JobState
from pixflow_tui.engine.batches import refresh_batch_status
from pixflow_tui.providers.base import MediaProvider, ProviderError, RemoteHandle
from pixflow_tui.store import Store
from pixflow_tui.store.records import JobRecord

log = logging.getLogger(__name__)
ADOPTED_LEASE_SECONDS = 30.0  # the adopting process's engine claims it well within this


class JobActionError(ValueError):
    """The action does not apply to the job in its current state; the message says why."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _publish(events: EventBus | None, job: JobRecord, state: JobState, message: str = "") -> None:
    if events is not None:
        events.publish(JobEvent(job_id=job.id, batch_id=job.batch_id, state=state, message=message))


async def cancel_job(store: Store, job_id: int, provider_for: Callable[[str], MediaProvider],
                     events: EventBus | None = None) -> JobState:
    """Cancel one job: a local one is dropped, a remote one gets the provider's cancel call."""
    job = store.jobs.get(job_id)
    if job is None:
        raise JobActionError(f"no job with id {job_id}")
    if job.status.finished:
        return job.status
    if job.status == JobState.DOWNLOADING:
        raise JobActionError(f"job {job_id} has already finished at the provider and is downloading")
    if (job.status.remote or job.status == JobState.PAUSED) and job.request_id:
        handle = RemoteHandle.from_dict(job.handle or {"request_id": job.request_id, "model": job.model})
        try:
            await provider_for(job.provider).cancel(handle)
        except ProviderError as exc:
            log.warning("provider cancel of job %s: %s", job_id, exc.message)
    cancellable = [JobState.PENDING, JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.UNKNOWN,
                   JobState.PAUSED]
    if store.jobs.transition(job_id, cancellable, status=JobState.CANCELLED, finished_at=_now(),
                             error="cancelled by the user"):
        _publish(events, job, JobState.CANCELLED, "cancelled by the user")
        refresh_batch_status(store, job.batch_id)
        return JobState.CANCELLED
    current = store.jobs.get(job_id)
    return current.status if current else JobState.CANCELLED


def pause_job(store: Store, job_id: int, events: EventBus | None = None) -> JobState:
    """Stop waiting on a job: the engine lets it go at its next look (within a second) and the provider request
    stays recorded, so nothing is lost or paid twice. A job being sent or downloaded cannot be paused."""
    job = store.jobs.get(job_id)
    if job is None:
        raise JobActionError(f"no job with id {job_id}")
    if job.status == JobState.PAUSED:
        return job.status
    if job.status not in PAUSABLE_STATES:
        raise JobActionError(f"job {job_id} is {job.status}; only a job waiting or running at the provider can "
                             "be paused")
    if not store.jobs.transition(job_id, list(PAUSABLE_STATES), status=JobState.PAUSED, queue_position=None,
                                 lease_owner=None, lease_expires=None):
        current = store.jobs.get(job_id)
        raise JobActionError(f"job {job_id} changed meanwhile (now {current.status if current else 'gone'})")
    _publish(events, job, JobState.PAUSED, "paused: no longer waited on" + (
        f"; the provider keeps request {job.request_id}" if job.request_id else ""))
    return JobState.PAUSED


def resume_job(store: Store, job_id: int, owner: str, events: EventBus | None = None) -> JobState:
    """Wait on a paused job again: one the provider has is followed on its same request (never sent again);
    one never sent goes back to pending (its plan was confirmed and priced when it was made)."""
    job = store.jobs.get(job_id)
    if job is None:
        raise JobActionError(f"no job with id {job_id}")
    if job.status != JobState.PAUSED:
        raise JobActionError(f"job {job_id} is {job.status}, not paused")
    target = JobState.QUEUED if job.request_id else JobState.PENDING
    if not store.jobs.transition(job_id, [JobState.PAUSED], status=target, lease_owner=owner,
                                 lease_expires=store.clock() + ADOPTED_LEASE_SECONDS):
        current = store.jobs.get(job_id)
        return current.status if current else JobState.CANCELLED
    _publish(events, job, target, "resumed" + (f": following request {job.request_id}" if job.request_id else ""))
    return target


async def cancel_batch(store: Store, batch_id: int, provider_for: Callable[[str], MediaProvider],
                       events: EventBus | None = None) -> dict[JobState, int]:
    results: dict[JobState, int] = {}
    for job in store.jobs.list(batch_id=batch_id):
        if job.status.finished or job.status == JobState.DOWNLOADING:
            continue
        state = await cancel_job(store, job.id, provider_for, events)
        results[state] = results.get(state, 0) + 1
    return results


def adopt_request(store: Store, job_id: int, handle: RemoteHandle, owner: str,
                  events: EventBus | None = None) -> bool:
    """An `unknown` job the provider turned out to have: follow that request (nothing is sent again)."""
    job = store.jobs.get(job_id)
    if job is None:
        raise JobActionError(f"no job with id {job_id}")
    if not store.jobs.transition(job_id, [JobState.UNKNOWN], status=JobState.QUEUED, request_id=handle.request_id,
                                 handle=handle.to_dict(), error=None, finished_at=None, lease_owner=owner,
                                 lease_expires=store.clock() + ADOPTED_LEASE_SECONDS):
        return False
    _publish(events, job, JobState.QUEUED, f"found at the provider as request {handle.request_id}")
    refresh_batch_status(store, job.batch_id)
    return True
