"""All assets: every filter of the form (rating, kind, concept, batch, date range, model, tag), each combined with
the search text: the search narrows what the filter lets through."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.widgets import Input, Select

from lib_helpers import column, open_library, open_store, seed, settle, show_tab, table_of, wait_for
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store.models import GeneratedImage
from pixflow_tui.tui.screens.library.filters import FilterDialog


def seed_mixed(settings: Any) -> dict[str, Any]:
    """Batch A (seed: 4 images by nano-banana, one liked, and a video), batch B tagged client-b (a fox and a whale
    by other-model), an image from 2020, an audio file and a lipsync."""
    made = seed(settings, images=4, liked=(2,), history=0, concept="red fox")
    store = open_store(settings)
    other = store.batches.create(module="asset_monster", name="dusk run", concept="dusk")
    store.batches.add_tag(other.id, "client-b")

    def image(concept: str, style: str, batch_id: int | None, model: str) -> Any:
        job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model=model, request={}, batch_id=batch_id)
        return store.images.add(job_id=job.id, local_path=f"/gone/{concept}.png", file_name=f"{concept}.png",
                                concept=concept, prompt={"style": style}, batch_id=batch_id, model=model)

    found = {"made": made, "b_fox": image("red fox at dusk", "amber dusk", other.id, "other-model"),
             "b_whale": image("blue whale at dusk", "amber dusk", other.id, "other-model"),
             "old": image("red fox in winter", "old snow", None, "fal-ai/nano-banana-pro"),
             "batch_b": other}
    GeneratedImage.update(generated_at=datetime(2020, 1, 5)).where(GeneratedImage.id == found["old"].id).execute()
    found["audio"] = store.assets.add(kind="audio", local_path="/gone/fox.mp3", prompt="fox calls at night",
                                      concept="red fox voice")
    found["lipsync"] = store.assets.add(kind="lipsync", local_path="/gone/fox-talks.mp4", prompt="hello",
                                        concept="red fox talks")
    store.close_thread_connection()
    return found


async def apply_form(pilot: Any, table: Any, expected: list[str], **values: Any) -> None:
    """Clear the filters, open the form, set `values` (widget id → value), apply, and wait for `expected` keys."""
    app = pilot.app
    await pilot.press("C", "F")  # every filter cleared (the search stays), then the form
    dialog = await wait_for(pilot, lambda: isinstance(app.screen, FilterDialog) and app.screen, what="the form")
    for name, value in values.items():
        widget = dialog.query_one(f"#filter-{name}")
        if isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = value
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: table.keys() == expected, timeout=10, what=f"{values} → {expected}")
    await settle(pilot)
    assert table.keys() == expected


async def test_every_filter_combines_with_the_search(make_app, settings) -> None:
    s = seed_mixed(settings)
    made, img = s["made"], lambda n: f"image:{s['made'].images[n].id}"
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        await pilot.press("slash", *"fox", "enter")
        await wait_for(pilot, lambda: f"image:{s['b_whale'].id}" not in table.keys(), what="the fox search")
        assert table.row_count == 9  # 4 images and the video of A, the dusk fox, the 2020 fox, audio, lipsync
        line = tab.query_one("#assets-filter-line")

        await apply_form(pilot, table, [f"image:{s['b_fox'].id}"], batch=str(s["batch_b"].id))
        assert "batch" in str(line.render()) and "“fox”" in str(line.render())
        await apply_form(pilot, table, [f"image:{s['b_fox'].id}"], model="other-model")
        await apply_form(pilot, table, [f"image:{s['b_fox'].id}"], tag="client-b")
        await apply_form(pilot, table, [f"image:{s['old'].id}"], dates="2020-01-01..2020-01-31")
        await apply_form(pilot, table, [img(2)], rating="like")
        await apply_form(pilot, table, [f"asset:{s['audio'].id}"], kind="audio")
        await apply_form(pilot, table, [f"asset:{s['lipsync'].id}"], kind="avatars and lipsync")
        await apply_form(pilot, table, [f"asset:{made.videos[0].id}"], kind="videos")
        await apply_form(pilot, table, [f"image:{s['old'].id}"], concept="winter")
        # filters together: this model, images only, before today → the 2020 fox only
        await apply_form(pilot, table, [f"image:{s['old'].id}"], model="fal-ai/nano-banana-pro", kind="images",
                         dates="2019-12-01..2020-02-01")

        # the same filter with another search: the whale of batch B
        await apply_form(pilot, table, [f"image:{s['b_fox'].id}"], batch=str(s["batch_b"].id))
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"whale", "enter")
        await wait_for(pilot, lambda: table.keys() == [f"image:{s['b_whale'].id}"], what="whale in batch B")
        assert tab.filter.batch_id == s["batch_b"].id  # the search kept the filter
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"zebra", "enter")
        await wait_for(pilot, lambda: table.row_count == 0, what="nothing matches")
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter")
        await wait_for(pilot, lambda: sorted(column(table, "concept")) == ["blue whale at dusk", "red fox at dusk"],
                       what="batch B without a search")


async def test_made_by_and_rated_by_a_person(make_app, settings) -> None:
    """Bob (another person on the same library) sees Alice's images, and filters by who made or rated them."""
    from pixflow_tui.config import with_user
    from pixflow_tui.store import Store

    made = seed(settings, images=3, liked=(0,), history=0, concept="red fox")
    bob_store = Store.open(with_user(settings, "bob"))
    job = bob_store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    bobs = bob_store.images.add(job_id=job.id, local_path="/gone/owl.png", file_name="owl.png", concept="owl",
                                prompt={"style": "night"})
    bob_store.ratings.set(made.images[1].id, -1)
    bob_store.close_thread_connection()
    app = make_app(user="bob")
    async with app.run_test(size=(140, 44)) as pilot:
        await open_library(pilot)
        tab = await show_tab(pilot, "assets")
        table = table_of(tab)
        await wait_for(pilot, lambda: f"image:{made.images[0].id}" in table.keys(), what="Alice's images")
        await apply_form(pilot, table, [f"image:{made.images[1].id}"], **{"rated-by": "bob"})
        assert "rated by bob" in str(tab.query_one("#assets-filter-line").render())
        await apply_form(pilot, table, [f"image:{made.images[0].id}"], **{"rated-by": settings.user})
        await apply_form(pilot, table, [f"image:{bobs.id}"], **{"made-by": "bob"})
