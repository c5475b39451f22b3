"""Status polls by a model's usual time: fewer requests for a young job, none later for one that ends as usual."""
from __future__ import annotations

import dataclasses

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobState
from pixflow_tui.engine import polling
from pixflow_tui.engine.polling import REMOTE_MIN_POLL, UsualTimes, first_wait, poll_interval
from pixflow_tui.providers.demo import DemoMediaProvider
from pixflow_tui.workflows.context import AppContext
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY
from tests.engine.reliability_support import add_image_jobs


def poll_times(until: float, floor: float, usual: float | None) -> list[float]:
    """When the engine asks about a job, from its submit until the first look at or after `until`."""
    moment = first_wait(floor, usual)
    times = [moment]
    while moment < until:
        moment += poll_interval(moment, floor, usual)
        times.append(moment)
    return times


def test_remote_providers_are_polled_less_often_than_the_demo() -> None:
    assert poll_interval(0.0, floor=REMOTE_MIN_POLL) == REMOTE_MIN_POLL
    assert poll_interval(0.0, floor=DemoMediaProvider.min_poll_interval) < 0.05
    assert poll_interval(1000.0) == polling.MAX_POLL_INTERVAL


def test_a_usual_time_needs_a_few_jobs_and_is_their_median() -> None:
    usual = UsualTimes()
    usual.add("fal", "m", 9.0)
    usual.add("fal", "m", 30.0)
    assert usual.of("fal", "m") is None
    usual.add("fal", "m", 10.0)
    assert usual.of("fal", "m") == 10.0
    assert usual.of("fal", "other") is None and usual.of("demo", "m") is None


def test_a_job_that_ends_as_usual_is_asked_about_less_and_seen_as_soon() -> None:
    for floor, usual in ((REMOTE_MIN_POLL, 10.0), (REMOTE_MIN_POLL, 40.0), (DemoMediaProvider.min_poll_interval, 1.0)):
        before, now = poll_times(usual, floor, None), poll_times(usual, floor, usual)
        assert len(now) <= len(before) / 2, (floor, usual, len(before), len(now))
        assert now[-1] - usual <= max(floor, usual * 0.02) + 1e-9  # seen at least as soon as before
        assert before[-1] - usual <= max(floor, usual * 0.04) + 1e-9


def test_a_job_faster_than_usual_waits_at_most_the_longest_early_wait() -> None:
    for ends in (0.1, 3.0, 7.5):
        times = poll_times(ends, REMOTE_MIN_POLL, 10.0)
        assert times[-1] - ends <= polling.MAX_EARLY_WAIT


def test_a_slower_job_or_an_unknown_model_is_polled_as_before() -> None:
    assert first_wait(REMOTE_MIN_POLL, None) == 0.0
    assert first_wait(REMOTE_MIN_POLL, 0.2) == 0.0  # a model quicker than the floor: ask at once
    assert poll_interval(30.0, REMOTE_MIN_POLL, 10.0) == poll_interval(30.0, REMOTE_MIN_POLL)


async def test_the_engine_learns_a_model_time_and_polls_later_jobs_less(settings: Settings,
                                                                     fal_env: FalEmulator) -> None:
    fal_env.set_timing(0.0, 2.0)
    ctx = AppContext(dataclasses.replace(settings, provider_mode="live", fal_key=FAL_TEST_KEY, concurrency=4))
    try:
        _, ids = add_image_jobs(ctx.store, 8)
        await ctx.new_engine().run()
        jobs = [ctx.store.jobs.get(job_id) for job_id in ids]
        assert all(job is not None and job.status == JobState.DONE for job in jobs)
        polls = [fal_env.requests[job.request_id].status_polls for job in jobs if job and job.request_id]
    finally:
        ctx.close()
    first_wave, second_wave = sorted(polls[:4]), sorted(polls[4:])  # claimed and submitted in id order
    assert sum(second_wave) < sum(first_wave) * 0.85, (first_wave, second_wave)
