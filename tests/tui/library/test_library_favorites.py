"""Favourites tab: rename, delete (asks first), send to Asset Monster, copy the prompt."""
from __future__ import annotations

import json

from lib_helpers import column, open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from pixflow_tui.tui.widgets.prompt_view import PromptView


async def test_favourites_rename_send_copy_and_delete(make_app, settings) -> None:
    made = seed(settings)
    store = open_store(settings)
    second = store.favorites.add(prompt={"style": "velvet in plum"}, name="Plum velvet", concept="velvet")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "favorites")
        table = table_of(tab)
        assert column(table, "name") == ["Plum velvet", "Teal silk"]
        assert app.focused is table
        view = screen.query_one(PromptView)
        await wait_for(pilot, lambda: view.prompt is not None and view.prompt.style == "velvet in plum")

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        await pilot.press("ctrl+a", "ctrl+k", *"Deep plum", "enter")
        await wait_for(pilot, lambda: column(table, "name")[:1] == ["Deep plum"], what="the renamed row")
        assert store.favorites.get(second.id).name == "Deep plum"

        await pilot.press("a")
        await settle(pilot)
        parcels = app.context.handoff.take_prompts()
        assert [(p.concept, p.prompts[0].style) for p in parcels] == [("velvet", "velvet in plum")]

        await pilot.press("y")
        assert json.loads(app.clipboard)["style"] == "velvet in plum"

        await pilot.press("down", "delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: table.row_count == 1, what="one favourite left")
        assert store.favorites.get(made.favorites[0].id) is None
        assert store.favorites.get(second.id) is not None
