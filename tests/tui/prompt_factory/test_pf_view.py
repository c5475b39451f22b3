"""The prompt view's life cycle around the screen's start and the app's end."""
from __future__ import annotations

from textual.widgets import Collapsible

from pf_helpers import settle, view


async def test_the_view_mounts_after_the_first_frame(make_app) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        assert view(app).prompt is None and view(app).has_class("-empty")


async def test_a_view_whose_sections_are_gone_mounts_quietly(make_app) -> None:
    """When the app closes while the view is mounting, its sections are removed before its on_mount runs."""
    app = make_app()
    async with app.run_test() as pilot:
        await settle(pilot)
        shown = view(app)
        await shown.query(Collapsible).remove()
        shown.on_mount()  # raised NoMatches
