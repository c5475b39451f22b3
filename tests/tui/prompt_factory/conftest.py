"""Fixtures of the Prompt Factory tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulators.fixtures import bypass_proxies
from emulators.openai_emulator import OpenAIEmulator


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIEmulator]:
    """A fresh OpenAI emulator (chat, Responses with web search), loopback never through a proxy."""
    bypass_proxies(monkeypatch)
    with OpenAIEmulator() as emulator:
        yield emulator
