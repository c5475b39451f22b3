"""Bad inputs give a clear message and change nothing: an export where no file can be written, a preset file that
is missing, malformed or half valid. (Tests run as root here, so a folder that cannot be written is made by putting
a plain file where the folder should be: chmod would not stop root.)"""
from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input

from lib_helpers import column, open_library, open_store, record_notes, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import PathInputDialog


async def type_path(pilot, key: str, path: Path) -> PathInputDialog:
    app = pilot.app
    await pilot.press(key)
    dialog = await wait_for(pilot, lambda: isinstance(app.screen, PathInputDialog) and app.screen, what="the dialog")
    dialog.query_one(Input).value = str(path)
    await pilot.press("enter")
    return dialog


def blocked_folder(tmp_path: Path) -> Path:
    """A folder path that cannot be written: a plain file stands where it should be."""
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "blocked").write_text("a file, not a folder")
    return tmp_path / "work" / "blocked"


async def test_export_where_nothing_can_be_written_says_so_and_leaves_no_file(make_app, settings, tmp_path,
                                                                               monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    seed(settings, images=2, liked=())
    target = blocked_folder(tmp_path) / "out.zip"
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "assets")
        await pilot.press("down")
        await type_path(pilot, "e", target)
        await wait_for(pilot, lambda: any("cannot write" in n for n in notes), what="the error")
        assert str(target) in next(n for n in notes if "cannot write" in n)
        assert not any(n.startswith("Exported") for n in notes)
        assert [p.name for p in target.parent.parent.iterdir()] == ["blocked"]  # no zip, no half-written part


async def test_presets_export_where_nothing_can_be_written_says_so(make_app, settings, tmp_path, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    open_store(settings).presets.create(name="Teal grade", kind="prompt", data={"style": "teal"})
    target = blocked_folder(tmp_path) / "presets.json"
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "presets")
        await type_path(pilot, "E", target)
        await wait_for(pilot, lambda: any("cannot write" in n for n in notes), what="the error")
        assert not any("written to" in n for n in notes)


async def test_import_of_a_missing_file_is_refused_in_the_dialog(make_app, settings, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "presets")
        dialog = await type_path(pilot, "I", tmp_path / "nowhere.json")
        await pilot.pause()
        assert app.screen is dialog and "no such file" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert [p for p in open_store(settings).presets.list() if not p.is_builtin] == []


async def test_malformed_or_half_valid_preset_files_import_nothing(make_app, settings, tmp_path, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    store = open_store(settings)
    store.presets.create(name="Teal grade", kind="prompt", data={"style": "teal"})
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "pixflow-presets", "presets": [')
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"presets": []}')
    half = tmp_path / "half.json"
    half.write_text(json.dumps({"format": "pixflow-presets", "version": 1, "presets": [
        {"name": "Good one", "kind": "prompt", "data": {"style": "fine"}},
        {"name": "  ", "kind": "batch", "data": {"variants": 2}}]}))
    files = {p: p.read_text() for p in (broken, foreign, half)}
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "presets")
        for path, message in ((broken, "is not a presets file"), (foreign, "not a Pixflow presets file"),
                              (half, "preset 2: a preset name must be 1–200 characters; nothing was imported")):
            await type_path(pilot, "I", path)
            await wait_for(pilot, lambda: any(message in n for n in notes), what=message)
            await settle(pilot)
            assert column(table_of(tab), "name") == ["Teal grade"]
            assert [p.name for p in store.presets.list()] == ["Teal grade"]  # the good first preset was not kept
        assert {p: p.read_text() for p in files} == files  # the files are left as they were
        assert not any("imported" in n and "nothing" not in n for n in notes)
