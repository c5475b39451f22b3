"""Running batches on the demo provider: live states, progress, ratings, regenerate, cancel, adding prompts."""
from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import ProgressBar

from pixflow_tui.core.jobs import JobEvent, JobState
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog

from am_helpers import (
    PROMPTS, all_finished, cell, jobs, open_asset_monster, panel, run_batch, send_prompts, table, wait_for,
)


async def test_a_two_by_two_batch_runs_live_and_finishes(make_app) -> None:
    app = make_app(demo_latency=1.0)
    seen_events: list[JobEvent] = []
    lock = threading.Lock()

    def record(event: JobEvent) -> None:
        with lock:
            seen_events.append(event)

    app.context.events.subscribe(record)
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, *PROMPTS)
        screen = await open_asset_monster(pilot)
        assert [item.entry.prompt.style for item in panel(screen).items] == list(PROMPTS)
        panel(screen).query_one("#setup-list").focus()
        await pilot.press("down", "down", "down", "down", "down", "right")  # Per prompt 1 → 2
        assert panel(screen).settings.variants == 2
        cells_seen: dict[int, list[str]] = {}  # every status the table showed, per job
        original_update = table(screen).update_cell

        def recording_update(row_key, column_key, value, **kwargs):  # type: ignore[no-untyped-def]
            if str(column_key) == "status" or getattr(column_key, "value", None) == "status":
                shown = cells_seen.setdefault(int(str(getattr(row_key, "value", row_key))), [])
                word = (value if isinstance(value, str) else value.plain).split(" ")[0]
                if not shown or shown[-1] != word:
                    shown.append(word)
            return original_update(row_key, column_key, value, **kwargs)

        table(screen).update_cell = recording_update  # type: ignore[method-assign]
        await run_batch(pilot, screen)
        await wait_for(pilot, lambda: all_finished(app, count=4), what="four finished jobs")
        await wait_for(pilot, lambda: all(cell(screen, j.id, "status") == "done" for j in jobs(app)),
                       what="every row done")
        await wait_for(pilot, lambda: screen.summary is not None and screen.summary.finished == 4,
                       what="the batch summary")
        bar = screen.query_one("#batch-progress", ProgressBar)
        assert (bar.total, bar.progress) == (4, 4)
        assert "4/4 done" in str(screen.query_one("#batch-title").render())

    batch_jobs = jobs(app)
    assert len(batch_jobs) == 4 and {j.status for j in batch_jobs} == {JobState.DONE}
    assert sorted((j.prompt_index, j.variant_index) for j in batch_jobs) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # the rows moved through the states live, by key
    assert set(cells_seen) == {j.id for j in batch_jobs}, cells_seen
    for shown in cells_seen.values():  # the table coalesces bursts, so a brief state may never be drawn
        assert shown[-1] == "done" and "running" in shown and len(shown) >= 2, cells_seen
    per_job = {j.id: [e.state for e in seen_events if e.job_id == j.id] for j in batch_jobs}
    for job_id, sequence in per_job.items():
        assert sequence[-1] == JobState.DONE, sequence
        assert JobState.QUEUED in sequence and JobState.DOWNLOADING in sequence, sequence
    for job in batch_jobs:
        assert job.output_path and Path(job.output_path).is_file()


async def test_rating_keys_write_image_ratings_and_show_in_the_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, *PROMPTS)
        screen = await open_asset_monster(pilot)
        await run_batch(pilot, screen)
        await wait_for(pilot, lambda: all_finished(app, count=2), what="two finished jobs")
        await wait_for(pilot, lambda: all(cell(screen, j.id, "status") == "done" for j in jobs(app)))
        store = app.context.store
        first, second = jobs(app)
        image_1 = store.images.for_job(first.id)[0]
        image_2 = store.images.for_job(second.id)[0]
        table(screen).focus()
        table(screen).move_cursor(row=0)
        await pilot.press("l")
        await wait_for(pilot, lambda: store.ratings.get(image_1.id) is not None, what="the like in the database")
        assert store.ratings.get(image_1.id).rating == 1
        await wait_for(pilot, lambda: cell(screen, first.id, "rating") == "+1", what="+1 in the row")

        await pilot.press("down", "d")
        await wait_for(pilot, lambda: store.ratings.get(image_2.id) is not None)
        assert store.ratings.get(image_2.id).rating == -1
        await wait_for(pilot, lambda: cell(screen, second.id, "rating") == "-1")

        await pilot.press("0")
        await wait_for(pilot, lambda: store.ratings.get(image_2.id) is None, what="the rating cleared")
        await wait_for(pilot, lambda: cell(screen, second.id, "rating") == "")
        # several keys at once: the last one wins
        await pilot.press("up", "d", "l", "d")
        await wait_for(pilot, lambda: cell(screen, first.id, "rating") == "-1")
        await pilot.pause(0.2)
        assert store.ratings.get(image_1.id).rating == -1


async def test_regenerate_makes_a_new_job_and_keeps_the_old_image(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, PROMPTS[0])
        screen = await open_asset_monster(pilot)
        await run_batch(pilot, screen)
        await wait_for(pilot, lambda: all_finished(app, count=1))
        (original,) = jobs(app)
        old_file = Path(original.output_path)
        table(screen).focus()
        await pilot.press("r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "kept" in dialog.message and "demo: nothing is charged" in dialog.message
        await pilot.press("y")
        await wait_for(pilot, lambda: all_finished(app, count=2), what="the regenerated job done")
        await wait_for(pilot, lambda: table(screen).row_count == 2, what="the new row")
        new = [j for j in jobs(app) if j.id != original.id][0]
        assert new.parent_job_id == original.id and new.batch_id == original.batch_id
        assert new.prompt_index == original.prompt_index and new.request == original.request
        assert old_file.is_file() and Path(new.output_path).is_file() and new.output_path != original.output_path
        assert len(app.context.store.images.for_job(original.id)) == 1
        await wait_for(pilot, lambda: cell(screen, new.id, "status") == "done")

        # n answers no: nothing is queued
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await pilot.pause(0.3)
        assert len(jobs(app)) == 2


async def test_cancel_stops_the_selected_job(make_app) -> None:
    app = make_app(demo_latency=2.0, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, *PROMPTS)
        screen = await open_asset_monster(pilot)
        await run_batch(pilot, screen)
        table(screen).focus()
        table(screen).move_cursor(row=1)  # the second job waits behind the first (concurrency 1)
        second = jobs(app)[1]
        await pilot.press("x")  # asks first, as Img2Video does
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert dialog.title_text == "Cancel this job?" and f"Job {second.id} is " in dialog.message
        await pilot.press("y")
        await wait_for(pilot, lambda: app.context.store.jobs.get(second.id).status == JobState.CANCELLED,
                       what="the job cancelled")
        await wait_for(pilot, lambda: cell(screen, second.id, "status") == "cancelled")
        await wait_for(pilot, lambda: all_finished(app, count=2), timeout=30)
        first = jobs(app)[0]
        assert first.status == JobState.DONE
        assert app.context.store.images.for_job(second.id) == []
        await wait_for(pilot, lambda: screen.summary and "1 cancelled" in str(screen.query_one("#batch-title").render()))


async def test_prompts_added_while_a_batch_runs_queue_only_the_new_work(make_app) -> None:
    app = make_app(demo_latency=4.0, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, PROMPTS[0])
        screen = await open_asset_monster(pilot)
        await run_batch(pilot, screen)
        batch_id = screen.batch_id
        assert len(jobs(app)) == 1
        send_prompts(app, PROMPTS[1], concept="whales")
        screen.take_waiting_prompts()
        await pilot.pause()
        assert [item.sent for item in panel(screen).items] == [True, False]
        await pilot.press("ctrl+r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog) and app.screen)
        assert "1 more" in dialog.title_text
        await pilot.press("enter")  # the first choice: add to the running batch
        await wait_for(pilot, lambda: len(jobs(app)) == 2, what="the added job")
        added = jobs(app)[1]
        assert added.batch_id == batch_id and added.prompt_index == 1 and added.job_index == 1
        assert added.request["meta"]["concept"] == "whales"
        await wait_for(pilot, lambda: table(screen).row_count == 2)
        # once the first image is done, the bar estimates the rest from its time
        eta = screen.query_one("#batch-eta")
        await wait_for(pilot, lambda: str(eta.render()).startswith("ETA "), what="an ETA while the second runs")
        await wait_for(pilot, lambda: all_finished(app, count=2), timeout=30)
        await wait_for(pilot, lambda: str(eta.render()) == "", what="no ETA once finished")
        assert all(item.sent for item in panel(screen).items)
        assert app.context.store.batches.get(batch_id).cost_estimate == 0.0  # demo work costs nothing


async def test_cancel_the_whole_batch_keeps_what_finished(make_app, notes) -> None:
    app = make_app(demo_latency=3.0, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, PROMPTS[0], PROMPTS[1], "a green parrot on a branch")
        screen = await open_asset_monster(pilot)
        await run_batch(pilot, screen)
        first = jobs(app)[0]
        await wait_for(pilot, lambda: app.context.store.jobs.get(first.id).status == JobState.DONE, timeout=30,
                       what="the first image")
        await pilot.press("X")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "Finished images are kept" in dialog.message
        await pilot.press("y")
        await wait_for(pilot, lambda: all_finished(app, count=3), what="every job finished or cancelled")
        statuses = [j.status for j in jobs(app)]
        assert statuses[0] == JobState.DONE and statuses[2] == JobState.CANCELLED, statuses
        assert statuses[1] in (JobState.DONE, JobState.CANCELLED)  # it may have finished before the key
        assert Path(jobs(app)[0].output_path).is_file()
        cancelled = statuses.count(JobState.CANCELLED)
        await wait_for(pilot, lambda: f"{cancelled} job{'s' if cancelled > 1 else ''} of batch #1 cancelled"
                       in notes.text())
        await wait_for(pilot, lambda: [cell(screen, j.id, "status") for j in jobs(app)] == [str(s) for s in statuses],
                       what="the rows showing the final states")
