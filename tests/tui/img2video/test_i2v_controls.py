"""The queue's controls (QueueControls): move up/down, skip to the end, start/end entries, the queue's settings
applied to one or all, clear failed; pause and resume against the fal emulator (the same request, never sent
twice) and retry failed through the door."""
from __future__ import annotations

import math

from i2v_helpers import (
    add_images,
    confirm,
    open_img2video,
    pick,
    select_row,
    states,
    wait_for,
)
from pixflow_tui.core import catalog
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.dialogs import PathInputDialog


async def test_order_skip_end_frame_and_queue_settings(make_i2v_app, photos, notes) -> None:
    app = make_i2v_app(demo_latency=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:3])
        names = [p.name for p in photos[:3]]

        def order() -> list[str]:
            return [e.name.split(" ")[0] for e in screen.queue.entries]

        await select_row(pilot, screen, 0)
        await pilot.press("J")  # move down
        assert order() == [names[1], names[0], names[2]]
        await pilot.press("K")  # and up again
        assert order() == names
        await pilot.press("b")  # skip: to the end
        assert order() == [names[1], names[2], names[0]]
        assert "moved to the end" in notes.text()

        # start/end: the highlighted entry gets an end frame
        await select_row(pilot, screen, 0)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog), what="the end frame dialog")
        field = app.screen.query_one("#input")
        field.value = str(photos[4])
        await pilot.press("enter")
        entry = screen.queue.entries[0]
        await wait_for(pilot, lambda: entry.end_image == str(photos[4].resolve()), what="the end frame")
        assert entry.kind == "start_end" and entry.composed_prompt() == catalog.TRANSITION_DEFAULT_PROMPT

        # the queue's settings onto every entry, each keeping its prompt
        entry.settings = entry.settings.copy(prompt="her own prompt", duration="5")
        screen.queue.defaults = screen.queue.defaults.copy(duration="10", movements=["camera pans right"])
        await pilot.press("A")
        await pick(pilot, "all")
        assert [e.settings.duration for e in screen.queue.entries] == ["10"] * 3
        assert entry.settings.prompt == "her own prompt" and entry.settings.movements == ["camera pans right"]

        # generate: the start/end entry becomes a transition job, in queue order
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: states(screen) == ["done"] * 3, what="three videos", timeout=60)
        jobs = app.context.store.jobs.list()
        assert [j.request["meta"]["source_path"].rsplit("/", 1)[1] for j in jobs] == order()
        assert jobs[0].request["files"]["tail_image_url"] == str(photos[4].resolve())
        assert "tail_image_url" not in jobs[1].request["files"]


async def test_pause_keeps_the_request_and_resume_follows_it(make_live_app, fal_env, photos, notes) -> None:
    fal_env.set_timing(0.0, math.inf)  # the video renders until the test finishes it
    app = make_live_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: states(screen) == ["running"], what="the video rendering", timeout=15)
        (job,) = app.context.store.jobs.list()
        request_id = app.context.store.jobs.get(job.id).request_id
        assert request_id is not None

        await select_row(pilot, screen, 0)
        await pilot.press("space")  # pause
        await wait_for(pilot, lambda: states(screen) == ["paused"], what="paused")
        paused = app.context.store.jobs.get(job.id)
        assert paused.status == JobState.PAUSED and paused.request_id == request_id
        assert not screen.panel.model.editable(screen.queue.entries[0])  # not removable while paused
        # the provider finishes it meanwhile: nobody is waiting, so nothing is downloaded yet
        fal_env.complete(request_id)
        await pilot.pause(1.5)
        assert app.context.store.jobs.get(job.id).status == JobState.PAUSED

        await pilot.press("space")  # resume: the same request is followed, not sent again
        await wait_for(pilot, lambda: states(screen) == ["done"], what="the video", timeout=30)
        assert fal_env.total_submissions == 1
        done = app.context.store.jobs.get(job.id)
        assert done.request_id == request_id and done.output_path


async def test_retry_failed_and_clear_failed(make_live_app, fal_env, photos, notes) -> None:
    app = make_live_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:2])
        fal_env.inject("content_policy", on="submit", times=1)  # the provider refuses one of them
        await pilot.press("ctrl+g")
        await confirm(pilot)
        await wait_for(pilot, lambda: sorted(states(screen)) == ["done", "failed"], what="one failed",
                       timeout=30)
        sent = fal_env.total_submissions
        await pilot.press("R")  # retry failed: only the failed one, through the door's confirmation
        dialog = await confirm(pilot)
        assert "1 job" in dialog.message
        await wait_for(pilot, lambda: states(screen) == ["done", "done"], what="both done", timeout=30)
        assert fal_env.total_submissions == sent + 1
        # a cancelled entry is cleared by C (its job stays in the database)
        fal_env.set_timing(0.0, math.inf)
        await add_images(pilot, screen, photos[2:3])
        await select_row(pilot, screen, 2)
        await pilot.press("r")
        await confirm(pilot)
        await wait_for(pilot, lambda: states(screen)[2] in ("queued", "running"), what="on its way", timeout=15)
        await pilot.press("x")
        await confirm(pilot)
        await wait_for(pilot, lambda: states(screen)[2] == "cancelled", what="cancelled", timeout=15)
        await pilot.press("C")
        await confirm(pilot)
        assert len(screen.queue.entries) == 2 and states(screen) == ["done", "done"]


async def test_settings_show_hailuos_real_length_and_price(make_i2v_app, photos) -> None:
    from textual.widgets import Static

    from i2v_helpers import choose, open_settings
    from pixflow_tui.tui.widgets.camera_presets import CameraPresetList

    app = make_i2v_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_img2video(pilot)
        await add_images(pilot, screen, photos[:1])
        await select_row(pilot, screen, 0)
        dialog = await open_settings(pilot)
        presets = dialog.query_one(CameraPresetList)
        await choose(pilot, presets, "model:hailuo")
        composed = str(dialog.query_one("#i2v-composed", Static).render())
        price = catalog.UNIT_PRICES[catalog.VIDEO_MODELS["hailuo"]].per_unit
        assert f"≈ ${6 * price:.2f} per video, 6 s (the model has no 5 s)" in composed
        await choose(pilot, presets, "duration:10")
        composed = str(dialog.query_one("#i2v-composed", Static).render())
        assert f"≈ ${10 * price:.2f} per video" in composed and "the model has no" not in composed
