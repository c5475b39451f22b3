"""Shared helpers for the TUI tests (imported as a plain module: tests/ is not a package)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def wait_for(pilot: Pilot[Any], condition: Callable[[], Any], timeout: float = 40.0, what: str = "") -> Any:
    """Pause until `condition()` is truthy (UI messages keep flowing meanwhile); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        await pilot.pause(0.05)


async def settle(pilot: Pilot[Any]) -> None:
    """Let queued messages, workers and the messages they post all finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def held_elsewhere(store, *job_ids: int) -> None:
    """Lease jobs to a live owner on another machine, so this app's engine leaves these made-up jobs alone."""
    import time

    for job_id in job_ids:
        assert store.jobs.claim(job_id, "another-host:1:test", time.time(), 3600)
