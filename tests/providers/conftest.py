"""Provider tests: the real fal-client and openai SDKs against the local emulators (tests/emulators)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from emulators.fal_emulator import FalEmulator
from emulators.fixtures import aim_fal_client, bypass_proxies
from emulators.openai_emulator import OpenAIEmulator
from PIL import Image
from provider_support import FAL_SECRET, OPENAI_SECRET

from pixflow_tui.providers.fal_media import FalMediaProvider
from pixflow_tui.providers.openai_text import OpenAITextProvider



@pytest.fixture
def fal_emu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FalEmulator]:
    """A fresh fal emulator; fal_client is restored after the test and retries only once (faults surface fast)."""
    with FalEmulator(image_scale=0.125) as emu:
        # aim_fal_client records the original constants with monkeypatch, so the provider's own
        # apply_fal_base_url() is undone after the test too
        aim_fal_client(monkeypatch, emu.base_url, tmp_path / "fal-home", max_attempts=1)
        yield emu


@pytest_asyncio.fixture
async def fal(fal_emu: FalEmulator) -> AsyncIterator[FalMediaProvider]:
    provider = FalMediaProvider(FAL_SECRET, base_url=fal_emu.base_url)
    yield provider
    await provider.aclose()


@pytest.fixture
def openai_emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIEmulator]:
    bypass_proxies(monkeypatch)
    with OpenAIEmulator() as emu:
        yield emu


@pytest_asyncio.fixture
async def text(openai_emu: OpenAIEmulator) -> AsyncIterator[OpenAITextProvider]:
    provider = OpenAITextProvider(OPENAI_SECRET, base_url=openai_emu.base_url, max_retries=0, timeout=10)
    yield provider
    await provider.aclose()


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """Write a solid-colour image file under tmp_path and return its path."""

    def make(name: str = "ref.png", size: tuple[int, int] = (64, 96), color: tuple[int, int, int] = (200, 30, 30),
             fmt: str = "PNG") -> Path:
        path = tmp_path / "inputs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, color).save(path, fmt)
        return path

    return make
