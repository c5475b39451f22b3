"""`?` lists the keys of the focused widget first, then the screen's and the app's."""
from __future__ import annotations

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store
from pixflow_tui.tui.screens.help import HelpScreen
from pixflow_tui.tui.widgets.job_table import JobTable
from tui_helpers import held_elsewhere, settle


def lines_of(screen: HelpScreen) -> dict[str, list[tuple[str, str, str]]]:
    return dict(screen.groups)


async def test_help_lists_the_focused_job_tables_keys(make_app, settings) -> None:
    store = Store.open(settings)
    batch = store.batches.create(module="asset_monster")
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", batch_id=batch.id, request={})
    held_elsewhere(store, job.id)
    store.close_thread_connection()
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.focused, JobTable)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        titles = [title for title, _ in help_screen.groups]
        # Asset Monster's table is a JobTable subclass (BatchJobTable)
        assert titles[0] in ("Focused: JobTable", "Focused: BatchJobTable") and titles[-1] == "Everywhere"
        table_lines = {description: keys for keys, description, _ in help_screen.groups[0][1]}
        assert table_lines["Cursor down"].split() == ["↓", "j"]
        assert "g" in table_lines["Top"].split() and "G" in table_lines["Bottom"].split()
        everywhere = {description: (keys, ident) for keys, description, ident in help_screen.groups[-1][1]}
        assert everywhere["Help"] == ("?", "help")
        assert everywhere["Go to Library"] == ("6", "go-library")
        assert everywhere["Quit"][0].split()[0] == "q"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert isinstance(app.focused, JobTable)


async def test_help_without_focus_lists_screen_and_app_keys(make_app) -> None:
    app = make_app(keymap={"go-img2video": "v"})
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.focused is None
        await pilot.press("question_mark")
        await pilot.pause()
        groups = lines_of(app.screen)  # type: ignore[arg-type]
        assert not any(title.startswith("Focused") for title in groups)
        everywhere = {description: keys for keys, description, _ in groups["Everywhere"]}
        assert everywhere["Go to Img2Video"] == "v"  # remapped keys show as they are now


async def test_help_fits_80x24_and_scrolls_with_the_keyboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # Asset Monster: the longest list of keys
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        dialog, body = help_screen.query_one("#help-dialog"), help_screen.query_one("#help-body")
        assert dialog.region.y >= 0 and dialog.region.bottom <= 24  # nothing cut off
        assert body.max_scroll_y > 0 and body.scroll_y == 0
        hint = str(help_screen.query_one("#help-hint").render())
        assert "more below" in hint and "escape closes" in hint
        await pilot.press("down", "j")
        assert body.scroll_y == 2
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y
        assert "top above" in str(help_screen.query_one("#help-hint").render())
        await pilot.press("home")
        assert body.scroll_y == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
