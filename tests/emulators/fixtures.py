"""pytest fixtures for the emulators.

Use them from a conftest with `pytest_plugins = ["tests.emulators.fixtures"]` (or by importing the names into a
test module). Each test gets fresh emulators; fal-client is aimed at the emulator, retries once only
(MAX_ATTEMPTS=1) and cannot see a developer's real credentials.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import fal_client
import openai
import pytest
import pytest_asyncio

from .fal_emulator import FalEmulator, fal_client_overrides
from .hedra_emulator import HEDRA_TEST_KEY, HedraEmulator
from .openai_emulator import OpenAIEmulator

FAL_TEST_KEY = "test-fal-key"
OPENAI_TEST_KEY = "sk-test-openai-key"


def bypass_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both SDKs honour proxy env vars (trust_env); loopback must never go through a proxy.
    for var in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(var, "")
        monkeypatch.setenv(var, ",".join(filter(None, [current, "127.0.0.1", "localhost"])))


def aim_fal_client(monkeypatch: pytest.MonkeyPatch, base_url: str, fal_home: Path, max_attempts: int = 1) -> None:
    import fal_client.client as fc

    for name, value in fal_client_overrides(base_url).items():
        monkeypatch.setattr(fc, name, value)
    monkeypatch.setattr(fc, "MAX_ATTEMPTS", max_attempts)
    monkeypatch.setenv("FAL_HOME_DIR", str(fal_home))
    for var in ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "FAL_FORCE_AUTH_BY_USER"):
        monkeypatch.delenv(var, raising=False)
    bypass_proxies(monkeypatch)


@pytest.fixture
def fal_emulator() -> Iterator[FalEmulator]:
    with FalEmulator(image_scale=0.125) as emu:
        yield emu


@pytest.fixture
def fal_env(fal_emulator: FalEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FalEmulator:
    """The emulator, with the real fal_client aimed at it for the duration of the test."""
    aim_fal_client(monkeypatch, fal_emulator.base_url, tmp_path / "fal-home")
    return fal_emulator


@pytest_asyncio.fixture
async def fal_async_client(fal_env: FalEmulator) -> AsyncIterator[fal_client.AsyncClient]:
    # Its httpx client binds to the loop of the first request, so one per test (pytest-asyncio: loop per test).
    client = fal_client.AsyncClient(key=FAL_TEST_KEY)
    yield client
    # AsyncClient has no close(); its lazily built httpx client (a cached property) would leak keep-alive sockets.
    if "_client" in vars(client):
        await (await client._client).aclose()


@pytest.fixture
def hedra_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[HedraEmulator]:
    """Hedra's public API on loopback (key HEDRA_TEST_KEY; base URL for `hedra_base_url`: `emu.base_url`)."""
    monkeypatch.delenv("HEDRA_API_KEY", raising=False)
    bypass_proxies(monkeypatch)
    with HedraEmulator() as emu:
        yield emu


@pytest.fixture
def openai_emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emu:
        yield emu


@pytest_asyncio.fixture
async def openai_async_client(
    openai_emulator: OpenAIEmulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[openai.AsyncOpenAI]:
    bypass_proxies(monkeypatch)
    async with openai.AsyncOpenAI(
        base_url=openai_emulator.base_url, api_key=OPENAI_TEST_KEY, max_retries=0, timeout=30
    ) as client:
        yield client
