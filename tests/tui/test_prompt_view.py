"""PromptView: sections readable and collapsible, raw JSON one key away, copied with y."""
from __future__ import annotations

import json

from textual.app import App, ComposeResult
from textual.widgets import Collapsible, Static

from pixflow_tui.core.prompt_schema import SECTIONS, PromptOutput
from pixflow_tui.tui.widgets.prompt_view import PromptView, section_lines

PROMPT = PromptOutput.model_validate({
    "style": "Editorial fashion portrait, film look",
    "pose": {"framing": "waist up", "expression": {"facial": "calm", "eyes": "to camera"}},
    "set_design": {"backdrop": "grey paper", "props": ["stool", "fan"]},
})


class PromptApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PromptView(PROMPT)


def test_section_lines_are_key_value_and_skip_empty_values() -> None:
    text = section_lines(PROMPT.model_dump()["pose"]).plain
    assert "Framing: waist up" in text
    assert "Expression:\n  Facial: calm\n  Eyes: to camera" in text
    assert "Arms" not in text
    assert "Props: stool, fan" in section_lines(PROMPT.model_dump()["set_design"]).plain


async def test_toggle_json_and_copy() -> None:
    app = PromptApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(PromptView)
        view.focus()
        await pilot.pause()
        assert [c.title for c in view.query(Collapsible)] == [s.replace("_", " ").capitalize() for s in SECTIONS]
        json_view = view.query_one("#json", Static)
        assert not json_view.display or not json_view.region.height
        await pilot.press("J")
        await pilot.pause()
        assert view.showing_json
        assert json_view.region.height > 0
        assert all(c.region.height == 0 for c in view.query(Collapsible))
        await pilot.press("y")
        assert json.loads(app.clipboard) == PROMPT.model_dump()
        await pilot.press("J")
        await pilot.pause()
        assert not view.showing_json


async def test_sections_collapse() -> None:
    app = PromptApp()
    async with app.run_test(size=(100, 40)) as pilot:
        section = app.query_one("#section-lighting", Collapsible)
        assert not section.collapsed
        await pilot.click("#section-lighting CollapsibleTitle")
        await pilot.pause()
        assert section.collapsed


async def test_empty_view_says_so_and_copy_warns() -> None:
    class EmptyApp(App[None]):
        def compose(self) -> ComposeResult:
            yield PromptView()

    app = EmptyApp()
    async with app.run_test() as pilot:
        view = app.query_one(PromptView)
        view.focus()
        await pilot.press("y")
        assert app.clipboard == ""
        assert view.query_one("#empty").region.height > 0
