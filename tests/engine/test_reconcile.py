"""`unknown` jobs are looked up at the provider before anyone is offered a second, possibly paid, submit."""
from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobState, MediaRequest
from pixflow_tui.providers.fal_history import find_submitted
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from pixflow_tui.workflows.paid_work import NothingToPay, commit, plan_redo, plan_retry
from pixflow_tui.workflows.reconcile import CANNOT_TELL, FOUND, reconcile_unknown
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY
from tests.engine.conftest import prompts


@pytest.fixture
def demo_ctx(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0))
    yield ctx
    ctx.close()


async def unknown_job(ctx: AppContext, fal: FalEmulator, *, provider_got_it: bool) -> int:
    """A job whose submit answer was lost; the emulator has the request only when `provider_got_it`."""
    fal.inject("drop", on="submit", times=1, after_accept=provider_got_it)
    batch = create_image_batch(ctx, plan_image_batch(ctx, prompts(1), resolution="1K"))
    await ctx.run_jobs(batch_ids=[batch.id])
    (job,) = ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.UNKNOWN
    for request_id in list(fal.requests):
        fal.complete(request_id)  # fal's history lists ended requests
    return job.id


async def test_an_unknown_job_the_provider_has_is_followed_not_paid_again(live_ctx: AppContext,
                                                                          fal_env: FalEmulator) -> None:
    job_id = await unknown_job(live_ctx, fal_env, provider_got_it=True)
    with pytest.raises(NothingToPay, match="found at the provider"):
        await asyncio.to_thread(plan_redo, live_ctx, job_id)  # a worker thread in the TUI too
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.QUEUED and job.request_id in fal_env.requests
    await live_ctx.run_jobs(job_ids=[job_id])
    assert live_ctx.store.jobs.get(job_id).status == JobState.DONE
    assert fal_env.total_submissions == 1  # followed, never sent again


async def test_when_the_provider_cannot_tell_a_retry_still_warns(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    job_id = await unknown_job(live_ctx, fal_env, provider_got_it=False)
    (answer,) = await asyncio.to_thread(reconcile_unknown, live_ctx, [job_id])
    assert answer.outcome == CANNOT_TELL  # sent a moment ago: the history lists ended requests only
    plan = await asyncio.to_thread(plan_redo, live_ctx, job_id)
    assert any("charged twice" in line for line in plan.lines())
    assert live_ctx.store.jobs.get(job_id).status == JobState.UNKNOWN


async def test_an_unreachable_history_is_cannot_tell(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    job_id = await unknown_job(live_ctx, fal_env, provider_got_it=True)
    fal_env.inject("500", on="history", times=1)
    (answer,) = await asyncio.to_thread(reconcile_unknown, live_ctx, [job_id])
    assert answer.outcome == CANNOT_TELL and "could not ask" in answer.message
    assert live_ctx.store.jobs.get(job_id).status == JobState.UNKNOWN
    (answer,) = await asyncio.to_thread(reconcile_unknown, live_ctx, [job_id])  # asked again once it answers
    assert answer.outcome == FOUND


async def test_no_record_long_after_the_submit_makes_the_retry_a_first_submit(fal_env: FalEmulator) -> None:
    request = MediaRequest.from_dict({"kind": "image", "model": "fal-ai/nano-banana-pro",
                                      "arguments": {"prompt": "never sent"}, "files": {}, "meta": {}})
    sent = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=30)
    answer = await find_submitted(FAL_TEST_KEY, fal_env.base_url, request, sent, sent + timedelta(seconds=2))
    assert answer.found is None and answer.no_record
    recent = await find_submitted(FAL_TEST_KEY, fal_env.base_url, request, sent, datetime.now(timezone.utc)
                                  .replace(tzinfo=None))
    assert not recent.no_record  # a request still running is not listed yet


async def test_no_record_changes_the_warning(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    job_id = await unknown_job(live_ctx, fal_env, provider_got_it=False)
    plan = plan_retry(live_ctx, [job_id], no_record=frozenset([job_id]))
    assert plan.warnings == [] and any("never received" in line for line in plan.lines())
    commit(live_ctx, plan)
    await live_ctx.run_jobs(job_ids=[job_id])
    assert live_ctx.store.jobs.get(job_id).status == JobState.DONE and fal_env.total_submissions == 1


async def test_the_demo_provider_always_knows(demo_ctx: AppContext) -> None:
    batch = create_image_batch(demo_ctx, plan_image_batch(demo_ctx, prompts(1), resolution="1K"))
    await demo_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = demo_ctx.store.jobs.list(batch_id=batch.id)
    request_id = job.request_id
    demo_ctx.store.jobs.update(job.id, status=JobState.UNKNOWN, request_id=None, handle=None, result=None)
    (answer,) = await asyncio.to_thread(reconcile_unknown, demo_ctx, [job.id])
    assert answer.outcome == FOUND and demo_ctx.store.jobs.get(job.id).request_id == request_id


async def test_a_look_alike_request_is_never_taken_for_an_unknown_jobs_own(live_ctx: AppContext,
                                                                          fal_env: FalEmulator) -> None:
    """Variants of one prompt send the same arguments, and so does a job sent again: the history lists all of
    them. An unknown job takes neither a request another job follows nor one sent before its own submit began."""
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (earlier,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert earlier.status == JobState.DONE
    job_id = await unknown_job(live_ctx, fal_env, provider_got_it=True)  # the same prompt again
    (own,) = set(fal_env.requests) - {earlier.request_id}

    (answer,) = await asyncio.to_thread(reconcile_unknown, live_ctx, [job_id])
    assert answer.outcome == FOUND and live_ctx.store.jobs.get(job_id).request_id == own  # not the one followed

    made = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=10)  # a job made long before
    live_ctx.store.jobs.update(job_id, status=JobState.UNKNOWN, request_id=None, handle=None, created_at=made)
    live_ctx.store.jobs.update(earlier.id, request_id=None)  # as after a redo: nobody follows it any more
    fal_env.requests[earlier.request_id].sent_wall -= 60  # and it was sent a minute before this submit
    (answer,) = await asyncio.to_thread(reconcile_unknown, live_ctx, [job_id])
    assert answer.outcome == FOUND and live_ctx.store.jobs.get(job_id).request_id == own
    assert fal_env.total_submissions == 2
