"""pixflow_tui/providers/compat.py: each fal-client internal still exists and is still read as relied on.

The real fal_client.AsyncClient runs against the local fal emulator. A failure here after an upgrade means a compat
function must change (its docstring says why it needs the internal).
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import fal_client
import fal_client.client as fc
import httpx
import pytest
from emulators.fal_emulator import FalEmulator
from emulators.fixtures import bypass_proxies
from provider_support import FAL_SECRET

from pixflow_tui.core import catalog
from pixflow_tui.providers import compat

PATCHED = ("QUEUE_URL_FORMAT", "RUN_URL_FORMAT", "REST_URL", "CDN_URL", "MAX_ATTEMPTS")
IMAGE_ARGS = {"prompt": "a red silk dress on a rooftop", "aspect_ratio": "9:16", "resolution": "1K",
              "num_images": 1, "output_format": "png"}


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FalEmulator]:
    """The emulator, with fal_client's module constants restored after the test (compat patches them)."""
    for name in PATCHED:
        assert hasattr(fc, name), f"fal_client.client.{name} is gone"
        monkeypatch.setattr(fc, name, getattr(fc, name))
    monkeypatch.setenv("FAL_HOME_DIR", str(tmp_path / "fal-home"))
    bypass_proxies(monkeypatch)
    with FalEmulator(image_scale=0.125) as emulator:
        yield emulator


def test_the_patched_constants_have_their_expected_shape() -> None:
    assert fc.QUEUE_URL_FORMAT.startswith("https://") and fc.QUEUE_URL_FORMAT.endswith("/")
    assert fc.RUN_URL_FORMAT.startswith("https://") and fc.RUN_URL_FORMAT.endswith("/")
    assert fc.REST_URL.startswith("https://") and not fc.REST_URL.endswith("/")
    assert fc.CDN_URL.startswith("https://") and not fc.CDN_URL.endswith("/")
    # the providers set MAX_ATTEMPTS to 1 for the rest of the process, so read what fal-client ships
    import re

    shipped = re.search(r"^MAX_ATTEMPTS\s*=\s*(\d+)", Path(fc.__file__).read_text(encoding="utf-8"), re.M)
    assert shipped is not None and int(shipped.group(1)) > 1 and isinstance(fc.MAX_ATTEMPTS, int)


async def test_the_queue_and_storage_urls_are_built_from_the_patched_constants(emu: FalEmulator) -> None:
    compat.point_fal_client_at(emu.base_url + "/")
    client = fal_client.AsyncClient(key=FAL_SECRET)
    try:
        url = await client.upload(b"hello", "text/plain", file_name="hello.txt")
        assert url.startswith(emu.base_url), url
        handle = await client.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
        assert handle.request_id in emu.requests
        assert emu.total_submissions == 1
    finally:
        http = await compat.fal_http_client(client)
        await http.aclose()


async def test_with_retries_disabled_a_failed_submit_is_sent_once(emu: FalEmulator) -> None:
    compat.point_fal_client_at(emu.base_url)
    compat.disable_fal_client_retries()
    assert fc.MAX_ATTEMPTS == 1
    emu.inject("503", on="submit", times=5)
    client = fal_client.AsyncClient(key=FAL_SECRET)
    try:
        with pytest.raises(Exception):  # noqa: B017  (fal_client's HTTP error; only the count matters here)
            await client.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
        assert emu.faults[0].hits == 1  # one request: no retry
    finally:
        await (await compat.fal_http_client(client)).aclose()


async def test_the_http_client_is_the_one_the_fal_client_sends_through(emu: FalEmulator) -> None:
    compat.point_fal_client_at(emu.base_url)
    client = fal_client.AsyncClient(key=FAL_SECRET)
    http = await compat.fal_http_client(client)
    assert isinstance(http, httpx.AsyncClient)
    assert await compat.fal_http_client(client) is http  # cached: closing it closes the client's pool
    await client.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
    await http.aclose()
    assert http.is_closed


async def test_a_completed_result_is_read_in_one_request_as_result_reads_it(emu: FalEmulator) -> None:
    compat.point_fal_client_at(emu.base_url)
    compat.disable_fal_client_retries()
    client = fal_client.AsyncClient(key=FAL_SECRET)
    try:
        handle = await client.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
        while not isinstance(await handle.status(), fal_client.Completed):
            await asyncio.sleep(0.02)
        polls = emu.requests[handle.request_id].status_polls
        data = await compat.completed_result(client, catalog.IMAGE_MODEL, handle.request_id)
        assert emu.requests[handle.request_id].status_polls == polls  # no second status request
        assert data == await client.result(catalog.IMAGE_MODEL, handle.request_id)
        emu.inject("content_policy", on="submit")
        refused = await client.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
        while not isinstance(await refused.status(), fal_client.Completed):
            await asyncio.sleep(0.02)
        with pytest.raises(fc.FalClientHTTPError) as ours:
            await compat.completed_result(client, catalog.IMAGE_MODEL, refused.request_id)
        with pytest.raises(fc.FalClientHTTPError) as theirs:
            await client.result(catalog.IMAGE_MODEL, refused.request_id)
        assert ours.value.status_code == theirs.value.status_code == 422
        assert ours.value.message == theirs.value.message
    finally:
        await (await compat.fal_http_client(client)).aclose()


def test_fal_client_host_follows_where_fal_client_is_aimed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import fal_client.client as fc

    from pixflow_tui.providers import compat

    monkeypatch.setattr(fc, "QUEUE_URL_FORMAT", "https://queue.fal.run/")
    assert compat.fal_client_host() is None  # fal itself: the history is on fal's platform API
    monkeypatch.setattr(fc, "QUEUE_URL_FORMAT", "http://127.0.0.1:8123/")
    assert compat.fal_client_host() == "http://127.0.0.1:8123"


class _Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_client_over_our_transport_sends_what_fal_client_sends(emu: FalEmulator) -> None:
    compat.point_fal_client_at(emu.base_url)
    counting = _Counting()
    ours = compat.fal_client_over(FAL_SECRET, counting)
    theirs = fal_client.AsyncClient(key=FAL_SECRET)
    try:
        http, original = await compat.fal_http_client(ours), await compat.fal_http_client(theirs)
        assert await compat.fal_http_client(ours) is http
        assert http.headers["Authorization"] == original.headers["Authorization"]
        assert http.headers["User-Agent"] == original.headers["User-Agent"]
        assert http.timeout == original.timeout
        assert isinstance(http._transport, fc.AsyncBackupDomainTransport)  # fal's failover stays in front
        handle = await ours.submit(catalog.IMAGE_MODEL, IMAGE_ARGS)
        await ours.status(catalog.IMAGE_MODEL, handle.request_id)
        assert counting.sent == [f"POST /{catalog.IMAGE_MODEL}", f"GET /{catalog.IMAGE_MODEL.split('/')[0]}/"
                                 f"{catalog.IMAGE_MODEL.split('/')[1]}/requests/{handle.request_id}/status"]
        assert emu.total_submissions == 1
    finally:
        await (await compat.fal_http_client(ours)).aclose()
        await (await compat.fal_http_client(theirs)).aclose()
