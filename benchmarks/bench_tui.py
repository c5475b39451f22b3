"""What the headless TUI benchmarks share: a demo app on the home in PIXFLOW_HOME, a finished demo batch made in
it, and waiting on the app's own loop for a condition."""
from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Any

from pixflow_tui.config import load_settings
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch


def demo_app() -> PixflowApp:
    return PixflowApp(dataclasses.replace(load_settings(), demo_latency=0.0, concurrency=4, provider_mode="demo"))


async def wait_until(check: Callable[[], Any], limit: float = 30.0, what: str = "the screen") -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not get there in {limit:g} s")
        await asyncio.sleep(0.0005)


async def finished_demo_batch(app: PixflowApp, images: int) -> int:
    """Queue `images` demo 1K PNG images as one batch and wait until all are done; returns the batch id."""
    ctx = app.context
    prompts = [PromptOutput(style=f"CRITICAL: amber glass study {i}") for i in range(images)]
    batch = create_image_batch(ctx, plan_image_batch(ctx, prompts, resolution="1K", output_format="png"))
    ctx.wake_engine()
    done = lambda: sum(1 for j in ctx.store.jobs.list(batch_id=batch.id) if str(j.status) == "done")  # noqa: E731
    deadline = time.monotonic() + 300
    while done() < images:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo batch did not finish in 5 minutes")
        await asyncio.sleep(0.2)
    return batch.id
