"""`unknown` jobs (a submit was sent and its answer lost): ask the provider whether it got them before anyone is
offered a second, possibly paid, submit. A job it has is followed from then on; nothing is sent again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pixflow_tui.core.jobs import JobState, MediaRequest
from pixflow_tui.providers.base import ProviderError
from pixflow_tui.workflows.context import AppContext

FOUND, NO_RECORD, CANNOT_TELL = "found", "no record", "cannot tell"
# the requests other jobs follow are never an unknown job's own (a sibling variant has the same arguments); those
# sent up to this long before its submit began are looked at too, for clocks a little apart
HELD_SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class Reconciled:
    job_id: int
    outcome: str  # found | no record | cannot tell
    message: str


def reconcile_unknown(ctx: AppContext, job_ids: list[int]) -> list[Reconciled]:
    """For each `unknown` job among `job_ids`: found at the provider → follow it (no charge); the provider has no
    record → a retry is a first submit after all; otherwise it cannot tell (a retry may be charged twice)."""
    from pixflow_tui.engine.control import adopt_request

    answers: list[Reconciled] = []
    for job_id in job_ids:
        job = ctx.store.jobs.get(job_id)
        if job is None or job.status != JobState.UNKNOWN:
            continue
        try:
            request = MediaRequest.from_dict(job.request)
            provider = ctx.provider_for(job.provider)
            sent_from = job.submitted_at or job.created_at  # when its last submit began (older jobs: when made)
            sent_to = job.updated_at or job.created_at
            taken = ctx.store.jobs.request_ids_sent_since(job.model, sent_from - HELD_SLACK)
            answer = ctx.on_engine(provider.find_submitted(request, sent_from, sent_to, taken))
        except (ProviderError, KeyError, TypeError, ValueError) as exc:
            reason = getattr(exc, "message", None) or str(exc)
            answers.append(Reconciled(job_id, CANNOT_TELL, f"job {job_id}: could not ask the provider ({reason})"))
            continue
        if answer.found is not None and adopt_request(ctx.store, job_id, answer.found, ctx.owner, ctx.events):
            ctx.wake_engine()
            answers.append(Reconciled(job_id, FOUND, f"job {job_id} was found at the provider (request "
                                                     f"{answer.found.request_id}): following it, nothing is paid again"))
        elif answer.no_record:
            answers.append(Reconciled(job_id, NO_RECORD, f"job {job_id}: the provider has no record of it, so a "
                                                         "retry is its first submit"))
        else:
            answers.append(Reconciled(job_id, CANNOT_TELL, f"job {job_id}: the provider cannot tell yet whether it "
                                                           "has it; a retry may be charged twice"))
    return answers
