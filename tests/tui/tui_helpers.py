"""Shared helpers for the TUI tests (imported as a plain module: tests/ is not a package).

The one way to wait on the app: `wait_for` (a condition), `settle` (messages and workers), `workers_done` (workers,
cancelled ones included). Test folders import these rather than keeping their own copies."""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerCancelled

from pixflow_tui.core.avatars import GREEN_RGB

ScreenT = TypeVar("ScreenT")


async def wait_for(pilot: Pilot[Any], condition: Callable[[], Any], timeout: float = 40.0, what: str = "") -> Any:
    """Pause until `condition()` is truthy (UI messages keep flowing meanwhile); fail after `timeout` seconds.
    A widget or screen is handed back only once mounted: a pushed dialog is `app.screen` before its fields exist."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value and (not isinstance(value, Widget) or value.is_mounted):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        await pilot.pause(0.05)


async def workers_done(app: App[Any]) -> None:
    """Wait for the app's workers to end. A cancelled worker is an expected ending (an exclusive worker replaced by a
    newer one, a screen closed): `WorkerCancelled` is not a failure here. A worker that failed still raises."""
    with suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def settle(pilot: Pilot[Any], rounds: int = 1) -> None:
    """Let queued messages, workers and the messages they post all finish; `rounds` > 1 for work that starts more
    work (a load whose result starts the next load)."""
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


def held_elsewhere(store, *job_ids: int) -> None:
    """Lease jobs to a live owner on another machine, so this app's engine leaves these made-up jobs alone."""
    import time

    for job_id in job_ids:
        assert store.jobs.claim(job_id, "another-host:1:test", time.time(), 3600)


def screen_of(app: App[Any], kind: type[ScreenT]) -> ScreenT:
    """The open screen of `kind`, even with dialogs pushed over it."""
    for screen in app.screen_stack:
        if isinstance(screen, kind):
            return screen
    raise AssertionError(f"{kind.__name__} is not open")


def portrait(path: Path, backdrop: tuple[int, int, int] = GREEN_RGB, size: tuple[int, int] = (72, 128)) -> Path:
    """A made-up portrait: a grey figure on `backdrop` (backdrop green unless said)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, backdrop)
    w, h = size
    image.paste((120, 110, 100), (w // 4, h // 4, 3 * w // 4, h))
    image.save(path)
    return path
