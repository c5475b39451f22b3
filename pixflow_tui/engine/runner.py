"""The durable job runner: every remote task goes pending → submitting → queued → running → downloading → done.

The job row is committed before the submit call and the request id the moment the provider answers, so a crash
never loses a finished output and never re-submits a job the provider already has.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import httpx

from pixflow_tui.config import Settings
from pixflow_tui.core.events import EventBus
from pixflow_tui.core.formatting import plural
from pixflow_tui.core.jobs import JobEvent, JobState, MediaRequest, new_owner_id
from pixflow_tui.engine.batches import BatchTracker, refresh_batch_status
from pixflow_tui.engine.dependencies import WAIT_SECONDS, needed_jobs, resolve
from pixflow_tui.engine.download import sweep_stale_parts
from pixflow_tui.engine.polling import REMOTE_MIN_POLL, UsualTimes, first_wait, poll_interval
from pixflow_tui.engine.saving import output_folder, save_outputs
from pixflow_tui.providers import close_clients
from pixflow_tui.providers.base import MediaProvider, PreparedSubmit, ProviderError, RemoteHandle
from pixflow_tui.store import DB_ERRORS, Store
from pixflow_tui.store.records import JobRecord

log = logging.getLogger(__name__)

REMOTE = (JobState.QUEUED, JobState.RUNNING)
CANCEL_CHECK_INTERVAL = 0.5  # how often a polled job looks in the ledger for a cancel made elsewhere
PROGRESS_EVERY = 0.5  # seconds between progress-only writes (and events) of one job; state changes go at once
STALLED_AFTER_POLL_FAILURES = 12
STALLED = object()  # _follow's answer when the provider stayed unreachable
SUBMIT_TIMEOUT = 30.0  # how long a stop waits for submits already on the wire to answer


def owner_is_dead(owner: str) -> bool:
    """True for an owner id of a process on this machine that no longer runs (its lease can be taken now)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def backoff_delay(attempt: int, retry_after: float | None = None, base: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter; a provider's Retry-After wins when it asks for longer."""
    delay = random.uniform(0, min(cap, base * 2 ** max(0, attempt - 1)))
    return max(delay, retry_after or 0.0)


def is_connect_failure(exc: BaseException) -> bool:
    """True when the request certainly never reached the provider (safe to send again)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (httpx.ConnectError, httpx.ConnectTimeout, ConnectionRefusedError)):
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass
class EngineSummary:
    finished: dict[JobState, int] = field(default_factory=dict)
    stalled: list[int] = field(default_factory=list)  # at the provider, left for the next resume
    stopped: str | None = None  # why the run stopped early ("SIGTERM", "quit", ...); None when it ran out of work
    at_provider: list[int] = field(default_factory=list)  # on a stop: jobs the provider holds (they keep running)
    waiting: list[int] = field(default_factory=list)  # on a stop: jobs never sent (pending)

    @property
    def stop_message(self) -> str:
        """The true account of a stop, for a front end to print; empty when the run was not stopped."""
        if self.stopped is None:
            return ""
        parts = [f"stopped ({self.stopped})"]
        if self.at_provider:
            one = len(self.at_provider) == 1
            parts.append(f"{plural(len(self.at_provider), 'job')} {'is' if one else 'are'} still at the provider "
                         f"and {'keeps' if one else 'keep'} running there: {self.at_provider}")
        if self.waiting:
            parts.append(f"{plural(len(self.waiting), 'job')} {'was' if len(self.waiting) == 1 else 'were'} not "
                         f"sent yet: {self.waiting}")
        if self.at_provider or self.waiting:
            parts.append("run `pixflow jobs resume` to finish them")
        return "; ".join(parts)


class JobEngine:
    def __init__(self, store: Store, settings: Settings, events: EventBus,
                 provider_for: Callable[[str], MediaProvider], *, owner: str | None = None,
                 lease_seconds: float = 30.0, max_attempts: int = 5, submit_timeout: float = SUBMIT_TIMEOUT,
                 stall_after: int = STALLED_AFTER_POLL_FAILURES, poll_retry_base: float = 0.5) -> None:
        self.store = store
        self.settings = settings
        self.events = events
        self.provider_for = provider_for
        self.owner = owner or new_owner_id()
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.submit_timeout = submit_timeout
        self.stall_after = stall_after
        self.poll_retry_base = poll_retry_base
        self._stop_reason: str | None = None
        self._forced = False
        self._posting: set[int] = set()  # jobs whose submit is on the wire: a stop lets these answer
        self._stalled: set[int] = set()  # left for the next resume; this run does not take them again
        self._seen: set[int] = set()
        self._active: dict[int, asyncio.Task[None]] = {}
        self._batches = BatchTracker(store)
        self._released: set[int] = set()  # jobs whose lease went with their final write
        self._idle: asyncio.Event | None = None
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._wake: asyncio.Event | None = None
        self._http: httpx.AsyncClient | None = None
        self._providers: dict[str, MediaProvider] = {}  # used in this run: their clients close with it
        self._usual = UsualTimes()  # how long each model's jobs take at the provider, learnt in this run
        self._summary = EngineSummary()

    # ---- public -------------------------------------------------------------------------------------------

    def request_stop(self, reason: str = "stop") -> None:
        """Stop claiming and submitting; submits on the wire may answer (bounded), then `run` returns.

        A second request stops at once: a submit still on the wire is then left `submitting` (`unknown` later).
        Call on the engine's loop (a signal handler installed with loop.add_signal_handler is)."""
        if self._stop_reason is not None:
            self._forced = True
            for task in self._active.values():
                task.cancel()
        self._stop_reason = self._stop_reason or reason
        if self._wake is not None:
            self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop_reason is not None

    def wake(self) -> None:
        """New jobs were written to the database; look for them now (call on the engine's loop)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self, *, until_idle: bool = True, batch_ids: Iterable[int] | None = None,
                  job_ids: Iterable[int] | None = None, stop: asyncio.Event | None = None) -> EngineSummary:
        """Drive claimable jobs. With `until_idle`, return once none is left to drive; otherwise run until `stop`."""
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        batches = set(batch_ids) if batch_ids is not None else None
        jobs = set(job_ids) if job_ids is not None else None
        heartbeat = asyncio.create_task(self._heartbeat())
        self._sweep_parts(self._downloading_elsewhere_dead())
        try:
            next_scan = 0.0
            while not (stop and stop.is_set()) and not self.stopping:
                if self._wake.is_set() or time.monotonic() >= next_scan or not self._active:
                    self._wake.clear()
                    self._claim_new(batches, jobs)
                    next_scan = time.monotonic() + 1.0
                    if until_idle and not self._active:
                        break
                waiters = [asyncio.create_task(self._wake.wait())]
                if stop:
                    waiters.append(asyncio.create_task(stop.wait()))
                if until_idle:
                    self._idle.clear()
                    if self._active:
                        waiters.append(asyncio.create_task(self._idle.wait()))
                # wake on new work, on stop, on the rescan timer, or when the last active job ends
                await asyncio.wait(waiters, timeout=max(0.0, next_scan - time.monotonic()),
                                   return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
            if stop is not None and stop.is_set() and not self.stopping:
                self._stop_reason = "quit"
            if self.stopping:
                await self._drain()
        finally:
            heartbeat.cancel()
            for task in list(self._active.values()):
                task.cancel()
            await asyncio.gather(*self._active.values(), return_exceptions=True)
            await self._close_clients()
            for job_id in list(self._active):
                with contextlib.suppress(*DB_ERRORS):
                    self.store.jobs.release(job_id, self.owner)
            with contextlib.suppress(*DB_ERRORS):
                self._batches.flush()
        if self.stopping:
            self._summarize_stop()
        return self._summary

    def _provider(self, name: str) -> MediaProvider:
        if name not in self._providers:
            self._providers[name] = self.provider_for(name)
        return self._providers[name]

    async def _close_clients(self) -> None:
        """Close this run's HTTP clients: they belong to its event loop."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        providers, self._providers = list(self._providers.values()), {}
        await close_clients(providers)

    async def _drain(self) -> None:
        """Let submits on the wire answer (their request ids get stored); stop everything else now.

        A job stopped while polling stays queued/running with its request id, one stopped before its submit
        stays pending, one stopped mid-download stays downloading: all resumable."""
        for job_id, task in list(self._active.items()):
            if job_id not in self._posting:
                task.cancel()
        posting = [task for job_id, task in self._active.items() if job_id in self._posting]
        if posting:
            log.info("stop: waiting up to %.0fs for %d submit(s) on the wire", self.submit_timeout, len(posting))
            await asyncio.wait(posting, timeout=self.submit_timeout)
        tasks = list(self._active.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sweep_parts(self._seen)

    def _summarize_stop(self) -> None:
        self._summary.stopped = self._stop_reason
        try:
            jobs = [self.store.jobs.get(job_id) for job_id in sorted(self._seen)]
        except DB_ERRORS:
            return
        for job in jobs:
            if job is None:
                continue
            if job.request_id and job.status in (*REMOTE, JobState.DOWNLOADING, JobState.SUBMITTING):
                self._summary.at_provider.append(job.id)
            elif job.status == JobState.PENDING:
                self._summary.waiting.append(job.id)

    # ---- stale temporary files ----------------------------------------------------------------------------

    def _downloading_elsewhere_dead(self) -> set[int]:
        """Downloading jobs no live process holds: their folders may hold `.part` files of a killed download."""
        try:
            now = self.store.clock()
            return {job.id for job in self.store.jobs.list(statuses=[JobState.DOWNLOADING])
                    if not job.lease_owner or job.lease_owner == self.owner or (job.lease_expires or 0) < now
                    or owner_is_dead(job.lease_owner)}
        except DB_ERRORS:
            return set()

    def _sweep_parts(self, job_ids: Iterable[int]) -> None:
        folders: set[Path] = set()
        for job_id in job_ids:
            try:
                job = self.store.jobs.get(job_id)
            except DB_ERRORS:
                return
            if job is not None and job.result:
                folders.add(output_folder(self.store, self.settings, job))
        for folder in folders:
            removed = sweep_stale_parts(folder)
            if removed:
                log.info("removed %d unfinished download(s) in %s", removed, folder)

    # ---- claiming and leases ------------------------------------------------------------------------------

    def _take_over_dead_owners(self, now: float) -> None:
        for job in self.store.jobs.leased_by_others(self.owner, now):
            if job.lease_owner and owner_is_dead(job.lease_owner):
                self.store.jobs.take_over(job.id, job.lease_owner, self.owner, now + self.lease_seconds)

    def _claim_new(self, batches: set[int] | None, jobs: set[int] | None) -> None:
        if self.stopping:
            return
        try:
            now = self.store.clock()  # the database's: machines sharing a ledger agree on who is late
            self._take_over_dead_owners(now)
            wanted = {job_id: (status, batch_id)
                      for job_id, status, batch_id in self.store.jobs.claimable(self.owner, now)
                      if job_id not in self._active and job_id not in self._stalled
                      and (batches is None or batch_id in batches) and (jobs is None or job_id in jobs)}
            claimed = self.store.jobs.claim_many(list(wanted), self.owner, now, self.lease_seconds)
        except DB_ERRORS as exc:  # "database is locked" and the like: look again at the next scan
            log.warning("could not claim jobs now: %s", exc)
            return
        for job_id in sorted(claimed):  # the rest: another process took them first
            self._seen.add(job_id)
            status, batch_id = wanted[job_id]
            if status == JobState.SUBMITTING:
                self._orphaned_submit(job_id)
                continue
            self._batches.started(job_id, batch_id)
            self._active[job_id] = asyncio.create_task(self._drive(job_id), name=f"job-{job_id}")

    def _orphaned_submit(self, job_id: int) -> None:
        """A process died between sending a submit and storing the answer: the provider may have the job."""
        message = ("the app stopped while submitting; the provider may or may not have this job — "
                   "retry it only if you accept a possible second charge")
        if self.store.jobs.transition(job_id, [JobState.SUBMITTING], status=JobState.UNKNOWN, error=message):
            job = self.store.jobs.get(job_id)
            if job is not None:
                self._publish(job, JobState.UNKNOWN, message=message)
        self.store.jobs.release(job_id, self.owner)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                self.store.jobs.renew_leases(self.owner, list(self._active),
                                             self.store.clock() + self.lease_seconds)
            except DB_ERRORS as exc:
                log.warning("could not renew leases now: %s", exc)

    def _slot(self, provider: str) -> asyncio.Semaphore:
        if provider not in self._slots:
            self._slots[provider] = asyncio.Semaphore(self.settings.concurrency)
        return self._slots[provider]

    # ---- driving one job ----------------------------------------------------------------------------------

    async def _drive(self, job_id: int) -> None:
        try:
            provider: MediaProvider | None = None
            job: JobRecord | None = None
            while not self.stopping:
                job = job or self.store.jobs.get(job_id)  # the record each step hands on, or the ledger's
                if job is None or job.status.finished or job.status in (JobState.UNKNOWN, JobState.SUBMITTING,
                                                                         JobState.PAUSED):
                    if job is not None and job.status.finished:
                        self._summary.finished[job.status] = self._summary.finished.get(job.status, 0) + 1
                    return
                provider = provider or self._provider(job.provider)
                wait = (job.next_attempt_at or 0) - time.time()
                if job.status == JobState.PENDING and wait > 0:
                    await asyncio.sleep(wait)  # a retry's backoff, spent without holding a provider slot
                    job = None
                    continue
                if job.status == JobState.PENDING and needed_jobs(job.request):
                    ready = resolve(self.store, job)
                    if ready.waiting:
                        await asyncio.sleep(WAIT_SECONDS)  # without holding a provider slot
                        job = None
                        continue
                    if ready.job is None:
                        self._finish(job.id, JobState.FAILED, error=ready.failure, from_states=[JobState.PENDING])
                        job = None
                        continue
                    job = ready.job
                if job.status == JobState.PENDING or job.status in REMOTE:
                    async with self._slot(job.provider):
                        fresh = job.status == JobState.PENDING  # followed from its submit: its time is the model's
                        if fresh:
                            job = await self._submit(job, provider)
                        if job is not None and job.status in REMOTE:
                            followed = await self._follow(job, provider, fresh=fresh)
                            if followed is STALLED:
                                self._stall(job.id)
                                return
                            job = followed if isinstance(followed, JobRecord) else None
                elif job.status == JobState.DOWNLOADING:
                    final = await self._download(job)
                    self._summary.finished[final] = self._summary.finished.get(final, 0) + 1
                    return
        except asyncio.CancelledError:
            raise
        except DB_ERRORS as exc:  # the ledger is busy or broken: write nothing more, leave the job as it is
            log.warning("job %s left for the next resume: database error: %s", job_id, exc)
            self._stall(job_id)
        except Exception as exc:  # never let one job take the engine down
            log.exception("job %s failed unexpectedly", job_id)
            if self._has_request_id(job_id):
                self._stall(job_id)  # the provider has it: failing it here would invite a second payment
            else:
                self._finish(job_id, JobState.FAILED, error=f"internal error: {exc}",
                             from_states=[JobState.PENDING, JobState.DOWNLOADING])
        finally:
            self._active.pop(job_id, None)
            self._posting.discard(job_id)
            with contextlib.suppress(*DB_ERRORS):
                self._batches.ended(job_id)
                if job_id in self._released:
                    self._released.discard(job_id)
                else:
                    self.store.jobs.release(job_id, self.owner)
            if not self._active and self._idle is not None:
                self._idle.set()

    def _stall(self, job_id: int) -> None:
        """Stop following a job for now; it stays resumable and this run will not take it again."""
        if job_id not in self._stalled:
            self._stalled.add(job_id)
            self._summary.stalled.append(job_id)

    def _has_request_id(self, job_id: int) -> bool:
        try:
            job = self.store.jobs.get(job_id)
        except DB_ERRORS:
            return True
        return job is None or job.request_id is not None

    async def _submit(self, job: JobRecord, provider: MediaProvider) -> JobRecord | None:
        try:
            request = MediaRequest.from_dict(job.request)
        except (KeyError, TypeError, ValueError) as exc:  # nothing was sent: a plain failure, not "unknown"
            self._finish(job.id, JobState.FAILED, error=f"the stored request is not valid: {exc!r}",
                         from_states=[JobState.PENDING])
            return self.store.jobs.get(job.id)
        attempts = job.attempts + 1
        try:  # uploads and client set-up: nothing payable has left, so any failure keeps the job pending
            prepared: PreparedSubmit = await provider.prepare(request)
        except ProviderError as exc:
            return self._prepare_failed(job, attempts, exc)
        if self.stopping:
            return None
        self._posting.add(job.id)
        try:
            # submitted_at: when this submit began, so a lost answer is looked for among requests sent since
            if not self.store.jobs.transition(job.id, [JobState.PENDING], status=JobState.SUBMITTING,
                                              attempts=attempts, error=None, submitted_at=_utcnow()):
                return self.store.jobs.get(job.id)
            self._publish(job, JobState.SUBMITTING)
            try:
                handle = await provider.send(prepared)
            except ProviderError as exc:
                return self._submit_failed(job, attempts, exc, exc.transient, exc.retry_after)
            except Exception as exc:  # an unexpected failure after the request may have left
                log.exception("submit of job %s raised", job.id)
                return self._submit_failed(job, attempts, exc, transient=True, retry_after=None)
            return await self._submitted(job, provider, handle, attempts)
        finally:
            self._posting.discard(job.id)

    def _prepare_failed(self, job: JobRecord, attempts: int, exc: ProviderError) -> JobRecord | None:
        if exc.transient and attempts < self.max_attempts:
            delay = backoff_delay(attempts, exc.retry_after)
            self.store.jobs.transition(job.id, [JobState.PENDING], attempts=attempts, error=exc.message,
                                       next_attempt_at=time.time() + delay)
            self._publish(job, JobState.PENDING, message=f"retry {attempts + 1} in {delay:.1f}s: {exc.message}")
        else:
            prefix = f"gave up after {attempts} attempts: " if exc.transient else ""
            self._finish(job.id, JobState.FAILED, error=prefix + exc.message, from_states=[JobState.PENDING])
        return self.store.jobs.get(job.id)

    async def _submitted(self, job: JobRecord, provider: MediaProvider, handle: RemoteHandle,
                         attempts: int) -> JobRecord | None:
        now = _utcnow()
        if not self.store.jobs.transition(job.id, [JobState.SUBMITTING], status=JobState.QUEUED,
                                          request_id=handle.request_id, handle=handle.to_dict(), submitted_at=now):
            # cancelled while the submit was in flight: keep the request id and tell the provider
            self.store.jobs.update(job.id, request_id=handle.request_id, handle=handle.to_dict(), submitted_at=now)
            await self._cancel_remote(provider, handle)
            return self.store.jobs.get(job.id)
        self._publish(job, JobState.QUEUED, message=f"request {handle.request_id}")
        if self.stopping:
            return None  # the request id is stored; the job keeps running at the provider until a resume
        return replace(job, status=JobState.QUEUED, attempts=attempts, request_id=handle.request_id,
                       handle=handle.to_dict(), submitted_at=now, error=None)

    def _submit_failed(self, job: JobRecord, attempts: int, exc: BaseException, transient: bool,
                       retry_after: float | None) -> JobRecord | None:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        status_code = getattr(exc, "status_code", None)
        answered = status_code is not None or is_connect_failure(exc)
        if transient and not answered:
            message = (f"the connection broke after the request was sent ({message}); the provider may have "
                       "this job — retry it only if you accept a possible second charge")
            self._finish(job.id, JobState.UNKNOWN, error=message, from_states=[JobState.SUBMITTING])
        elif transient and attempts < self.max_attempts:
            delay = backoff_delay(attempts, retry_after)
            self.store.jobs.transition(job.id, [JobState.SUBMITTING], status=JobState.PENDING,
                                       next_attempt_at=time.time() + delay, error=message, submitted_at=None)
            self._publish(job, JobState.PENDING, message=f"retry {attempts + 1} in {delay:.1f}s: {message}")
        elif transient:
            self._finish(job.id, JobState.FAILED, error=f"gave up after {attempts} attempts: {message}",
                         from_states=[JobState.SUBMITTING])
        else:
            self._finish(job.id, JobState.FAILED, error=message, from_states=[JobState.SUBMITTING])
        return self.store.jobs.get(job.id)

    async def _follow(self, job: JobRecord, provider: MediaProvider, *,
                      fresh: bool = False) -> JobRecord | bool | object:
        """Poll until the provider finishes. Returns the job's record when it is ready to download, True when the
        ledger should be read again, STALLED when the provider stayed unreachable (job left resumable).

        A `fresh` job (submitted just now) is polled by its model's usual time (engine/polling.py)."""
        handle = RemoteHandle.from_dict(job.handle or {"request_id": job.request_id, "model": job.model})
        started = time.monotonic()
        failures = 0
        last = (job.status, job.queue_position, job.progress)
        current_status: JobState | None = job.status
        checked = started  # the caller has just read or written the job's state
        written = float("-inf")
        floor = float(getattr(provider, "min_poll_interval", REMOTE_MIN_POLL))
        usual = self._usual.of(job.provider, job.model) if fresh else None
        if wait := first_wait(floor, usual):
            await asyncio.sleep(wait)
        while True:
            # every write below is guarded by the state it expects, so a cancel made elsewhere is never
            # overwritten; looking for one is only to stop polling early
            if time.monotonic() - checked >= CANCEL_CHECK_INTERVAL:
                checked = time.monotonic()
                current_status = self.store.jobs.status_of(job.id)
                if current_status not in REMOTE:
                    return True  # cancelled, paused or finished elsewhere
            try:
                status = await provider.status(handle)
                failures = 0
            except ProviderError as exc:
                # a refused key, a 404 from a gateway, an odd answer: none says this request failed, so the job
                # keeps its request id and waits for the next resume rather than being failed (and re-paid)
                failures += 1
                if not exc.transient or failures >= self.stall_after:
                    self._publish(job, current_status or job.status,
                                  message=f"provider unreachable, left for `pixflow jobs resume`: {exc.message}")
                    return STALLED
                await asyncio.sleep(backoff_delay(failures, exc.retry_after, base=self.poll_retry_base, cap=15.0))
                continue
            if status.state == "completed":
                if fresh:
                    self._usual.add(job.provider, job.model, time.monotonic() - started)
                return await self._collect(job, provider, handle)
            if status.state == "failed":
                cancelled = (status.error or "").lower().startswith("cancel")
                if status.error_transient and not cancelled:
                    return self._resubmit_after_failure(job, status.error or "the provider's runner failed")
                self._finish(job.id, JobState.CANCELLED if cancelled else JobState.FAILED,
                             error=status.error or "the provider reported a failure", from_states=REMOTE)
                return True
            state = JobState.QUEUED if status.state == "queued" else JobState.RUNNING
            now_seen = (state, status.queue_position, status.progress)
            due = now_seen[:2] != last[:2] or time.monotonic() - written >= PROGRESS_EVERY
            if now_seen != last and due:
                last, written = now_seen, time.monotonic()
                if self.store.jobs.transition(job.id, REMOTE, status=state, queue_position=status.queue_position,
                                              progress=status.progress):
                    current_status, checked = state, time.monotonic()
                    self._publish(job, state, progress=status.progress, queue_position=status.queue_position,
                                  message=status.logs[-1] if status.logs else "")
                else:
                    return True  # cancelled or finished elsewhere
            await asyncio.sleep(poll_interval(time.monotonic() - started, floor, usual))

    def _resubmit_after_failure(self, job: JobRecord, message: str) -> bool:
        """The provider said this request failed for its own reasons: send it again after a backoff (an attempt)."""
        attempts = job.attempts
        if attempts >= self.max_attempts:
            self._finish(job.id, JobState.FAILED, error=f"gave up after {attempts} attempts: {message}",
                         from_states=REMOTE)
            return True
        delay = backoff_delay(attempts, None)
        if self.store.jobs.transition(job.id, REMOTE, status=JobState.PENDING, request_id=None, handle=None,
                                      submitted_at=None, queue_position=None, progress=None, error=message,
                                      next_attempt_at=time.time() + delay):
            self._publish(job, JobState.PENDING,
                          message=f"the provider failed ({message}); retry {attempts + 1} in {delay:.1f}s")
        return True

    async def _collect(self, job: JobRecord, provider: MediaProvider, handle: RemoteHandle) -> JobRecord | bool:
        for attempt in range(1, self.max_attempts + 1):
            try:
                outputs = await provider.result(handle)
                break
            except ProviderError as exc:
                if not exc.transient or attempt == self.max_attempts:
                    self._finish(job.id, JobState.FAILED, error=f"result could not be read: {exc.message}",
                                 from_states=REMOTE)
                    return True
                await asyncio.sleep(backoff_delay(attempt, exc.retry_after, base=0.5))
        result = {"outputs": [{"url": o.url, "content_type": o.content_type, "file_name": o.file_name,
                               "metadata": o.metadata} for o in outputs]}
        # the provider finished: this is what it bills, whatever happens to the download
        cost = job.cost if job.cost is not None else self._price(job)
        with self.store.atomic():
            changed = self.store.jobs.transition(job.id, REMOTE, status=JobState.DOWNLOADING, result=result,
                                                 progress=1.0, queue_position=None, cost=cost)
            if changed and job.cost is None and job.batch_id is not None and cost:
                self.store.batches.add_cost(job.batch_id, cost)
        if not changed:
            return True
        self._publish(job, JobState.DOWNLOADING, cost=cost)
        return replace(job, status=JobState.DOWNLOADING, result=result, progress=1.0, queue_position=None, cost=cost)

    @staticmethod
    def _price(job: JobRecord) -> float:
        return 0.0 if job.provider == "demo" else job.cost_estimate

    async def _download(self, job: JobRecord) -> JobState:
        if self._http is None:  # made on the first download: demo outputs never need it (nor aiohttp's import)
            from pixflow_tui.providers.transport import transport_for_environment

            self._http = httpx.AsyncClient(transport=transport_for_environment(),
                                           timeout=httpx.Timeout(30.0, read=120.0), follow_redirects=True)
        outcome = await save_outputs(self.store, self.settings, self._http, job, max_attempts=self.max_attempts)
        if outcome.error is not None:
            self._finish(job.id, JobState.FAILED, error=outcome.error, from_states=[JobState.DOWNLOADING])
            return JobState.FAILED
        billed_before = job.cost is not None  # set when the provider finished (older rows: not yet)
        cost = job.cost if job.cost is not None else self._price(job)
        with self.store.atomic():
            # the state first: a process that finds the job already done (another took it over) writes no rows
            changed = self.store.jobs.transition(job.id, [JobState.DOWNLOADING], status=JobState.DONE, cost=cost,
                                                 output_path=outcome.first_path, finished_at=_utcnow(), error=None,
                                                 lease_owner=None, lease_expires=None)
            if changed:
                outcome.record()
            if changed and not billed_before and job.batch_id is not None and cost:
                self.store.batches.add_cost(job.batch_id, cost)
        if not changed:  # cancelled or finished by another process meanwhile
            return self.store.jobs.status_of(job.id) or JobState.CANCELLED
        self._released.add(job.id)
        self._publish(job, JobState.DONE, cost=cost, output_path=outcome.first_path)
        self._batches.finished(job.id)
        return JobState.DONE

    async def _cancel_remote(self, provider: MediaProvider, handle: RemoteHandle) -> None:
        try:
            await provider.cancel(handle)
        except ProviderError as exc:
            log.warning("cancel of %s failed: %s", handle.request_id, exc.message)

    # ---- bookkeeping --------------------------------------------------------------------------------------

    def _finish(self, job_id: int, state: JobState, *, error: str | None, from_states: Iterable[JobState]) -> None:
        if self.store.jobs.transition(job_id, list(from_states), status=state, error=error, finished_at=_utcnow()):
            job = self.store.jobs.get(job_id)
            if job is not None:
                self._publish(job, state, message=error or "")
                if job_id in self._active:
                    self._batches.finished(job_id)
                else:
                    refresh_batch_status(self.store, job.batch_id)

    def _publish(self, job: JobRecord, state: JobState, *, progress: float | None = None,
                 queue_position: int | None = None, message: str = "", cost: float | None = None,
                 output_path: str | None = None) -> None:
        self.events.publish(JobEvent(job_id=job.id, batch_id=job.batch_id, state=state, progress=progress,
                                     queue_position=queue_position, message=message, cost=cost,
                                     output_path=output_path))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
