"""Favourites tab: rename, delete (asks first), send to Asset Monster, copy the prompt."""
from __future__ import annotations

import json
from typing import Any

from lib_helpers import column, open_library, open_store, record_notes, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from pixflow_tui.tui.widgets.prompt_view import PromptView


def seed_two(settings: Any) -> tuple[Any, Any, Any]:
    """The seed (with its favourite "Teal silk") and a newer favourite "Plum velvet"; and a store to check with."""
    made = seed(settings)
    store = open_store(settings)
    return made, store.favorites.add(prompt={"style": "velvet in plum"}, name="Plum velvet", concept="velvet"), store


async def favourites(pilot: Any) -> tuple[Any, Any]:
    screen = await open_library(pilot)
    return screen, table_of(await show_tab(pilot, "favorites"))


async def test_rename_refuses_an_empty_name_and_escape_keeps_the_old_one(make_app, settings) -> None:
    made, second, store = seed_two(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen, table = await favourites(pilot)
        assert column(table, "name") == ["Plum velvet", "Teal silk"] and app.focused is table
        view = screen.query_one(PromptView)
        await wait_for(pilot, lambda: view.prompt is not None and view.prompt.style == "velvet in plum")

        await pilot.press("n")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog) and app.screen)
        await pilot.press("ctrl+a", "ctrl+k", "enter")
        await pilot.pause()
        assert app.screen is dialog and "cannot be empty" in str(dialog.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert store.favorites.get(second.id).name == "Plum velvet" and column(table, "name")[0] == "Plum velvet"

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        await pilot.press("ctrl+a", "ctrl+k", *"Deep plum", "enter")
        await wait_for(pilot, lambda: column(table, "name")[:1] == ["Deep plum"], what="the renamed row")
        assert store.favorites.get(second.id).name == "Deep plum"
        assert store.favorites.get(made.favorites[0].id).name == "Teal silk"
        assert table.highlighted_key == f"f{second.id}"  # the cursor stayed on the renamed row


async def test_delete_asks_first_and_keeps_the_favourite_on_no(make_app, settings) -> None:
    made, second, store = seed_two(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen, table = await favourites(pilot)
        await pilot.press("delete")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "Plum velvet" in dialog.message
        await pilot.press("n")
        await settle(pilot)
        assert table.row_count == 2 and store.favorites.get(second.id) is not None

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: column(table, "name") == ["Teal silk"], what="one favourite left")
        assert store.favorites.get(second.id) is None
        assert store.favorites.get(made.favorites[0].id) is not None
        meta = screen.query_one("#preview-meta")  # the preview moved on to the row now highlighted
        await wait_for(pilot, lambda: "Teal silk" in str(meta.render()), what="the preview of the next row")


async def test_send_to_asset_monster_lands_in_its_prompt_list(make_app, settings, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    seed_two(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await favourites(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "enter")  # enter sends too
        await settle(pilot)
        await pilot.press("2")
        monster = await wait_for(pilot, lambda: app.current_mode == "asset_monster" and app.screen)
        await settle(pilot)
        items = await wait_for(pilot, lambda: monster.setup_panel.items, what="the prompts in Asset Monster")
        assert [(i.entry.concept, i.entry.prompt.style, i.entry.source) for i in items] == [
            ("velvet", "velvet in plum", "favorite"), ("silk", "silk charmeuse in teal", "favorite")]
        assert app.context.handoff.take_prompts() == []  # Asset Monster took them
        assert any("2 prompts added from favourites" in note for note in notes), notes


async def test_a_favourite_without_a_valid_prompt_is_not_sent(make_app, settings, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    open_store(settings).favorites.add(prompt={"style": 42, "lighting": "not an object"}, name="Broken")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "favorites")
        await pilot.press("a")
        await wait_for(pilot, lambda: any("does not hold a valid prompt" in n for n in notes), what="the warning")
        assert app.context.handoff.take_prompts() == []


async def test_copy_puts_the_prompt_json_on_the_clipboard(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "favorites")
        await pilot.press("y")
        assert json.loads(app.clipboard) == {"style": "silk charmeuse in teal"}


async def test_search_finds_favourites_by_name_and_prompt(make_app, settings) -> None:
    seed_two(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        _, table = await favourites(pilot)
        await pilot.press("slash", *"plum", "enter")
        await wait_for(pilot, lambda: column(table, "name") == ["Plum velvet"], what="the name")
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"charmeuse", "enter")
        await wait_for(pilot, lambda: column(table, "name") == ["Teal silk"], what="the prompt")
