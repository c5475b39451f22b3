"""The offline media provider: images of the right shape and look, and fal's protocol (timing, restart
survival, cancel, errors) backed by files."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from demo_support import image_request, local, pixels, run
from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers.base import (
    MediaProvider,
    PermanentProviderError,
    RemoteHandle,
    RemoteOutput,
    TransientProviderError,
)
from pixflow_tui.providers.demo import DemoMediaProvider
from pixflow_tui.providers.demo import media as demo_media

KLING = catalog.VIDEO_MODELS["kling"]


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "demo-state"


@pytest.fixture
def provider(state_dir: Path) -> DemoMediaProvider:
    return DemoMediaProvider(state_dir, latency=0)


@pytest.fixture(autouse=True)
def predictable_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each submit draws a random seed; a fixed sequence keeps these tests reproducible."""
    seeds = iter(range(1000, 10**6, 7919))
    monkeypatch.setattr(demo_media.secrets, "randbelow", lambda _limit: next(seeds))


# --------------------------------------------------------------------------- images


def test_is_a_media_provider(provider: DemoMediaProvider) -> None:
    assert isinstance(provider, MediaProvider)
    assert provider.name == "demo"


@pytest.mark.parametrize(("ratio", "resolution", "fmt", "pil_format"), [
    ("9:16", "1K", "png", "PNG"),
    ("16:9", "1K", "jpeg", "JPEG"),
    ("1:1", "1K", "webp", "WEBP"),
    ("4:5", "1K", "png", "PNG"),
    ("21:9", "2K", "jpeg", "JPEG"),
])
async def test_image_has_exact_size_format_and_demo_marker(provider: DemoMediaProvider, ratio: str,
                                                           resolution: str, fmt: str, pil_format: str) -> None:
    [output] = await run(provider, image_request(aspect_ratio=ratio, resolution=resolution, output_format=fmt))
    path = local(output)
    assert path.is_file() and output.file_name == path.name
    assert output.content_type == f"image/{fmt}"
    assert output.metadata["demo"] is True and output.metadata["provider"] == "demo"
    with Image.open(path) as img:
        img.load()
        assert img.size == catalog.image_size(ratio, resolution)
        assert img.format == pil_format
        if fmt == "png":
            assert img.text["pixflow:demo"] == "true"
        else:
            assert img.getexif()[0x010E] == "Pixflow demo output"
        if fmt == "jpeg":
            assert img.info["comment"] == b"Pixflow demo output"


async def test_4k_png_decodes_at_full_size(provider: DemoMediaProvider) -> None:
    started = time.perf_counter()
    [output] = await run(provider, image_request(aspect_ratio="9:16", resolution="4K", output_format="png"))
    elapsed = time.perf_counter() - started
    arr = pixels(local(output))
    assert arr.shape == (4096, 2304, 3)
    assert arr.std() > 5  # a picture, not a flat fill
    assert elapsed < 10  # the real budget (< 2 s) is checked by benchmarks, not here


async def test_num_images_gives_distinct_outputs(provider: DemoMediaProvider) -> None:
    outputs = await run(provider, image_request(num_images=3, output_format="jpeg"))
    assert len(outputs) == 3
    assert len({o.file_name for o in outputs}) == 3
    first, second = pixels(local(outputs[0])), pixels(local(outputs[1]))
    assert np.abs(first - second).mean() > 5


async def test_different_prompts_give_different_pixels(provider: DemoMediaProvider) -> None:
    [a] = await run(provider, image_request("linen suit on a beach at dawn, airy, rings"))
    [b] = await run(provider, image_request("velvet gown in a candlelit library, noir, bands"))
    assert np.abs(pixels(local(a)) - pixels(local(b))).mean() > 20


async def test_colour_words_in_the_prompt_show_up(provider: DemoMediaProvider) -> None:
    [warm] = await run(provider, image_request("red crimson scarlet red dress, red lips, cherry backdrop"))
    [cool] = await run(provider, image_request("teal turquoise aqua teal dress, cobalt backdrop, sapphire"))
    warm_px, cool_px = pixels(local(warm)), pixels(local(cool))
    assert warm_px[..., 0].mean() > cool_px[..., 0].mean() + 30
    assert cool_px[..., 2].mean() > warm_px[..., 2].mean() + 30


async def test_reference_colour_shifts_the_palette(provider: DemoMediaProvider, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_media.secrets, "randbelow", lambda _limit: 4242)  # same seed: only the ref differs
    red = tmp_path / "red.png"
    Image.new("RGB", (300, 400), (230, 10, 10)).save(red)
    prompt = "studio portrait, soft light, linen shirt, plain backdrop"
    plain = await run(provider, image_request(prompt, output_format="jpeg"))
    referenced = await run(provider, image_request(prompt, refs=[str(red)], output_format="jpeg"))
    assert referenced[0].metadata["references"] == 1

    def redness(outputs: list[RemoteOutput]) -> float:
        arr = np.concatenate([pixels(local(o)).reshape(-1, 3) for o in outputs])
        return float(arr[:, 0].mean() - arr[:, 1:].mean())

    assert redness(referenced) > 60
    assert redness(referenced) > redness(plain) + 30


async def test_result_is_cached_and_leaves_no_temp_files(provider: DemoMediaProvider) -> None:
    handle = await provider.submit(image_request())
    [first] = await provider.result(handle)
    mtime = local(first).stat().st_mtime_ns
    [again] = await provider.result(handle)
    assert again == first and local(again).stat().st_mtime_ns == mtime
    folder = local(first).parent
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert (folder / "request.json").is_file() and (folder / "result.json").is_file()


async def test_concurrent_results_generate_once(provider: DemoMediaProvider) -> None:
    handle = await provider.submit(image_request())
    results = await asyncio.gather(*(provider.result(handle) for _ in range(3)))
    assert results[0] == results[1] == results[2]


# --------------------------------------------------------------------------- protocol: timing, restart, cancel


async def test_status_goes_queued_running_completed(state_dir: Path) -> None:
    provider = DemoMediaProvider(state_dir, latency=1.0)
    started = time.monotonic()
    handle = await provider.submit(image_request())
    first = await provider.status(handle)
    assert first.state == "queued" and first.queue_position is not None and first.queue_position >= 1
    with pytest.raises(TransientProviderError):
        await provider.result(handle)
    await asyncio.sleep(max(0.0, 0.55 - (time.monotonic() - started)))
    running = await provider.status(handle)
    assert running.state == "running" and running.progress is not None and 0 < running.progress < 1
    await asyncio.sleep(max(0.0, 1.05 - (time.monotonic() - started)))
    done = await provider.status(handle)
    assert done.state == "completed" and done.progress == 1.0
    assert len(await provider.result(handle)) == 1


async def test_queue_position_decreases(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(demo_media.time, "time", lambda: clock[0])
    provider = DemoMediaProvider(state_dir, latency=10.0)
    handle = await provider.submit(image_request())
    positions, progress = [], []
    for step in range(100):
        clock[0] = 1_000_000.0 + step * 0.1
        status = await provider.status(handle)
        if status.state == "queued":
            positions.append(status.queue_position)
        elif status.state == "running":
            progress.append(status.progress)
    assert positions and positions == sorted(positions, reverse=True) and positions[-1] == 1
    assert progress == sorted(progress) and progress[0] < 0.05 and progress[-1] > 0.95


async def test_a_new_instance_resolves_an_old_handle(state_dir: Path) -> None:
    first = DemoMediaProvider(state_dir, latency=0.2)
    handle = await first.submit(image_request("survives a restart"))
    await first.aclose()
    stored = handle.to_dict()
    second = DemoMediaProvider(state_dir, latency=30.0)  # the latency of the submit still applies
    restored = RemoteHandle.from_dict(stored)
    await asyncio.sleep(0.25)
    assert (await second.status(restored)).state == "completed"
    [output] = await second.result(restored)
    assert local(output).is_file()


async def test_unknown_request_ids_are_permanent_errors(provider: DemoMediaProvider) -> None:
    for request_id in ("0" * 32, "../../etc/passwd"):
        handle = RemoteHandle(request_id=request_id, model=catalog.IMAGE_MODEL)
        for call in (provider.status, provider.result, provider.cancel):
            with pytest.raises(PermanentProviderError):
                await call(handle)


async def test_cancel_marks_the_request_failed(state_dir: Path) -> None:
    provider = DemoMediaProvider(state_dir, latency=30.0)
    handle = await provider.submit(image_request())
    await provider.cancel(handle)
    status = await provider.status(handle)
    assert status.state == "failed" and status.error == "cancelled"
    with pytest.raises(PermanentProviderError, match="cancelled"):
        await provider.result(handle)
    assert (await DemoMediaProvider(state_dir, latency=0).status(handle)).error == "cancelled"


async def test_cancel_after_completion_changes_nothing(provider: DemoMediaProvider) -> None:
    handle = await provider.submit(image_request())
    await provider.cancel(handle)
    assert (await provider.status(handle)).state == "completed"


# --------------------------------------------------------------------------- bad input


async def test_missing_reference_file_is_named(provider: DemoMediaProvider, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "ref.png"
    with pytest.raises(PermanentProviderError) as info:
        await provider.submit(image_request(refs=[str(missing)]))
    assert str(missing) in info.value.message and "not found" in info.value.message


async def test_undecodable_reference_is_named(provider: DemoMediaProvider, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.png"
    bogus.write_text("this is not an image")
    with pytest.raises(PermanentProviderError) as info:
        await provider.submit(image_request(refs=[str(bogus)]))
    assert str(bogus) in info.value.message and "not a decodable image" in info.value.message


async def test_reference_deleted_after_submit_fails_at_result(provider: DemoMediaProvider, tmp_path: Path) -> None:
    ref = tmp_path / "ref.png"
    Image.new("RGB", (64, 64), (0, 200, 0)).save(ref)
    handle = await provider.submit(image_request(refs=[str(ref)]))
    ref.unlink()
    with pytest.raises(PermanentProviderError, match="not found"):
        await provider.result(handle)
    status = await provider.status(handle)
    assert status.state == "failed" and str(ref) in (status.error or "")


async def test_bad_arguments_and_inputs(provider: DemoMediaProvider, tmp_path: Path) -> None:
    with pytest.raises(PermanentProviderError, match="aspect_ratio"):
        await provider.submit(image_request(aspect_ratio="7:3"))
    with pytest.raises(PermanentProviderError, match="num_images"):
        await provider.submit(image_request(num_images=9))
    with pytest.raises(PermanentProviderError, match="image_urls"):
        await provider.submit(MediaRequest(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, {"prompt": "x"}))
    with pytest.raises(PermanentProviderError, match="text"):
        await provider.submit(MediaRequest(JobKind.SPEECH, catalog.SPEECH_MODEL, {"text": "  ", "voice": "Aria"}))
    with pytest.raises(PermanentProviderError, match="image_url"):
        await provider.submit(MediaRequest(JobKind.VIDEO, KLING, {"prompt": "x", "duration": "5"}))
    not_audio = tmp_path / "voice.mp3"
    not_audio.write_bytes(b"\x00" * 100)
    avatar = tmp_path / "a.png"
    Image.new("RGB", (32, 32)).save(avatar)
    with pytest.raises(PermanentProviderError) as info:
        await provider.submit(MediaRequest(JobKind.LIPSYNC, catalog.LIPSYNC_MODEL, {},
                                           {"image_url": str(avatar), "audio_url": str(not_audio)}))
    assert str(not_audio) in info.value.message


async def test_a_generator_crash_fails_the_job(provider: DemoMediaProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(record: dict[str, object], folder: Path) -> list[dict[str, object]]:
        raise RuntimeError("kaboom")

    async def in_this_process(function, *args):  # a patched function cannot reach the worker processes
        return await asyncio.to_thread(function, *args)

    monkeypatch.setattr(demo_media.generate, "produce", explode)
    monkeypatch.setattr(demo_media, "run_in_process", in_this_process)
    handle = await provider.submit(image_request())
    with pytest.raises(PermanentProviderError, match="kaboom"):
        await provider.result(handle)
    status = await provider.status(handle)
    assert status.state == "failed" and "kaboom" in (status.error or "")
