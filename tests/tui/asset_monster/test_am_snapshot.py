"""The results view pinned at 120x40 (regenerate with `pytest tests/tui/asset_monster --snapshot-update`).

Deterministic: fixed prompts and demo seeds, a fixed data folder (paths show in the details), halfcell previews,
job times set to 2 s each, and no ETA (the batch has finished)."""
from __future__ import annotations

import asyncio
import shutil
import types
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pixflow_tui.config import load_settings
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.providers.demo import media as demo_media
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows.asset_monster import BatchSettings, PromptEntry, run_prompts
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.library import rate_image

from am_helpers import PROMPTS, wait_for

HOME = Path("/tmp/pixflow-asset-monster-snapshot")


@pytest.fixture
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.rmtree(HOME, ignore_errors=True)
    monkeypatch.setenv("PIXFLOW_HOME", str(HOME))
    seeds = iter(range(1000, 2000))
    monkeypatch.setattr(demo_media, "secrets", types.SimpleNamespace(randbelow=lambda _: next(seeds)))
    yield HOME
    shutil.rmtree(HOME, ignore_errors=True)


def make_finished_batch() -> None:
    context = AppContext(load_settings())
    try:
        entries = [PromptEntry(PromptOutput(style=text), "animals", "prompt_factory") for text in PROMPTS]
        result = run_prompts(context, entries, BatchSettings("9:16", "1K", "png", 2))
        summary = asyncio.run(context.run_jobs(batch_ids=[result.batch.id]))
        assert set(summary.finished) == {"done"}, summary
        jobs = context.store.jobs.list(batch_id=result.batch.id)
        for job in jobs:
            context.store.jobs.update(job.id, finished_at=job.submitted_at + timedelta(seconds=2))
        rate_image(context, context.store.images.for_job(jobs[0].id)[0].id, "like")
        rate_image(context, context.store.images.for_job(jobs[3].id)[0].id, "dislike")
    finally:
        context.close()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_results_view(snap_compare, fixed_home: Path, size: tuple[int, int]) -> None:
    make_finished_batch()

    async def show_results(pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "_loaded", False), what="the batch")
        screen = pilot.app.screen
        await pilot.press("down")  # the second image: an unrated one
        preview = screen.query_one("#job-preview", ImagePreview)
        await wait_for(pilot, lambda: preview.path is not None and preview.path.name.startswith("b00001_002"))
        await wait_for(pilot, lambda: preview.query_one("#image").display, what="the preview drawn")
        await wait_for(pilot, lambda: "done" in str(screen.query_one("#job-details").render()))
        await pilot.pause(0.3)

    assert snap_compare(PixflowApp(load_settings()), terminal_size=size, run_before=show_results)
