"""Self-tests: the real fal-client and openai SDKs against the local emulators (no network)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import os
import signal
import ssl
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Literal, Optional

import fal_client
import fal_client.client as fc
import httpx
import openai
import pydantic
import pytest
from PIL import Image
from pydantic import BaseModel, Field

from . import media
from .fal_emulator import FalEmulator
from .fixtures import (  # noqa: F401 - fixtures are found by name
    FAL_TEST_KEY,
    OPENAI_TEST_KEY,
    fal_async_client,
    fal_emulator,
    fal_env,
    openai_async_client,
    openai_emulator,
)
from .openai_emulator import OpenAIEmulator
from .schema_gen import fake_from_schema

IMAGE_APP = "fal-ai/nano-banana-pro"
EDIT_APP = "fal-ai/nano-banana-pro/edit"
VIDEO_APP = "fal-ai/kling-video/v2.5-turbo/pro/image-to-video"
TTS_APP = "fal-ai/elevenlabs/tts/eleven-v3"
LIPSYNC_APP = "fal-ai/sync-lipsync/v2"


_SSL = ssl.create_default_context()  # httpx loads the CA bundle per client otherwise (~0.1 s each)


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient(verify=_SSL) as client:
        return await client.get(url)


def png_data_url(size: tuple[int, int], color: tuple[int, int, int]) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# ============================================================================ fal: happy paths


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("aspect", "resolution", "fmt", "pil_format", "size"),
    [
        ("16:9", "2K", "png", "PNG", (256, 144)),
        ("9:16", "1K", "jpeg", "JPEG", (72, 128)),
        ("1:1", "4K", "webp", "WEBP", (512, 512)),
    ],
)
async def test_fal_image_submit_status_result_download(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
    aspect: str,
    resolution: str,
    fmt: str,
    pil_format: str,
    size: tuple[int, int],
) -> None:
    args = {"prompt": "orange cat", "aspect_ratio": aspect, "resolution": resolution, "output_format": fmt}
    handle = await fal_async_client.submit(IMAGE_APP, {**args, "num_images": 2})
    assert isinstance(await handle.status(), fal_client.Queued)
    events = [event async for event in handle.iter_events(with_logs=True, interval=0.02)]
    assert isinstance(events[-1], fal_client.Completed) and events[-1].error is None
    result = await handle.get()
    assert len(result["images"]) == 2 and result["description"] == ""
    for item in result["images"]:
        assert (item["width"], item["height"]) == size
        assert item["content_type"] == f"image/{fmt}"
        response = await fetch(item["url"])
        img = Image.open(io.BytesIO(response.content))
        assert img.format == pil_format and img.size == size
        assert item["file_size"] == len(response.content)
    assert fal_env.submissions[IMAGE_APP] == 1
    assert fal_env.requests[handle.request_id].arguments["prompt"] == "orange cat"
    assert fal_env.keys_seen == {FAL_TEST_KEY}


def test_fal_a_submit_cut_short_by_a_dying_client_is_not_accepted(fal_emulator: FalEmulator) -> None:
    """A client killed between the headers and the whole body (a SIGKILL mid-submit) leaves no submission."""
    import socket
    import time
    from urllib.parse import urlsplit

    url = urlsplit(fal_emulator.base_url)
    body = json.dumps({"prompt": "a lighthouse"}).encode()
    head = (f"POST /{IMAGE_APP} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Key {FAL_TEST_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port)) as conn:
        conn.sendall(head)  # the body never comes: the client died after the headers
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not fal_emulator.requests:
        time.sleep(0.05)
    assert fal_emulator.total_submissions == 0 and not fal_emulator.requests
    with socket.create_connection((url.hostname, url.port)) as conn:  # the whole body is a submission
        conn.sendall(head + body)
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    assert fal_emulator.total_submissions == 1


def test_fal_fixed_image_is_served_for_every_image_request(tmp_path: Path) -> None:
    """`python -m emulators --image-file F` (as benchmarks run it, in its own process) answers each image request
    with F's bytes, whatever size was asked, and says F's own size and type."""
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(picture, "JPEG", quality=90)
    image = tmp_path / "photo.jpg"
    image.write_bytes(picture.getvalue())
    process = subprocess.Popen([sys.executable, "-m", "emulators", "--queue-seconds", "0", "--run-seconds", "0",
                                "--image-file", str(image)], cwd=Path(__file__).resolve().parents[1],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base = next(line.split()[1] for line in process.stdout if line.startswith("fal "))
        headers = {"Authorization": f"Key {FAL_TEST_KEY}"}
        with httpx.Client(headers=headers, trust_env=False) as client:
            args = {"prompt": "a lighthouse", "aspect_ratio": "16:9", "resolution": "2K", "output_format": "png"}
            submitted = client.post(f"{base}/{IMAGE_APP}", json={**args, "num_images": 2}).json()
            images = client.get(submitted["response_url"]).json()["images"]
            assert [(i["width"], i["height"], i["content_type"]) for i in images] == [(300, 200, "image/jpeg")] * 2
            assert all(client.get(i["url"]).content == image.read_bytes() for i in images)
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.asyncio
async def test_fal_subpath_ids_use_owner_alias_urls(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    ref = png_data_url((40, 20), (0, 0, 255))
    handle = await fal_async_client.submit(EDIT_APP, {"prompt": "a hat", "image_urls": [ref], "aspect_ratio": "auto"})
    assert handle.status_url == f"{fal_env.base_url}/fal-ai/nano-banana-pro/requests/{handle.request_id}/status"
    # A client that only kept the request id (e.g. after a restart) rebuilds the URLs from owner/alias.
    later = fal_client.AsyncClient(key=FAL_TEST_KEY)
    result = await later.result(EDIT_APP, handle.request_id)
    image = result["images"][0]
    assert (image["width"], image["height"]) == (128, 64)  # "auto" follows the reference's 2:1 shape
    assert fal_env.submissions == {EDIT_APP: 1}
    # The subpath is not part of status URLs: building one with it is a 404, as on fal.
    response = await fetch(f"{fal_env.base_url}/{EDIT_APP}/requests/{handle.request_id}/status")
    assert response.status_code == 404


@pytest.mark.asyncio
async def test_fal_video_speech_and_lipsync_media(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    source = fal_env.add_file(media.image_bytes(90, 160, "png", seed=1), "face.png", "image/png")
    video_args = {"prompt": "slow zoom", "image_url": source, "duration": "5"}
    video = await (await fal_async_client.submit(VIDEO_APP, video_args)).get()
    assert video["video"]["content_type"] == "video/mp4"
    data = (await fetch(video["video"]["url"])).content
    assert len(data) == video["video"]["file_size"]
    width, height, duration, has_audio = media.probe_video(data) or (0, 0, 0.0, True)
    assert (width, height, duration, has_audio) == (90, 160, 5.0, False)

    text = "one two three four five six seven eight nine ten"  # 10 words at 2.5 words/s
    speech = await (await fal_async_client.submit(TTS_APP, {"text": text, "voice": "Aria"})).get()
    assert speech["audio"]["content_type"] == "audio/mpeg"
    audio = (await fetch(speech["audio"]["url"])).content
    assert media.audio_duration(audio) == pytest.approx(4.0, abs=0.1)

    lipsync_args = {"video_url": video["video"]["url"], "audio_url": speech["audio"]["url"]}
    lipsync = await (await fal_async_client.submit(LIPSYNC_APP, lipsync_args)).get()
    probed = media.probe_video((await fetch(lipsync["video"]["url"])).content)
    assert probed is not None and probed[3] is True and probed[2] == pytest.approx(4.0, abs=0.2)


@pytest.mark.asyncio
async def test_fal_timing_progresses_from_submit_time(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    fal_env.set_timing(0.3, 0.3)
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert isinstance(await handle.status(), fal_client.Queued)
    await asyncio.sleep(0.35)
    in_progress = await handle.status(with_logs=True)
    assert isinstance(in_progress, fal_client.InProgress) and in_progress.logs
    await asyncio.sleep(0.35)
    done = await handle.status()
    assert isinstance(done, fal_client.Completed) and done.logs is None and "inference_time" in done.metrics

    fal_env.set_timing(0, math.inf, app=IMAGE_APP)
    held = await fal_async_client.submit(IMAGE_APP, {"prompt": "y"})
    assert isinstance(await held.status(), fal_client.InProgress)
    fal_env.complete(held.request_id)
    assert isinstance(await held.status(), fal_client.Completed)


@pytest.mark.asyncio
async def test_fal_queue_position_counts_requests_ahead(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    fal_env.set_timing(5, 0)
    handles = [await fal_async_client.submit(IMAGE_APP, {"prompt": str(i)}) for i in range(3)]
    positions = [(await h.status()).position for h in handles]  # type: ignore[attr-defined]
    assert positions == [0, 1, 2]


@pytest.mark.asyncio
async def test_fal_concurrent_submissions_are_counted(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    apps = [IMAGE_APP, EDIT_APP] * 10
    payloads = [{"prompt": f"p{i}", "image_urls": ["data:,x"]} for i in range(20)]
    handles = await asyncio.gather(*(fal_async_client.submit(a, p) for a, p in zip(apps, payloads)))
    assert fal_env.total_submissions == 20
    assert fal_env.submissions == {IMAGE_APP: 10, EDIT_APP: 10}
    assert {fal_env.requests[h.request_id].arguments["prompt"] for h in handles} == {f"p{i}" for i in range(20)}
    state = (await fetch(f"{fal_env.base_url}/_emu/state")).json()
    assert state["total_submissions"] == 20


@pytest.mark.asyncio
async def test_fal_run_is_direct(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    result = await fal_async_client.run(IMAGE_APP, {"prompt": "direct"})
    assert result["images"][0]["width"] == 128
    assert fal_env.runs[IMAGE_APP] == 1 and fal_env.total_submissions == 0


@pytest.mark.asyncio
async def test_fal_state_survives_stop_start(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    port = fal_env.port
    fal_env.stop()
    with pytest.raises(httpx.TransportError):
        await fal_client.AsyncClient(key=FAL_TEST_KEY).status(IMAGE_APP, handle.request_id)
    fal_env.start()
    assert fal_env.port == port
    assert "images" in await fal_client.AsyncClient(key=FAL_TEST_KEY).result(IMAGE_APP, handle.request_id)


CHILD_SUBMITS = """
import asyncio, sys, time
import fal_client, fal_client.client as fc
base = sys.argv[1]
fc.QUEUE_URL_FORMAT, fc.REST_URL, fc.CDN_URL = base + "/", base, base
async def main():
    handle = await fal_client.AsyncClient(key="child-key").submit("fal-ai/nano-banana-pro", {"prompt": "child"})
    print(handle.request_id, flush=True)
    time.sleep(60)
asyncio.run(main())
"""


@pytest.mark.asyncio
async def test_fal_request_outlives_a_killed_client_process(
    fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient, tmp_path: Path
) -> None:
    env = {**os.environ, "FAL_HOME_DIR": str(tmp_path / "child-fal-home")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SUBMITS, fal_env.base_url], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        request_id = (await asyncio.to_thread(child.stdout.readline)).strip()  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert fal_env.submissions == {IMAGE_APP: 1} and fal_env.keys_seen == {"child-key"}
    result = await fal_async_client.result(IMAGE_APP, request_id)
    assert result["images"][0]["url"].startswith(fal_env.base_url)
    assert fal_env.total_submissions == 1


# ============================================================================ fal: validation, auth, cancel


@pytest.mark.asyncio
async def test_fal_missing_prompt_fails_at_result(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    handle = await fal_async_client.submit(IMAGE_APP, {"aspect_ratio": "1:1"})
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await handle.get()
    assert info.value.status_code == 422
    assert info.value.message == [{"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}]
    status = await handle.status()
    assert isinstance(status, fal_client.Completed) and status.error and "prompt" in status.error


@pytest.mark.asyncio
async def test_fal_validation_at_submit(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    fal_env.validate_at = "submit"
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await fal_async_client.submit(VIDEO_APP, {"image_url": "data:,x", "duration": "7.5s", "aspect_ratio": "4:3"})
    assert info.value.status_code == 422
    # Kling takes "5" or "10" only (a generic video endpoint would take 7.5 s)
    assert {e["loc"][1] for e in info.value.message} == {"prompt", "aspect_ratio", "duration"}
    assert fal_env.total_submissions == 0 and len(fal_env.rejected) == 1


@pytest.mark.asyncio
async def test_fal_requires_key(fal_env: FalEmulator) -> None:
    client = fal_client.AsyncClient(key=FAL_TEST_KEY)
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await client.submit(IMAGE_APP, {"prompt": "x"}, headers={"Authorization": "Bearer not-a-fal-key"})
    assert info.value.status_code == 401 and info.value.message == "Invalid authorization"
    async with httpx.AsyncClient() as raw:
        assert (await raw.post(f"{fal_env.base_url}/{IMAGE_APP}", json={"prompt": "x"})).status_code == 401
    assert fal_env.auth_failures == 2 and fal_env.total_submissions == 0 and not fal_env.keys_seen


@pytest.mark.asyncio
async def test_fal_cancel(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    fal_env.set_timing(5, 5)
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    await handle.cancel()
    assert fal_env.cancelled == {handle.request_id}
    status = await handle.status()
    assert isinstance(status, fal_client.Completed) and status.error_type == "client_cancelled"
    with pytest.raises(fal_client.FalClientHTTPError) as again:
        await handle.cancel()
    assert again.value.status_code == 400 and "ALREADY_COMPLETED" in str(again.value.message)
    with pytest.raises(fal_client.FalClientHTTPError) as result:
        await handle.get()
    assert result.value.status_code == 499 and result.value.error_type == "client_cancelled"


# ============================================================================ fal: uploads


@pytest.mark.asyncio
async def test_fal_upload_bytes_and_file(
    fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient, tmp_path: Path
) -> None:
    url = await fal_async_client.upload(b"hello", "text/plain", "hello.txt")
    assert (await fetch(url)).content == b"hello"
    path = tmp_path / "ref.png"
    Image.new("RGB", (8, 4), (0, 255, 0)).save(path)
    file_url = await fal_async_client.upload_file(path)
    response = await fetch(file_url)
    assert response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (8, 4)
    assert [(u.file_name, u.via) for u in fal_env.uploads] == [("hello.txt", "fal_v3"), ("ref.png", "fal_v3")]
    # An uploaded reference feeds an edit request like a real CDN URL would.
    edit_args = {"prompt": "x", "image_urls": [file_url], "aspect_ratio": "auto"}
    result = await (await fal_async_client.submit(EDIT_APP, edit_args)).get()
    assert (result["images"][0]["width"], result["images"][0]["height"]) == (128, 64)


@pytest.mark.asyncio
async def test_fal_upload_storage_fallback(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    url = await fal_async_client.upload(b"abc", "application/octet-stream", "a.bin", repository="fal")
    assert (await fetch(url)).content == b"abc" and fal_env.uploads[-1].via == "fal"
    # A failing CDN upload is hidden by fal-client's fallback to the storage repository.
    fal_env.inject("500", on="upload")
    url = await fal_async_client.upload(b"xyz", "text/plain", "b.txt")
    assert (await fetch(url)).content == b"xyz" and fal_env.uploads[-1].via == "fal"
    fal_env.inject("500", on="upload", times=2)
    with pytest.raises(fal_client.FalClientHTTPError):
        await fal_async_client.upload(b"nope", "text/plain", "c.txt")


# ============================================================================ fal: fault injection


@pytest.mark.asyncio
async def test_fault_429_on_submit(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fault = fal_env.inject("429", retry_after=2)
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert info.value.status_code == 429 and info.value.response_headers["retry-after"] == "2"
    assert fal_env.total_submissions == 0 and fault.remaining == 0
    # fal-client retries 429 itself when allowed more than one attempt.
    monkeypatch.setattr(fc, "MAX_ATTEMPTS", 3)
    fal_env.inject("429", times=2)
    await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert fal_env.total_submissions == 1


@pytest.mark.asyncio
async def test_fault_500_and_503(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    fal_env.inject("500", on="status")
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await handle.status()
    assert info.value.status_code == 500 and info.value.error_type == "internal_error"
    fal_env.inject("503", on="submit")
    with pytest.raises(fal_client.FalClientHTTPError) as unavailable:
        await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert unavailable.value.status_code == 503
    monkeypatch.setattr(fc, "MAX_ATTEMPTS", 2)  # the nginx-style 503 counts as an ingress error: retried
    fal_env.inject("503", on="submit")
    await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert fal_env.total_submissions == 2


@pytest.mark.asyncio
async def test_fault_slow_submit_times_out_but_is_accepted(fal_env: FalEmulator) -> None:
    fal_env.inject("slow", seconds=0.5)
    client = fal_client.AsyncClient(key=FAL_TEST_KEY, default_timeout=0.2)
    with pytest.raises(httpx.ReadTimeout):
        await client.submit(IMAGE_APP, {"prompt": "x"})
    assert fal_env.total_submissions == 1  # the provider has it: the app must treat this job as "unknown"


@pytest.mark.asyncio
async def test_fault_drop(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    fal_env.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert fal_env.total_submissions == 0
    fal_env.inject("drop", after_accept=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    assert fal_env.total_submissions == 1


@pytest.mark.asyncio
async def test_fault_truncate(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    fal_env.inject("truncate", on="result")
    with pytest.raises(httpx.RemoteProtocolError):
        await handle.get()
    url = (await handle.get())["images"][0]["url"]
    fal_env.inject("truncate", on="download")
    with pytest.raises(httpx.RemoteProtocolError):
        await fetch(url)
    assert Image.open(io.BytesIO((await fetch(url)).content)).size == (128, 128)


@pytest.mark.asyncio
async def test_fault_malformed(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    fal_env.inject("malformed", on="result")
    with pytest.raises(json.JSONDecodeError):
        await handle.get()
    url = (await handle.get())["images"][0]["url"]
    fal_env.inject("malformed", on="download")
    response = await fetch(url)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with pytest.raises(Exception):
        Image.open(io.BytesIO(response.content))


@pytest.mark.asyncio
async def test_fault_content_policy(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    fal_env.inject("content_policy")
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "forbidden"})
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await handle.get()
    assert info.value.status_code == 422
    assert info.value.message[0]["type"] == "content_policy_violation"
    assert info.value.message[0]["input"] == "forbidden"
    status = await handle.status()
    assert isinstance(status, fal_client.Completed) and status.error_type == "content_policy_violation"


@pytest.mark.asyncio
async def test_fault_failed(fal_env: FalEmulator, fal_async_client: fal_client.AsyncClient) -> None:
    fal_env.inject("failed")
    handle = await fal_async_client.submit(IMAGE_APP, {"prompt": "x"})
    with pytest.raises(fal_client.FalClientHTTPError) as info:
        await handle.get()
    assert info.value.status_code == 500 and info.value.error_type == "runner_server_error"
    status = await handle.status()
    assert isinstance(status, fal_client.Completed) and status.error and status.error_type == "runner_server_error"


@pytest.mark.asyncio
async def test_fault_matches_app_and_is_consumed(
    fal_env: FalEmulator,
    fal_async_client: fal_client.AsyncClient,
) -> None:
    fault = fal_env.inject("500", app="fal-ai/kling-video", times=2)
    await fal_async_client.submit(IMAGE_APP, {"prompt": "unaffected"})
    for _ in range(2):
        with pytest.raises(fal_client.FalClientHTTPError):
            await fal_async_client.submit(VIDEO_APP, {"prompt": "x", "image_url": "data:,x"})
    await fal_async_client.submit(VIDEO_APP, {"prompt": "x", "image_url": "data:,x"})
    assert fault.hits == 2 and fal_env.submissions == {IMAGE_APP: 1, VIDEO_APP: 1}
    with pytest.raises(ValueError):
        fal_env.inject("content_policy", on="status")


# ============================================================================ OpenAI


class Shot(BaseModel):
    prompt: str
    duration_s: int = Field(ge=1, le=10)
    camera: Literal["pan", "zoom", "orbit"]


class Mood(str, Enum):
    calm = "calm"
    energetic = "energetic"


class Storyboard(BaseModel):
    title: str = Field(max_length=60)
    mood: Mood
    shots: list[Shot] = Field(min_length=3, max_length=5)
    note: Optional[str]
    score: float = Field(ge=0, le=1)
    approved: bool
    hero: Shot


CONCEPT = "A lighthouse keeper feeding seagulls during a winter storm"


@pytest.mark.asyncio
async def test_openai_parse_returns_validated_model(
    openai_emulator: OpenAIEmulator, openai_async_client: openai.AsyncOpenAI
) -> None:
    completion = await openai_async_client.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "You write storyboards."}, {"role": "user", "content": CONCEPT}],
        response_format=Storyboard,
    )
    board = completion.choices[0].message.parsed
    assert isinstance(board, Storyboard) and len(board.shots) == 3
    assert "lighthouse" in board.title and all("seagulls" in s.prompt for s in board.shots)
    assert len(openai_emulator.chat_requests) == 1
    assert openai_emulator.chat_requests[0]["response_format"]["type"] == "json_schema"
    assert openai_emulator.auth_headers == [f"Bearer {OPENAI_TEST_KEY}"]


@pytest.mark.asyncio
async def test_openai_vision_sees_image(
    openai_emulator: OpenAIEmulator,
    openai_async_client: openai.AsyncOpenAI,
) -> None:
    messages = [{
        "role": "user",
        "content": [
            {"type": "text", "text": "Describe this image."},
            {"type": "image_url", "image_url": {"url": png_data_url((32, 16), (255, 0, 0)), "detail": "low"}},
        ],
    }]
    completion = await openai_async_client.chat.completions.parse(
        model="gpt-4o", messages=messages, response_format=Shot
    )
    shot = completion.choices[0].message.parsed
    assert shot is not None and "32x16 red" in shot.prompt
    assert openai_emulator.images_seen == [(32, 16)] and openai_emulator.image_colors == ["red"]


@pytest.mark.asyncio
async def test_openai_plain_json_object_and_stream(openai_async_client: openai.AsyncOpenAI) -> None:
    messages = [{"role": "user", "content": CONCEPT}]
    plain = await openai_async_client.chat.completions.create(model="gpt-4o", messages=messages)
    assert "lighthouse" in (plain.choices[0].message.content or "") and plain.usage and plain.usage.total_tokens > 0
    as_json = await openai_async_client.chat.completions.create(
        model="gpt-4o", messages=messages, response_format={"type": "json_object"}
    )
    assert "lighthouse" in json.loads(as_json.choices[0].message.content or "")["keywords"]
    stream = await openai_async_client.chat.completions.create(model="gpt-4o", messages=messages, stream=True)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    assert text == plain.choices[0].message.content


@pytest.mark.asyncio
async def test_openai_scripted_malformed_content_fails_validation(
    openai_emulator: OpenAIEmulator, openai_async_client: openai.AsyncOpenAI
) -> None:
    openai_emulator.queue_response('{"prompt": "half a docu')
    with pytest.raises(pydantic.ValidationError):
        await openai_async_client.chat.completions.parse(
            model="m", messages=[{"role": "user", "content": "x"}], response_format=Shot
        )
    assert openai_emulator.pending_responses == 0


@pytest.mark.asyncio
async def test_openai_scripted_refusal_and_finish_reasons(
    openai_emulator: OpenAIEmulator, openai_async_client: openai.AsyncOpenAI
) -> None:
    messages = [{"role": "user", "content": "x"}]
    openai_emulator.queue_response(refusal="I can't help with that.")
    refused = await openai_async_client.chat.completions.parse(model="m", messages=messages, response_format=Shot)
    assert refused.choices[0].message.refusal == "I can't help with that."
    assert refused.choices[0].message.parsed is None
    openai_emulator.queue_response(finish_reason="length")
    with pytest.raises(openai.LengthFinishReasonError):
        await openai_async_client.chat.completions.parse(model="m", messages=messages, response_format=Shot)
    openai_emulator.queue_response(finish_reason="content_filter")
    with pytest.raises(openai.ContentFilterFinishReasonError):
        await openai_async_client.chat.completions.parse(model="m", messages=messages, response_format=Shot)


@pytest.mark.asyncio
async def test_openai_scripted_http_errors(
    openai_emulator: OpenAIEmulator,
    openai_async_client: openai.AsyncOpenAI,
) -> None:
    messages = [{"role": "user", "content": "x"}]
    openai_emulator.queue_response(status=429, headers={"Retry-After": "3"})
    openai_emulator.queue_response(status=500)
    openai_emulator.queue_response(status=200, body="{not json")
    with pytest.raises(openai.RateLimitError) as limited:
        await openai_async_client.chat.completions.create(model="m", messages=messages)
    assert limited.value.response.headers["retry-after"] == "3"
    with pytest.raises(openai.InternalServerError):
        await openai_async_client.chat.completions.create(model="m", messages=messages)
    with pytest.raises(json.JSONDecodeError):  # the SDK does not wrap a broken envelope
        await openai_async_client.chat.completions.create(model="m", messages=messages)
    ok = await openai_async_client.chat.completions.create(model="m", messages=messages)
    assert ok.choices[0].finish_reason == "stop" and len(openai_emulator.chat_requests) == 4


@pytest.mark.asyncio
async def test_openai_auth_required(openai_emulator: OpenAIEmulator) -> None:
    response = await fetch(f"{openai_emulator.base_url}/models")
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.asyncio
@pytest.mark.parametrize("fmt", ["mp3", "wav", "opus"])
async def test_openai_speech_length_follows_text(openai_async_client: openai.AsyncOpenAI, fmt: str) -> None:
    text = " ".join(["word"] * 10)
    speech = await openai_async_client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="alloy", input=text, response_format=fmt  # type: ignore[arg-type]
    )
    assert media.audio_duration(speech.content) == pytest.approx(4.0, abs=0.1)


# ============================================================================ schema generator


class Node(BaseModel):
    name: str = Field(min_length=12, pattern=r"^[A-Z]")
    kind: Literal["leaf", "branch"]
    weight: float = Field(gt=0, lt=1)
    count: int = Field(ge=10, le=20, multiple_of=5)
    children: list[Node] = []
    tags: dict[str, int] = {}


def test_schema_generator_handles_recursion_and_constraints() -> None:
    class Texts:
        def text(self, name: str, index: int) -> str:
            return f"{name} {index}"

    value = fake_from_schema(Node.model_json_schema(), Texts())
    node = Node.model_validate(value)
    assert node.children and node.count in (10, 15, 20)
