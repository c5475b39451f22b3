"""Shared helpers for the TUI tests (imported as a plain module: tests/ is not a package)."""
from __future__ import annotations

from typing import Any

from textual.pilot import Pilot


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
