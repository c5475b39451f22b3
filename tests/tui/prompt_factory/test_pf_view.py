"""The prompt view's life cycle around the screen's start and the app's end."""
from __future__ import annotations

from textual.widgets import Static

from pixflow_tui.core.prompt_schema import PromptOutput
from pf_helpers import settle, view


async def test_the_first_screen_shows_an_empty_view(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert view(app).prompt is None and view(app).has_class("-empty")
        assert view(app).query_one("#empty").region.height == 1


async def test_a_view_whose_children_are_gone_mounts_quietly(make_app) -> None:
    """When the app closes while the view is mounting, its children are removed before its on_mount runs."""
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        shown = view(app)
        await shown.query(Static).remove()
        shown.prompt = PromptOutput.model_validate({"style": "film look"})
        shown.on_mount()  # raises NoMatches unless caught
