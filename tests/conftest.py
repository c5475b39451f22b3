"""Hermetic tests: every test gets its own data folder, config file and database; no network, no real keys."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pixflow_tui.config import Settings, load_settings
from pixflow_tui.store import Store
from tests import pg_server as pg_server_module
from tests.emulators.fixtures import fal_emulator, fal_env  # noqa: F401  (fixtures for live_cli)

_PROVIDER_ENV = ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET", "OPENAI_API_KEY", "OPENAI_BASE_URL", "HEDRA_API_KEY",
                 "HEDRA_MODEL_ID")


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_backends` (or in a module so marked) run once on SQLite and once on PostgreSQL."""
    if metafunc.definition.get_closest_marker("both_backends") and "db_backend" not in metafunc.fixturenames:
        metafunc.fixturenames.append("db_backend")
    if "db_backend" in metafunc.fixturenames:
        backends = BACKENDS
        if metafunc.definition.get_closest_marker("sqlite_only"):
            backends = ("sqlite",)
        elif metafunc.definition.get_closest_marker("postgres_only"):
            backends = ("postgresql",)
        metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_server_module.Server | None]:
    """One throwaway PostgreSQL cluster for the session, or None (with the reason kept) when none can start."""
    try:
        server = pg_server_module.start()
    except pg_server_module.NoServer as exc:
        _PG_UNAVAILABLE.append(str(exc))
        yield None
        return
    yield server
    server.stop()


_PG_UNAVAILABLE: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly whether the PostgreSQL half of the backend tests ran."""
    ran = [r for r in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
           if r.when == "call" and ("[postgresql]" in r.nodeid or "[postgresql-" in r.nodeid)]
    if _PG_UNAVAILABLE:
        terminalreporter.write_line(f"PostgreSQL run SKIPPED: {_PG_UNAVAILABLE[0]}", yellow=True, bold=True)
    elif ran:
        terminalreporter.write_line(f"PostgreSQL: {len(ran)} backend tests ran on a throwaway server")


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The database URL of this run of a backend-parametrised test: None for SQLite (the data folder's file),
    a fresh empty PostgreSQL database otherwise; skipped, with the reason, when no PostgreSQL can start."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip(f"PostgreSQL run skipped: {_PG_UNAVAILABLE[0] if _PG_UNAVAILABLE else 'no server'}")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """Point PIXFLOW_HOME/PIXFLOW_CONFIG at a temp folder and drop any real key from the environment."""
    home = tmp_path / "pixflow-home"
    monkeypatch.setenv("PIXFLOW_HOME", str(home))
    monkeypatch.setenv("PIXFLOW_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("FAL_HOME_DIR", str(tmp_path / "fal-home"))
    monkeypatch.setenv("PIXFLOW_DEMO_LATENCY", "0")
    monkeypatch.setenv("PIXFLOW_IMAGE_RENDERER", "halfcell")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("TMUX", raising=False)  # copying must not load a developer's real tmux buffer
    monkeypatch.setenv("COLORTERM", "truecolor")  # the same colours whatever terminal runs the tests
    for name in _PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("PIXFLOW_") and name not in (
            "PIXFLOW_HOME", "PIXFLOW_CONFIG", "PIXFLOW_DEMO_LATENCY", "PIXFLOW_IMAGE_RENDERER"
        ):
            monkeypatch.delenv(name, raising=False)
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "db_backend" in callspec.params:
        url = request.getfixturevalue("db_backend")
        if url:
            monkeypatch.setenv("PIXFLOW_DATABASE_URL", url)
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
