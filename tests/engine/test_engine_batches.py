"""Batches through the engine against the fal emulator: completion, faults, cancel, retry, regenerate."""
from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
from PIL import Image

from pixflow_tui.core.jobs import JobEvent, JobState
from pixflow_tui.engine.outputs import read_metadata
from pixflow_tui.store import ImageFilter
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from pixflow_tui.workflows.paid_work import BudgetExceeded, commit, plan_regenerate, plan_retry
from tests.emulators.fal_emulator import FalEmulator
from tests.engine.conftest import prompts, write_reference

pytestmark = pytest.mark.both_backends


def _states(ctx: AppContext, batch_id: int) -> list[JobState]:
    return [j.status for j in ctx.store.jobs.list(batch_id=batch_id)]


async def test_fifty_job_batch_completes_with_every_file(live_ctx: AppContext, fal_env: FalEmulator,
                                                         events: list[JobEvent]) -> None:
    plan = plan_image_batch(live_ctx, prompts(25), concept="harbour at dusk", variants=2, output_format="png",
                            resolution="1K", aspect_ratio="16:9")
    batch = create_image_batch(live_ctx, plan)
    await live_ctx.run_jobs(batch_ids=[batch.id])

    jobs = live_ctx.store.jobs.list(batch_id=batch.id)
    assert len(jobs) == 50 and all(j.status == JobState.DONE for j in jobs)
    assert fal_env.total_submissions == 50
    images = live_ctx.store.images.list(ImageFilter(batch_id=batch.id), limit=100)
    assert len(images) == 50
    for image in images:
        path = Path(image.local_path)
        assert path.is_file() and path.parent.name == f"batch-{batch.id:05d}"
        with Image.open(path) as decoded:
            assert decoded.format == "PNG" and decoded.width > decoded.height
        metadata = read_metadata(path)
        assert metadata["model"] == "fal-ai/nano-banana-pro" and metadata["concept"] == "harbour at dusk"
        assert metadata["demo"] is False and metadata["prompt"]["style"].startswith("CRITICAL:")
        assert image.thumbnail_path and Path(image.thumbnail_path).is_file()
    names = {Path(i.local_path).name for i in images}
    assert f"b{batch.id:05d}_001_p01_v1.png" in names and f"b{batch.id:05d}_050_p25_v2.png" in names
    finished = live_ctx.store.batches.get(batch.id)
    assert finished.status == "done" and finished.cost_actual == pytest.approx(50 * 0.15)
    done_events = {e.job_id for e in events if e.state == JobState.DONE}
    assert done_events == {j.id for j in jobs}


async def test_references_are_uploaded_and_use_the_edit_model(live_ctx: AppContext, fal_env: FalEmulator,
                                                              tmp_path: Path) -> None:
    ref = write_reference(tmp_path / "ref.png")
    plan = plan_image_batch(live_ctx, prompts(1), references=[str(ref)], resolution="1K")
    batch = create_image_batch(live_ctx, plan)
    await live_ctx.run_jobs(batch_ids=[batch.id])
    assert _states(live_ctx, batch.id) == [JobState.DONE]
    assert fal_env.submissions["fal-ai/nano-banana-pro/edit"] == 1
    (request,) = fal_env.requests.values()
    assert request.arguments["image_urls"][0].startswith(fal_env.base_url)


@pytest.mark.parametrize("fault", ["500", "503", "429"])
async def test_transient_submit_faults_are_retried(live_ctx: AppContext, fal_env: FalEmulator, fault: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pixflow_tui.engine.runner.backoff_delay", lambda attempt, retry_after=None, **_: 0.01)
    fal_env.inject(fault, on="submit", times=2, retry_after=0.01)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.DONE and job.attempts == 3
    assert fal_env.total_submissions == 1


async def test_retry_after_is_honoured(live_ctx: AppContext, fal_env: FalEmulator,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    real_sleep = __import__("asyncio").sleep

    async def recording_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(min(seconds, 0.01))

    monkeypatch.setattr("pixflow_tui.engine.runner.asyncio.sleep", recording_sleep)
    fal_env.inject("429", on="submit", times=1, retry_after=7)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    assert _states(live_ctx, batch.id) == [JobState.DONE]
    assert any(6.5 <= d <= 7.5 for d in delays), delays


async def test_permanent_faults_fail_at_once_with_the_providers_words(live_ctx: AppContext,
                                                                      fal_env: FalEmulator) -> None:
    fal_env.inject("content_policy", on="submit", times=2)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(3), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    jobs = live_ctx.store.jobs.list(batch_id=batch.id)
    assert sorted(j.status for j in jobs) == [JobState.DONE, JobState.FAILED, JobState.FAILED]
    errors = " | ".join(j.error or "" for j in jobs)
    assert "content policy" in errors.lower()
    assert all(j.attempts == 1 for j in jobs)
    assert live_ctx.store.batches.get(batch.id).status == "partial"
    # (a runner failure at fal, error_type runner_server_error, is retryable: tests/engine/test_reliability.py)


async def test_validation_error_is_permanent(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    plan = plan_image_batch(live_ctx, prompts(1), resolution="1K")
    plan.jobs[0].request.arguments.pop("prompt")
    batch = create_image_batch(live_ctx, plan)
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.FAILED and "prompt" in job.error and job.attempts == 1


async def test_dropped_submit_becomes_unknown_and_is_resubmitted_only_on_request(
        live_ctx: AppContext, fal_env: FalEmulator) -> None:
    fal_env.inject("drop", on="submit", times=1, after_accept=True)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.UNKNOWN and "may have" in job.error
    await live_ctx.run_jobs(batch_ids=[batch.id])  # a plain resume leaves it alone
    assert live_ctx.store.jobs.get(job.id).status == JobState.UNKNOWN
    assert fal_env.total_submissions == 1
    commit(live_ctx, plan_retry(live_ctx, [job.id]))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    assert live_ctx.store.jobs.get(job.id).status == JobState.DONE
    assert fal_env.total_submissions == 2


async def test_truncated_download_is_fetched_again(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    fal_env.inject("truncate", on="download", times=1)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.DONE and fal_env.total_submissions == 1
    with Image.open(job.output_path) as image:
        image.load()


async def test_unwritable_outputs_fail_with_reason_and_stay_resumable(live_ctx: AppContext,
                                                                      fal_env: FalEmulator) -> None:
    outputs = live_ctx.settings.outputs_dir
    outputs.parent.mkdir(parents=True, exist_ok=True)
    outputs.write_text("a file where the outputs folder should be")
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (job,) = live_ctx.store.jobs.list(batch_id=batch.id)
    assert job.status == JobState.FAILED and str(outputs) in job.error and "retry" in job.error
    assert job.result and job.request_id
    outputs.unlink()
    assert plan_retry(live_ctx, [job.id]).requeues[0].target == JobState.DOWNLOADING
    commit(live_ctx, plan_retry(live_ctx, [job.id]))
    assert live_ctx.store.jobs.get(job.id).status == JobState.DOWNLOADING
    await live_ctx.run_jobs(batch_ids=[batch.id])
    job = live_ctx.store.jobs.get(job.id)
    assert job.status == JobState.DONE and Path(job.output_path).is_file()
    assert fal_env.total_submissions == 1  # downloaded again, not paid again


async def test_cancel_mid_batch_calls_the_provider(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    import asyncio

    fal_env.set_timing(queue_seconds=30, run_seconds=30)
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(4), resolution="1K"))
    runner = asyncio.create_task(live_ctx.run_jobs(batch_ids=[batch.id]))
    for _ in range(200):
        await asyncio.sleep(0.02)
        if all(s == JobState.QUEUED for s in _states(live_ctx, batch.id)):
            break
    from pixflow_tui.engine import control

    result = await control.cancel_batch(live_ctx.store, batch.id, live_ctx.provider_for, live_ctx.events)
    assert result == {JobState.CANCELLED: 4}
    await asyncio.wait_for(runner, 10)
    assert _states(live_ctx, batch.id) == [JobState.CANCELLED] * 4
    assert len(fal_env.cancelled) == 4
    assert live_ctx.store.batches.get(batch.id).status == "cancelled"


async def test_regenerate_makes_a_linked_job_and_keeps_the_old_output(live_ctx: AppContext,
                                                                       fal_env: FalEmulator) -> None:
    batch = create_image_batch(live_ctx, plan_image_batch(live_ctx, prompts(1), resolution="1K"))
    await live_ctx.run_jobs(batch_ids=[batch.id])
    (old,) = live_ctx.store.jobs.list(batch_id=batch.id)
    new = live_ctx.store.jobs.get(commit(live_ctx, plan_regenerate(live_ctx, [old.id])).job_ids[0])
    await live_ctx.run_jobs(batch_ids=[batch.id])
    new = live_ctx.store.jobs.get(new.id)
    assert new.status == JobState.DONE and new.parent_job_id == old.id
    assert Path(old.output_path).is_file() and Path(new.output_path).is_file()
    assert old.output_path != new.output_path
    assert fal_env.total_submissions == 2


def test_budget_cap_refuses_with_the_figures(live_ctx: AppContext) -> None:
    import dataclasses

    live_ctx.settings = dataclasses.replace(live_ctx.settings, budget_cap=1.0)
    plan = plan_image_batch(live_ctx, prompts(4), variants=2, resolution="2K")
    with pytest.raises(BudgetExceeded, match=r"\$1\.20.*\$1\.00"):
        create_image_batch(live_ctx, plan)
    assert live_ctx.store.batches.list() == []


async def test_a_run_closes_the_http_clients_it_opened(live_ctx: AppContext, fal_env: FalEmulator) -> None:
    """They belong to the run's event loop; one left open warns when collected (on a terminal, in the CLI)."""
    plan = plan_image_batch(live_ctx, prompts(2), concept="harbour at dusk", output_format="jpeg", resolution="1K",
                            aspect_ratio="1:1")
    batch = create_image_batch(live_ctx, plan)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await live_ctx.run_jobs(batch_ids=[batch.id])
        gc.collect()
    assert [j.status for j in live_ctx.store.jobs.list(batch_id=batch.id)] == [JobState.DONE] * 2
    assert not [w for w in caught if "Unclosed" in str(w.message)]
    assert live_ctx.provider_for("fal")._client is None  # type: ignore[attr-defined]
