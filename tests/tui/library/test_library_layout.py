"""Library layout and keys: tabs by key and click, the preview on narrow terminals, help with binding ids."""
from __future__ import annotations

from textual import events

from lib_helpers import library, open_library, seed, settle, wait_for
from pixflow_tui.tui.screens.help import HelpScreen, binding_groups
from pixflow_tui.tui.screens.library.base import LibraryTab
from pixflow_tui.tui.screens.library.preview import PreviewPanel
from pixflow_tui.tui.screens.library.screen import TABS


async def test_brackets_cycle_through_every_tab_and_keys_1_to_6_still_switch_modules(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        names = [name for name, _, _ in TABS]
        for expected in [*names[1:], names[0]]:
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: screen.active_name == expected, what=expected)
            await settle(pilot)
            assert app.focused is screen.active_tab.list_widget()
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.active_name == names[-1])
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "asset_monster")
        await pilot.press("6")
        await wait_for(pilot, lambda: app.current_mode == "library")
        assert library(pilot).active_name == names[-1]  # the mode kept its place


async def test_tabs_passed_over_in_a_burst_of_keys_stay_hidden(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        for _ in range(3):  # Favourites and Liked are built on the way to All assets, never shown
            app.post_message(events.Key("right_square_bracket", None))
        await wait_for(pilot, lambda: screen.active_name == "assets" and screen.tab("assets").loaded, what="assets")
        await settle(pilot)
        shown = [tab.id for tab in screen.query(LibraryTab) if tab.display]
        assert shown == ["library-assets"]


async def test_tab_bar_is_clickable(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        bar = str(screen.query_one("#library-tab-bar").render())
        await pilot.click("#library-tab-bar", offset=(bar.index("Batches") + 2, 0))
        await wait_for(pilot, lambda: screen.active_name == "batches")


async def test_preview_hidden_on_narrow_terminals_until_asked_for(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_library(pilot)
        preview = screen.query_one(PreviewPanel)
        assert not preview.display and screen.query_one("#library-main").size.width == 80
        assert not screen.query_one(".intro").display  # short terminal: the intro line gives way
        await pilot.press("p")
        assert preview.display
        await pilot.resize_terminal(200, 60)
        await pilot.press("p")
        assert not preview.display
        await pilot.press("p")
        assert preview.display


async def test_help_lists_the_library_keys_with_their_ids(make_app, settings) -> None:
    seed(settings)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        screen.show_tab("assets")
        await wait_for(pilot, lambda: screen.active_name == "assets")
        await settle(pilot)
        lines = {description: ids for _, rows in binding_groups(screen) for _, description, ids in rows}
        assert lines["Like"] == "rate-like" and lines["Export"] == "export"  # one id per shared action
        assert lines["Filters"] == "assets-filters" and lines["Search"] == "library-search"
        assert lines["Next tab"] == "library-tab-next"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
