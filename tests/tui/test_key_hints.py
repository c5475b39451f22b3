"""The footer line shows the keys of what has the focus, follows the focus, and a click presses the key."""
from __future__ import annotations

from pixflow_tui.tui.widgets.key_hints import KeyHints
from tui_helpers import settle


def descriptions(hints: KeyHints) -> list[str]:
    return [hint.description for hint in hints.hints]


async def library_hints(pilot) -> KeyHints:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    return pilot.app.screen.query_one(KeyHints)


async def test_hints_follow_the_focus_and_show_on_the_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        hints = await library_hints(pilot)
        on_list = descriptions(hints)
        assert "Help" in on_list and "Quit" in on_list
        assert hints.palette is not None and hints.palette.shown == "^p"
        line = "".join(segment.text for segment in hints.render_line(0))
        assert "? Help" in line and line.rstrip().endswith("^p palette")

        await pilot.press("slash")  # the search field: its own keys
        await settle(pilot)
        assert descriptions(hints)[0] == "Back to the list"
        assert "Back to the list" not in on_list
        await pilot.press("escape")
        await settle(pilot)
        assert descriptions(hints) == on_list


async def test_a_click_on_a_hint_presses_its_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        hints = await library_hints(pilot)
        start, _end, hint = next(span for span in hints._spans if span[2].description == "Help")
        await pilot.click(KeyHints, offset=(start + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"


async def test_a_narrow_footer_drops_the_last_hints_but_keeps_help(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(36, 24)) as pilot:
        hints = await library_hints(pilot)
        line = "".join(segment.text for segment in hints.render_line(0)).rstrip()
        wide = "".join(f" {h.shown} {h.description} " for h in hints.hints)
        assert len(wide) > 36  # more hints than fit
        assert len(line) <= 36
        assert line.endswith("? Help")  # every key is one press away; the palette hint gives way first
        assert line.startswith(f" {hints.hints[0].shown} {hints.hints[0].description}")  # the focused keys first
        assert "q Quit" not in line
