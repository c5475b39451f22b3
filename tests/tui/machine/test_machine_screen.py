"""The Machine's screen: the form refuses what is missing, a dry run, a whole run confirmed and followed to the end,
and the budget cap refusing a live run before anything is written."""
from __future__ import annotations

from pathlib import Path

from machine_helpers import (
    CONCEPT, form, machine, open_machine, pick_first_avatar, portrait, run_view, text_of, type_concept,
)
from tui_helpers import settle, wait_for
from pixflow_tui.store import Store
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.widgets.thumbnail_grid import ThumbnailGrid
from pixflow_tui.workflows import machine as flow
from tests.emulators.fixtures import FAL_TEST_KEY


async def test_the_form_refuses_a_missing_avatar_then_a_missing_voice(make_app, settings) -> None:
    portrait(settings.avatars_folder / "Anna.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_machine(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert "type a concept" in text_of(app, "#machine-form-status")
        await type_concept(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert "choose an avatar" in text_of(app, "#machine-form-status")
        await pick_first_avatar(pilot)
        assert "green box: yes" in text_of(app, "#machine-green")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "choose a voice" in text_of(app, "#machine-form-status")
        await settle(pilot)
        assert run_view(app).status is None and run_view(app).plan is None


async def test_a_dry_run_shows_each_step_and_the_estimate(make_app, settings) -> None:
    portrait(settings.avatars_folder / "Anna.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_machine(pilot)
        await type_concept(pilot)
        await pick_first_avatar(pilot)
        form(app).settings_list.set_value("voice", "Aria")
        form(app).settings_list.set_value("videos", "camera pans right")
        await pilot.press("d")
        await wait_for(pilot, lambda: run_view(app).plan is not None, what="the dry run")
        await settle(pilot)
        view = run_view(app)
        steps = [str(key.value) for key in view.table.rows]
        assert steps == ["prompts", "images", "videos", "script", "speech", "lipsync"]
        assert view.table.get_row("images")[2] == "5 paid"
        assert "Dry run" in text_of(app, "#machine-run-head") and "$" in text_of(app, "#machine-status")
        assert "Nothing was written" in text_of(app, "#machine-status")
    store = Store.open(settings)
    assert store.pipeline_runs.list() == [] and store.jobs.list() == []
    store.close_thread_connection()


async def test_a_whole_run_is_confirmed_once_and_followed_to_the_end(make_app, settings) -> None:
    portrait(settings.avatars_folder / "Anna.png")
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_machine(pilot)
        await type_concept(pilot)
        await pick_first_avatar(pilot)
        values = form(app).settings_list
        values.set_value("voice", "Aria")
        values.set_value("count", "2")
        form(app).languages = ["EN", "TR"]
        await pilot.press("ctrl+r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen,
                                what="the real plan's confirmation")
        assert "fal-ai" in dialog.message or "demo" in dialog.message.lower()
        await pilot.press("y")
        await wait_for(pilot, lambda: run_view(app).status is not None and run_view(app).status.status == "done",
                       timeout=60, what="the run done")
        await settle(pilot)
        status = run_view(app).status
        assert {s.name: s.state for s in status.steps} == {name: "done" for name in
                                                           ("prompts", "images", "script", "speech", "lipsync")}
        assert {s.name: s.done for s in status.steps}["images"] == 2
        assert sum(isinstance(s, ConfirmDialog) for s in app.screen_stack) == 0
        # the outputs: the prompt list, the images in the grid, the script per language
        view = run_view(app)
        view.table.focus()
        view.table.move_cursor(row=0)
        await settle(pilot)
        assert "1. " in text_of(app, "#machine-output-text")
        view.table.move_cursor(row=1)
        await wait_for(pilot, lambda: view.query_one(ThumbnailGrid).row_count == 2, what="the image grid")
        view.table.move_cursor(row=2)
        await settle(pilot)
        assert "EN: " in text_of(app, "#machine-output-text") and "TR: " in text_of(app, "#machine-output-text")
        view.table.move_cursor(row=4)
        await settle(pilot)
        assert ".mp4" in text_of(app, "#machine-output-text")
        # export it
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PathInputDialog", what="the path dialog")
        target = Path(settings.home) / "run.zip"
        app.screen.query_one("#input").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.is_file, what="the export")
    assert machine  # the screen helper stays importable


async def test_the_budget_cap_refuses_a_live_run_before_anything_is_written(make_app, settings, fal_env) -> None:
    portrait(settings.avatars_folder / "Anna.png")
    app = make_app(provider_mode="live", fal_key=FAL_TEST_KEY, budget_cap=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_machine(pilot)
        await type_concept(pilot)
        await pick_first_avatar(pilot)
        form(app).settings_list.set_value("voice", "Aria")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "budget cap" in text_of(app, "#machine-status"), what="the refusal")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    store = Store.open(settings)
    assert store.pipeline_runs.list() == [] and store.jobs.list() == []
    store.close_thread_connection()
    assert CONCEPT and flow.MODULE == "machine"


async def test_saying_no_stops_before_paying_and_resume_asks_again(make_app, settings) -> None:
    portrait(settings.avatars_folder / "Anna.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_machine(pilot)
        await type_concept(pilot)
        await pick_first_avatar(pilot)
        values = form(app).settings_list
        values.set_value("voice", "Aria")
        values.set_value("count", "1")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: "stopped before paying" in text_of(app, "#machine-status"), what="stopped")
        await settle(pilot)
        assert run_view(app).status is not None and run_view(app).status.status == "stopped"
        await pilot.press("right_square_bracket", "u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the confirmation again")
        await pilot.press("y")
        await wait_for(pilot, lambda: run_view(app).status is not None and run_view(app).status.status == "done",
                       timeout=60, what="the resumed run done")
        store = Store.open(settings)
        assert len(store.pipeline_runs.list()) == 1
        store.close_thread_connection()
