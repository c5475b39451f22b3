"""Each module screen subscribes once: Textual runs every class's handler up the tree, so a handler that also
called super() subscribed the header (and the job table) twice and did every refresh twice."""
from __future__ import annotations

import pytest

from tui_helpers import settle

MODES = ["prompt_factory", "asset_monster", "img2video", "avatar_studio", "machine", "library"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_screen_registers_one_sink_per_widget(make_app, mode: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = {module: list(sinks) for module, sinks in app.router._sinks.items()}
        if app.current_mode != mode:
            app.switch_mode(mode)
            await settle(pilot)
        added = {module: [sink for sink in sinks if sink not in before.get(module, [])]
                 for module, sinks in app.router._sinks.items()}
        owners = [getattr(sink, "__self__", sink) for sinks in added.values() for sink in sinks]
        if mode == "prompt_factory":  # the first screen: its header was there before `before`
            owners = [getattr(sink, "__self__", sink) for sinks in app.router._sinks.values() for sink in sinks]
        assert len(owners) == len(set(map(id, owners))), f"a widget of {mode} is subscribed twice: {owners}"
        header_sinks = [sink for sink in app.router._sinks.get(None, [])
                        if type(getattr(sink, "__self__", None)).__name__ == "PixflowHeader"]
        assert len(header_sinks) == len({id(sink.__self__) for sink in header_sinks})
