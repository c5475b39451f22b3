"""Pause and resume (engine/control.py) against the fal emulator: a paused job keeps its request id and is left
alone; resume follows the same request (never a second submit); a job paused before it was sent is sent once on
resume; a paused job counts in flight and can be cancelled (the provider's cancel is called)."""
from __future__ import annotations

import asyncio
import math

import pytest

from pixflow_tui.core.jobs import JobState
from pixflow_tui.engine.control import JobActionError, pause_job
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from tests.emulators.fal_emulator import FalEmulator
from tests.engine.conftest import prompts


async def _until(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_pause_while_running_then_resume_follows_the_same_request(live_ctx: AppContext,
                                                                          fal_env: FalEmulator) -> None:
    fal_env.set_timing(0.0, math.inf)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    run = asyncio.ensure_future(live_ctx.run_jobs(batch_ids=[batch.id]))
    await _until(lambda: live_ctx.store.jobs.get(job.id).status == JobState.RUNNING)
    request_id = live_ctx.store.jobs.get(job.id).request_id
    assert live_ctx.pause_job(job.id) == JobState.PAUSED
    await asyncio.wait_for(run, 10)  # the engine lets it go: the run ends with the job still at the provider
    paused = live_ctx.store.jobs.get(job.id)
    assert paused.status == JobState.PAUSED and paused.request_id == request_id
    assert live_ctx.store.jobs.in_flight_estimate() == pytest.approx(0.15)  # the provider may still bill it
    fal_env.complete(request_id)
    await live_ctx.run_jobs(batch_ids=[batch.id])  # nobody waits on a paused job, even a finished one
    assert live_ctx.store.jobs.get(job.id).status == JobState.PAUSED
    assert live_ctx.resume_job(job.id) == JobState.QUEUED
    await live_ctx.run_jobs(batch_ids=[batch.id])
    done = live_ctx.store.jobs.get(job.id)
    assert done.status == JobState.DONE and done.request_id == request_id and done.output_path
    assert fal_env.total_submissions == 1
    with pytest.raises(JobActionError, match="only a job waiting or running"):
        pause_job(live_ctx.store, job.id)
    with pytest.raises(JobActionError, match="not paused"):
        live_ctx.resume_job(job.id)


async def test_paused_before_it_was_sent_is_sent_once_on_resume(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert live_ctx.pause_job(job.id) == JobState.PAUSED
    await live_ctx.run_jobs(batch_ids=[batch.id])
    assert fal_env.total_submissions == 0 and live_ctx.store.jobs.get(job.id).status == JobState.PAUSED
    assert live_ctx.resume_job(job.id) == JobState.PENDING
    await live_ctx.run_jobs(batch_ids=[batch.id])
    assert live_ctx.store.jobs.get(job.id).status == JobState.DONE and fal_env.total_submissions == 1


async def test_a_paused_job_can_be_cancelled_at_the_provider(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    fal_env.set_timing(0.0, math.inf)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    run = asyncio.ensure_future(live_ctx.run_jobs(batch_ids=[batch.id]))
    await _until(lambda: live_ctx.store.jobs.get(job.id).status == JobState.RUNNING)
    live_ctx.pause_job(job.id)
    await asyncio.wait_for(run, 10)
    request_id = live_ctx.store.jobs.get(job.id).request_id
    assert await asyncio.to_thread(live_ctx.cancel_job, job.id) == JobState.CANCELLED
    assert request_id in fal_env.cancelled
