"""What a module builds on its first visit is frozen out of the collector's reach: a full collection no longer walks
it (pauses of 50-100 ms in the middle of a visit or a batch). A return freezes nothing new."""
from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from pixflow_tui.core.jobs import JobEvent, JobState
from pixflow_tui.tui import heap
from pixflow_tui.tui.screens.asset_monster import AssetMonsterScreen

from tui_helpers import settle, wait_for


async def test_a_first_visit_freezes_what_it_built_and_a_return_does_not(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = gc.get_freeze_count()
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetMonsterScreen) and app.screen)
        await settle(pilot)
        after_first = gc.get_freeze_count()
        assert after_first > before
        await pilot.press("1")
        await settle(pilot)
        garbage = [[n] for n in range(1000)]  # young objects a return must leave to the collector
        await pilot.press("2")
        await settle(pilot)
        assert gc.get_freeze_count() < after_first + len(garbage)
    assert gc.get_freeze_count() == 0  # handed back when the app closes


# -- QuietCollector: full collections wait for a quiet moment -----------------------------------------------------

def _full_collections() -> int:
    return gc.get_stats()[2]["collections"]


def _run_young_collections(count: int) -> None:
    for _ in range(count):
        gc.collect(1)


async def _turns(seconds: float) -> None:
    await asyncio.sleep(seconds)


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(heap, "QUIET", 0.1)
    thresholds = gc.get_threshold()
    quiet = heap.QuietCollector()
    gc.collect()  # the young-collection count starts at 0
    yield quiet
    quiet.stop()
    assert gc.get_threshold() == thresholds
    assert quiet._collected not in gc.callbacks


async def test_cpython_no_longer_starts_a_full_collection_itself(collector) -> None:
    collector.start()
    assert gc.get_threshold()[2] == heap.NEVER
    collector.note_input()  # someone is typing: nothing is collected
    before = _full_collections()
    garbage = [[n] for n in range(300 * gc.get_threshold()[0])]  # enough allocations for many young collections
    del garbage
    await _turns(0.0)
    assert gc.get_count()[2] > 0
    assert _full_collections() == before


async def test_a_due_full_collection_waits_for_quiet_input(collector) -> None:
    collector.start()
    collector.note_input()
    before = _full_collections()
    _run_young_collections(heap.DUE)
    await _turns(0.05)  # the check ran: input 50 ms ago, less than QUIET
    assert _full_collections() == before
    await _turns(0.2)
    assert _full_collections() == before + 1
    assert gc.get_count()[2] == 0
    assert collector._timer is None  # nothing more is scheduled: an idle app is not woken


async def test_not_due_nothing_is_scheduled(collector) -> None:
    collector.start()
    _run_young_collections(heap.DUE - 1)
    await _turns(0.15)
    assert collector._timer is None and not collector._asked


async def test_a_job_in_flight_defers_it_until_overdue(collector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "OVERDUE", heap.DUE + 5)
    collector.start()
    collector.note_job_event(JobEvent(job_id=1, batch_id=1, state=JobState.RUNNING))
    before = _full_collections()
    _run_young_collections(heap.DUE)
    await _turns(0.3)  # no event for longer than QUIET, but the job is still running
    assert _full_collections() == before
    collector.note_job_event(JobEvent(job_id=1, batch_id=1, state=JobState.DONE))
    await _turns(0.35)
    assert _full_collections() == before + 1

    collector.note_job_event(JobEvent(job_id=2, batch_id=1, state=JobState.QUEUED))
    _run_young_collections(heap.OVERDUE)  # a long batch: overdue, it runs once input is quiet
    await _turns(0.35)
    assert _full_collections() == before + 2


async def test_past_the_limit_input_no_longer_delays_it(collector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "QUIET", 60.0)
    monkeypatch.setattr(heap, "LIMIT", heap.DUE + 3)
    collector.start()
    collector.note_input()
    before = _full_collections()
    _run_young_collections(heap.DUE)
    await _turns(0.01)
    assert _full_collections() == before
    _run_young_collections(3)
    collector._check()  # the timer's next check (after QUIET) would find the same
    assert _full_collections() == before + 1


async def test_a_collection_in_another_thread_hands_the_check_to_the_loop(collector) -> None:
    collector.start()
    before = _full_collections()
    thread = threading.Thread(target=_run_young_collections, args=(heap.DUE,))
    thread.start()
    thread.join()
    await _turns(0.3)
    assert _full_collections() == before + 1


async def test_the_app_runs_it_and_hands_the_thresholds_back(make_app) -> None:
    thresholds = gc.get_threshold()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[2] == heap.NEVER
        before = app.collector.last_input
        await pilot.press("2")
        assert app.collector.last_input > before
    assert gc.get_threshold() == thresholds
