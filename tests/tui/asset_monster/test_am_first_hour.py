"""What a producer trips over in the first hour of Asset Monster: a file of more prompts than a batch takes, the
same prompt added twice, clearing the list, the set-up after a restart, and Prompt Factory's reference image."""
from __future__ import annotations

import asyncio
from pathlib import Path

from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.store import ImageFilter
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.workflows.asset_monster import BatchSettings, PromptEntry, default_export_path, run_prompts
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.library import export_zip
from pixflow_tui.workflows.library_queries import default_export_path as library_export_path

from am_helpers import make_image, open_asset_monster, panel, send_prompts, wait_for


def estimate_text(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#estimate").render())


async def test_a_thousand_prompt_file_runs_a_batch_at_a_time_and_the_list_clears_with_one_key(
        make_app, tmp_path: Path, notes) -> None:
    source = tmp_path / "many.txt"
    source.write_text("\n".join(f"prompt number {n} in a sunlit studio" for n in range(1000)), encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        setup = panel(screen)
        setup._file_chosen(source)
        await wait_for(pilot, lambda: len(setup.items) == 1000, what="the file's prompts")
        assert "ctrl+r runs the first 100 of 1,000" in notes.text()
        await wait_for(pilot, lambda: "100 images to queue" in estimate_text(screen), what="a batch's worth")
        assert "900 more prompts wait for the next run" in estimate_text(screen)
        assert setup.query_one("#prompts-title").render().plain.startswith("Prompts (1,000)")

        await pilot.press("ctrl+r")  # the run is offered, not refused
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "100 prompts" in dialog.message and "at most" not in dialog.message
        await pilot.press("n")
        await pilot.pause()

        setup.query_one("#prompt-list").focus()
        await pilot.press("C")
        confirm = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "Remove all 1,000 prompts" in confirm.message
        await pilot.press("y")
        await wait_for(pilot, lambda: setup.items == [], what="an empty list")
        assert "Cleared 1,000 prompts" in notes.text()
        assert app.context.store.jobs.list() == []  # nothing was queued


async def test_the_same_prompt_twice_is_added_once(make_app, notes) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        for _ in range(3):
            send_prompts(app, "a heron at dawn", "a lynx in fog")
            screen.take_waiting_prompts()
            await pilot.pause()
        assert [item.entry.prompt.style for item in panel(screen).items] == ["a heron at dawn", "a lynx in fog"]
        assert "2 prompts already in the list were left out" in notes.text()
        await wait_for(pilot, lambda: "2 images to queue" in estimate_text(screen))


async def test_the_set_up_survives_a_restart(make_app, tmp_path: Path) -> None:
    face = make_image(tmp_path / "face.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        setup = panel(screen)
        send_prompts(app, "a heron at dawn", "a lynx in fog")
        screen.take_waiting_prompts()
        setup.set_references((str(face.resolve()),))
        setup.query_one("#setup-list").set_value("aspect_ratio", "4:3")
        setup.query_one("#setup-list").set_value("variants", "3")
        setup.mark_sent({setup.items[0].uid})  # as a run does
        await pilot.pause()
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        setup = panel(screen)
        await wait_for(pilot, lambda: len(setup.items) == 2, what="the kept prompts")
        assert setup.settings.aspect_ratio == "4:3" and setup.settings.variants == 3
        assert setup.references == (str(face.resolve()),)
        assert [(i.entry.prompt.style, i.sent) for i in setup.items] == [("a heron at dawn", True),
                                                                        ("a lynx in fog", False)]
        await wait_for(pilot, lambda: "3 images to queue" in estimate_text(screen), what="the kept run's estimate")


async def test_a_kept_reference_that_is_gone_is_named_and_left_out(make_app, tmp_path: Path, notes) -> None:
    face = make_image(tmp_path / "face.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        panel(screen).set_references((str(face.resolve()),))
        await pilot.pause()
    face.unlink()
    async with make_app().run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        await wait_for(pilot, lambda: "face.png" in notes.text(), what="a note about the missing reference")
        assert panel(screen).references == ()


async def test_prompt_factory_s_reference_image_follows_its_prompts(make_app, tmp_path: Path) -> None:
    face = make_image(tmp_path / "face.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.context.handoff.send_prompts("portraits", [PromptOutput(style="a portrait in window light")],
                                         references=(str(face),))
        screen = await open_asset_monster(pilot)
        await wait_for(pilot, lambda: panel(screen).keeper._ready, what="the kept set-up read")
        assert panel(screen).references == (str(face.resolve()),)  # not undone by the restore
        assert len(panel(screen).items) == 1


def test_every_export_defaults_to_the_exports_folder_and_never_overwrites(settings, tmp_path: Path) -> None:
    context = AppContext(settings)
    try:
        result = run_prompts(context, [PromptEntry(PromptOutput(style="a heron at dawn"), "birds")],
                             BatchSettings("1:1", "1K", "png", 1))
        asyncio.run(context.run_jobs(batch_ids=[result.batch.id]))
        exports = settings.home / "exports"
        assert default_export_path(context, result.batch).parent == exports
        assert library_export_path(context, 1).parent == exports
        images = context.store.images.list(ImageFilter(batch_id=result.batch.id))
        target = tmp_path / "birds.zip"
        first = export_zip(context, images, target)
        second = export_zip(context, images, target)
        assert first.path == target and second.path == tmp_path / "birds-2.zip"
        assert target.stat().st_size > 0 and second.path.is_file()
    finally:
        context.close()
