"""Avatar runs with a Hedra key: speech at fal, the lipsync at Hedra (Character-3); a generation id stored at
Hedra is followed after a restart, never sent again."""
from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Iterator

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.workflows import avatar_runs as runs
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.paid_work import commit
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY, hedra_emulator  # noqa: F401  (fixture)
from tests.emulators.hedra_emulator import HEDRA_TEST_KEY, HedraEmulator
from tests.test_avatar_runs import TEXT, avatar_file


@pytest.fixture
def hedra_settings(settings: Settings, fal_env: FalEmulator, hedra_emulator: HedraEmulator) -> Settings:  # noqa: F811
    return dataclasses.replace(settings, provider_mode="auto", fal_key=FAL_TEST_KEY, hedra_api_key=HEDRA_TEST_KEY,
                               hedra_base_url=hedra_emulator.base_url)


@pytest.fixture
def live(hedra_settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(hedra_settings)
    yield ctx
    ctx.close()


def test_lipsync_goes_to_hedra_only_live_with_a_hedra_key(settings: Settings) -> None:
    def name(**changes: object) -> str:
        ctx = AppContext(dataclasses.replace(settings, **changes), open_store=False)  # type: ignore[arg-type]
        return ctx.provider_name_for(JobKind.LIPSYNC)

    assert name(provider_mode="live", hedra_api_key="k") == "hedra"
    assert name(provider_mode="auto", fal_key="f", hedra_api_key="k") == "hedra"
    assert name(provider_mode="auto", fal_key="f") == "fal"
    assert name(provider_mode="auto", hedra_api_key="k") == "demo"  # no fal key: auto stays in demo
    assert name(provider_mode="demo", hedra_api_key="k") == "demo"
    ctx = AppContext(dataclasses.replace(settings, provider_mode="live", hedra_api_key="k"), open_store=False)
    assert ctx.provider_name_for(JobKind.SPEECH) == "fal"


def test_a_live_run_sends_the_speech_to_fal_and_the_lipsync_to_hedra(
        live: AppContext, fal_env: FalEmulator, hedra_emulator: HedraEmulator) -> None:  # noqa: F811
    plan = runs.plan_avatar_run(live, voice="Aria", avatar=avatar_file(live), text=TEXT, languages=["EN"])
    assert plan.models == {catalog.SPEECH_MODEL: 1, catalog.HEDRA_LIPSYNC_MODEL: 1} and plan.estimate > 0
    done = commit(live, plan)
    asyncio.run(live.run_jobs(batch_ids=[done.batch_id]))
    (row,) = runs.run_languages(live, done.batch_id)
    assert row.state == "done", row.error
    assert row.lipsync is not None and row.lipsync.provider == "hedra"
    assert row.deliverable and row.deliverable.endswith(".mp4")
    assert hedra_emulator.submissions == 1 and hedra_emulator.uploads == 2
    assert fal_env.total_submissions == 1 and fal_env.submissions[catalog.SPEECH_MODEL] == 1
    (video,) = live.store.assets.list(kind="lipsync", job_id=row.lipsync.id)
    assert video.source_asset_id is not None  # lineage to the speech's audio


def test_a_generation_id_stored_at_hedra_is_followed_after_a_restart_not_sent_again(
        hedra_settings: Settings, hedra_emulator: HedraEmulator) -> None:  # noqa: F811
    hedra_emulator.set_timing(math.inf, math.inf)  # held at Hedra until the test lets it finish
    first = AppContext(hedra_settings)
    done = commit(first, runs.plan_avatar_run(first, voice="Aria", avatar=avatar_file(first), text=TEXT,
                                              languages=["EN"]))

    async def until_queued_at_hedra() -> None:
        engine = first.new_engine()
        running = asyncio.create_task(engine.run(until_idle=True, batch_ids=[done.batch_id]))
        deadline = time.monotonic() + 60
        while not any(j.kind == JobKind.LIPSYNC and j.request_id for j in first.store.jobs.list(batch_id=done.batch_id)):
            assert time.monotonic() < deadline and not running.done()
            await asyncio.sleep(0.05)
        engine.request_stop("test")  # the process goes away with the generation still at Hedra
        await asyncio.wait_for(running, 30)

    asyncio.run(until_queued_at_hedra())
    first.close()
    (lipsync,) = [j for j in first.store.jobs.list(batch_id=done.batch_id) if j.kind == JobKind.LIPSYNC]
    assert lipsync.status in (JobState.QUEUED, JobState.RUNNING) and lipsync.request_id in hedra_emulator.generations
    assert hedra_emulator.submissions == 1

    hedra_emulator.complete(lipsync.request_id)
    again = AppContext(hedra_settings)
    try:
        asyncio.run(again.run_jobs(batch_ids=[done.batch_id]))
        (row,) = runs.run_languages(again, done.batch_id)
        assert row.state == "done", row.error
        assert row.lipsync is not None and row.lipsync.request_id == lipsync.request_id
    finally:
        again.close()
    assert hedra_emulator.submissions == 1  # followed, not re-sent
