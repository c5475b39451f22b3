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


@pytest.mark.parametrize("mode", ["asset_monster", "avatar_studio", "library"])
async def test_a_first_visit_resumes_once_and_does_not_restyle_what_just_mounted(make_app, monkeypatch,
                                                                                 mode: str) -> None:
    """Textual posts ScreenResume twice when a mode's screen is first shown, each restyling every widget; the
    screen is styled as it mounts, so its first visit resumes once without a restyle. A return restyles."""
    from textual.screen import Screen

    from pixflow_tui.tui.screens.base import ModuleScreen

    resumed: list[Screen[None]] = []
    restyled: list[Screen[None]] = []
    note_resume = ModuleScreen.on_screen_resume
    restyle = Screen.update_node_styles

    def counting_resume(self: ModuleScreen) -> None:
        resumed.append(self)
        note_resume(self)

    def counting_restyle(self: Screen[None], animate: bool = True) -> None:
        restyled.append(self)
        restyle(self, animate)

    monkeypatch.setattr(ModuleScreen, "on_screen_resume", counting_resume)
    monkeypatch.setattr(Screen, "update_node_styles", counting_restyle)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.action_go(mode)
        await settle(pilot)
        screen = app.screen
        assert resumed.count(screen) == 1
        assert screen not in restyled
        app.action_go("prompt_factory")
        await settle(pilot)
        app.action_go(mode)
        await settle(pilot)
        assert resumed.count(screen) == 2
        assert restyled.count(screen) == 1
