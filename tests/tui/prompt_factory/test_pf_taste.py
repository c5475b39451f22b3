"""Prompt Factory's "use my taste": on by default once the product has 5 rated images, steering the demo
provider; each prompt shows (and history keeps) which liked patterns it used and which disliked it avoided."""
from __future__ import annotations

from pathlib import Path

from pixflow_tui.core.taste import prompt_patterns
from pixflow_tui.providers.demo.prompts import concept_prompt
from pixflow_tui.tui.screens.prompt_factory.forms import TasteToggle
from pixflow_tui.workflows import library_queries
from pf_helpers import message, pf, settle, write_concept
from tests.taste_helpers import rated_images

CONCEPT = "rainy neon street portrait"


def seed(app, folder: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Ratings for Clone AI (the product chosen first): six images of one prompt liked, six of another disliked."""
    store = app.context.store
    product = next(p for p in store.products() if p.slug == "clone-ai")
    liked, disliked = (concept_prompt("velvet jazz club", i).model_dump() for i in range(2))
    rated_images(store, folder, [(liked, 1)] * 6 + [(disliked, -1)] * 6, product.id)
    profile = store.taste.profile(product.id, product.name)
    return (profile.leaning("liked")[0].value, profile.leaning("disliked")[0].value)


async def test_taste_on_by_default_shows_and_keeps_what_each_prompt_did(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        liked, disliked = seed(app, tmp_path)
        await write_concept(pilot, CONCEPT, 3)
        batch = pf(app).results.shown
        assert batch is not None and batch.taste is not None
        assert any(value == liked for _, value in batch.taste.liked)
        checks = str(pf(app).query_one("#checks").render())
        note = batch.taste.note_for(batch.prompts[0].model_dump())
        assert f"Taste: {note.text()}" in " ".join(checks.split())
        history = app.context.store.history.list()[0]
        kept = history.quality_metrics["taste"]
        assert len(kept["prompts"]) == 3 and kept["guidance"]["ratings"] == 12
        for prompt, record in zip(history.prompts, kept["prompts"]):
            found = prompt_patterns(prompt)
            assert all(tuple(p) in found for p in record["used_liked"])
            assert all(tuple(p) not in found for p in record["avoided_disliked"])
        assert disliked  # the seeded ratings did make a disliked pattern

        await write_concept(pilot, "something else entirely", 1)  # then load the first run back from history
        library_queries.send_history(app.context, history.id)
        pf(app)._take_history()
        await settle(pilot)
        loaded = pf(app).results.shown
        assert loaded is not None and loaded.history_id == history.id and loaded.taste == batch.taste
        checks = " ".join(str(pf(app).query_one("#checks").render()).split())
        assert f"Taste: {batch.taste.note_for(loaded.prompts[0].model_dump()).text()}" in checks


async def test_taste_off_writes_the_plain_prompts(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        seed(app, tmp_path)
        toggle = pf(app).query_one(TasteToggle)
        toggle.focus()
        await pilot.press("enter", "enter")  # auto → on → off
        assert toggle.mode == "off"
        await write_concept(pilot, CONCEPT, 2)
        batch = pf(app).results.shown
        assert batch is not None and batch.taste is None
        themes = batch.research.sub_themes if batch.research is not None else []  # the research step's, round-robin
        assert [p.model_dump() for p in batch.prompts] == [
            concept_prompt(CONCEPT, i, sub_theme=themes[i % len(themes)] if themes else None).model_dump()
            for i in range(2)]
        assert "taste" not in (app.context.store.history.list()[0].quality_metrics or {})
        assert "following your taste" not in message(app)
