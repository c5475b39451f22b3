"""Results: preview, full-screen viewer, export, send to Img2Video, open, favourite, failures, persistence."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from textual.widgets import Input

from pixflow_tui.core.jobs import JobState
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.tui.screens.asset_monster.batch_table import MARK
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.image_viewer import ImageViewerScreen
from pixflow_tui.tui.widgets.image_preview import ImagePreview, load_preview
from pixflow_tui.workflows.asset_monster import BatchSettings, PromptEntry, ViewerLauncher, run_prompts
from pixflow_tui.workflows.context import AppContext

from am_helpers import (
    PROMPTS, all_finished, cell, jobs, make_image, open_asset_monster, run_batch, send_prompts, table,
    wait_for,
)


async def finished_batch(pilot, app, prompts=PROMPTS):  # type: ignore[no-untyped-def]
    send_prompts(app, *prompts)
    screen = await open_asset_monster(pilot)
    await run_batch(pilot, screen)
    await wait_for(pilot, lambda: all_finished(app, count=len(prompts)), what="the batch finished")
    await wait_for(pilot, lambda: all(cell(screen, j.id, "status") == "done" for j in jobs(app)))
    table(screen).focus()
    table(screen).move_cursor(row=0)
    await pilot.pause()
    return screen


async def test_the_selected_job_is_previewed_and_enter_opens_the_full_screen_viewer(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await finished_batch(pilot, app)
        first, second = jobs(app)
        preview = screen.query_one("#job-preview", ImagePreview)
        await wait_for(pilot, lambda: preview.path == Path(first.output_path), what="the first image previewed")
        await wait_for(pilot, lambda: preview.query_one("#image").display, what="the preview drawn")
        await pilot.press("down")
        await wait_for(pilot, lambda: preview.path == Path(second.output_path), what="the preview follows")
        assert f"Job {second.id}" in str(screen.query_one("#job-details").render())

        await pilot.press("up", "enter")
        viewer = await wait_for(pilot, lambda: isinstance(app.screen, ImageViewerScreen) and app.screen)
        assert viewer.index == 0 and len(viewer.items) == 2
        assert viewer.query_one(ImagePreview).path == Path(first.output_path)
        await pilot.press("right")
        assert viewer.index == 1 and viewer.query_one(ImagePreview).path == Path(second.output_path)
        assert table(screen).selected_job_id == second.id  # the table follows the viewer
        await pilot.press("l")  # rate from the viewer
        image = app.context.store.images.for_job(second.id)[0]
        await wait_for(pilot, lambda: app.context.store.ratings.get(image.id) is not None)
        await pilot.press("left")
        assert viewer.index == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: cell(screen, second.id, "rating") == "+1")


async def test_export_the_batch_and_the_marked_selection_as_zips(make_app, notes) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await finished_batch(pilot, app)
        first, second = jobs(app)
        await pilot.press("l")
        await wait_for(pilot, lambda: cell(screen, first.id, "rating") == "+1")
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        default = Path(dialog.query_one(Input).value)
        assert default.parent == app.settings.home / "exports" and default.name.endswith("_batch1.zip")
        await pilot.press("enter")
        await wait_for(pilot, lambda: default.is_file() and "Exported 2 images" in notes.text(), what="the zip")
        with zipfile.ZipFile(default) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("prompts.json"))
        assert sorted(n for n in names if n.startswith("images/")) == sorted(
            f"images/{Path(j.output_path).name}" for j in (first, second))
        ratings = {entry["file"]: entry["rating"] for entry in manifest["images"]}
        assert ratings == {f"images/{Path(first.output_path).name}": 1, f"images/{Path(second.output_path).name}": None}
        assert {e["prompt"]["style"] for e in manifest["images"]} == set(PROMPTS) and manifest["demo"] is True

        # mark the second row only: the export holds just that image, under a path the user typed
        await pilot.press("down", "space")
        assert cell(screen, second.id, "index").startswith(MARK) and table(screen).marked == {second.id}
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        assert dialog.query_one(Input).value.endswith("_selection.zip")
        target = app.settings.home / "mine" / "picked"
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        zipped = target.with_suffix(".zip")
        await wait_for(pilot, lambda: zipped.is_file(), what="the selection zip")
        with zipfile.ZipFile(zipped) as archive:
            assert [n for n in archive.namelist() if n.startswith("images/")] == [
                f"images/{Path(second.output_path).name}"]

        # an existing file is never overwritten, in every module: the zip goes beside it, and that is said
        before = zipped.read_bytes()
        await pilot.press("e")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        dialog.query_one(Input).value = str(zipped)
        await pilot.press("enter")
        beside = zipped.with_name("picked-2.zip")
        await wait_for(pilot, beside.is_file, what="the second zip")
        assert zipped.read_bytes() == before
        await wait_for(pilot, lambda: "picked.zip already existed, so it was kept" in notes.text())


async def test_send_marked_images_to_img2video(make_app, monkeypatch) -> None:
    app = make_app()
    sent: list[list[str]] = []
    monkeypatch.setattr(app.context.handoff, "send_images", lambda paths: sent.append(list(paths)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await finished_batch(pilot, app)
        first, second = jobs(app)
        await pilot.press("space", "space")
        assert table(screen).marked == {first.id, second.id}
        await pilot.press("v")
        await wait_for(pilot, lambda: app.current_mode == "img2video", what="Img2Video shown")
        assert sent == [[first.output_path, second.output_path]]
        assert table(screen).marked == set()


async def test_open_uses_the_system_viewer_only_with_a_display(make_app, notes) -> None:
    app = make_app()
    started: list[list[str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await finished_batch(pilot, app, prompts=PROMPTS[:1])
        (job,) = jobs(app)
        await wait_for(pilot, lambda: screen.detail is not None and screen.detail.image is not None)
        table(screen).launcher = ViewerLauncher(env={}, platform="linux")
        await pilot.press("o")
        assert f"No display here (SSH?); the file is {job.output_path}" in notes.text()
        table(screen).launcher = ViewerLauncher(env={"DISPLAY": ":0"}, platform="linux", which=lambda c: f"/usr/bin/{c}",
                                         popen=lambda args, **kw: started.append(args))
        await pilot.press("o")
        assert started == [["xdg-open", job.output_path]]
        table(screen).launcher = ViewerLauncher(env={}, platform="darwin", which=lambda c: f"/usr/bin/{c}",
                                         popen=lambda args, **kw: started.append(args))
        await pilot.press("o")
        assert started[-1] == ["open", job.output_path]


async def test_favourite_the_prompt_of_an_image(make_app, notes) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await finished_batch(pilot, app, prompts=PROMPTS[:1])
        await pilot.press("f")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog) and app.screen)
        assert dialog.query_one(Input).value == PROMPTS[0]  # the prompt's start, as a starting name
        dialog.query_one(Input).value = "snow fox"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.context.store.favorites.list(), what="the favourite row")
        (favorite,) = app.context.store.favorites.list()
        assert favorite.name == "snow fox" and favorite.prompt["style"] == PROMPTS[0]
        assert "favourites as “snow fox”" in notes.text()
        await pilot.press("y")  # copy the prompt (OSC 52 in a real terminal)
        await wait_for(pilot, lambda: app.clipboard, what="the clipboard")
        assert json.loads(app.clipboard)["style"] == PROMPTS[0]


async def test_a_failed_job_shows_its_reason(make_app, settings, tmp_path: Path) -> None:
    face = make_image(tmp_path / "face.png")
    context = AppContext(settings)
    entries = [PromptEntry(PromptOutput(style=PROMPTS[0]), "faces", "typed")]
    run_prompts(context, entries, BatchSettings("1:1", "1K", "png", 1, (str(face),)))
    context.close()
    face.unlink()  # gone before the engine sends it: the provider refuses the job
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        await wait_for(pilot, lambda: all_finished(app, count=1), what="the job failed")
        (job,) = jobs(app)
        assert job.status == JobState.FAILED
        await wait_for(pilot, lambda: cell(screen, job.id, "status") == "failed")
        await wait_for(pilot, lambda: "Reason: " in str(screen.query_one("#job-details").render()))
        details = str(screen.query_one("#job-details").render())
        assert "reference image" in details and str(face) in details
        assert "1 failed" in str(screen.query_one("#batch-title").render())


async def test_with_renderer_none_the_preview_shows_dimensions_and_path(make_app) -> None:
    app = make_app(image_renderer="none")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await finished_batch(pilot, app, prompts=PROMPTS[:1])
        (job,) = jobs(app)
        preview = screen.query_one("#job-preview", ImagePreview)
        await wait_for(pilot, lambda: job.output_path in preview.message, what="the path in the preview")
        assert preview.message == f"1152×2048 JPEG · {job.output_path}"
        assert not preview.query("#image")
        assert job.output_path in str(screen.query_one("#job-details").render())


async def test_the_last_batch_comes_back_and_older_batches_can_be_opened(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await finished_batch(pilot, app, prompts=PROMPTS[:1])
    first_batch = jobs(app)[0].batch_id

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        assert screen.batch_id == first_batch and table(screen).row_count == 1
        (job,) = jobs(app)
        assert cell(screen, job.id, "status") == "done"
        assert "Batch #1" in str(screen.query_one("#batch-title").render())
        send_prompts(app, PROMPTS[1])
        screen.take_waiting_prompts()
        await run_batch(pilot, screen)
        await wait_for(pilot, lambda: screen.batch_id != first_batch and all_finished(app, count=2))
        second_batch = screen.batch_id
        await pilot.press("b")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog) and app.screen)
        assert [value for value, _ in dialog.choices] == [str(second_batch), str(first_batch)]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen.batch_id == first_batch and table(screen).row_count == 1)
        assert table(screen).job_ids() == [job.id]


async def test_fast_cursor_moves_end_on_the_right_rows_picture_and_prompt_never_a_cached_stale_one(make_app) -> None:
    prompts = tuple(f"study {n} of a glass heron, colour {n}" for n in range(5))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await finished_batch(pilot, app, prompts=prompts)
        results, jobs_table = screen.results, table(screen)
        preview = screen.query_one("#job-preview", ImagePreview)
        by_id = {job.id: job for job in jobs(app)}

        async def settled_on(row: int) -> None:
            job_id = jobs_table.selected_job_id
            assert job_id is not None and jobs_table.cursor_row == row
            job = by_id[job_id]
            await wait_for(pilot, lambda: preview.shown_path == Path(job.output_path)
                           and results.detail is not None and results.detail.job.id == job_id,
                           what=f"row {row} shown")
            details = str(screen.query_one("#job-details").render())
            assert f"Job {job_id}" in details and prompts[row] in details
            box = (preview.size.width * 1, preview.size.height * 2)  # halfcell: one pixel column, two rows a cell
            drawn = preview.query_one("#image").image
            expected = load_preview(Path(job.output_path), box, app.context.settings.thumbnails_dir)
            assert drawn.tobytes() == expected.tobytes()  # the row's own picture, not a neighbour's

        await settled_on(0)
        for row in (1, 2, 3, 4):  # first visits, faster than the reads
            jobs_table.move_cursor(row=row)
        await settled_on(4)
        await pilot.press("up", "up", "up", "down", "up")  # back over cached rows, keys queued at once
        await settled_on(1)
        await pilot.press("l")  # a rating drops the row's cached details
        await wait_for(pilot, lambda: "liked" in str(screen.query_one("#job-details").render()), what="liked")
        await pilot.press("down", "up")
        await settled_on(1)
        assert "liked" in str(screen.query_one("#job-details").render())
