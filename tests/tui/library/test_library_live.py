"""Outputs the engine finishes while the Library is on screen show up without a key, under the cursor's feet only
when nothing the user did would be lost."""
from __future__ import annotations

import asyncio
from typing import Any

from lib_helpers import column, open_library, record_notes, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.tui.widgets.row_list import RowList
from pixflow_tui.workflows.images import create_image_batch, plan_image_batch
from tests.engine.conftest import prompts


async def make_outputs(app, concept: str, count: int = 1) -> None:
    context = app.context

    def create() -> None:
        create_image_batch(context, plan_image_batch(context, prompts(count), concept=concept, resolution="1K"))
        context.store.close_thread_connection()

    await asyncio.to_thread(create)


async def all_assets(pilot) -> tuple[Any, RowList, int]:
    """The Library's All assets tab, its list and how many rows it shows."""
    await open_library(pilot)
    assets = await show_tab(pilot, "assets")
    table = table_of(assets)
    return assets, table, table.row_count


async def test_a_finished_job_appears_in_the_list_shown_and_the_cursor_stays(make_app, settings) -> None:
    seed(settings, images=3, history=1)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        _assets, table, before = await all_assets(pilot)
        await pilot.press("down")
        kept = table.highlighted_key
        await make_outputs(app, "made meanwhile")
        await wait_for(pilot, lambda: table.row_count == before + 1, timeout=30, what="the new output")
        assert column(table, "concept")[0].startswith("made meanwhile")
        assert table.highlighted_key == kept


async def test_marked_rows_are_not_lost_to_a_new_output(make_app, settings, monkeypatch) -> None:
    seed(settings, images=3, history=1)
    notes = record_notes(monkeypatch)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        assets, table, before = await all_assets(pilot)
        await pilot.press("space")
        marked = set(assets.marked)
        await make_outputs(app, "made meanwhile")
        await wait_for(pilot, lambda: any("ctrl+r shows them" in note for note in notes), timeout=30,
                       what="the note about new outputs")
        assert table.row_count == before and assets.marked == marked and assets.stale
        await pilot.press("ctrl+r")
        await settle(pilot)
        await wait_for(pilot, lambda: table.row_count == before + 1, what="the reload")
