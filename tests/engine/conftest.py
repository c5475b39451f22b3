"""Engine tests run the real fal-client against the local fal emulator, through the app's FalMediaProvider."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.workflows.context import AppContext
from tests.emulators.fal_emulator import FalEmulator
from tests.emulators.fixtures import FAL_TEST_KEY, fal_emulator, fal_env  # noqa: F401  (fixtures)


@pytest.fixture
def live_settings(settings: Settings, fal_env: FalEmulator) -> Settings:
    return dataclasses.replace(settings, provider_mode="live", fal_key=FAL_TEST_KEY, concurrency=8)


@pytest.fixture
def live_ctx(live_settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(live_settings)
    yield ctx
    ctx.close()


@pytest.fixture
def events(live_ctx: AppContext) -> list[JobEvent]:
    seen: list[JobEvent] = []
    live_ctx.events.subscribe(seen.append)
    return seen


def prompts(n: int, label: str = "scene") -> list[PromptOutput]:
    return [PromptOutput(style=f"CRITICAL: {label} number {i} with a red silk scarf") for i in range(n)]


def write_reference(path: Path, colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 96), colour).save(path)
    return path
