"""Presets tab: create, rename, delete user presets; built-in ones are read-only; export and import a file."""
from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Select, TextArea

from lib_helpers import column, open_library, open_store, record_notes, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, PathInputDialog, TextInputDialog
from pixflow_tui.tui.screens.library.presets_tab import PresetDialog


async def test_create_rename_delete_and_builtin_is_read_only(make_app, settings, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    store = open_store(settings)
    builtin = store.presets.create(name="House style", kind="prompt", data={"style": "house"}, builtin=True)
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "presets")
        table = table_of(tab)
        assert column(table, "name") == ["House style"] and column(table, "origin") == ["built-in"]
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, TextInputDialog)  # built in: nothing to rename
        await pilot.press("delete")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog) and store.presets.get(builtin.id) is not None
        assert notes == ["“House style” is built in and read-only."] * 2

        await pilot.press("N")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PresetDialog) and app.screen)
        assert not isinstance(app.focused, Input | TextArea)
        dialog.query_one("#preset-kind", Select).value = "video"
        await pilot.pause()
        template = json.loads(dialog.query_one(TextArea).text)
        assert "movements" in template and "duration" in template  # the camera settings template
        dialog.query_one("#preset-name", Input).value = "Slow push"
        dialog.query_one(TextArea).load_text(json.dumps({"movements": ["push in"], "duration": "5"}))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: table.row_count == 2, what="the new preset")
        mine = [p for p in store.presets.list() if not p.is_builtin]
        assert [(p.name, p.kind, p.data) for p in mine] == [("Slow push", "video",
                                                              {"movements": ["push in"], "duration": "5"})]

        await pilot.press("down", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        await pilot.press("ctrl+a", "ctrl+k", *"Gentle push", "enter")
        await wait_for(pilot, lambda: "Gentle push" in column(table, "name"))
        assert store.presets.get(mine[0].id).name == "Gentle push"

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert store.presets.get(mine[0].id) is None


async def test_bad_json_is_refused_in_the_form(make_app, settings) -> None:
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "presets")
        await pilot.press("N")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PresetDialog) and app.screen)
        dialog.query_one("#preset-name", Input).value = "Broken"
        dialog.query_one(TextArea).load_text("{not json")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PresetDialog) and "not valid JSON" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert [p for p in open_store(settings).presets.list() if not p.is_builtin] == []


async def test_export_and_import_a_presets_file(make_app, settings, tmp_path: Path) -> None:
    store = open_store(settings)
    store.presets.create(name="Teal grade", kind="prompt", data={"style": "teal"})
    store.presets.create(name="House style", kind="prompt", data={"style": "house"}, builtin=True)
    target = tmp_path / "shared" / "presets.json"
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "presets")
        await pilot.press("E")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), what="the presets file")
        await settle(pilot)
        assert [p["name"] for p in json.loads(target.read_text())["presets"]] == ["Teal grade"]  # not built-ins
        await pilot.press("I")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen)
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: table_of(tab).row_count == 3, what="the imported preset")
        assert [(p.name, p.is_builtin) for p in store.presets.list()] == [
            ("House style", True), ("Teal grade", False), ("Teal grade", False)]


async def test_prompt_and_batch_presets_start_from_their_templates_and_search_finds_them(make_app, settings) -> None:
    store = open_store(settings)
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "presets")
        table = table_of(tab)
        for kind, name, check, data in (("prompt", "Teal look", "lighting", {"style": "teal"}),
                                        ("batch", "Tall 2K", "aspect_ratio", {"aspect_ratio": "9:16", "variants": 2})):
            await pilot.press("N")
            dialog = await wait_for(pilot, lambda: isinstance(app.screen, PresetDialog) and app.screen)
            dialog.query_one("#preset-kind", Select).value = kind
            await pilot.pause()
            assert check in json.loads(dialog.query_one(TextArea).text)  # the kind's template
            dialog.query_one("#preset-name", Input).value = name
            dialog.query_one("#preset-description", Input).value = f"my {kind}"
            dialog.query_one(TextArea).load_text(json.dumps(data))
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: name in column(table, "name"), what=name)
        assert sorted((p.name, p.kind, p.data, p.description) for p in store.presets.list()) == [
            ("Tall 2K", "batch", {"aspect_ratio": "9:16", "variants": 2}, "my batch"),
            ("Teal look", "prompt", {"style": "teal"}, "my prompt")]
        assert column(table, "kind") == ["batch settings", "prompt"]

        await pilot.press("slash", *"teal", "enter")
        await wait_for(pilot, lambda: column(table, "name") == ["Teal look"], what="the search")
        meta = screen.query_one("#preview-meta")
        await wait_for(pilot, lambda: "Teal look" in str(meta.render()) and "yours" in str(meta.render()))
