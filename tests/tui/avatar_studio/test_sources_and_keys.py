"""The other ways in (transcribe, an audio file), and the keys: ids, help, footer, module switching."""
from __future__ import annotations

from textual.widgets import Input

from studio_helpers import open_studio, panel, studio, text_of, wait_screen, write_wav
from tui_helpers import settle, wait_for
from pixflow_tui.tui.screens.avatar_studio.dialogs import GenerateAvatarsDialog, GenerateScriptDialog
from pixflow_tui.tui.screens.avatar_studio.editor import ScriptTextArea
from pixflow_tui.tui.screens.avatar_studio.gallery import AvatarGallery, AvatarGrid
from pixflow_tui.tui.screens.avatar_studio.languages import LanguagePicker
from pixflow_tui.tui.screens.avatar_studio.script_panel import ScriptPanel
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog
from pixflow_tui.tui.screens.help import HelpScreen
from pixflow_tui.tui.widgets.key_hints import KeyHints


async def test_transcribe_a_file_into_a_script(make_app, tmp_path) -> None:
    clip = write_wav(tmp_path / "voice.wav", seconds=4)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("right_square_bracket", "t")
        await wait_screen(pilot, ChoiceDialog)
        await pilot.press("enter")  # a local file
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(clip)
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel(app).view is not None, what="the transcript")
        view = panel(app).view
        assert view.version.action == "transcribed"
        assert view.version.settings["source"] == str(clip)
        assert view.text in text_of(app, "#script-text")


async def test_have_an_audio_is_remembered_and_bad_files_are_refused(make_app, tmp_path) -> None:
    clip = write_wav(tmp_path / "take1.wav")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("right_square_bracket", "a")
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(notes)
        await pilot.press("enter")
        await settle(pilot)
        assert "not an audio file" in text_of(app, "#script-status")
        assert studio(app).current_audio is None
        await pilot.press("a")
        dialog = await wait_screen(pilot, PathInputDialog)
        dialog.query_one(Input).value = str(clip)
        await pilot.press("enter")
        await settle(pilot)
        assert studio(app).current_audio == clip
        assert "take1.wav" in text_of(app, "#script-audio")
        assert panel(app).view is None  # no script needed


def _ids(widget_class: type) -> list[str]:
    return [b.id or "" for b in widget_class.BINDINGS]


async def test_every_key_has_an_avatar_id_and_shows_in_help(make_app) -> None:
    for widget_class in (AvatarGallery, ScriptPanel, LanguagePicker, ScriptTextArea, GenerateAvatarsDialog,
                         GenerateScriptDialog):
        assert all(ident.startswith("avatar-") for ident in _ids(widget_class)), widget_class
    assert "avatar-use" in _ids(AvatarGrid)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("right_square_bracket")
        hints = {hint.description for hint in studio(app).query_one(KeyHints).hints}
        assert {"Undo", "Redo"} <= hints  # listed in the footer while focus is not in a text field
        await pilot.press("question_mark")
        help_screen = await wait_screen(pilot, HelpScreen)
        title, lines = help_screen.groups[0]
        assert title == "Focused: ScriptPanel"
        ids = {ident for _, _, ident in lines}
        for wanted in ("avatar-script-undo", "avatar-script-redo", "avatar-script-generate",
                       "avatar-script-transcribe", "avatar-script-audio", "avatar-script-translate"):
            assert wanted in ids
        keys = {description: keys for keys, description, _ in lines}
        assert keys["Undo"].split() == ["u", "^z"] and keys["Redo"].split() == ["U", "^y"]
        await pilot.press("escape")
        await pilot.press("left_square_bracket")
        assert isinstance(app.focused, AvatarGrid)
        await pilot.press("question_mark")
        help_screen = await wait_screen(pilot, HelpScreen)
        ids = {ident for _, lines in help_screen.groups for _, _, ident in lines}
        assert {"avatar-use", "avatar-import", "avatar-generate", "avatar-green-version"} <= ids
        await pilot.press("escape")
        for number, mode in ((5, "machine"), (4, "avatar_studio")):
            await pilot.press(str(number))
            await settle(pilot)
            assert app.current_mode == mode
