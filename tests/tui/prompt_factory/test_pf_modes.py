"""Image → prompt and text → prompt, the form switch, and the module keys around text fields."""
from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import ContentSwitcher, Input, TextArea

from pixflow_tui.providers.demo import DemoTextProvider
from pf_helpers import fill, make_image, message, pf, prompt_list, results, settle, view


async def test_image_mode_writes_one_prompt_from_a_real_png(make_app, tmp_path: Path) -> None:
    image = make_image(tmp_path, "red.png", size=(48, 80), color=(210, 40, 30))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        assert app.focused is pf(app).query_one("#image")
        await fill(pilot, "#image", str(image), typed=False)
        await fill(pilot, "#context", "summer campaign")
        await pilot.press("enter")
        await settle(pilot)

        expected = await DemoTextProvider().image_to_prompt(image, "summer campaign")
        screen = pf(app)
        assert screen.results.shown is not None and screen.results.shown.prompts == [expected]
        assert prompt_list(app).option_count == 1 and prompt_list(app).highlighted == 0
        assert view(app).prompt == expected
        history = app.context.store.history.list()
        assert [(h.source, h.concept, h.prompt_count) for h in history] == [("analyzed", "summer campaign", 1)]
        assert history[0].prompts == [expected.model_dump()]
        assert "1 prompt written" in message(app)


async def test_text_mode_keeps_free_text_verbatim_as_the_style(make_app) -> None:
    text = "Moody editorial portrait in a rain-soaked alley, neon reflections, 85mm, shallow focus."
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        assert app.focused is pf(app).query_one("#text", TextArea)
        await pilot.press(*"Moody")  # typing goes into the text box, not to the keys of the module
        assert pf(app).query_one("#text", TextArea).text == "Moody"
        await fill(pilot, "#text", text)
        await pilot.press("ctrl+g")
        await settle(pilot)
        prompt = view(app).prompt
        assert prompt is not None and prompt.style == text
        history = app.context.store.history.list()
        assert [(h.source, h.prompt_count) for h in history] == [("text", 1)]
        assert history[0].prompts[0]["style"] == text
        assert history[0].concept == "Moody editorial portrait in a rain-soaked alley, neon"  # its first words


async def test_text_mode_splits_blank_line_separated_prompts_as_a_prompts_file_does(make_app, tmp_path) -> None:
    from pixflow_tui.workflows.asset_monster import prompts_from_file

    text = "A heron at dawn,\nstill water.\n\nA lynx in fog.\n\nPrompt 3: a fox in snow."
    file = tmp_path / "three.txt"
    file.write_text(text, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, "#text", text)
        await pilot.press("ctrl+g")
        await settle(pilot)
        written = [p.style for p in results(app).shown.prompts]
        assert written == ["A heron at dawn, still water.", "A lynx in fog.", "a fox in snow."]
        assert written == [entry.prompt.style for entry in prompts_from_file(file)]  # one rule for both
        assert "3 prompts written" in message(app)
        assert [(h.source, h.prompt_count) for h in app.context.store.history.list()] == [("text", 3)]


async def test_text_mode_maps_the_scene_subject_camera_shape(make_app) -> None:
    foreign = {"scene": "rooftop garden at dusk", "subject": "dancer mid-turn", "camera": "35mm wide, low angle",
               "lighting": "warm string lights", "mood": "joyful", "negative": "blur"}
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, "#text", json.dumps(foreign, indent=2))
        await pilot.press("ctrl+g")
        await settle(pilot)
        prompt = view(app).prompt
        assert prompt is not None
        assert prompt.set_design.backdrop == "rooftop garden at dusk"
        assert prompt.pose.body_position == "dancer mid-turn"
        assert prompt.camera.lens == "35mm wide, low angle"
        assert prompt.lighting.setup == "warm string lights" and prompt.lighting.mood == "joyful"
        assert "negative: blur" in prompt.style  # an unknown key is kept, not dropped
        assert app.context.store.history.list()[0].source == "text"


async def test_text_mode_reads_our_own_json_shape(make_app) -> None:
    ours = {"style": "CRITICAL: hero", "lighting": {"setup": "clamshell", "mood": "calm"}}
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, "#text", json.dumps(ours))
        await pilot.press("ctrl+g")
        await settle(pilot)
        prompt = view(app).prompt
        assert prompt is not None and prompt.style == "CRITICAL: hero"
        assert (prompt.lighting.setup, prompt.lighting.mood) == ("clamshell", "calm")


async def test_form_keys_switch_and_module_keys_work_outside_fields(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        switcher = pf(app).query_one("#forms", ContentSwitcher)
        assert switcher.current == "concept-form" and app.focused is None
        for key, form, field in (("i", "image-form", "#image"), ("t", "text-form", "#text"),
                                 ("c", "concept-form", "#concept")):
            await pilot.press(key)
            assert switcher.current == form
            assert app.focused is pf(app).query_one(field)
            assert pf(app).query_one(f"#tab-{form.removesuffix('-form')}").has_class("-active")
            await pilot.press("2")  # typed into the field: the module keys are off while typing
            assert app.current_mode == "prompt_factory"
            await pilot.press("escape")  # leaves the field
            assert app.focused is None
        assert pf(app).query_one("#concept", Input).value == "2"
        await pilot.press("2")
        await settle(pilot)
        assert app.current_mode == "asset_monster"
        await pilot.press("1")
        await settle(pilot)
        assert app.current_mode == "prompt_factory"


async def test_a_click_on_a_tab_switches_the_form(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#tab-text")
        await pilot.pause()
        assert pf(app).query_one("#forms", ContentSwitcher).current == "text-form"


async def test_a_burst_of_keys_lands_in_the_field_that_c_opens(make_app) -> None:
    """Over SSH, `c` and the first letters of a concept often arrive in one packet; Textual routes them all
    before `c` has moved the focus. They must still end up in the concept field, not act as keys (`t`, `i`)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("c", *"tidy"):
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)  # all queued at once, as a terminal read would deliver them
        await pilot.pause(0.3)
        assert pf(app).query_one("#forms", ContentSwitcher).current == "concept-form"
        assert pf(app).query_one("#concept", Input).value == "tidy"


async def test_tab_completes_a_path_and_otherwise_moves_on(make_app, tmp_path: Path) -> None:
    image = make_image(tmp_path, "reference-photo.png")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c", "tab", "tab")
        reference = pf(app).query_one("#reference", Input)
        assert app.focused is reference
        await pilot.press("tab")  # empty: on to the product
        assert app.focused is pf(app).query_one("#product") and reference.value == ""
        await pilot.press("shift+tab")
        await fill(pilot, "#reference", str(tmp_path / "refer"), typed=False)
        await pilot.press("tab")  # a partial path: completed
        assert reference.value == str(image) and app.focused is reference
        await pilot.press("tab")  # a finished file path: on to the product
        assert app.focused is pf(app).query_one("#product")
