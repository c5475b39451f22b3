"""Search: `/` into the field, results as you type (debounced), combined with filters, escape back to the list."""
from __future__ import annotations

from lib_helpers import column, library, open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.tui.screens.library.screen import SearchInput


async def test_search_as_you_type_and_escape_back_to_the_list(make_app, settings) -> None:
    seed(settings, history=3)
    store = open_store(settings)
    store.history.add(concept="lighthouse keeper", prompts=[{"style": "fog over the sea"}])
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        table = table_of(screen.active_tab)
        assert table.row_count == 4
        await pilot.press("slash")
        assert isinstance(app.focused, SearchInput)
        await pilot.press("1", "2")  # keys 1–6 type into the field instead of switching modules
        assert app.current_mode == "library" and app.focused.value == "12"
        await pilot.press("backspace", "backspace", *"ligh")
        await wait_for(pilot, lambda: column(table, "concept") == ["lighthouse keeper"], what="prefix results")
        await pilot.press(*"thouse fog")
        await wait_for(pilot, lambda: column(table, "concept") == ["lighthouse keeper"])
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: table.row_count == 0, what="no results")
        # an empty result says the search found nothing, not that there is no history yet
        await wait_for(pilot, lambda: table.empty.startswith("Nothing matches “lighthouse fogzzz”"))
        await pilot.press("escape")
        assert app.focused is table
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"idea 2", "enter")
        await wait_for(pilot, lambda: column(table, "concept") == ["history idea 2"])
        assert app.focused is table
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")
        await wait_for(pilot, lambda: table.row_count == 4)
        assert table.empty.startswith("No history yet")


async def test_search_follows_to_other_tabs_and_combines_with_filters(make_app, settings) -> None:
    made = seed(settings, images=4, liked=(0, 3), concept="red fox")
    store = open_store(settings)
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    whale = store.images.add(job_id=job.id, local_path="/missing/whale.png", file_name="whale.png",
                             concept="blue whale", prompt={"style": "violet dusk"})
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_library(pilot)
        await pilot.press("slash", *"whale", "enter")
        await settle(pilot)
        tab = await show_tab(pilot, "assets")
        assert table_of(tab).keys() == [f"image:{whale.id}"]
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"fox", "escape")
        await wait_for(pilot, lambda: table_of(tab).row_count == 5, what="fox results")  # 4 images and the video
        await pilot.press("R")
        await wait_for(pilot, lambda: table_of(tab).keys() == [
            f"image:{made.images[3].id}", f"image:{made.images[0].id}"], what="liked fox images")
        liked = await show_tab(pilot, "liked")
        assert [e.key for e in liked.list_widget().entries] == [f"image:{made.images[3].id}",
                                                                f"image:{made.images[0].id}"]
        assert library(pilot).query_one(SearchInput).value == "fox"
        assert screen.active_name == "liked"


async def test_keys_in_the_same_read_as_slash_land_in_the_field(make_app, settings) -> None:
    """A paste or fast typing over SSH: "/" and the next keys arrive together, before the app has drawn anything;
    none of them may reach the list (where "e" opens the export dialog)."""
    from textual import events

    seed(settings, history=3)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        await show_tab(pilot, "assets")
        screen.active_tab.focus_list()
        await pilot.pause()
        for key, char in [("slash", "/"), ("e", "e"), ("x", "x"), ("p", "p"), ("o", "o")]:
            app.post_message(events.Key(key, char))  # queued at once, as the driver does for one read
        await settle(pilot)
        assert app.screen is screen  # no dialog opened
        assert isinstance(app.focused, SearchInput) and app.focused.value == "expo"
