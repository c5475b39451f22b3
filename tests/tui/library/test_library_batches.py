"""Batches tab: settings, status, cost and tags; add and remove tags, filter by tag, open a batch's outputs."""
from __future__ import annotations

from textual.widgets import OptionList

from lib_helpers import (column, library, open_library, open_store, record_notes, seed, settle, show_tab, table_of,
                         wait_for)
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, TextInputDialog


async def test_tags_add_remove_and_filter(make_app, settings) -> None:
    made = seed(settings, images=2)
    store = open_store(settings)
    other = store.batches.create(module="img2video", name="videos of foxes", settings={"duration": "5"})
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "batches")
        table = table_of(tab)
        assert column(table, "id") == [str(other.id), str(made.batch.id)]
        assert column(table, "outputs") == ["0", "3"]  # two images and the video
        await pilot.press("down")
        meta = screen.query_one("#preview-meta")
        await wait_for(pilot, lambda: f"Batch    {made.batch.id}" in str(meta.render()), what="the preview")
        assert "asset monster" in str(meta.render())
        assert "aspect_ratio" in str(screen.query_one("#preview-text").render())

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        await pilot.press(*"has space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)  # refused: a tag is one word
        await pilot.press("ctrl+a", "ctrl+k", *"#client-a", "enter")
        await wait_for(pilot, lambda: column(table, "tags")[1] == "#client-a", what="the tag in the row")
        assert store.batches.tags(made.batch.id) == ["client-a"]

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TextInputDialog))
        await pilot.press(*"hero", "enter")
        await wait_for(pilot, lambda: store.batches.tags(made.batch.id) == ["client-a", "hero"])

        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "*every*", "client-a", "hero"]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: column(table, "id") == [str(made.batch.id)], what="the tag filter")
        assert tab.tag == "client-a"

        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("enter")  # the first tag: client-a
        await wait_for(pilot, lambda: store.batches.tags(made.batch.id) == ["hero"])
        await settle(pilot)
        assert column(table, "tags") == ["#hero"]


async def test_enter_opens_the_batch_outputs_in_all_assets(make_app, settings) -> None:
    made = seed(settings, images=2)
    store = open_store(settings)
    store.batches.create(module="asset_monster", name="empty run")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "batches")
        await pilot.press("down", "enter")
        screen = library(pilot)
        await wait_for(pilot, lambda: screen.active_name == "assets")
        assets = screen.active_tab
        await wait_for(pilot, lambda: assets.filter.batch_id == made.batch.id and table_of(assets).row_count == 3)
        assert f"batch {made.batch.id}" in str(assets.query_one("#assets-filter-line").render())


async def test_status_cost_and_the_tag_filter_combined_with_the_search(make_app, settings) -> None:
    store = open_store(settings)
    fox = store.batches.create(module="asset_monster", name="fox run", concept="red fox", cost_estimate=2.0)
    store.batches.update(fox.id, status="done", cost_actual=1.25)
    whale = store.batches.create(module="asset_monster", name="whale run", concept="whale", cost_estimate=0.5)
    store.batches.update(whale.id, status="failed")
    videos = store.batches.create(module="img2video", name="fox videos", concept="red fox")
    store.batches.update(videos.id, status="running")
    for batch in (fox, whale):
        store.batches.add_tag(batch.id, "client-a")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "batches")
        table = table_of(tab)
        assert column(table, "name") == ["fox videos", "whale run", "fox run"]
        assert column(table, "status") == ["running", "failed", "done"]
        # what was billed; an estimate only while a batch runs, marked ≈ (the failed run billed nothing)
        assert column(table, "cost") == ["≈ $0.00", "$0.00", "$1.25"]
        assert column(table, "tags") == ["", "#client-a", "#client-a"]

        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("down", "enter")  # client-a
        await wait_for(pilot, lambda: column(table, "name") == ["whale run", "fox run"], what="the tag filter")
        await pilot.press("slash", *"fox", "enter")
        await wait_for(pilot, lambda: column(table, "name") == ["fox run"], what="tag and search")
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"whale", "enter")
        await wait_for(pilot, lambda: column(table, "name") == ["whale run"])
        assert "tag #client-a" in str(tab.query_one("#batches-filter-line").render())

        await pilot.press("slash", "ctrl+a", "ctrl+k", *"fox", "enter")
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("up", "enter")  # every batch
        await wait_for(pilot, lambda: column(table, "name") == ["fox videos", "fox run"], what="search alone")
        assert tab.tag is None and "every batch" in str(tab.query_one("#batches-filter-line").render())


async def test_removing_a_tag_from_an_untagged_batch_says_so(make_app, settings, monkeypatch) -> None:
    notes = record_notes(monkeypatch)
    batch = open_store(settings).batches.create(module="asset_monster", name="plain run")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await open_library(pilot)
        await show_tab(pilot, "batches")
        await pilot.press("T")
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog) and f"Batch {batch.id} has no tags." in notes
