"""Tabs shown before show what changed since: a rating or a favourite made in another tab, and outputs made in
other modules while the Library was not on screen."""
from __future__ import annotations

from lib_helpers import column, library, open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.tui.screens.dialogs import TextInputDialog


async def test_a_like_or_a_favourite_in_all_assets_shows_in_liked_and_favourites(make_app, settings) -> None:
    made = seed(settings, images=3, liked=(0,))
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        liked = await show_tab(pilot, "liked")
        favourites = await show_tab(pilot, "favorites")
        assert [e.key for e in liked.list_widget().entries] == [f"image:{made.images[0].id}"]
        assert column(table_of(favourites), "name") == ["Teal silk"]

        await show_tab(pilot, "assets")
        await pilot.press("down", "l", "f")  # the newest image: like it and keep its prompt
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog), what="the favourite's name")
        await pilot.press("enter")  # under the name offered
        await settle(pilot)
        await show_tab(pilot, "liked")
        await wait_for(pilot, lambda: [e.key for e in liked.list_widget().entries] == [
            f"image:{made.images[2].id}", f"image:{made.images[0].id}"], what="the new like in Liked")
        await show_tab(pilot, "favorites")
        await wait_for(pilot, lambda: len(column(table_of(favourites), "name")) == 2, what="the new favourite")
        assert open_store(settings).favorites.list()[0].prompt["style"] == made.images[2].prompt["style"]


async def test_outputs_made_elsewhere_appear_in_every_tab_on_return(make_app, settings) -> None:
    made = seed(settings, images=2, liked=())
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        assets = await show_tab(pilot, "assets")
        await show_tab(pilot, "history")
        before = table_of(assets).row_count
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "asset_monster")
        store = open_store(settings)
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={}, batch_id=made.batch.id)
        new = store.images.add(job_id=job.id, local_path="/gone/new.png", file_name="new.png", concept="fresh one",
                               prompt={"style": "fresh"}, batch_id=made.batch.id)
        await pilot.press("6")
        await wait_for(pilot, lambda: app.current_mode == "library")
        await settle(pilot)
        await show_tab(pilot, "assets")
        table = table_of(library(pilot).tab("assets"))
        await wait_for(pilot, lambda: table.row_count == before + 1, what="the new output")
        assert table.keys()[0] == f"image:{new.id}"


async def test_a_tab_read_again_keeps_its_cursor(make_app, settings) -> None:
    made = seed(settings, images=4, liked=(0, 1, 2, 3))
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        liked = await show_tab(pilot, "liked")
        await pilot.press("right", "right")
        assert liked.current_key() == f"image:{made.images[1].id}"
        await show_tab(pilot, "assets")
        await pilot.press("down", "d")  # the newest image: no longer liked
        await settle(pilot)
        await show_tab(pilot, "liked")
        await wait_for(pilot, lambda: len(liked.list_widget().entries) == 3, what="Liked read again")
        assert liked.current_key() == f"image:{made.images[1].id}"
