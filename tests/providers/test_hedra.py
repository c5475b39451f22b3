"""HedraLipsyncProvider against the local Hedra emulator: assets, the one payable generation, status, result, errors."""
from __future__ import annotations

import asyncio
import io
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import av
import httpx
import pytest
import pytest_asyncio
from PIL import Image

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.providers.base import MediaProvider, MissingKeyError, ProviderError, RemoteHandle
from pixflow_tui.providers.errors import SubmitUncertainError
from pixflow_tui.providers.hedra import HedraLipsyncProvider, generation_name
from tests.emulators.fixtures import hedra_emulator  # noqa: F401  (fixture)
from tests.emulators.hedra_emulator import HEDRA_TEST_KEY, HedraEmulator
from tests.emulators.media import audio_bytes


@pytest.fixture
def request_files(tmp_path: Path) -> MediaRequest:
    face, voice = tmp_path / "face.png", tmp_path / "voice.mp3"
    Image.new("RGB", (90, 160), (0, 177, 64)).save(face)
    voice.write_bytes(audio_bytes(1.0, "mp3", seed=3))
    return MediaRequest(JobKind.LIPSYNC, catalog.HEDRA_LIPSYNC_MODEL,
                        {"ai_model_id": catalog.HEDRA_CHARACTER3_MODEL_ID, "resolution": "720p",
                         "aspect_ratio": "9:16", "text_prompt": ""},
                        {"image_url": str(face), "audio_url": str(voice)}, meta={"language": "EN"})


@pytest_asyncio.fixture
async def provider(hedra_emulator: HedraEmulator) -> AsyncIterator[HedraLipsyncProvider]:  # noqa: F811
    hedra = HedraLipsyncProvider(HEDRA_TEST_KEY, base_url=hedra_emulator.base_url)
    yield hedra
    await hedra.aclose()


def test_it_is_a_media_provider() -> None:
    assert isinstance(HedraLipsyncProvider("k"), MediaProvider)
    assert "secret-key-123" not in repr(HedraLipsyncProvider("secret-key-123"))


async def test_prepare_uploads_two_assets_and_send_returns_the_generation_id(
        provider: HedraLipsyncProvider, hedra_emulator: HedraEmulator,  # noqa: F811
        request_files: MediaRequest) -> None:
    prepared = await provider.prepare(request_files)
    assert hedra_emulator.uploads == 2 and hedra_emulator.submissions == 0  # nothing payable yet
    body = prepared.arguments
    image, audio = hedra_emulator.assets[body["start_keyframe_id"]], hedra_emulator.assets[body["audio_id"]]
    assert (image.type, image.name, audio.type, audio.name) == ("image", "face.png", "audio", "voice.mp3")
    assert image.data == Path(request_files.files["image_url"]).read_bytes()  # type: ignore[arg-type]
    assert body["type"] == "video" and body["ai_model_id"] == catalog.HEDRA_CHARACTER3_MODEL_ID
    assert body["generated_video_inputs"] == {"text_prompt": "", "resolution": "720p", "aspect_ratio": "9:16"}

    handle = await provider.send(prepared)
    assert hedra_emulator.submissions == 1 and handle.request_id in hedra_emulator.generations
    assert handle.model == catalog.HEDRA_LIPSYNC_MODEL


async def test_status_moves_from_queued_through_processing_to_a_video(
        provider: HedraLipsyncProvider, hedra_emulator: HedraEmulator,  # noqa: F811
        request_files: MediaRequest) -> None:
    hedra_emulator.set_timing(math.inf, math.inf)
    handle = await provider.submit(request_files)
    assert (await provider.status(handle)).state == "queued"
    generation = hedra_emulator.generations[handle.request_id]
    generation.queue_seconds, generation.run_seconds = 0.0, 1000.0
    running = await provider.status(handle)
    assert running.state == "running" and running.progress is not None and 0 <= running.progress < 1
    hedra_emulator.complete(handle.request_id)
    assert (await provider.status(handle)).state == "completed"
    (output,) = await provider.result(handle)
    assert output.content_type == "video/mp4" and output.url.endswith(f"{handle.request_id}.mp4")
    async with httpx.AsyncClient() as http:
        data = (await http.get(output.url)).content
    with av.open(io.BytesIO(data)) as container:
        assert container.streams.video  # a real MP4


async def test_a_generation_that_errors_is_failed_with_its_message(
        provider: HedraLipsyncProvider, hedra_emulator: HedraEmulator,  # noqa: F811
        request_files: MediaRequest) -> None:
    hedra_emulator.fail_next("no face found in the start keyframe")
    handle = await provider.submit(request_files)
    hedra_emulator.complete(handle.request_id)
    status = await provider.status(handle)
    assert status.state == "failed" and status.error == "no face found in the start keyframe"
    assert not status.error_transient


async def test_a_refused_key_is_a_clear_permanent_error_without_the_key(
        hedra_emulator: HedraEmulator, request_files: MediaRequest) -> None:  # noqa: F811
    secret = "hedra-secret-value-42"
    hedra = HedraLipsyncProvider(secret, base_url=hedra_emulator.base_url)
    with pytest.raises(MissingKeyError) as caught:
        await hedra.prepare(request_files)
    await hedra.aclose()
    error = caught.value
    assert not error.transient and error.status_code == 401
    assert "HEDRA_API_KEY" in error.message and secret not in error.message and secret not in str(error)
    with pytest.raises(MissingKeyError, match="HEDRA_API_KEY is not set"):
        await HedraLipsyncProvider(None, base_url=hedra_emulator.base_url).prepare(request_files)


async def test_a_429_is_transient_with_its_retry_after_and_a_500_too(
        provider: HedraLipsyncProvider, hedra_emulator: HedraEmulator,  # noqa: F811
        request_files: MediaRequest) -> None:
    prepared = await provider.prepare(request_files)
    hedra_emulator.inject("429", on="generate", retry_after=7)
    with pytest.raises(ProviderError) as caught:
        await provider.send(prepared)
    assert caught.value.transient and caught.value.retry_after == 7 and caught.value.status_code == 429
    hedra_emulator.inject("500", on="status")
    handle = await provider.send(prepared)
    with pytest.raises(ProviderError) as caught:
        await provider.status(handle)
    assert caught.value.transient and caught.value.status_code == 500
    assert hedra_emulator.submissions == 1


async def test_a_lost_answer_is_uncertain_and_found_in_the_generation_list(
        provider: HedraLipsyncProvider, hedra_emulator: HedraEmulator,  # noqa: F811
        request_files: MediaRequest) -> None:
    sent_from = datetime.now(timezone.utc).replace(tzinfo=None)
    prepared = await provider.prepare(request_files)
    assert prepared.arguments["name"] == generation_name(request_files)
    hedra_emulator.inject("drop_after_accept", on="generate")
    with pytest.raises(SubmitUncertainError):
        await provider.send(prepared)
    assert hedra_emulator.submissions == 1
    answer = await provider.find_submitted(request_files, sent_from, sent_from + timedelta(seconds=1))
    assert answer.found is not None and answer.found.request_id in hedra_emulator.generations
    other = MediaRequest(JobKind.LIPSYNC, catalog.HEDRA_LIPSYNC_MODEL, {}, dict(request_files.files))
    long_ago = sent_from - timedelta(hours=1)
    answer = await provider.find_submitted(other, long_ago, long_ago + timedelta(seconds=1))
    assert answer.found is None and answer.no_record


async def test_cancel_is_a_no_op_and_a_client_is_made_per_event_loop(
        hedra_emulator: HedraEmulator, request_files: MediaRequest) -> None:  # noqa: F811
    hedra = HedraLipsyncProvider(HEDRA_TEST_KEY, base_url=hedra_emulator.base_url)
    handle = await hedra.submit(request_files)
    await hedra.cancel(RemoteHandle(handle.request_id, handle.model))
    assert hedra_emulator.submissions == 1

    def in_another_loop() -> str:
        return asyncio.run(hedra.status(handle)).state

    assert await asyncio.to_thread(in_another_loop) in ("queued", "running", "completed")
    await hedra.aclose()
