"""The set-up panel: settings by key, the live estimate, prompt sources, references, budget cap and presets."""
from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, SelectionList

from pixflow_tui.tui.screens.asset_monster.dialogs import PickPromptsDialog, ReferencesDialog
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.workflows.presets import list_presets

from am_helpers import PROMPTS, all_finished, jobs, make_image, open_asset_monster, panel, send_prompts, wait_for

ROWS = ("prompts", "references", "aspect_ratio", "resolution", "output_format", "variants", "preset", "run")


def estimate_text(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#estimate").render())


async def go_to_row(pilot, screen, key: str) -> None:  # type: ignore[no-untyped-def]
    if not panel(screen).display:
        await pilot.press("s")
    settings_list = panel(screen).query_one("#setup-list")
    settings_list.focus()
    settings_list.highlighted = ROWS.index(key)
    await pilot.pause()


async def submit(pilot, dialog_type, value: str):  # type: ignore[no-untyped-def]
    """Fill the Input of the dialog now on top, and press enter."""
    dialog = await wait_for(pilot, lambda: isinstance(pilot.app.screen, dialog_type) and pilot.app.screen,
                            what=dialog_type.__name__)
    dialog.query_one(Input).value = value
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    return dialog


async def choose(pilot, value: str) -> None:  # type: ignore[no-untyped-def]
    """Pick `value` in the ChoiceDialog now on top."""
    dialog = await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog) and pilot.app.screen)
    values = [v for v, _ in dialog.choices]
    for _ in range(values.index(value)):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_settings_start_from_the_config_and_change_by_key_with_a_live_estimate(make_app) -> None:
    app = make_app(default_aspect_ratio="1:1", default_resolution="1K", default_format="webp")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        settings = panel(screen).settings
        assert (settings.aspect_ratio, settings.resolution, settings.output_format, settings.variants) == (
            "1:1", "1K", "webp", 1)
        assert "No prompts yet" in estimate_text(screen)

        send_prompts(app, *PROMPTS)
        screen.take_waiting_prompts()
        await wait_for(pilot, lambda: "2 images to queue · est. $0.30" in estimate_text(screen))
        assert "demo: nothing is charged" in estimate_text(screen)

        await go_to_row(pilot, screen, "variants")
        await pilot.press("right")  # 1 → 2
        await wait_for(pilot, lambda: "4 images to queue · est. $0.60" in estimate_text(screen))
        await go_to_row(pilot, screen, "resolution")
        await pilot.press("left")  # 1K → 4K (wraps), which costs double
        assert panel(screen).settings.resolution == "4K"
        await wait_for(pilot, lambda: "4 images to queue · est. $1.20" in estimate_text(screen))
        await go_to_row(pilot, screen, "output_format")
        await pilot.press("l")  # vim alias: webp → png (wraps)
        assert panel(screen).settings.output_format == "png"

        await go_to_row(pilot, screen, "aspect_ratio")
        await pilot.press("enter")  # a list of all ten
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog) and app.screen)
        assert [v for v, _ in dialog.choices] == ["9:16", "16:9", "1:1", "4:3", "3:4", "4:5", "5:4", "3:2",
                                                  "2:3", "21:9"]
        await pilot.press("end", "enter")
        await pilot.pause()
        assert panel(screen).settings.aspect_ratio == "21:9"
        assert "21:9" in str(panel(screen).query_one("#setup-list").get_option("aspect_ratio").prompt)


async def test_prompts_from_files_typed_text_favourites_and_history(make_app, tmp_path: Path, notes) -> None:
    app = make_app()
    store = app.context.store
    store.favorites.add(prompt={"style": "favourite portrait in rain"}, name="rainy", concept="rain")
    store.history.add(concept="cats", prompts=[{"style": "a tabby cat"}, {"style": "a black cat"}])
    as_json = tmp_path / "prompts.json"
    as_json.write_text(json.dumps([{"scene": "a quiet beach", "camera": "35mm"}, "plain text prompt"]))
    as_txt = tmp_path / "prompts.txt"
    as_txt.write_text("prompt 1: a lighthouse\n\nprompt 2: a harbour at night\n")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"style": "ok"}\n{not json\n')
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)

        def styles() -> list[str]:
            return [item.entry.prompt.style for item in panel(screen).items]

        await pilot.press("a")
        await choose(pilot, "file")
        await submit(pilot, PathInputDialog, str(as_json))
        await wait_for(pilot, lambda: len(styles()) == 2, what="two prompts from the JSON file")
        first = panel(screen).items[0].entry
        assert first.prompt.set_design.backdrop == "a quiet beach" and first.concept == "prompts"
        assert styles()[1] == "plain text prompt"

        await pilot.press("a")
        await choose(pilot, "file")
        await submit(pilot, PathInputDialog, str(as_txt))
        await wait_for(pilot, lambda: len(styles()) == 4)
        assert styles()[2:] == ["a lighthouse", "a harbour at night"]

        await pilot.press("a")
        await choose(pilot, "file")
        await submit(pilot, PathInputDialog, str(broken))
        await wait_for(pilot, lambda: "broken.jsonl line 2" in notes.text(), what="the file's error")
        assert len(styles()) == 4

        await pilot.press("a")
        await choose(pilot, "typed")
        dialog = await submit(pilot, TextInputDialog, '{"scene": ')
        assert "cannot be read" in str(dialog.query_one("#error").render())  # refused in the dialog
        dialog.query_one(Input).value = "a typed prompt about dawn"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(styles()) == 5)
        assert styles()[4] == "a typed prompt about dawn"

        await pilot.press("a")
        await choose(pilot, "favorites")
        await wait_for(pilot, lambda: isinstance(app.screen, PickPromptsDialog))
        await pilot.press("enter")  # nothing ticked: the highlighted one
        await wait_for(pilot, lambda: len(styles()) == 6)
        assert panel(screen).items[5].entry.concept == "rain"

        await pilot.press("a")
        await choose(pilot, "history")
        picker = await wait_for(pilot, lambda: isinstance(app.screen, PickPromptsDialog) and app.screen)
        assert picker.query_one(SelectionList).option_count == 2
        await pilot.press("a", "enter")  # tick all, add
        await wait_for(pilot, lambda: len(styles()) == 8)
        assert styles()[6:] == ["a tabby cat", "a black cat"]

        prompt_list = panel(screen).query_one("#prompt-list")
        prompt_list.focus()
        prompt_list.highlighted = 0
        await pilot.press("delete")
        await pilot.pause()
        assert len(styles()) == 7 and styles()[0] == "plain text prompt"


async def test_bad_reference_files_are_refused_with_their_message(make_app, tmp_path: Path) -> None:
    missing = tmp_path / "nobody.png"
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("this is text, not pixels")
    too_big = tmp_path / "huge.png"
    too_big.write_bytes(b"\x89PNG" + b"\0" * (11 * 1024 * 1024))
    good = make_image(tmp_path / "face.jpg", fmt="JPEG")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        await pilot.press("i")
        dialog = await submit(pilot, PathInputDialog, str(missing))
        error = dialog.query_one("#error")
        assert f"reference image {missing} does not exist" in str(error.render())
        for path, message in ((not_an_image, "it is not an image"), (too_big, "is 11.0 MB; the limit is 10 MB")):
            dialog.query_one(Input).value = str(path)
            await pilot.press("enter")
            await pilot.pause()
            assert message in str(error.render()), str(error.render())
            assert app.screen is dialog
        dialog.query_one(Input).value = str(good)
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel(screen).references == (str(good.resolve()),))
        thumb = panel(screen).query_one("#ref-thumb-0", ImagePreview)
        assert thumb.display and thumb.path == good.resolve()
        await wait_for(pilot, lambda: thumb.query_one("#image").display, what="the thumbnail drawn")
        assert panel(screen).settings.references == (str(good.resolve()),)

        # the same file twice is refused too; the references dialog lists and removes
        await go_to_row(pilot, screen, "references")
        await pilot.press("enter")
        refs = await wait_for(pilot, lambda: isinstance(app.screen, ReferencesDialog) and app.screen)
        assert refs.query_one("#refs-list").option_count == 1
        assert refs.query_one("#refs-preview", ImagePreview).path == good.resolve()
        await pilot.press("a")
        again = await submit(pilot, PathInputDialog, str(good))
        assert "already a reference image" in str(again.query_one("#error").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is refs)
        await pilot.press("delete", "escape")
        await wait_for(pilot, lambda: panel(screen).references == ())
        assert not panel(screen).query_one("#ref-thumbs").display


async def test_the_budget_cap_refuses_a_batch_with_its_figures(make_app) -> None:
    app = make_app(budget_cap=0.2, provider_mode="live", fal_key="test-key")  # priced as fal bills; never sent
    async with app.run_test(size=(120, 40)) as pilot:
        send_prompts(app, *PROMPTS)
        screen = await open_asset_monster(pilot)
        await go_to_row(pilot, screen, "run")  # the ▶ Run row does what ctrl+r does
        await pilot.press("enter")
        await wait_for(pilot, lambda: panel(screen).error_text, what="the refusal")
        assert not isinstance(app.screen, ConfirmDialog)  # refused before anything is asked
        text = panel(screen).error_text
        assert "estimated at $0.30" in text and "budget cap of $0.20" in text and "$0.00 spent today" in text
        assert jobs(app) == [] and app.context.store.batches.latest("asset_monster") is None
        assert all(not item.sent for item in panel(screen).items)


async def test_settings_saved_as_a_preset_and_loaded_back(make_app, tmp_path: Path) -> None:
    face = make_image(tmp_path / "face.png")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        await go_to_row(pilot, screen, "aspect_ratio")
        await pilot.press("right", "right")  # 9:16 → 1:1
        await go_to_row(pilot, screen, "variants")
        await pilot.press("right", "right")  # 3 per prompt
        panel(screen).set_references((str(face),))
        await pilot.press("p")
        await choose(pilot, "save")
        await submit(pilot, TextInputDialog, "square triple")
        await wait_for(pilot, lambda: list_presets(app.context, "batch"), what="the preset row")
        (preset,) = list_presets(app.context, "batch")
        assert preset.name == "square triple"
        assert preset.data == {"aspect_ratio": "1:1", "resolution": "2K", "output_format": "jpeg", "variants": 3,
                               "references": [str(face)]}

        await go_to_row(pilot, screen, "aspect_ratio")
        await pilot.press("left")
        await go_to_row(pilot, screen, "variants")
        await pilot.press("left", "left")
        panel(screen).set_references(())
        assert panel(screen).settings.variants == 1
        await pilot.press("p")
        await choose(pilot, str(preset.id))
        await wait_for(pilot, lambda: panel(screen).settings.variants == 3, what="the preset applied")
        settings = panel(screen).settings
        assert (settings.aspect_ratio, settings.references) == ("1:1", (str(face.resolve()),))


async def test_help_lists_the_asset_monster_keys_with_their_ids(make_app) -> None:
    from pixflow_tui.tui.screens.help import HelpScreen, binding_groups

    from pixflow_tui.core.prompt_schema import PromptOutput
    from pixflow_tui.workflows.asset_monster import BatchSettings, PromptEntry, run_prompts

    app = make_app()
    run_prompts(app.context, [PromptEntry(PromptOutput(style=PROMPTS[0]))], BatchSettings("1:1", "1K", "png", 1))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_asset_monster(pilot)
        await wait_for(pilot, lambda: all_finished(app, count=1))
        await go_to_row(pilot, screen, "prompts")
        ids = {ident for _, lines in binding_groups(screen) for _, _, ident in lines}
        assert {"am-run", "am-add-prompts", "am-add-reference", "am-toggle-setup", "am-presets",
                "am-batches", "export"} <= ids
        assert "settings-next" not in ids  # no value to step on this row
        await go_to_row(pilot, screen, "aspect_ratio")
        ids = {ident for _, lines in binding_groups(screen) for _, _, ident in lines}
        assert {"settings-previous", "settings-next", "settings-down-vim"} <= ids
        from am_helpers import table

        table(screen).focus()
        await pilot.pause()
        lines = {ident: (keys, text) for _, group in binding_groups(screen) for keys, text, ident in group}
        for ident in ("am-view", "rate-like", "rate-dislike", "rate-clear", "regenerate", "cancel-job",
                      "am-mark", "favourite-prompt", "send-to-img2video", "open-file", "copy-prompt", "jobs-down-vim"):
            assert ident in lines, ident
        assert lines["rate-like"][0] == "l" and lines["regenerate"][0] == "r"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
