"""Avatar Studio part 2 under Pilot on the demo providers: a run in three languages, audio only, own audio, a failed
language retried, the deliverable's poster and facts, reaction videos, and the last run kept after a restart."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from studio_helpers import gallery, open_studio, panel, portrait, studio, text_of, wait_screen, write_wav
from tui_helpers import settle, wait_for
from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.providers.base import PermanentProviderError
from pixflow_tui.providers.demo.media import DemoMediaProvider
from pixflow_tui.tui import action_keys
from pixflow_tui.tui.screens.help import HelpScreen
from pixflow_tui.tui.screens.avatar_studio.languages import LanguagePicker
from pixflow_tui.tui.screens.avatar_studio.run_panel import RunPanel, RunTable
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog
from pixflow_tui.workflows import scripts
from pixflow_tui.workflows.context import AppContext

TEXT = "Hey there, I made my whole portfolio in one afternoon and it looks great. Try it today, it is free."


async def seed(settings: Settings, *, script: bool = True, avatar: bool = True) -> None:
    if avatar:
        portrait(settings.avatars_folder / "face.png")
    if script:
        ctx = AppContext(settings)
        try:
            await scripts.new_script(ctx, TEXT)
        finally:
            ctx.close()


def run_panel(app: Any) -> RunPanel:
    return studio(app).query_one(RunPanel)


def states(app: Any) -> dict[str, str]:
    return {row.label.split()[0]: row.state for row in run_panel(app).rows.values()}


async def choose_avatar(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: gallery(app).grid.entries, what="the avatar in the gallery")
    await pilot.press("left_square_bracket", "enter")
    await wait_for(pilot, lambda: run_panel(app).inputs.avatar is not None, what="the avatar chosen")


async def start_run(pilot: Pilot[Any]) -> ConfirmDialog:
    await pilot.press("backslash")
    assert isinstance(pilot.app.focused, RunTable)
    await pilot.press("r")
    dialog = await wait_screen(pilot, ConfirmDialog, "the door's confirmation")
    await pilot.press("y")
    return dialog


async def all_done(pilot: Pilot[Any], count: int) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: len(run_panel(app).rows) == count
                   and all(row.state == "done" for row in run_panel(app).rows.values()), what="every row done")


async def test_a_three_language_run_fills_the_table_with_three_videos(make_app, settings) -> None:
    await seed(settings)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        assert not isinstance(app.focused, Input)
        await choose_avatar(pilot)
        await pilot.press("right_square_bracket", "L", "space", "down", "space", "down", "space", "t")
        picker = panel(app).query_one(LanguagePicker)
        assert sorted(picker.chosen) == ["EN", "ES", "TR"]
        await wait_for(pilot, lambda: len(panel(app).view.translations) == 2, what="translated first")
        await pilot.press("escape")
        assert run_panel(app).inputs.languages == ["EN", "TR", "ES"]
        dialog = await start_run(pilot)
        assert dialog.message.startswith("6 jobs: 3 × ") and dialog.title_text == "Start this avatar run?"
        await all_done(pilot, 3)
        rows = list(run_panel(app).rows.values())
        assert [row.language for row in rows] == ["EN", "TR", "ES"]
        assert all(row.deliverable and row.deliverable.endswith(".mp4") for row in rows)
        assert studio(app).current_run == run_panel(app).batch_id
        # the highlighted video: its poster frame, length, size and path
        await wait_for(pilot, lambda: "▶ video" in text_of(app, "#run-facts"), what="the video's facts")
        facts = text_of(app, "#run-facts")
        assert " s · " in facts and rows[0].deliverable in facts
        await wait_for(pilot, lambda: studio(app).query_one("#run-poster").display, what="the poster frame")
        poster = run_panel(app).facts[rows[0].deliverable].poster
        assert poster is not None and poster.is_file()
        await pilot.press("y")
        assert app.clipboard == rows[0].deliverable
        await pilot.press("5", "4")  # focus was never in a text field
        await settle(pilot)
        assert app.current_mode == "avatar_studio"


async def test_without_an_avatar_the_audio_is_the_deliverable(make_app, settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pixflow_tui.workflows.asset_monster import ViewerLauncher

    opened: list[str] = []
    monkeypatch.setattr(ViewerLauncher, "open", lambda self, path: opened.append(str(path)))
    await seed(settings, avatar=False)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await wait_for(pilot, lambda: run_panel(app).inputs.script_id is not None, what="the script")
        await pilot.press("backslash", "v")
        await wait_screen(pilot, ChoiceDialog, "the voices")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert run_panel(app).voice == "Roger"
        assert "Roger (male, US)" in text_of(app, "#run-choice") and "audio only" in text_of(app, "#run-choice")
        await start_run(pilot)
        await all_done(pilot, 1)
        (row,) = run_panel(app).rows.values()
        assert row.deliverable and row.video == "—"
        await wait_for(pilot, lambda: "♪ audio" in text_of(app, "#run-facts"), what="the audio's facts")
        assert not studio(app).query_one("#run-poster").display
        await pilot.press("o")  # the system player, as the Library's o (the launcher says when there is no display)
        assert opened == [row.deliverable]


async def test_own_audio_goes_to_lipsync(make_app, settings, tmp_path: Path) -> None:
    await seed(settings, script=False)
    clip = write_wav(tmp_path / "take1.wav", seconds=2)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await choose_avatar(pilot)
        await pilot.press("right_square_bracket", "a")
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(clip)
        await pilot.press("enter")
        await wait_for(pilot, lambda: run_panel(app).inputs.audio is not None, what="the audio chosen")
        assert "2.0 s" in text_of(app, "#script-audio")
        assert "Own audio take1.wav → lipsync" in text_of(app, "#run-choice")
        await start_run(pilot)
        await all_done(pilot, 1)
        (row,) = run_panel(app).rows.values()
        assert row.speech == "—" and row.deliverable and row.deliverable.endswith(".mp4")


async def test_a_failed_language_is_retried_alone(make_app, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed(settings)
    send = DemoMediaProvider.send
    failures: list[str] = []

    async def fail_tr_lipsync_once(self: DemoMediaProvider, prepared: Any) -> Any:
        request = prepared.request
        if request.kind == JobKind.LIPSYNC and request.meta.get("language") == "TR" and not failures:
            failures.append("TR")
            raise PermanentProviderError("content policy: the demo refused this one", status_code=422)
        return await send(self, prepared)

    monkeypatch.setattr(DemoMediaProvider, "send", fail_tr_lipsync_once)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await choose_avatar(pilot)
        await pilot.press("right_square_bracket", "L", "space", "down", "space", "t")
        await wait_for(pilot, lambda: len(panel(app).view.translations) == 1, what="translated first")
        await pilot.press("escape")
        await start_run(pilot)
        await wait_for(pilot, lambda: len(run_panel(app).rows) == 2
                       and sorted(states(app).values()) == ["done", "failed"], what="one language failed")
        assert states(app)["TR"] == "failed"
        await pilot.press("R")  # the cursor is on EN, which is done: nothing to retry
        assert "only a failed row" in text_of(app, "#run-status")
        await pilot.press("down")
        await wait_for(pilot, lambda: "content policy" in text_of(app, "#run-facts"), what="the error shown")
        await pilot.press("R")
        dialog = await wait_screen(pilot, ConfirmDialog, "the retry's confirmation")
        assert dialog.title_text == "Retry TR Turkish?" and dialog.message.startswith("1 job: 1 × ")
        await pilot.press("y")
        await all_done(pilot, 2)
        assert failures == ["TR"]


async def test_a_reaction_video_and_the_last_run_after_a_restart(make_app, settings) -> None:
    await seed(settings)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await choose_avatar(pilot)
        await start_run(pilot)
        await all_done(pilot, 1)
        batch_id = run_panel(app).batch_id
        await pilot.press("e")
        await wait_screen(pilot, ChoiceDialog, "the reactions")
        await pilot.press("down", "enter")  # upset
        await wait_screen(pilot, ConfirmDialog, "the reaction's confirmation")
        await pilot.press("y")
        await all_done(pilot, 2)
        reaction = next(row for row in run_panel(app).rows.values() if row.job_id is not None)
        assert reaction.label == "☺ upset" and reaction.deliverable and reaction.deliverable.endswith(".mp4")
        assert run_panel(app).batch_id == batch_id  # the run stays the run
    again = make_app()
    async with again.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await wait_for(pilot, lambda: run_panel(again).loaded and run_panel(again).rows, what="the last run")
        assert run_panel(again).batch_id == batch_id
        assert [row.state for row in run_panel(again).rows.values()] == ["done"]


async def test_the_run_panels_keys_have_ids_and_show_in_help(make_app) -> None:
    shared = {action_keys.OPEN, action_keys.COPY_PROMPT}
    for widget_class in (RunPanel, RunTable):
        ids = [b.id or "" for b in widget_class.BINDINGS]
        assert all(i.startswith("avatar-run-") or i in shared for i in ids), widget_class
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await pilot.press("backslash", "question_mark")
        help_screen = await wait_screen(pilot, HelpScreen)
        ids = {ident for _, lines in help_screen.groups for _, _, ident in lines}
        assert {"avatar-run-start", "avatar-run-voice", "avatar-run-retry", "avatar-run-reaction",
                "avatar-run-audio-only", action_keys.OPEN, action_keys.COPY_PROMPT} <= ids
        await pilot.press("escape")
        await pilot.press("r")  # no script, no audio: said before anything is paid
        await wait_for(pilot, lambda: "no script yet" in text_of(app, "#run-status"), what="the refusal")
        assert not isinstance(app.screen, ConfirmDialog)


async def test_p_makes_a_voice_sample_once_then_plays_it(make_app, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixflow_tui.workflows.asset_monster import ViewerLauncher

    opened: list[str] = []
    monkeypatch.setattr(ViewerLauncher, "open", lambda self, path: opened.append(str(path)))
    await seed(settings, script=False, avatar=False)
    app = make_app()
    async with app.run_test(size=(140, 48)) as pilot:
        await open_studio(pilot)
        await pilot.press("backslash", "p")
        dialog = await wait_screen(pilot, ConfirmDialog, "the sample's confirmation")
        assert "1 job" in dialog.message and "Aria" in dialog.title_text
        await pilot.press("y")
        context = app.context
        await wait_for(pilot, lambda: [j for j in context.store.jobs.list() if str(j.status) == "done"],
                       what="the sample made")
        await pilot.press("p")
        await wait_for(pilot, lambda: opened, what="the sample played")
        assert opened[0].endswith(".mp3") and len(context.store.jobs.list()) == 1  # made once, then kept
