"""Modes by key and palette, text fields and global keys, remapping, quitting."""
from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from pixflow_tui.config import load_settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import Store
from pixflow_tui.tui.app import PixflowApp
from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.widgets.header import MODULES, PixflowHeader

from tui_helpers import held_elsewhere, settle

MODES = [mode for mode, _, _ in MODULES]


async def test_starts_on_prompt_factory_without_focus_in_a_text_field(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.current_mode == "prompt_factory"
        for number, mode in enumerate(MODES, 1):
            await pilot.press(str(number))
            await settle(pilot)
            assert app.current_mode == mode
            assert not isinstance(app.focused, Input)
            assert app.screen.query_one(PixflowHeader).module == mode


async def test_every_mode_reachable_from_the_palette(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        queries = {"asset_monster": "asset", "img2video": "img2", "avatar_studio": "avatar",
                   "machine": "machine", "library": "library", "prompt_factory": "prompt f"}
        for mode, title, _ in [*MODULES[1:], MODULES[0]]:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*queries[mode])
            await pilot.pause(0.2)
            await pilot.press("enter")
            await settle(pilot)
            assert app.current_mode == mode, title


async def test_palette_lists_go_to_commands(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert [t for t in titles if t.startswith("Go to: ")] == [f"Go to: {t}" for _, t, _ in MODULES]
        assert "Quit" in titles


async def test_palette_offers_the_module_s_own_actions(make_app) -> None:
    from pixflow_tui.tui.screens.dialogs import ChoiceDialog

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        for title in ("Asset Monster: Run", "Asset Monster: Add prompts", "Asset Monster: Presets"):
            assert title in commands
        assert commands["Asset Monster: Run"].help == "key ^r"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add prompts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog) and app.screen.title_text == "Add prompts from"


async def test_mode_keys_type_into_a_focused_input_and_escape_leaves_it(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        field = Input(id="probe")
        await app.screen.mount(field)
        field.focus()
        await pilot.pause()
        await pilot.press(*"123456", "question_mark", "q")
        await pilot.pause()
        assert app.current_mode == "prompt_factory"
        assert field.value == "123456?q"
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is None
        await pilot.press("3")
        await settle(pilot)
        assert app.current_mode == "img2video"


async def test_each_mode_keeps_its_own_screen_stack(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.push_screen(ConfirmDialog("still here?"))
        await pilot.pause()
        await pilot.press("escape")  # answers no and pops only that dialog
        await pilot.pause()
        app.push_screen(ConfirmDialog("still here?"))
        await pilot.pause()
        app.switch_mode("library")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        app.switch_mode("asset_monster")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)


async def test_keymap_from_settings_moves_a_binding(make_app) -> None:
    app = make_app(keymap={"go-asset-monster": "f2", "help": "f1"})
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.current_mode == "prompt_factory"
        await pilot.press("f2")
        await settle(pilot)
        assert app.current_mode == "asset_monster"
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


async def test_keymap_from_config_toml(hermetic_env, tmp_path) -> None:
    (tmp_path / "config.toml").write_text('[keymap]\ngo-library = "l"\n', encoding="utf-8")
    app = PixflowApp(load_settings())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert app.current_mode == "prompt_factory"
        await pilot.press("l")
        await settle(pilot)
        assert app.current_mode == "library"


async def test_quit_without_active_jobs_exits_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
        assert not isinstance(app.screen, ConfirmDialog)


async def test_quit_with_active_jobs_asks_and_says_where_they_are(make_app, settings) -> None:
    store = Store.open(settings)
    made = [store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="demo-image", request={}) for _ in range(3)]
    held_elsewhere(store, *(job.id for job in made))
    assert store.jobs.transition(made[0].id, [JobState.PENDING], status=JobState.RUNNING, request_id="r-1")
    store.close_thread_connection()
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "1 job is at the provider and keeps running there" in dialog.message
        assert "2 jobs were not sent yet and wait here" in dialog.message
        assert "`pixflow jobs resume` finishes them" in dialog.message
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_header_tabs_are_clickable(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        tabs = str(app.screen.query_one("#tabs").render())
        await pilot.click("#tabs", offset=(tabs.index("Library") + 2, 0))
        await settle(pilot)
        assert app.current_mode == "library"


async def test_header_counters_read_the_database_at_most_once_a_second(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        header = app.screen.query_one(PixflowHeader)
        assert header.stats is not None and header.stats.running == 0
        reads = 0
        original = header._stats_source

        def counting():
            nonlocal reads
            reads += 1
            return original()

        header._stats_source = counting
        for _ in range(50):
            header.refresh_stats()
        await settle(pilot)
        await pilot.pause(1.3)
        await settle(pilot)
        assert 1 <= reads <= 2, reads


# ---- keys that arrive in one read (SSH packets, pastes, fast typing) -----------------------------------------

def burst(app: PixflowApp, *keys: str) -> None:
    """Post keys to the app all at once, as the driver does with the keys of one read: no key is handled
    before the next is queued."""
    names = {" ": "space", "\t": "tab"}
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(names.get(key, key), key))
        else:
            app.post_message(events.Key(key, None))


@pytest.mark.parametrize(("focus", "keys", "field", "typed"), [
    (None, ["c", *"a cat 2 4"], "#concept", "a cat 2 4"),  # c opens the concept form and focuses the concept
    ("#product", ["shift+tab", "2", "5"], "#reference", "25"),  # back from the product picker into Ref
])
async def test_digits_behind_a_key_that_moves_into_a_field_are_typed_there(
        make_app, focus: str | None, keys: list[str], field: str, typed: str) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        if focus is not None:
            app.screen.query_one(focus).focus()
            await pilot.pause()
        burst(app, *keys)
        await settle(pilot)
        assert app.current_mode == "prompt_factory"
        assert app.screen.query_one(field, Input).value == typed


async def test_a_mode_key_in_a_burst_still_switches_outside_text_fields(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        app.screen.query_one("#product").focus()
        await pilot.pause()
        burst(app, "right", "3")
        await settle(pilot)
        assert app.current_mode == "img2video"


@pytest.mark.parametrize("focus", ["#probe", None])
async def test_escape_and_a_digit_in_one_read_leave_the_field_and_switch_module(make_app, focus: str | None) -> None:
    """tmux holds a lone escape for its escape-time and sends it with the next key: "\\x1b2" in one read."""
    from textual._xterm_parser import XTermParser

    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        field = Input(id="probe")
        await app.screen.mount(field)
        if focus:
            field.focus()
        await pilot.pause()
        parser = XTermParser()
        for event in list(parser.feed("\x1b2")):  # what Textual's driver makes of those bytes
            app.post_message(event)
        await settle(pilot)
        assert app.current_mode == "asset_monster"
        assert field.value == "", "nothing typed into the field"


async def test_a_start_up_warning_is_shown_once_the_first_frame_is_up(make_app) -> None:
    """A forced renderer the terminal cannot show (sixel inside tmux) falls back, and says so."""
    app = make_app()
    app.startup_warnings.append("image_renderer is sixel, but tmux 3.3a does not show sixel images: using halfcell")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert [n.message for n in app._notifications] == app.startup_warnings
