"""Hermetic tests: every test gets its own data folder, config file and database; no network, no real keys."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pixflow_tui.config import Settings, load_settings
from pixflow_tui.store import Store
from tests.emulators.fixtures import fal_emulator, fal_env  # noqa: F401  (fixtures for live_cli)

_PROVIDER_ENV = ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "OPENAI_API_KEY", "OPENAI_BASE_URL", "HEDRA_API_KEY",
                 "HEDRA_MODEL_ID")


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PIXFLOW_HOME/PIXFLOW_CONFIG at a temp folder and drop any real key from the environment."""
    home = tmp_path / "pixflow-home"
    monkeypatch.setenv("PIXFLOW_HOME", str(home))
    monkeypatch.setenv("PIXFLOW_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("FAL_HOME_DIR", str(tmp_path / "fal-home"))
    monkeypatch.setenv("PIXFLOW_DEMO_LATENCY", "0")
    monkeypatch.setenv("PIXFLOW_IMAGE_RENDERER", "halfcell")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("TMUX", raising=False)  # copying must not load a developer's real tmux buffer
    for name in _PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("PIXFLOW_") and name not in (
            "PIXFLOW_HOME", "PIXFLOW_CONFIG", "PIXFLOW_DEMO_LATENCY", "PIXFLOW_IMAGE_RENDERER"
        ):
            monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """`local_zone("Europe/Berlin")` makes this process's local time zone that one until the test ends."""
    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def settings(hermetic_env: Path) -> Settings:
    return load_settings()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(settings)
    yield opened
    opened.close_thread_connection()


@pytest.fixture
def live_cli(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> object:
    """Commands run live (fal key set, provider_mode live) against the local fal emulator."""
    from tests.emulators.fixtures import FAL_TEST_KEY

    emulator = request.getfixturevalue("fal_env")  # aims fal-client at the emulator (and clears FAL_KEY)
    monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
    monkeypatch.setenv("PIXFLOW_PROVIDER_MODE", "live")
    return emulator
