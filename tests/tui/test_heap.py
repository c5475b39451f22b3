"""What a module builds on its first visit is frozen out of the collector's reach: a full collection no longer walks
it (pauses of 50-100 ms in the middle of a visit or a batch). A return freezes nothing new."""
from __future__ import annotations

import gc

from pixflow_tui.tui.screens.asset_monster import AssetMonsterScreen

from tui_helpers import settle, wait_for


async def test_a_first_visit_freezes_what_it_built_and_a_return_does_not(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = gc.get_freeze_count()
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetMonsterScreen) and app.screen)
        await settle(pilot)
        after_first = gc.get_freeze_count()
        assert after_first > before
        await pilot.press("1")
        await settle(pilot)
        garbage = [[n] for n in range(1000)]  # young objects a return must leave to the collector
        await pilot.press("2")
        await settle(pilot)
        assert gc.get_freeze_count() < after_first + len(garbage)
    assert gc.get_freeze_count() == 0  # handed back when the app closes
