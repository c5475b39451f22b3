"""A stop, a fault or a full disk never costs a paid job: the engine against the fal emulator with faults."""
from __future__ import annotations

import asyncio
import errno
import io
import logging
from datetime import datetime, timedelta
from pathlib import Path

import peewee
import pytest
from PIL import Image

from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.engine import download
from pixflow_tui.engine.runner import REMOTE, JobEngine
from pixflow_tui.engine.saving import output_folder
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.logs import setup_logging
from tests.emulators.fal_emulator import FalEmulator
from tests.engine.conftest import write_reference
from tests.engine.reliability_support import PRICE, add_finished_job, add_image_jobs, states

FOREVER = 10**9


def _engine(ctx: AppContext, **options: object) -> JobEngine:
    return ctx.new_engine(stall_after=3, poll_retry_base=0.01, **options)


async def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait (bounded) for a condition the emulator or the ledger will reach."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


# ---- 3, 4: a failing status endpoint never fails a job the provider holds, and never hangs a run ----------


@pytest.mark.parametrize("code", ["400", "401", "403", "404"])
async def test_a_refused_status_poll_leaves_the_job_resumable(live_ctx: AppContext, fal_env: FalEmulator,
                                                              code: str) -> None:
    _, ids = add_image_jobs(live_ctx.store, 2)
    fal_env.inject(code, on="status", times=FOREVER)  # type: ignore[arg-type]
    summary = await _engine(live_ctx).run()
    assert sorted(summary.stalled) == ids
    jobs = [live_ctx.store.jobs.get(i) for i in ids]
    assert all(j.status in REMOTE and j.request_id and j.error is None for j in jobs)
    fal_env.clear_faults()
    summary = await live_ctx.new_engine().run()
    assert states(live_ctx.store, ids) == [JobState.DONE, JobState.DONE] and not summary.stalled
    assert fal_env.total_submissions == 2  # never re-submitted


async def test_a_locked_database_while_at_the_provider_stalls_instead_of_failing(
        live_ctx: AppContext, fal_env: FalEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    _, (job_id,) = add_image_jobs(live_ctx.store, 1)
    jobs = live_ctx.store.jobs
    real = jobs.transition

    def locked(job_id: int, from_states, **fields):  # type: ignore[no-untyped-def]
        if fields.get("status") == JobState.DOWNLOADING:
            raise peewee.OperationalError("database is locked")
        return real(job_id, from_states, **fields)

    monkeypatch.setattr(jobs, "transition", locked)
    summary = await live_ctx.new_engine().run()
    job = jobs.get(job_id)
    assert summary.stalled == [job_id] and job.status in REMOTE and job.request_id
    monkeypatch.setattr(jobs, "transition", real)
    await live_ctx.new_engine().run()
    assert jobs.get(job_id).status == JobState.DONE and fal_env.total_submissions == 1


async def test_a_run_ends_while_the_status_endpoint_keeps_failing(live_ctx: AppContext,
                                                                  fal_env: FalEmulator) -> None:
    _, ids = add_image_jobs(live_ctx.store, 3)
    fault = fal_env.inject("500", on="status", times=FOREVER)
    summary = await asyncio.wait_for(_engine(live_ctx).run(), timeout=60)
    assert sorted(summary.stalled) == ids
    assert all(s in REMOTE for s in states(live_ctx.store, ids))
    assert fault.hits == 3 * 3  # each job polled until it counted as stalled, then left alone by this run


# ---- 5: the provider's own failures are retried by sending the request again, counted in attempts ----------


async def test_a_runner_failure_at_the_provider_is_submitted_again(live_ctx: AppContext,
                                                                   fal_env: FalEmulator) -> None:
    _, (job_id,) = add_image_jobs(live_ctx.store, 1)
    fal_env.inject("failed", on="submit", times=1)  # COMPLETED with error_type runner_server_error
    await live_ctx.new_engine().run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.DONE and job.attempts == 2
    assert fal_env.total_submissions == 2


async def test_a_provider_that_keeps_failing_is_given_up_on(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    _, (job_id,) = add_image_jobs(live_ctx.store, 1)
    fal_env.inject("failed", on="submit", times=FOREVER)
    await live_ctx.new_engine(max_attempts=2).run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.FAILED and "gave up after 2 attempts" in (job.error or "")
    assert fal_env.total_submissions == 2


async def test_a_rate_limited_submit_is_retried_with_backoff(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    _, (job_id,) = add_image_jobs(live_ctx.store, 1)
    fal_env.inject("500", on="submit", times=1, retry_after=0.0)  # 500 + x-fal-error-type internal_error
    await live_ctx.new_engine().run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.DONE and job.attempts == 2 and fal_env.total_submissions == 1


# ---- 1, 2: stops ------------------------------------------------------------------------------------------


async def test_a_stop_lets_submits_on_the_wire_answer_and_keeps_their_request_ids(
        live_ctx: AppContext, fal_env: FalEmulator) -> None:
    _, ids = add_image_jobs(live_ctx.store, 3)
    fault = fal_env.inject("slow", on="submit", times=3, seconds=0.5)
    engine = live_ctx.new_engine()
    run = asyncio.create_task(engine.run())
    await _until(lambda: fault.hits == 3, "three submits on the wire")
    assert states(live_ctx.store, ids) == [JobState.SUBMITTING] * 3
    engine.request_stop("SIGTERM")
    summary = await run
    jobs = [live_ctx.store.jobs.get(i) for i in ids]
    assert all(j.status == JobState.QUEUED and j.request_id for j in jobs)
    assert {j.request_id for j in jobs} == set(fal_env.requests)
    assert summary.stopped == "SIGTERM" and summary.at_provider == ids
    assert "still at the provider" in summary.stop_message and "pixflow jobs resume" in summary.stop_message
    await live_ctx.new_engine().run()
    assert states(live_ctx.store, ids) == [JobState.DONE] * 3 and fal_env.total_submissions == 3


async def test_a_stop_during_uploads_leaves_the_job_pending(live_ctx: AppContext, fal_env: FalEmulator,
                                                            tmp_path: Path) -> None:
    ref = write_reference(tmp_path / "ref.png")
    _, (job_id,) = add_image_jobs(live_ctx.store, 1, files={"image_urls": [str(ref)]})
    fault = fal_env.inject("slow", on="upload", times=1, seconds=0.5)
    engine = live_ctx.new_engine()
    run = asyncio.create_task(engine.run())
    await _until(lambda: fault.hits == 1, "the upload on the wire")
    assert live_ctx.store.jobs.get(job_id).status == JobState.PENDING  # not submitting while uploading
    engine.request_stop("SIGINT")
    summary = await run
    assert live_ctx.store.jobs.get(job_id).status == JobState.PENDING and fal_env.total_submissions == 0
    assert summary.waiting == [job_id] and summary.at_provider == []


async def test_a_second_stop_does_not_wait(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    _, ids = add_image_jobs(live_ctx.store, 1)
    fault = fal_env.inject("slow", on="submit", times=1, seconds=30)
    engine = live_ctx.new_engine()
    run = asyncio.create_task(engine.run())
    await _until(lambda: fault.hits == 1, "the submit on the wire")
    engine.request_stop("SIGINT")
    engine.request_stop("SIGINT")
    await asyncio.wait_for(run, timeout=10)
    assert states(live_ctx.store, ids) == [JobState.SUBMITTING]  # honest: its answer was never read


# ---- 8: spend counts what the provider billed, once ------------------------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    async def full(client, url, dest, cap):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(download, "_fetch_http", full)


async def test_a_full_disk_fails_the_save_but_keeps_the_result_and_the_bill(
        live_ctx: AppContext, fal_env: FalEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id, (job_id,) = add_image_jobs(live_ctx.store, 1)
    _disk_full(monkeypatch)
    await live_ctx.new_engine().run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.FAILED and "disk" in job.error and "full" in job.error
    assert "Traceback" not in job.error and job.result and job.request_id
    since = datetime.utcnow() - timedelta(hours=1)
    assert job.cost == PRICE and live_ctx.store.jobs.spend_since(since) == pytest.approx(PRICE)
    assert live_ctx.store.batches.get(batch_id).cost_actual == pytest.approx(PRICE)
    assert not list(output_folder(live_ctx.store, live_ctx.settings, job).glob(".*.part"))

    monkeypatch.undo()
    # what `pixflow jobs retry` does with a job whose result is stored: download again, never re-submit
    assert live_ctx.store.jobs.transition(job_id, [JobState.FAILED], status=JobState.DOWNLOADING, error=None,
                                          finished_at=None)
    await live_ctx.new_engine().run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.DONE and fal_env.total_submissions == 1
    assert live_ctx.store.jobs.spend_since(since) == pytest.approx(PRICE)  # billed once
    assert live_ctx.store.batches.get(batch_id).cost_actual == pytest.approx(PRICE)


async def test_demo_jobs_cost_nothing(live_ctx: AppContext) -> None:
    import dataclasses

    demo = AppContext(dataclasses.replace(live_ctx.settings, provider_mode="demo", demo_latency=0.0))
    try:
        _, (job_id,) = add_image_jobs(demo.store, 1, provider="demo")
        await demo.new_engine().run()
        job = demo.store.jobs.get(job_id)
        assert job.status == JobState.DONE and job.cost == 0.0
    finally:
        demo.close()


def test_the_log_file_drops_records_quietly_when_the_disk_is_full(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(tmp_path)
    handler = next(h for h in logging.getLogger().handlers if type(h).__name__ == "_PixflowLogHandler")

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    handler.file_handler().stream = Full()  # type: ignore[attr-defined]
    logging.getLogger("pixflow_tui.test").error("this cannot be written")
    assert capsys.readouterr().err == ""
    assert handler.dropped == 1  # type: ignore[attr-defined]


def test_the_log_file_keeps_httpx_warnings_but_not_every_request(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    logging.getLogger("httpx").info("HTTP Request: GET http://fal/requests/1/status 200 OK")
    logging.getLogger("httpx").warning("a proxy answered oddly")
    logging.getLogger("pixflow_tui.test").info("job 1 done")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "a proxy answered oddly" in text and "job 1 done" in text and "HTTP Request" not in text


# ---- 10: content that is not what it claims to be ---------------------------------------------------------


async def test_a_png_served_as_a_video_is_not_saved_as_mp4(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 200)).save(buffer, "PNG")
    url = fal_env.add_file(buffer.getvalue(), "clip.mp4", "video/mp4")
    job_id = add_finished_job(live_ctx.store, JobKind.VIDEO, url, "video/mp4", "clip.mp4")
    await live_ctx.new_engine().run()
    job = live_ctx.store.jobs.get(job_id)
    assert job.status == JobState.FAILED and "PNG image where a video was expected" in job.error
    assert job.result and sum(fal_env.downloads.values()) == 1  # not fetched again and again; still retrievable
    assert not list(live_ctx.settings.outputs_dir.rglob("*.mp4"))


# ---- 7: stale .part files --------------------------------------------------------------------------------


async def test_stale_part_files_go_when_the_engine_starts(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 200)).save(buffer, "PNG")
    url = fal_env.add_file(buffer.getvalue(), "out.png", "image/png")
    job_id = add_finished_job(live_ctx.store, JobKind.IMAGE, url, "image/png", "out.png")
    folder = output_folder(live_ctx.store, live_ctx.settings, live_ctx.store.jobs.get(job_id))
    folder.mkdir(parents=True)
    dead = folder / ".b00001_001_p01_v1.png.pid999999999.x1.part"  # no such process
    legacy = folder / ".b00001_001_p01_v1.png.k2j3.part"  # written before names carried a pid
    alive = folder / f".b00001_001_p01_v1.png.pid{_other_live_pid()}.x2.part"
    for path in (dead, legacy, alive):
        path.write_bytes(b"half a file")
    await live_ctx.new_engine().run()
    assert live_ctx.store.jobs.get(job_id).status == JobState.DONE
    assert not dead.exists() and not legacy.exists() and alive.exists()


def _other_live_pid() -> int:
    import os

    return os.getppid()


def test_the_tui_quit_drains_like_a_signal(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    from pixflow_tui.engine.service import EngineService

    _, ids = add_image_jobs(live_ctx.store, 2)
    fault = fal_env.inject("slow", on="submit", times=2, seconds=0.5)
    service = EngineService(live_ctx.new_engine())
    service.start()
    service.wake()
    for _ in range(2000):
        if fault.hits == 2:
            break
        import time

        time.sleep(0.01)
    service.stop()
    jobs = [live_ctx.store.jobs.get(i) for i in ids]
    assert all(j.status == JobState.QUEUED and j.request_id for j in jobs), [j.status for j in jobs]
    assert fal_env.total_submissions == 2
