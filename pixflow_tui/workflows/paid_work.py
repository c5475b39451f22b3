"""The one door for paid work.

Every path that makes work payable (a new batch, adding to one, regenerate, retry — `unknown` jobs included —,
re-queueing, a Machine step, an avatar run) plans it here and commits it here:

1. `plan_work` / `plan_regenerate` / `plan_retry` price the work from the catalog (demo work costs 0) and
   weigh it against the budget cap: today's billed spend plus what is in flight plus this plan.
2. The front end shows the plan and asks (the TUI one confirmation, the CLI a question on a terminal or `--yes`).
3. `commit` checks the budget again (another process may have spent meanwhile) and writes every job in one
   transaction, leased to this process so it drives them while it lives, then wakes the engine.

Only this module calls the store's job-creating and re-queueing functions; tests/test_paid_door.py enforces it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pixflow_tui.core.jobs import JobEvent, JobState, MediaRequest
from pixflow_tui.core.requests import estimate_cost
from pixflow_tui.engine.batches import refresh_batch_status
from pixflow_tui.engine.dependencies import job_ref
from pixflow_tui.store.records import JobRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError

LEASE_SECONDS = 30.0  # the engine's lease: the creating process claims its jobs well within it
RETRYABLE = (JobState.FAILED, JobState.CANCELLED, JobState.UNKNOWN)
RESULT_UNREADABLE = "result could not be read"
PLAN_REF = "plan:"


class BudgetExceeded(InputError):
    """The work would take spending past the configured cap; the message gives the figures."""


class NothingToPay(InputError):
    """Planning settled it without paying (an `unknown` job was found at the provider); the message says how."""


@dataclass(frozen=True)
class NewJob:
    """One job to create: its request, where it goes and what it is expected to cost."""

    request: MediaRequest
    provider: str
    prompt_index: int | None = None  # None: the job's place in the batch
    variant_index: int = 0
    parent_job_id: int | None = None  # the job it regenerates

    @property
    def cost(self) -> float:
        return 0.0 if self.provider == "demo" else live_cost(self.request)


def live_cost(request: MediaRequest) -> float:
    """The catalog's price of one request (a lipsync by the length of its audio, known or estimated)."""
    return estimate_cost(request, audio_seconds=request.meta.get("audio_seconds"))


def plan_ref(index: int) -> str:
    """A file argument meaning "the output of new job `index` of this plan" (a lipsync of the plan's speech)."""
    return f"{PLAN_REF}{index}"


@dataclass(frozen=True)
class NewBatch:
    module: str
    name: str
    concept: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Requeue:
    """An existing job sent round again; `target` is where it restarts (a finished result is only fetched again)."""

    job: JobRecord
    target: JobState
    no_record: bool = False  # the provider said it never got this `unknown` job: a retry is its first submit

    @property
    def cost(self) -> float:
        if self.target != JobState.PENDING or self.job.provider == "demo":
            return 0.0  # the provider already made it: reading or downloading the result again is free
        return self.job.cost_estimate

    @property
    def note(self) -> str:
        if self.target != JobState.PENDING:
            return f"job {self.job.id}: the provider already made it, so it is only fetched again (no charge)"
        if self.job.status == JobState.UNKNOWN and self.no_record:
            return f"job {self.job.id} was never received by the provider, so it is sent for the first time"
        if self.job.status == JobState.UNKNOWN:
            return (f"job {self.job.id} is unknown: the provider may already have it, so sending it again "
                    "may be charged twice")
        return f"job {self.job.id} is sent to the provider again"


@dataclass(frozen=True)
class Budget:
    spent_today: float
    in_flight: float
    cap: float | None


@dataclass(frozen=True)
class PaidPlan:
    """What a payable action will do and cost; nothing is written until `commit`."""

    action: str  # "new batch", "add to batch", "regenerate", "retry"
    budget: Budget
    jobs: tuple[NewJob, ...] = ()
    batch: NewBatch | None = None
    batch_id: int | None = None
    requeues: tuple[Requeue, ...] = ()

    @property
    def count(self) -> int:
        return len(self.jobs) + len(self.requeues)

    @property
    def estimate(self) -> float:
        return round(sum(j.cost for j in self.jobs) + sum(r.cost for r in self.requeues), 4)

    @property
    def live_estimate(self) -> float:
        """What the same work would cost at the live provider (what a demo run stands in for)."""
        requests = [j.request for j in self.jobs] + [MediaRequest.from_dict(r.job.request) for r in self.requeues
                                                     if r.target == JobState.PENDING]
        return round(sum(live_cost(r) for r in requests), 4)

    @property
    def providers(self) -> list[str]:
        return sorted({j.provider for j in self.jobs} | {r.job.provider for r in self.requeues})

    @property
    def demo(self) -> bool:
        return self.providers == ["demo"]

    @property
    def models(self) -> dict[str, int]:
        return dict(Counter([j.request.model for j in self.jobs] + [r.job.model for r in self.requeues]))

    @property
    def refusal(self) -> str | None:
        """Why the budget cap refuses this plan, or None. Work that costs nothing is never refused."""
        cap, estimate = self.budget.cap, self.estimate
        if cap is None or estimate <= 0:
            return None
        total = self.budget.spent_today + self.budget.in_flight + estimate
        if total <= cap + 1e-9:
            return None
        return (f"this is estimated at ${estimate:.2f}; with ${self.budget.spent_today:.2f} spent today and "
                f"${self.budget.in_flight:.2f} in flight that is ${total:.2f}, over the budget cap of ${cap:.2f} "
                "(setting budget_cap)")

    @property
    def warnings(self) -> list[str]:
        return [r.note for r in self.requeues
                if r.job.status == JobState.UNKNOWN and r.target == JobState.PENDING and not r.no_record]

    def cost_text(self) -> str:
        if self.demo:
            return f"$0.00 (demo: nothing is charged; ${self.live_estimate:.2f} live)"
        return f"about ${self.estimate:.2f}"

    def lines(self) -> list[str]:
        """The confirmation both front ends show: count, models, estimate, the budget and any warning."""
        models = ", ".join(f"{n} × {model}" for model, n in self.models.items())
        lines = [f"{self.count} job{'' if self.count == 1 else 's'}: {models} via {', '.join(self.providers)}",
                 f"Estimated cost: {self.cost_text()}"]
        if self.budget.cap is not None and not self.demo:
            lines.append(f"Today: ${self.budget.spent_today:.2f} spent, ${self.budget.in_flight:.2f} in flight, "
                         f"cap ${self.budget.cap:.2f}")
        free = [r.note for r in self.requeues if r.target != JobState.PENDING or r.no_record]
        return lines + free + [w[0].upper() + w[1:] for w in self.warnings]

    def describe(self) -> dict[str, Any]:
        return {"action": self.action, "jobs": self.count, "models": self.models, "providers": self.providers,
                "cost_estimate": self.estimate, "live_estimate": self.live_estimate, "demo": self.demo, "spent_today": self.budget.spent_today,
                "in_flight": self.budget.in_flight, "budget_cap": self.budget.cap, "refused": self.refusal,
                "warnings": self.warnings}


@dataclass(frozen=True)
class Committed:
    batch_id: int | None
    job_ids: list[int]  # the new jobs, in the plan's order
    requeued: list[int]


def current_budget(ctx: AppContext) -> Budget:
    cap = ctx.settings.budget_cap
    if cap is None:
        return Budget(ctx.spend_today(), 0.0, None)
    return Budget(ctx.spend_today(), ctx.store.jobs.in_flight_estimate(), cap)


# ---- planning -------------------------------------------------------------------------------------------


def plan_work(ctx: AppContext, jobs: list[NewJob], *, batch: NewBatch | None = None, batch_id: int | None = None,
              requeue_ids: list[int] | tuple[int, ...] = (), action: str = "",
              no_record: frozenset[int] = frozenset()) -> PaidPlan:
    """New jobs for a new batch (`batch`) or an existing one (`batch_id`), plus jobs sent round again."""
    if not jobs and not requeue_ids:
        raise InputError("there is nothing to run")
    if jobs and (batch is None) == (batch_id is None):
        raise ValueError("new jobs go to either a new batch or an existing one")
    if batch_id is not None and ctx.store.batches.get(batch_id) is None:
        raise InputError(f"there is no batch {batch_id}")
    requeues = tuple(_requeue_of(ctx, job_id, job_id in no_record) for job_id in requeue_ids)
    action = action or ("new batch" if batch is not None else "add to batch" if jobs else "retry")
    return PaidPlan(action, current_budget(ctx), tuple(jobs), batch, batch_id, requeues)


def plan_regenerate(ctx: AppContext, job_ids: list[int]) -> PaidPlan:
    """A new job with the same request for each, linked to the old one (whose output stays)."""
    jobs: list[NewJob] = []
    batch_id: int | None = None
    for job_id in job_ids:
        job = _job(ctx, job_id)
        if job.batch_id is None:
            raise InputError(f"job {job_id} belongs to no batch, so it cannot be regenerated")
        if batch_id not in (None, job.batch_id):
            raise InputError("regenerate jobs of one batch at a time")
        batch_id = job.batch_id
        try:
            request = MediaRequest.from_dict(job.request)
        except (KeyError, TypeError, ValueError):
            raise InputError(f"job {job_id}'s stored request is not complete, so it cannot be made again") from None
        jobs.append(NewJob(request, job.provider, job.prompt_index, job.variant_index, parent_job_id=job.id))
    if not jobs:
        raise InputError("there is nothing to regenerate")
    return PaidPlan("regenerate", current_budget(ctx), tuple(jobs), None, batch_id)


def plan_retry(ctx: AppContext, job_ids: list[int], *, no_record: frozenset[int] = frozenset()) -> PaidPlan:
    """Failed, cancelled or unknown jobs sent round again (a result the provider already made is only fetched).
    `no_record`: unknown jobs the provider said it never got (workflows/reconcile.py asks it first)."""
    return plan_work(ctx, [], requeue_ids=job_ids, action="retry", no_record=no_record)


def plan_redo(ctx: AppContext, job_id: int) -> PaidPlan:
    """What `r` does to one job: a done job is regenerated; a failed, cancelled or unknown one is retried — an
    unknown one only after asking the provider whether it has it (then it is followed: NothingToPay)."""
    from pixflow_tui.workflows.reconcile import FOUND, NO_RECORD, reconcile_unknown

    job = _job(ctx, job_id)
    if job.status == JobState.DONE:
        return plan_regenerate(ctx, [job_id])
    if job.status == JobState.UNKNOWN:
        answers = {a.job_id: a for a in reconcile_unknown(ctx, [job_id])}
        answer = answers.get(job_id)
        if answer is not None and answer.outcome == FOUND:
            raise NothingToPay(answer.message)
        no_record = frozenset([job_id]) if answer is not None and answer.outcome == NO_RECORD else frozenset()
        return plan_retry(ctx, [job_id], no_record=no_record)
    if job.status in RETRYABLE:
        return plan_retry(ctx, [job_id])
    raise InputError(f"job {job_id} is still {job.status}; wait for it to finish (or cancel it with x)")


def _job(ctx: AppContext, job_id: int) -> JobRecord:
    job = ctx.store.jobs.get(job_id)
    if job is None:
        raise InputError(f"there is no job {job_id}")
    return job


def _requeue_of(ctx: AppContext, job_id: int, no_record: bool = False) -> Requeue:
    job = _job(ctx, job_id)
    if job.status not in RETRYABLE:
        raise InputError(f"job {job_id} is {job.status}; only failed, cancelled or unknown jobs can be retried")
    if job.result:
        return Requeue(job, JobState.DOWNLOADING)
    if job.request_id and job.status == JobState.FAILED and RESULT_UNREADABLE in (job.error or ""):
        return Requeue(job, JobState.RUNNING)  # the provider finished it: read the result again
    return Requeue(job, JobState.PENDING, no_record=no_record and job.status == JobState.UNKNOWN)


# ---- committing -----------------------------------------------------------------------------------------


def commit(ctx: AppContext, plan: PaidPlan) -> Committed:
    """Write the plan's work (after checking the budget again) and wake the engine; raises BudgetExceeded or
    InputError (a job changed since the plan) before anything is written."""
    again = PaidPlan(plan.action, current_budget(ctx), plan.jobs, plan.batch, plan.batch_id, plan.requeues)
    if again.refusal:
        raise BudgetExceeded(again.refusal)
    store = ctx.store
    lease_owner, lease_expires = ctx.owner, store.clock() + LEASE_SECONDS
    new_ids: list[int] = []
    with store.atomic():
        batch_id = plan.batch_id
        if plan.batch is not None:
            batch_id = store.batches.create(module=plan.batch.module, name=plan.batch.name,
                                            concept=plan.batch.concept, settings=plan.batch.settings,
                                            cost_estimate=round(sum(j.cost for j in plan.jobs), 4)).id
        elif plan.jobs and batch_id is not None:
            batch = store.batches.get(batch_id)
            if batch is None:
                raise InputError(f"there is no batch {batch_id}")
            store.batches.update(batch_id, cost_estimate=round(batch.cost_estimate + sum(j.cost for j in plan.jobs), 4),
                                 status="running")
        if plan.jobs:
            siblings = store.jobs.list(batch_id=batch_id)
            next_index = max((j.job_index for j in siblings), default=-1) + 1
            for offset, job in enumerate(plan.jobs):
                index = next_index + offset
                new_ids.append(store.jobs.create(
                    kind=job.request.kind, provider=job.provider, model=job.request.model,
                    request=_with_job_refs(job.request.to_dict(), new_ids), batch_id=batch_id, job_index=index,
                    prompt_index=index if job.prompt_index is None else job.prompt_index,
                    variant_index=job.variant_index, cost_estimate=job.cost, parent_job_id=job.parent_job_id,
                    lease_owner=lease_owner, lease_expires=lease_expires).id)
        for requeue in plan.requeues:
            if not store.jobs.requeue(requeue.job.id, requeue.job.status, requeue.target,
                                      **_restart_fields(requeue, lease_owner, lease_expires)):
                raise InputError(f"job {requeue.job.id} changed since this was planned; look at it again")
    touched = {r.job.batch_id for r in plan.requeues} | {batch_id}
    for job_id in new_ids:
        ctx.events.publish(JobEvent(job_id=job_id, batch_id=batch_id, state=JobState.PENDING, message=plan.action))
    for requeue in plan.requeues:
        ctx.events.publish(JobEvent(job_id=requeue.job.id, batch_id=requeue.job.batch_id, state=requeue.target,
                                    message="retry requested"))
    for touched_id in touched - {None}:
        refresh_batch_status(store, touched_id)
    ctx.wake_engine()
    return Committed(batch_id, new_ids, [r.job.id for r in plan.requeues])


def _with_job_refs(request: dict[str, Any], new_ids: list[int]) -> dict[str, Any]:
    """`plan:<n>` file arguments become `job:<id>` of the plan's n-th new job (created before this one)."""
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, str) and value.startswith(PLAN_REF):
            return job_ref(new_ids[int(value[len(PLAN_REF):])])
        return value

    return {**request, "files": {name: fill(value) for name, value in request.get("files", {}).items()}}


def _restart_fields(requeue: Requeue, owner: str, expires: float) -> dict[str, Any]:
    fields: dict[str, Any] = {"lease_owner": owner, "lease_expires": expires}
    if requeue.target == JobState.PENDING:
        fields.update(request_id=None, handle=None, attempts=0, next_attempt_at=None, submitted_at=None)
    return fields
