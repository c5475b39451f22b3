"""FalMediaProvider end to end: the real fal_client against the local fal emulator."""
from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import Callable
from pathlib import Path

import fal_client.client as fc
import pytest
from emulators.fal_emulator import FalEmulator
from provider_support import FAL_SECRET, download, open_image, poll_until_finished

from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobKind, MediaRequest
from pixflow_tui.core.requests import video_request
from pixflow_tui.providers.base import (
    MissingKeyError,
    PermanentProviderError,
    ProviderError,
    RemoteHandle,
    TransientProviderError,
)
from pixflow_tui.providers.errors import SubmitUncertainError
from pixflow_tui.providers.fal_media import FalMediaProvider, apply_fal_base_url, outputs_from_result

IMAGE_ARGS = {"prompt": "a red silk dress on a rooftop", "aspect_ratio": "9:16", "resolution": "1K",
              "num_images": 1, "output_format": "png"}


def image_request(**overrides: object) -> MediaRequest:
    return MediaRequest(JobKind.IMAGE, catalog.IMAGE_MODEL, {**IMAGE_ARGS, **overrides})


async def run_to_end(fal: FalMediaProvider, request: MediaRequest) -> tuple[RemoteHandle, list]:
    handle = await fal.submit(request)
    statuses = await poll_until_finished(fal, handle)
    assert statuses[-1].state == "completed", statuses[-1]
    return handle, await fal.result(handle)


# ---------------------------------------------------------------------------------------------- capabilities


async def test_image_without_references(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    handle, outputs = await run_to_end(fal, image_request())

    assert handle.model == catalog.IMAGE_MODEL
    assert handle.request_id in fal_emu.requests
    assert handle.status_url and handle.status_url.endswith(f"/requests/{handle.request_id}/status")
    assert handle.response_url and handle.cancel_url
    assert fal_emu.submissions[catalog.IMAGE_MODEL] == 1
    assert fal_emu.requests[handle.request_id].arguments == IMAGE_ARGS
    assert fal_emu.keys_seen == {FAL_SECRET}  # the key we passed, never one from the environment

    [output] = outputs
    assert output.content_type == "image/png"
    assert output.file_name.endswith(".png")
    img = open_image(await download(output.url))
    assert img.format == "PNG"
    assert img.size == (output.metadata["width"], output.metadata["height"])
    assert img.width < img.height  # 9:16


async def test_image_with_references_uploads_to_storage_and_uses_the_edit_model(
        fal: FalMediaProvider, fal_emu: FalEmulator, make_image: Callable[..., Path]) -> None:
    refs = [str(make_image("face.png", color=(20, 40, 220))), str(make_image("body.jpg", fmt="JPEG"))]
    request = MediaRequest(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, {**IMAGE_ARGS, "output_format": "jpeg"},
                           files={"image_urls": refs})

    handle, outputs = await run_to_end(fal, request)

    uploaded = {u.file_name: u for u in fal_emu.uploads}  # uploaded in parallel, so in any order
    assert sorted(uploaded) == ["body.jpg", "face.png"]
    assert uploaded["face.png"].content_type == "image/png" and uploaded["body.jpg"].content_type == "image/jpeg"
    sent = fal_emu.requests[handle.request_id].arguments
    assert sent["image_urls"] == [uploaded["face.png"].url, uploaded["body.jpg"].url]  # in the caller's order
    assert request.arguments.get("image_urls") is None  # the caller's arguments are left alone
    [output] = outputs
    assert output.content_type == "image/jpeg"
    assert open_image(await download(output.url)).format == "JPEG"

    # a second job with the same references reuses the uploads
    await fal.submit(request)
    assert len(fal_emu.uploads) == 2
    assert fal_emu.submissions[catalog.IMAGE_EDIT_MODEL] == 2


async def test_concurrent_jobs_share_one_upload_per_reference(fal: FalMediaProvider, fal_emu: FalEmulator,
                                                              make_image: Callable[..., Path]) -> None:
    request = MediaRequest(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, dict(IMAGE_ARGS),
                           files={"image_urls": [str(make_image("shared.png"))]})
    handles = await asyncio.gather(*(fal.submit(request) for _ in range(4)))
    assert len(fal_emu.uploads) == 1
    assert {tuple(fal_emu.requests[h.request_id].arguments["image_urls"]) for h in handles} == {
        (fal_emu.uploads[0].url,)}


@pytest.mark.parametrize("model", sorted(catalog.VIDEO_MODELS))
async def test_video_from_a_local_image(fal: FalMediaProvider, fal_emu: FalEmulator,
                                        make_image: Callable[..., Path], model: str) -> None:
    """Each model gets the arguments it takes (the emulator refuses any other field)."""
    source = make_image("still.png", size=(90, 160))
    request = video_request(str(source), prompt="the camera zooms in, slow", duration="5", model=model)

    handle, outputs = await run_to_end(fal, request)

    assert fal_emu.requests[handle.request_id].arguments["image_url"] == fal_emu.uploads[0].url
    [output] = outputs
    assert output.content_type == "video/mp4"
    assert (await download(output.url))[4:8] == b"ftyp"


async def test_speech_then_lipsync_with_the_speech_audio(fal: FalMediaProvider, fal_emu: FalEmulator,
                                                         make_image: Callable[..., Path], tmp_path: Path) -> None:
    speech = MediaRequest(JobKind.SPEECH, catalog.SPEECH_MODEL, {
        "text": "Turn one selfie into a whole photo shoot in seconds.", "voice": "Aria",
        "stability": 0.5, "similarity_boost": 0.75, "speed": 1,
    })
    _, [audio] = await run_to_end(fal, speech)
    assert audio.content_type == "audio/mpeg"
    audio_path = tmp_path / "voice.mp3"
    audio_path.write_bytes(await download(audio.url))

    avatar = make_image("avatar.png", size=(72, 128))
    lipsync = MediaRequest(JobKind.LIPSYNC, catalog.LIPSYNC_MODEL, {},
                           files={"image_url": str(avatar), "audio_url": str(audio_path)})
    handle, [video] = await run_to_end(fal, lipsync)

    sent = fal_emu.requests[handle.request_id].arguments
    assert sent["image_url"].startswith(fal_emu.origin) and sent["audio_url"].startswith(fal_emu.origin)
    assert video.content_type == "video/mp4"


async def test_remote_urls_are_passed_through_without_upload(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    url = fal_emu.add_file(b"\x89PNG fake", "already-there.png", "image/png")
    request = MediaRequest(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, dict(IMAGE_ARGS), files={"image_urls": [url]})
    handle = await fal.submit(request)
    assert fal_emu.requests[handle.request_id].arguments["image_urls"] == [url]
    assert fal_emu.uploads == []


async def test_status_goes_queued_running_completed(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.set_timing(0.3, 0.3)
    first = await fal.submit(image_request())
    second = await fal.submit(image_request())

    assert (await fal.status(second)).queue_position == 1
    statuses = await poll_until_finished(fal, first)

    states = [s.state for s in statuses]
    assert states[0] == "queued" and statuses[0].queue_position == 0
    assert "running" in states and states.index("running") < states.index("completed")
    running = next(s for s in statuses if s.state == "running")
    assert any(catalog.IMAGE_MODEL in line for line in running.logs)
    assert statuses[-1].progress == 1.0


async def test_status_after_a_restart_uses_only_the_stored_handle(fal_emu: FalEmulator) -> None:
    first = FalMediaProvider(FAL_SECRET, base_url=fal_emu.base_url)
    handle = await first.submit(image_request())
    stored = handle.to_dict()
    await first.aclose()

    second = FalMediaProvider(FAL_SECRET, base_url=fal_emu.base_url)
    statuses = await poll_until_finished(second, RemoteHandle.from_dict(stored))
    assert statuses[-1].state == "completed"
    assert len(await second.result(RemoteHandle.from_dict(stored))) == 1
    assert fal_emu.total_submissions == 1
    await second.aclose()


# A client of a finished loop cannot be closed any more: dropping it leaves its socket to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_one_provider_works_across_event_loops(fal_emu: FalEmulator) -> None:
    """Each asyncio.run() gets its own client; reusing a loop-bound one would fail against keep-alive."""
    provider = FalMediaProvider(FAL_SECRET, base_url=fal_emu.base_url)
    handle = asyncio.run(provider.submit(image_request()))
    fal_emu.complete(handle.request_id)
    assert asyncio.run(provider.status(handle)).state == "completed"
    assert len(asyncio.run(provider.result(handle))) == 1
    del provider
    gc.collect()  # release the clients of the finished loops here, not during a later test


async def test_cancel_a_queued_request(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.set_timing(math.inf, 1)
    handle = await fal.submit(image_request())
    await fal.cancel(handle)

    assert handle.request_id in fal_emu.cancelled
    status = await fal.status(handle)
    assert status.state == "failed" and not status.error_transient
    assert "cancel" in (status.error or "").lower()


async def test_cancel_after_completion_is_not_an_error(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    handle, _ = await run_to_end(fal, image_request())
    await fal.cancel(handle)
    assert handle.request_id not in fal_emu.cancelled


def test_apply_fal_base_url_patches_the_client_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUEUE_URL_FORMAT", "RUN_URL_FORMAT", "REST_URL", "CDN_URL"):
        monkeypatch.setattr(fc, name, getattr(fc, name))
    apply_fal_base_url("http://gateway.local:8080/")
    assert fc.QUEUE_URL_FORMAT == "http://gateway.local:8080/"
    assert fc.RUN_URL_FORMAT == "http://gateway.local:8080/"
    assert fc.REST_URL == "http://gateway.local:8080"
    assert fc.CDN_URL == "http://gateway.local:8080"


# ---------------------------------------------------------------------------------------------- faults


async def test_429_is_transient_with_retry_after(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.inject("429", retry_after=7)
    with pytest.raises(TransientProviderError) as caught:
        await fal.submit(image_request())
    assert caught.value.retry_after == 7
    assert caught.value.status_code == 429
    assert fal_emu.total_submissions == 0


@pytest.mark.parametrize("fault", ["500", "503"])
async def test_server_errors_are_transient(fal: FalMediaProvider, fal_emu: FalEmulator, fault: str) -> None:
    fal_emu.inject(fault)  # type: ignore[arg-type]
    with pytest.raises(TransientProviderError) as caught:
        await fal.submit(image_request())
    assert caught.value.status_code == int(fault)
    assert "<html>" not in caught.value.message


async def test_422_at_submit_is_permanent_and_names_the_field(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.validate_at = "submit"
    with pytest.raises(PermanentProviderError) as caught:
        await fal.submit(image_request(num_images=9, prompt=None))
    message = caught.value.message
    assert caught.value.status_code == 422
    assert "prompt: field required" in message
    assert "num_images: ensure this value is less than or equal to 4" in message


async def test_invalid_input_found_while_running_fails_permanently(fal: FalMediaProvider,
                                                                   fal_emu: FalEmulator) -> None:
    handle = await fal.submit(image_request(aspect_ratio="7:3"))
    status = (await poll_until_finished(fal, handle))[-1]
    assert status.state == "failed" and not status.error_transient
    assert "aspect_ratio" in (status.error or "")
    with pytest.raises(PermanentProviderError, match="aspect_ratio"):
        await fal.result(handle)


async def test_content_policy_is_permanent_with_a_clear_message(fal: FalMediaProvider,
                                                                fal_emu: FalEmulator) -> None:
    fal_emu.inject("content_policy")
    handle = await fal.submit(image_request())
    status = (await poll_until_finished(fal, handle))[-1]
    assert status.state == "failed" and not status.error_transient
    assert status.error == "refused by the provider's content policy: The content was flagged by a content checker."
    with pytest.raises(PermanentProviderError) as caught:
        await fal.result(handle)
    assert caught.value.message.startswith("refused by the provider's content policy: ")


async def test_runner_failure_is_transient(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.inject("failed")
    handle = await fal.submit(image_request())
    status = (await poll_until_finished(fal, handle))[-1]
    assert status.state == "failed" and status.error_transient
    with pytest.raises(TransientProviderError):
        await fal.result(handle)


@pytest.mark.parametrize(("fault", "on"), [("drop", "submit"), ("drop", "status"), ("malformed", "status"),
                                           ("truncate", "result")])
async def test_broken_connections_and_bodies_are_transient(fal: FalMediaProvider, fal_emu: FalEmulator,
                                                           fault: str, on: str) -> None:
    handle = None if on == "submit" else await fal.submit(image_request())
    if handle is not None:
        fal_emu.complete(handle.request_id)
    # a read that finds its kept-alive connection dropped is sent once more on a new one (below): drop that too
    fal_emu.inject(fault, on=on, times=2 if (fault, on) == ("drop", "status") else 1)  # type: ignore[arg-type]
    with pytest.raises(TransientProviderError):
        if handle is None:
            await fal.submit(image_request())
        elif on == "status":
            await fal.status(handle)
        else:
            await fal.result(handle)


async def test_a_read_on_a_dropped_kept_alive_connection_is_sent_once_more(fal: FalMediaProvider,
                                                                           fal_emu: FalEmulator) -> None:
    handle = await fal.submit(image_request())  # leaves a kept-alive connection in the pool
    fal_emu.complete(handle.request_id)
    fal_emu.inject("drop", on="status")
    assert (await fal.status(handle)).state == "completed"


async def test_a_submit_on_a_dropped_connection_is_never_sent_again(fal: FalMediaProvider,
                                                                    fal_emu: FalEmulator) -> None:
    await fal.submit(image_request())
    fal_emu.inject("drop", on="submit", after_accept=True)
    with pytest.raises(SubmitUncertainError):
        await fal.submit(image_request())
    assert fal_emu.total_submissions == 2  # the dropped one was kept by the server and sent once


async def test_a_proxy_named_by_the_environment_is_used(fal: FalMediaProvider, fal_emu: FalEmulator,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "localhost")  # not the emulator's 127.0.0.1: its requests must go to the proxy
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(TransientProviderError, match="could not reach fal"):
        await fal.submit(image_request())
    assert fal_emu.total_submissions == 0


async def test_unreachable_service_is_transient(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.stop()
    with pytest.raises(TransientProviderError, match="could not reach fal") as caught:
        await fal.submit(image_request())
    assert not isinstance(caught.value, SubmitUncertainError)  # nothing was sent


@pytest.mark.parametrize("fault", ["malformed", "drop"])
async def test_a_lost_submit_answer_is_flagged_uncertain(fal: FalMediaProvider, fal_emu: FalEmulator,
                                                         fault: str) -> None:
    """The provider may hold the task without us knowing its id: the engine must not blindly resubmit."""
    fal_emu.inject(fault, after_accept=True)  # type: ignore[arg-type]
    with pytest.raises(SubmitUncertainError) as caught:
        await fal.submit(image_request())
    assert caught.value.transient
    assert fal_emu.total_submissions == 1


async def test_a_refused_submit_is_not_uncertain(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    fal_emu.inject("429")
    with pytest.raises(TransientProviderError) as caught:
        await fal.submit(image_request())
    assert not isinstance(caught.value, SubmitUncertainError)


async def test_failed_uploads_are_reported(fal: FalMediaProvider, fal_emu: FalEmulator,
                                           make_image: Callable[..., Path]) -> None:
    fal_emu.inject("500", on="upload", times=2)  # the CDN upload and its storage fallback
    request = MediaRequest(JobKind.IMAGE, catalog.IMAGE_EDIT_MODEL, dict(IMAGE_ARGS),
                           files={"image_urls": [str(make_image())]})
    with pytest.raises(ProviderError) as caught:
        await fal.submit(request)
    assert "ref.png" in caught.value.message
    assert fal_emu.total_submissions == 0


async def test_missing_local_file_is_permanent_and_named(fal: FalMediaProvider, tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    request = MediaRequest(JobKind.VIDEO, catalog.VIDEO_MODELS["kling"], {"prompt": "x"},
                           files={"image_url": str(missing)})
    with pytest.raises(PermanentProviderError, match="nope.png"):
        await fal.submit(request)


async def test_no_key_fails_only_when_called(fal_emu: FalEmulator) -> None:
    provider = FalMediaProvider(None, base_url=fal_emu.base_url)
    assert provider.name == "fal"
    with pytest.raises(MissingKeyError, match="FAL_KEY is not set"):
        await provider.submit(image_request())
    with pytest.raises(MissingKeyError):
        await provider.status(RemoteHandle("rid", catalog.IMAGE_MODEL))
    assert fal_emu.total_submissions == 0 and fal_emu.auth_failures == 0
    await provider.aclose()


async def test_the_key_never_appears_in_errors(fal: FalMediaProvider, fal_emu: FalEmulator) -> None:
    messages = []
    for fault in ("429", "500", "503", "drop"):
        fal_emu.inject(fault)  # type: ignore[arg-type]
        with pytest.raises(ProviderError) as caught:
            await fal.submit(image_request())
        messages.append(str(caught.value))
    fal_emu.inject("content_policy")  # its 422 body echoes the prompt back
    handle = await fal.submit(image_request(prompt=f"a portrait {FAL_SECRET}"))
    messages.append((await poll_until_finished(fal, handle))[-1].error or "")
    with pytest.raises(ProviderError) as caught:
        await fal.result(handle)
    messages.append(str(caught.value))
    assert all(FAL_SECRET not in m for m in messages)
    assert FAL_SECRET not in repr(fal)


# ---------------------------------------------------------------------------------------------- result parsing


def test_outputs_from_the_common_result_shapes() -> None:
    image = outputs_from_result({"images": [{"url": "https://cdn/x/a.webp", "width": 8, "height": 9}], "seed": 3})
    assert image[0].content_type == "image/webp" and image[0].file_name == "a.webp"
    assert image[0].metadata == {"seed": 3, "width": 8, "height": 9}

    video = outputs_from_result({"video_url": "https://cdn/v/clip.mp4", "video": {"url": "https://cdn/v/clip.mp4"}})
    assert [(o.url, o.content_type) for o in video] == [("https://cdn/v/clip.mp4", "video/mp4")]

    audio = outputs_from_result({"audio_url": "https://cdn/a/speech"})
    assert audio[0].content_type == "audio/mpeg"

    data = outputs_from_result({"audio": {"url": "data:audio/wav;base64,AAAA"}})
    assert data[0].content_type == "audio/wav"

    assert outputs_from_result({"text": "no files"}) == []
    assert outputs_from_result(["not", "a", "dict"]) == []
