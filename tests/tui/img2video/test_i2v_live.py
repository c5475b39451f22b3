"""The queue against the fal emulator (the real fal-client, "live" mode): progressive adding, only pending work
submitted, queue positions, cancel, regenerate. The emulator counts every submission."""
from __future__ import annotations

import math
from pathlib import Path

from textual.widgets import Static

from i2v_helpers import (
    add_images,
    confirm,
    dialog,
    open_img2video,
    select_row,
    states,
    status_cell,
    videos_made,
    wait_for,
)
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.screens.img2video.queue_table import SPINNER

KLING = catalog.VIDEO_MODELS["kling"]


def summary(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#i2v-summary", Static).render())


async def test_images_added_while_generating_and_only_pending_ones_are_sent(make_live_app, fal_env, photos,
                                                                            notes) -> None:
    fal_env.set_timing(1.5, 6.0)
    app = make_live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        assert app.context.media_provider_name == "fal"
        await add_images(pilot, screen, photos[:3])
        assert "ctrl+g: 3 videos ≈ $1.05" in summary(screen)
        await pilot.press("ctrl+g")
        first = await dialog(pilot, ConfirmDialog)
        assert first.title_text == "Generate 3 videos?" and "$1.05" in first.message
        await pilot.press("y")
        await wait_for(pilot, lambda: fal_env.total_submissions == 3, what="three submissions")
        # while they wait at the provider: a spinner and the queue position from the provider's status
        await wait_for(pilot, lambda: any("queued #2" in status_cell(screen, i) for i in range(3)),
                       what="a queue position", timeout=10)
        assert any(status_cell(screen, i)[0] in SPINNER for i in range(3))
        # add two more while the first three are on their way
        await add_images(pilot, screen, photos[3:5])
        assert all(state in ("queued", "running") for state in states(screen)[:3]), states(screen)
        assert states(screen)[3:] == ["draft", "draft"]
        assert "ctrl+g: 2 more videos ≈ $0.70" in summary(screen)
        fal_env.set_timing(0.1, 0.3)  # the rest need not wait
        for request_id in list(fal_env.requests):
            fal_env.complete(request_id)
        await pilot.press("ctrl+g")
        more = await dialog(pilot, ConfirmDialog)
        assert more.title_text == "Generate 2 more videos?" and "3 other entries" in more.message
        await pilot.press("y")
        await wait_for(pilot, lambda: videos_made(screen, 5), what="five videos", timeout=60)
        assert fal_env.total_submissions == 5 and fal_env.submissions[KLING] == 5
        # all made: generating again sends nothing
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "Nothing to generate" in notes.text(), what="nothing to do")
        await pilot.pause(0.5)
        assert fal_env.total_submissions == 5
        jobs = app.context.store.jobs.list()
        assert len(jobs) == 5 and len({j.batch_id for j in jobs}) == 1  # one queue session, one batch
        assert [j.request["meta"]["queue_entry"] for j in jobs] == [e.id for e in screen.queue.entries]


async def test_cancel_one_video_at_the_provider(make_live_app, fal_env, photos) -> None:
    fal_env.set_timing(math.inf, 0.2)  # they wait in the provider's queue until told otherwise
    app = make_live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:2])
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: states(screen) == ["queued", "queued"], what="both at the provider")
        await select_row(pilot, screen, 1)
        await pilot.press("x")
        asked = await dialog(pilot, ConfirmDialog)
        assert "queued at the provider" in asked.message
        await pilot.press("y")
        await wait_for(pilot, lambda: states(screen) == ["queued", "cancelled"], what="the cancel")
        jobs = app.context.store.jobs.list()
        cancelled = next(j for j in jobs if j.id == screen.queue.entries[1].job_id)
        kept = next(j for j in jobs if j.id == screen.queue.entries[0].job_id)
        assert fal_env.cancelled == {cancelled.request_id}
        fal_env.complete(kept.request_id)
        await wait_for(pilot, lambda: videos_made(screen, 1) and states(screen) == ["done", "cancelled"],
                       what="the other video")
        # a cancelled entry is not sent again by "generate" (only drafts and failed ones are)
        await pilot.press("ctrl+g")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, ConfirmDialog) and fal_env.total_submissions == 2


async def test_regenerate_one_sends_one_new_job_and_keeps_the_old_video(make_live_app, fal_env, photos) -> None:
    fal_env.set_timing(0.1, 0.2)
    app = make_live_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:2])
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: videos_made(screen, 2), what="two videos")
        entry = screen.queue.entries[1]
        old = screen.panel.status_of(entry).video
        await select_row(pilot, screen, 1)
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: len(entry.job_ids) == 2 and videos_made(screen, 2)
                       and screen.panel.status_of(entry).video.job_id == entry.job_ids[1], what="the new video")
        assert fal_env.total_submissions == 3
        new_job = app.context.store.jobs.get(entry.job_ids[1])
        assert new_job.parent_job_id == entry.job_ids[0] and new_job.status == JobState.DONE
        new = screen.panel.status_of(entry).video
        assert Path(old.path).is_file() and Path(new.path).is_file() and old.path != new.path
        assert len(app.context.store.assets.list(kind="video")) == 3  # the old video stays in the library
