"""History tab: rows newest first, load back into Prompt Factory, delete and clear with confirmation."""
from __future__ import annotations

from textual.widgets import Input

from lib_helpers import column, library, open_library, open_store, seed, settle, table_of, wait_for
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.screens.prompt_factory.results import PromptList


async def test_history_is_the_first_tab_with_focus_on_the_list(make_app, settings) -> None:
    made = seed(settings, history=3)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        tab = screen.active_tab
        assert type(tab).__name__ == "HistoryTab"
        table = table_of(tab)
        assert column(table, "concept") == ["history idea 2", "history idea 1", "history idea 0"]
        assert column(table, "count") == ["3", "2", "1"]
        assert app.focused is table and not isinstance(app.focused, Input)
        meta = screen.query_one("#preview-meta")
        await wait_for(pilot, lambda: "history idea 2" in str(meta.render()), what="the preview")
        assert "load into Prompt Factory" in str(meta.render())
        assert made.history[2].id in [r.id for r in tab.rows.values()]


async def test_enter_loads_the_prompts_back_into_prompt_factory(make_app, settings) -> None:
    made = seed(settings, history=3)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_library(pilot)
        await pilot.press("down")  # history idea 1: two prompts
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current_mode == "prompt_factory", what="the switch to Prompt Factory")
        factory = app.screen
        await wait_for(pilot, lambda: factory.results.shown is not None
                       and factory.results.shown.concept == "history idea 1",
                       what="the prompts in Prompt Factory")
        batch = factory.results.shown
        assert [q.style for q in batch.prompts] == ["idea 1 prompt 0", "idea 1 prompt 1"]
        assert batch.history_id == made.history[1].id and not batch.running and not batch.unsaved_edits
        prompt_list = factory.query_one(PromptList)
        assert prompt_list.option_count == 2 and prompt_list.highlighted == 0 and app.focused is prompt_list
        assert "loaded from history" in str(factory.query_one("#message").render())
        assert app.context.handoff.take_history() == []
        assert app.context.handoff.take_prompts() == []  # Asset Monster's mailbox is untouched
        assert len(open_store(settings).history.list()) == 3  # already history: nothing saved twice


async def test_delete_asks_first_and_removes_the_row_and_the_entry(make_app, settings) -> None:
    made = seed(settings, history=3)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        table = table_of(screen.active_tab)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await settle(pilot)
        # the app's own store: a second Store here would rebind the models for the delete that follows
        assert table.row_count == 3 and app.context.store.history.get(made.history[2].id) is not None
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot)
        assert column(table, "concept") == ["history idea 1", "history idea 0"]
        assert open_store(settings).history.get(made.history[2].id) is None


async def test_clear_all_with_confirmation(make_app, settings) -> None:
    seed(settings, history=4)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_library(pilot)
        await pilot.press("X")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "every history entry" in dialog.message
        await pilot.press("y")
        await wait_for(pilot, lambda: table_of(library(pilot).active_tab).row_count == 0, what="an empty table")
        assert open_store(settings).history.count() == 0
        assert screen.active_tab.loaded


async def test_loading_another_entry_first_saves_edits_of_the_prompts_on_screen(make_app, settings) -> None:
    seed(settings, history=3)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_library(pilot)
        await pilot.press("enter")  # history idea 2
        factory = await wait_for(pilot, lambda: app.current_mode == "prompt_factory" and app.screen.results.shown is not None
                                 and app.screen, what="the prompts in Prompt Factory")
        edited = factory.results.shown.prompts[0].model_copy(update={"style": "edited on screen"})
        factory.results.apply_edit(0, edited)
        assert factory.results.shown.unsaved_edits
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # history idea 0
        await wait_for(pilot, lambda: app.current_mode == "prompt_factory"
                       and factory.results.shown.concept == "history idea 0", what="the second entry")
        entries = open_store(settings).history.list()
        assert len(entries) == 4
        assert entries[0].concept == "history idea 2" and entries[0].prompts[0]["style"] == "edited on screen"
