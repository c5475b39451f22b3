"""The Library's Taste tab: the strongest patterns per section with their counts, the images behind the
highlighted one in the preview (enter steps through them), the product switch, the trend and the summary."""
from __future__ import annotations

from lib_helpers import open_library, open_store, seed, settle, show_tab, table_of, wait_for, column
from pixflow_tui.tui.screens.library.preview import PreviewPanel
from tests.taste_helpers import rated_images

LIKED = {"style": "editorial portrait", "lighting": {"setup": "Rembrandt lighting from a softbox"}}
DISLIKED = {"style": "editorial portrait", "lighting": {"setup": "Split lighting with a strip box"}}


async def test_taste_tab_shows_patterns_their_images_and_the_summary(make_app, settings) -> None:
    seed(settings, images=2, liked=())
    store = open_store(settings)
    product = next(p for p in store.products() if p.slug == "clone-ai")
    ids = rated_images(store, settings.home, [(LIKED, 1)] * 6 + [(DISLIKED, -1)] * 5, product.id)
    store.close_thread_connection()
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_library(pilot)
        tab = await show_tab(pilot, "taste")
        table = table_of(tab)
        values = column(table, "value")
        assert "rembrandt lighting" in values and "split lighting" in values
        row = values.index("rembrandt lighting")
        assert column(table, "liked")[row] == "6" and column(table, "disliked")[row] == "0"
        assert "editorial portrait" not in values  # in every image: it leans neither way
        header = str(tab.query_one("#taste-header").render())
        assert "for all products: 6 liked, 5 disliked images" in header
        assert "liked" in str(tab.query_one("#taste-trend").render())

        table.move_cursor(row=row)
        newest_liked = ids[5]
        preview = screen.query_one(PreviewPanel)
        await wait_for(pilot, lambda: preview.key == f"image:{newest_liked}", what="the newest liked image")
        evidence = str(tab.query_one("#taste-evidence").render())
        assert "Liked images with it: " + " ".join(f"#{i}" for i in reversed(ids[:6])) in evidence
        await pilot.press("enter")
        await wait_for(pilot, lambda: preview.key == f"image:{ids[4]}", what="the next image")

        await pilot.press("y")
        assert "rembrandt lighting (6/6)" in app.clipboard and "split lighting (5/5)" in app.clipboard

        await pilot.press("full_stop")  # Clone AI
        await wait_for(pilot, lambda: "for Clone AI: 6 liked" in str(tab.query_one("#taste-header").render()))
        await pilot.press("full_stop")  # the next product has no ratings
        await wait_for(pilot, lambda: ": 0 liked, 0 disliked" in str(tab.query_one("#taste-header").render()))
        await settle(pilot)
        assert table.row_count == 0
