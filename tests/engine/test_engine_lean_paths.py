"""The engine's cheaper paths keep their guarantees: a demo output is taken on the demo provider's word only when
it is our own local file of the right size, batch statuses stay right without a count per job, leases are claimed
in bulk, progress-only writes are spaced out, and metadata goes into a PNG without rewriting it."""
from __future__ import annotations

import asyncio
import dataclasses
import math
import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobEvent, JobKind, JobState
from pixflow_tui.engine import batches, outputs, saving
from pixflow_tui.providers.demo import DemoMediaProvider
from pixflow_tui.store.records import JobRecord
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from tests.engine.conftest import prompts


@pytest.fixture
def demo_ctx(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=0.0, concurrency=4))
    yield ctx
    ctx.close()


def _job(provider: str = "demo") -> JobRecord:
    return JobRecord(id=1, batch_id=None, kind=JobKind.IMAGE, provider=provider, model="m", request={},
                     job_index=0, prompt_index=0, variant_index=0, status=JobState.DOWNLOADING, request_id="r",
                     handle=None, result=None, queue_position=None, progress=None, attempts=1, error=None,
                     lease_owner=None, lease_expires=None, next_attempt_at=None, cost_estimate=0.0, cost=None,
                     output_path=None, parent_job_id=None, created_at=None, updated_at=None,  # type: ignore[arg-type]
                     submitted_at=None, finished_at=None)


PROOF = {"bytes": 10, "width": 4, "height": 4, "thumbnail": "x.thumb.jpg"}


def test_a_proof_counts_only_for_our_demo_provider_and_a_local_file() -> None:
    local = {"url": "file:///tmp/x.png", "metadata": {"local_proof": PROOF}}
    assert saving.local_proof(_job("demo"), local) == PROOF
    assert saving.local_proof(_job("fal"), local) is None  # a remote provider's metadata proves nothing
    assert saving.local_proof(_job("demo"), {**local, "url": "https://cdn.example/x.png"}) is None
    sneaky = {"url": "file:///tmp/x.png", "metadata": {"local_proof": {**PROOF, "thumbnail": "../../etc/x"}}}
    assert saving.local_proof(_job("demo"), sneaky) is None


async def test_demo_outputs_need_no_second_decode(demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_decode(*args: Any) -> Any:
        raise AssertionError("a demo output was decoded again")

    monkeypatch.setattr(saving, "run_in_process", no_decode)
    batch = create_image_batch(demo_ctx, plan_image_batch(demo_ctx, prompts(3), resolution="1K",
                                                          output_format="jpeg"))
    await demo_ctx.run_jobs(batch_ids=[batch.id])
    images = [demo_ctx.store.images.for_job(j.id)[0] for j in demo_ctx.store.jobs.list(batch_id=batch.id)]
    assert len(images) == 3
    for image in images:
        assert (image.width, image.height) == Image.open(image.local_path).size
        with Image.open(image.thumbnail_path) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) == 384
    assert demo_ctx.store.batches.get(batch.id).status == "done"


async def test_a_local_copy_of_the_wrong_size_is_decoded_and_refused(tmp_path: Path) -> None:
    provider = DemoMediaProvider(tmp_path / "demo", latency=0)
    from pixflow_tui.core.jobs import MediaRequest

    handle = await provider.submit(MediaRequest(JobKind.IMAGE, "fal-ai/nano-banana-pro",
                                                {"prompt": "a red kite", "output_format": "png"}))
    [output] = await provider.result(handle)
    source = Path(output.url.removeprefix("file://"))
    source.write_bytes(source.read_bytes()[:5000])  # cut short after the provider vouched for it
    proof = saving.local_proof(_job("demo"), {"url": output.url, "metadata": output.metadata})
    assert proof is not None
    tmp = tmp_path / "copy.png"
    tmp.touch()
    with pytest.raises(outputs.InvalidOutput):
        await saving._fetch_checked(None, output.url, tmp, JobKind.IMAGE, tmp_path / "t.jpg",  # type: ignore[arg-type]
                                    max_attempts=1, tags=({}, tmp_path / "copy.png.json"), proof=proof)


def test_batch_status_is_refreshed_first_and_last_and_never_left_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    refreshed: list[int] = []
    monkeypatch.setattr(batches, "refresh_batch_status", lambda store, batch_id: refreshed.append(batch_id))
    tracker = batches.BatchTracker(store=None)  # type: ignore[arg-type]
    for job_id in (1, 2, 3):
        tracker.started(job_id, 7)
    tracker.finished(1)  # first: pending → running
    assert refreshed == [7]
    tracker.ended(1)
    tracker.finished(2)  # job 3 is still driven: the batch is running either way
    tracker.ended(2)
    assert refreshed == [7]
    tracker.ended(3)  # stopped unfinished (e.g. cancelled elsewhere): the skipped refresh is made now
    assert refreshed == [7, 7]
    tracker.started(4, 8)
    tracker.finished(4)  # the only job of its batch here
    assert refreshed == [7, 7, 8]


def test_claims_are_taken_in_bulk_and_respect_live_leases(demo_ctx: AppContext) -> None:
    batch = create_image_batch(demo_ctx, plan_image_batch(demo_ctx, prompts(3), resolution="1K"))
    ids = [j.id for j in demo_ctx.store.jobs.list(batch_id=batch.id)]
    jobs = demo_ctx.store.jobs
    assert jobs.claim_many(ids, "a", now=100.0, lease_seconds=30) == set()  # leased to the process that made them
    for job_id in ids:
        jobs.release(job_id, demo_ctx.owner)
    assert jobs.claim_many(ids[:2], "a", now=100.0, lease_seconds=30) == set(ids[:2])
    assert jobs.claim_many(ids, "b", now=110.0, lease_seconds=30) == {ids[2]}
    assert jobs.claim_many(ids, "b", now=131.0, lease_seconds=30) == set(ids)  # a's leases expired


async def test_progress_only_changes_are_spaced_out(settings: Settings) -> None:
    ctx = AppContext(dataclasses.replace(settings, provider_mode="demo", demo_latency=1.0, concurrency=4))
    seen: list[JobEvent] = []
    ctx.events.subscribe(seen.append)
    try:
        batch = create_image_batch(ctx, plan_image_batch(ctx, prompts(2), resolution="1K"))
        await ctx.run_jobs(batch_ids=[batch.id])
    finally:
        ctx.close()
    for job_id in {e.job_id for e in seen}:
        states = [e.state for e in seen if e.job_id == job_id]
        assert states[-1] == JobState.DONE and JobState.QUEUED in states and JobState.DOWNLOADING in states
        # a demo job reports new progress on every 20 ms poll; about 0.7 s of running gives at most a few writes
        assert states.count(JobState.RUNNING) <= 4, states


async def test_the_demo_provider_makes_the_output_while_the_request_waits(tmp_path: Path) -> None:
    from pixflow_tui.core.jobs import MediaRequest

    provider = DemoMediaProvider(tmp_path / "demo", latency=30.0)
    handle = await provider.submit(MediaRequest(JobKind.IMAGE, "fal-ai/nano-banana-pro", {"prompt": "a kite"}))
    manifest = tmp_path / "demo" / handle.request_id / "result.json"
    for _ in range(600):  # made in the background, long before the 30 s are up
        if manifest.is_file():
            break
        await asyncio.sleep(0.05)
    assert manifest.is_file()
    assert (await provider.status(handle)).state in ("queued", "running")
    await provider.aclose()


def test_metadata_goes_into_a_png_and_survives_trailing_bytes(tmp_path: Path) -> None:
    for trailing in (b"", b"garbage after the end"):
        path = tmp_path / f"x{len(trailing)}.png"
        Image.new("RGB", (8, 8), (10, 200, 30)).save(path)
        path.write_bytes(path.read_bytes() + trailing)
        assert outputs.embed_metadata(path, {"prompt": "kite"}, outputs.sidecar_path(path)) is False
        assert outputs.read_metadata(path) == {"prompt": "kite"}
        with Image.open(path) as decoded:
            decoded.load()
            assert decoded.getpixel((0, 0)) == (10, 200, 30)
    jpeg = tmp_path / "x.jpg"
    Image.new("RGB", (8, 8)).save(jpeg)
    before = jpeg.read_bytes()
    assert outputs.embed_metadata(jpeg, {"prompt": "kite"}, outputs.sidecar_path(jpeg)) is True
    scan = before.index(b"\xff\xdb")  # the tables and the image data after the JFIF header are copied unchanged
    assert jpeg.read_bytes().endswith(before[scan:]) and outputs.read_metadata(jpeg) == {"prompt": "kite"}


async def test_a_remote_provider_cannot_make_the_engine_copy_a_local_file(settings: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(secret)
    job = dataclasses.replace(_job("fal"), result={"outputs": [{"url": secret.as_uri(), "content_type": "image/png",
                                                                 "file_name": "x.png", "metadata": {}}]})
    outcome = await saving.save_outputs(None, settings, None, job)  # type: ignore[arg-type]
    assert outcome.error is not None and "local file URL" in outcome.error and outcome.first_path is None


async def test_a_worker_dying_while_it_rewrites_a_download_means_downloading_it_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check tags a download in place: a worker killed halfway leaves a file that may still decode, spliced
    from two versions. Checking that file again could save a damaged picture; it is downloaded again instead."""
    source = tmp_path / "out.jpg"
    Image.effect_noise((256, 256), 60).convert("RGB").save(source, "JPEG", quality=90)
    calls: list[bool] = []

    async def dies_then_works(function: Any, *args: Any, retry_if_broken: bool = True) -> Any:
        calls.append(retry_if_broken)
        if len(calls) == 1:
            path, data = args[0], args[0].read_bytes()
            with path.open("r+b") as out:  # a longer head written over the start, the rest not yet moved
                out.write(b"\xff\xd8\xff\xfe\x10\x00" + bytes(4094) + data[2:len(data) // 2])
            raise BrokenProcessPool("a worker died")
        return function(*args)

    monkeypatch.setattr(saving, "run_in_process", dies_then_works)
    tmp = tmp_path / ".out.jpg.part"
    tmp.touch()
    metadata = {"app": "pixflow", "settings": {"prompt": "noise"}}
    info = await saving._fetch_checked(None, source.as_uri(), tmp, JobKind.IMAGE,  # type: ignore[arg-type]
                                       tmp_path / "t.jpg", max_attempts=3, tags=(metadata, tmp_path / "out.json"))
    assert calls == [False, False]  # never re-checked in the worker's place: a second download, then its check
    assert (info.width, info.height) == (256, 256)
    with Image.open(tmp) as saved, Image.open(source) as original:
        assert saved.tobytes() == original.tobytes()


async def test_a_pool_broken_by_a_dying_worker_is_replaced_and_the_call_retried_only_when_asked() -> None:
    from pixflow_tui.providers import offload

    with pytest.raises(BrokenProcessPool):
        await offload.run_in_process(os._exit, 3, retry_if_broken=False)
    assert await offload.run_in_process(math.sqrt, 16.0) == 4.0  # a fresh pool
