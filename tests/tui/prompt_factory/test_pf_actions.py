"""Keys on written prompts: favourite, copy, select and send, edit (inline JSON and $EDITOR), save, help."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from pixflow_tui.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from pixflow_tui.tui.screens.help import HelpScreen
from pixflow_tui.tui.screens.prompt_factory.editor import JsonEditorDialog
from pf_helpers import message, pf, prompt_list, results, rows, settle, view, write_concept

CONCEPT = "desert road trip fashion"


async def written(pilot, count: int = 3) -> None:
    await settle(pilot)
    await write_concept(pilot, CONCEPT, count)


async def test_favourite_asks_for_a_name_and_saves_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot)
        await pilot.press("j")  # vim down: the second prompt
        second = results(app).shown.prompts[1]
        assert view(app).prompt == second
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TextInputDialog)
        field = dialog.query_one(Input)
        assert field.value == "desert road trip fashion #2"  # a sensible default
        field.value = ""
        await pilot.press("enter")  # an empty name is refused in the dialog
        assert app.screen is dialog
        await pilot.press(*"Dune hero")
        await pilot.press("enter")
        await settle(pilot)
        favourites = app.context.store.favorites.list()
        assert [(f.name, f.concept) for f in favourites] == [("Dune hero", CONCEPT)]
        assert favourites[0].prompt == second.model_dump()


async def test_escape_in_the_name_dialog_saves_nothing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert app.context.store.favorites.list() == []


async def test_copy_puts_the_prompt_json_on_the_clipboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot)
        await pilot.press("j", "j")  # vim down twice: the third prompt
        assert prompt_list(app).highlighted == 2
        await pilot.press("y")
        assert json.loads(app.clipboard) == results(app).shown.prompts[2].model_dump()


def spy_on_sending(app, monkeypatch) -> list[tuple]:
    """Record what goes to Asset Monster (its screen may take the parcel out of the mailbox when shown)."""
    sent: list[tuple] = []
    handoff = app.context.handoff
    real_send = handoff.send_prompts

    def send(concept, prompts, history_id=None, **extra):
        sent.append((concept, list(prompts), history_id))
        real_send(concept, prompts, history_id, **extra)

    monkeypatch.setattr(handoff, "send_prompts", send)
    return sent


async def test_select_and_send_to_asset_monster(make_app, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot, 4)
        sent = spy_on_sending(app, monkeypatch)
        batch = results(app).shown
        await pilot.press("s")  # selects the first and moves on
        assert prompt_list(app).highlighted == 1
        await pilot.press("j", "s")  # the third
        assert batch.selected == {0, 2}
        assert message(app) == "2 selected · g sends these 2 to Asset Monster"  # the line follows the selection
        assert [row[0] for row in rows(app)] == ["●", " ", "●", " "]
        assert pf(app).query_one("#list-column").border_subtitle == "2 selected"
        await pilot.press("k", "space")  # space toggles too: the third is unselected
        assert batch.selected == {0}
        await pilot.press("k", "space")
        assert batch.selected == {0, 2}
        await pilot.press("g")
        await settle(pilot)
        history_id = app.context.store.history.list()[0].id
        assert sent == [(CONCEPT, [batch.prompts[0], batch.prompts[2]], history_id)]
        assert app.current_mode == "asset_monster"
        assert batch.selected == set()  # sent: the marks are cleared


async def test_send_without_a_selection_sends_every_prompt_just_written(make_app, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot)
        assert "3 prompts written" in message(app) and "g sends all 3 to Asset Monster" in message(app)
        sent = spy_on_sending(app, monkeypatch)
        await pilot.press("j")  # the highlight does not narrow what is sent
        expected = results(app).shown.prompts
        await pilot.press("g")
        await settle(pilot)
        assert [prompts for _, prompts, _ in sent] == [expected]
        assert app.current_mode == "asset_monster"
        assert len(app.screen.query_one("SetupPanel").items) == 3


async def test_inline_json_editor_rejects_bad_json_keeps_the_edit_and_accepts_a_valid_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await written(pilot)
        screen = pf(app)
        original = screen.results.shown.prompts[0]
        await pilot.press("E")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, JsonEditorDialog)
        area = editor.query_one(TextArea)
        assert json.loads(area.text) == original.model_dump()

        broken = area.text.replace('"style":', '"style"', 1)
        area.text = broken
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor  # not applied
        error = str(editor.query_one("#json-error", Static).render())
        assert "Not applied: not valid JSON" in error and "line 2" in error
        assert area.text == broken  # the edit is kept

        data = original.model_dump()
        data["lightning"] = {"setup": "typo"}
        area.text = json.dumps(data, indent=2)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        assert "unknown key lightning" in str(editor.query_one("#json-error", Static).render())

        data = original.model_dump()
        data["style"] = "CRITICAL: a hand-edited style"
        area.text = json.dumps(data, indent=2)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.results.shown.prompts[0].style == "CRITICAL: a hand-edited style"
        assert view(app).prompt.style == "CRITICAL: a hand-edited style"
        assert "CRITICAL: a hand-edited style" in rows(app)[0]
        assert "edited" in message(app)

        # ctrl+s saves the edited prompts as a new history row; again without changes, no duplicate
        await pilot.press("ctrl+s")
        await settle(pilot)
        history = app.context.store.history.list()
        assert len(history) == 2
        assert history[0].prompts[0]["style"] == "CRITICAL: a hand-edited style"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.context.store.history.count() == 2


async def test_escape_from_a_changed_json_edit_asks_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await written(pilot)
        before = results(app).shown.prompts[0]
        await pilot.press("E")
        await pilot.pause()
        editor = app.screen
        editor.query_one(TextArea).text = "{}"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep editing
        assert app.screen is editor and editor.query_one(TextArea).text == "{}"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is pf(app)
        assert results(app).shown.prompts[0] == before


async def test_edits_are_saved_before_the_next_run(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await written(pilot, 2)
        results(app).apply_edit(1, results(app).shown.prompts[1].model_copy(update={"style": "edited style"}))
        await write_concept(pilot, "second concept", 1)
        history = app.context.store.history.list()
        assert len(history) == 3  # first run, its edited version, second run
        assert any(h.prompts[-1]["style"] == "edited style" for h in history)


async def test_e_falls_back_to_the_inline_editor_where_the_app_cannot_suspend(make_app, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "vi")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await written(pilot)
        await pilot.press("e")  # headless: App.suspend raises SuspendNotSupported
        await pilot.pause()
        assert isinstance(app.screen, JsonEditorDialog)


EDITOR_SCRIPT = """
import json, sys
path = sys.argv[1]
data = json.load(open(path))
data["style"] = "CRITICAL: written in my editor"
open(path, "w").write(json.dumps(data))
"""


@pytest.mark.parametrize("outcome", ["valid", "malformed"])
async def test_e_edits_in_the_users_editor(make_app, monkeypatch, tmp_path: Path, outcome: str) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT if outcome == "valid" else "import sys; open(sys.argv[1], 'w').write('{oops')")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # a real terminal would be handed over
        await written(pilot)
        await pilot.press("e")
        await pilot.pause()
        if outcome == "valid":
            assert results(app).shown.prompts[0].style == "CRITICAL: written in my editor"
            assert view(app).prompt.style == "CRITICAL: written in my editor"
        else:  # the edit is not lost: it opens inline with what is wrong
            editor = app.screen
            assert isinstance(editor, JsonEditorDialog)
            assert editor.query_one(TextArea).text.strip() == "{oops"
            assert "not valid JSON" in str(editor.query_one("#json-error", Static).render())


async def test_help_lists_the_prompt_keys_with_their_ids(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await written(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {ident for _, lines in app.screen.groups for _, _, ident in lines}
        for binding_id in ("pf-edit", "pf-edit-json", "favourite-prompt", "copy-prompt", "pf-select", "pf-send", "pf-save",
                           "pf-down", "pf-up", "pf-generate"):
            assert binding_id in ids
        await pilot.press("escape")
        await pilot.pause()
        footer_keys = {b.binding.id for b in pf(app).active_bindings.values() if b.binding.show}
        assert {"pf-edit", "favourite-prompt", "copy-prompt", "pf-select", "pf-send", "pf-save"} <= footer_keys


async def test_prompt_keys_are_remappable_by_id(make_app) -> None:
    app = make_app(keymap={"pf-copy": "w"})
    async with app.run_test(size=(100, 30)) as pilot:
        await written(pilot)
        await pilot.press("w")
        assert json.loads(app.clipboard) == results(app).shown.prompts[0].model_dump()
