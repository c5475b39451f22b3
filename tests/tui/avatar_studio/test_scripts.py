"""Scripts: generate, refine, undo/redo (kept across a restart), translate, edit, and bad input."""
from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from studio_helpers import open_studio, panel, text_of, type_text, wait_screen
from tui_helpers import settle, wait_for
from pixflow_tui.tui.screens.avatar_studio.dialogs import GenerateScriptDialog
from pixflow_tui.tui.screens.avatar_studio.languages import LanguagePicker
from pixflow_tui.tui.screens.avatar_studio.script_panel import ScriptPanel
from pixflow_tui.tui.screens.dialogs import TextInputDialog


async def generate(pilot, concept: str = "vintage film portraits", seconds: str = "15", tone: str = "casual") -> None:
    app = pilot.app
    await pilot.press("right_square_bracket")
    assert isinstance(app.focused, ScriptPanel)
    await pilot.press("g")
    form = await wait_screen(pilot, GenerateScriptDialog)
    assert isinstance(app.focused, Input) and app.focused.id == "concept"
    app.focused.value = ""  # the form opens with the last brief
    await type_text(pilot, concept)
    duration = form.query_one("#duration", Input)
    duration.value = seconds
    form.query_one("#tone", Select).value = tone
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_generate_then_shorter_undo_redo(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await generate(pilot)
        await wait_for(pilot, lambda: panel(app).view is not None, what="the script")
        view = panel(app).view
        assert view.duration == 15 and view.version.settings["tone"] == "casual"
        assert view.text in text_of(app, "#script-text")
        assert f"{view.fit.words} words" in text_of(app, "#script-meta")
        first = view.text

        await pilot.press("s")
        await wait_for(pilot, lambda: panel(app).view.text != first, what="the shorter version")
        shorter = panel(app).view
        assert shorter.fit.words < view.fit.words
        assert f"{shorter.fit.words} words" in text_of(app, "#script-meta")

        await pilot.press("u")
        await wait_for(pilot, lambda: panel(app).view.text == first, what="undo")
        assert panel(app).view.can_redo
        await pilot.press("U")
        await wait_for(pilot, lambda: panel(app).view.text == shorter.text, what="redo")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: panel(app).view.text == first, what="undo by ctrl+z")
        assert not panel(app).check_action("undo", ())  # the first version: nothing to undo
        kept = panel(app).view.version.id

    again = make_app()  # a restart: the same data folder shows the same current version
    async with again.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        assert panel(again).view is not None
        assert panel(again).view.version.id == kept
        assert panel(again).view.can_redo
        await pilot.press("right_square_bracket", "ctrl+y")
        await wait_for(pilot, lambda: panel(again).view.text == shorter.text, what="redo after the restart")


async def test_translate_into_two_languages(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await generate(pilot, "street food tour in istanbul", "20", "friendly")
        await wait_for(pilot, lambda: panel(app).view is not None, what="the script")
        picker = panel(app).query_one(LanguagePicker)
        assert picker.chosen == []  # the detected language is labelled, never ticked
        detected = panel(app).view.language
        if detected:
            assert "detected" in str(picker.get_option_at_index(list(picker._values).index(detected)).prompt)
        await pilot.press("L")
        assert app.focused is picker
        await pilot.press("down", "space", "down", "space")  # TR, ES
        assert sorted(picker.chosen) == ["ES", "TR"]
        await pilot.press("t")
        await wait_for(pilot, lambda: len(panel(app).view.translations) == 2, what="two translations")
        shown = text_of(app, "#script-translations")
        assert "TR Turkish" in shown and "ES Spanish" in shown
        assert panel(app).view.translations["TR"].text in shown
        await pilot.press("escape")
        assert isinstance(app.focused, ScriptPanel)
        await pilot.press("1")  # focus is not in a text field: modules switch
        await settle(pilot)
        assert app.current_mode == "prompt_factory"


async def test_type_a_script_then_edit_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await pilot.press("right_square_bracket", "n")
        assert isinstance(app.focused, TextArea)
        await type_text(pilot, "Hello there this is my own script about photos")
        await pilot.press("1")  # typing, not switching modules
        assert app.current_mode == "avatar_studio"
        await pilot.press("escape")  # leaves the field; the draft is kept
        assert isinstance(app.focused, ScriptPanel)
        await pilot.press("e")
        assert isinstance(app.focused, TextArea) and app.focused.text.endswith("photos1")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: panel(app).view is not None, what="the typed script")
        assert panel(app).view.text == "Hello there this is my own script about photos1"
        assert panel(app).view.version.action == "typed"
        assert isinstance(app.focused, ScriptPanel)

        await pilot.press("e")
        await type_text(pilot, " today")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: panel(app).view.text.endswith("today"), what="the edit")
        assert panel(app).view.version.action == "edited"
        await pilot.press("u")
        await wait_for(pilot, lambda: panel(app).view.text.endswith("photos1"), what="undo of the edit")


async def test_bad_input_shows_one_message_and_loses_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_studio(pilot)
        await generate(pilot, "city lights", "30", "dramatic")
        await wait_for(pilot, lambda: panel(app).view is not None, what="the script")
        before = panel(app).view

        await generate(pilot, "", "30")  # an empty concept
        form = await wait_screen(pilot, GenerateScriptDialog)
        assert "concept is empty" in str(form.query_one("#form-error").render())
        form.query_one("#concept", Input).value = "neon night market"
        form.query_one("#duration", Input).value = "200"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, GenerateScriptDialog) and app.screen is not form,
                       what="the form again")
        form = app.screen
        assert "5–120 seconds, not 200" in str(form.query_one("#form-error").render())
        assert form.query_one("#concept", Input).value == "neon night market"
        assert form.query_one("#tone", Select).value == "casual"
        await pilot.press("escape")
        await settle(pilot)
        assert panel(app).view.version.id == before.version.id
        assert "5–120 seconds" in text_of(app, "#script-status")

        await pilot.press("d")  # a duration out of range for the refine
        dialog = await wait_screen(pilot, TextInputDialog)
        dialog.query_one(Input).value = "200"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "5–120 seconds, not 200" in text_of(app, "#script-status"), what="refusal")
        assert panel(app).view.version.id == before.version.id
        await pilot.press("d")
        dialog = await wait_screen(pilot, TextInputDialog)
        dialog.query_one(Input).value = "10"
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel(app).view.duration == 10, what="fitted to 10 s")
