"""Concept → prompts on the demo provider: streaming into pre-allocated slots, selection, history, cancel."""
from __future__ import annotations

import pytest
from textual.widgets import Input

from pixflow_tui.providers.demo import DemoTextProvider
from pixflow_tui.tui.screens.prompt_factory.batch import Batch
from pf_helpers import field_value, message, pf, prompt_list, results, rows, settle, view, wait_until, write_concept

CONCEPT = "rainy neon street portrait"


async def demo_prompts(concept: str, count: int, batch: Batch | None = None) -> list[dict]:
    """What the deterministic demo provider writes for `concept` (in the sub-themes the batch's research assigned):
    the oracle for what the screen shows."""
    from pixflow_tui.core.research import assign_sub_themes

    themes = assign_sub_themes(batch.research.sub_themes, count) if batch and batch.research else []
    return [p.model_dump() async for p in DemoTextProvider().concept_prompts(concept, count, sub_themes=themes)]


async def test_arrives_without_focus_in_a_text_field_and_shows_the_empty_state(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not isinstance(app.focused, Input)
        assert pf(app).query_one("#list-empty").display
        assert not prompt_list(app).display
        assert view(app).prompt is None


async def test_concept_flow_writes_selects_first_shows_it_and_saves_history(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 3)

        screen = pf(app)
        assert screen.results.shown is not None and screen.results.shown.research is not None  # researched first
        expected = await demo_prompts(CONCEPT, 3, screen.results.shown)
        assert [p.model_dump() for p in screen.results.shown.prompts] == expected
        assert prompt_list(app).option_count == 3
        assert prompt_list(app).highlighted == 0
        assert view(app).prompt is not None and view(app).prompt.model_dump() == expected[0]
        assert app.focused is prompt_list(app)  # the keys for prompts work at once
        assert "3 prompts written" in message(app)

        history = app.context.store.history.list()
        assert len(history) == 1
        row = history[0]
        assert (row.source, row.concept, row.prompt_count, row.model_used) == ("generated", CONCEPT, 3, "demo")
        assert row.prompts == expected
        assert row.quality_metrics and row.quality_metrics["individual"]
        assert row.variety_score and "score" in row.variety_score
        clone_ai = next(p for p in app.context.store.products() if p.slug == "clone-ai")
        assert row.product_id == clone_ai.id
        assert f"history #{row.id}" in message(app)


async def test_each_prompt_shows_its_score_and_the_batch_its_variety(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 3)
        screen = pf(app)
        batch = screen.results.shown
        assert batch is not None
        first = batch.slots[0]
        assert first is not None
        assert str(first.score) in rows(app)[0]
        checks = str(screen.query_one("#checks").render())
        assert f"quality {first.score} {first.band}" in checks
        variety = batch.variety()
        assert variety is not None and f"Batch variety {variety['score']:g}" in checks
        assert f"quality {first.score}" in str(view(app).border_title)


def test_checks_list_the_weaknesses_of_a_poor_prompt_and_a_repetitive_batch() -> None:
    from pixflow_tui.core.prompt_schema import PromptOutput

    weak = PromptOutput(style="a nice photo")
    batch = Batch("text", "x", 2)
    batch.arrive(weak)
    batch.arrive(weak)
    text = batch.checks(0).plain
    assert "poor" in text or "fair" in text
    assert "style is shorter than 100 characters" in text
    assert "no CRITICAL: hero element" in text
    assert "Batch variety" in text and "weak" in text and "near-duplicate" in text


async def test_prompts_fill_preallocated_slots_as_they_arrive(make_app) -> None:
    # Pilot's key presses wait (up to ~2 s) for the app to go idle, so the run must outlast that. The demo writes
    # four prompts at a time: the second wave comes one latency after the first.
    app = make_app(demo_latency=1.5)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 5, settle_after=False)
        screen = pf(app)
        await wait_until(pilot, lambda: screen.results.shown is not None and screen.results.shown.arrived >= 1)
        assert screen.results.shown.arrived < 5, "the run should still be going"
        assert prompt_list(app).option_count == 5  # every slot is there from the start
        assert "writing" in rows(app)[4]
        assert prompt_list(app).highlighted == 0  # the first arrival is selected and shown
        assert view(app).prompt == screen.results.shown.prompts[0]
        assert "x or escape cancels" in message(app)
        assert app.context.store.history.count() == 0  # saved when the run ends
        await settle(pilot)
        assert not any("writing" in row for row in rows(app))
        assert app.context.store.history.list()[0].prompt_count == 5


@pytest.mark.parametrize("key", ["x", "escape"])
async def test_a_cancelled_run_keeps_and_saves_what_arrived(make_app, key: str) -> None:
    app = make_app(demo_latency=2.5)  # the key (which may wait ~2 s for the app to go idle) comes between the waves
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 8, settle_after=False)
        screen = pf(app)
        await wait_until(pilot, lambda: screen.results.shown is not None and screen.results.shown.arrived >= 1)
        await pilot.press(key)
        await settle(pilot)
        kept = screen.results.shown.prompts
        assert 1 <= len(kept) < 8
        assert prompt_list(app).option_count == len(kept)  # the empty slots are gone
        assert not screen.busy
        assert "Cancelled" in message(app) and f"kept the {len(kept)} prompt" in message(app)
        history = app.context.store.history.list()
        assert len(history) == 1
        assert history[0].prompts == [p.model_dump() for p in kept]
        assert history[0].source == "generated"
        assert app.is_running


async def test_cancel_is_offered_only_while_running(make_app) -> None:
    app = make_app(demo_latency=0.5)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keys = lambda: {b.binding.id for b in app.screen.active_bindings.values()}  # noqa: E731
        assert "pf-cancel" not in keys()
        await write_concept(pilot, CONCEPT, 8, settle_after=False)
        await wait_until(pilot, lambda: "pf-cancel" in keys())
        await pilot.press("x")
        await settle(pilot)
        assert "pf-cancel" not in keys()


async def test_a_second_run_waits_for_the_first(make_app) -> None:
    from textual.widgets._toast import Toast

    app = make_app(demo_latency=0.5)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 10, settle_after=False)
        screen = pf(app)
        await wait_until(pilot, lambda: screen.results.shown is not None and screen.results.shown.arrived >= 1)
        first = screen.results.shown
        await pilot.press("ctrl+g")
        await pilot.pause(0.1)
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("Still writing the last prompts" in text for text in toasts), toasts
        assert screen.results.shown is first  # no second run was started
        await pilot.press("x")
        await settle(pilot)
        assert app.context.store.history.count() == 1


async def test_a_reference_image_guides_the_prompts(make_app, tmp_path) -> None:
    from pf_helpers import fill, make_image

    reference = make_image(tmp_path, "ref.png", color=(20, 40, 200))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await fill(pilot, "#concept", CONCEPT)
        await fill(pilot, "#reference", str(reference), typed=False)
        await pilot.press("enter")
        await settle(pilot)
        screen = pf(app)
        assert screen.results.shown is not None and len(screen.results.shown.prompts) == 4  # the default count
        without = await demo_prompts(CONCEPT, 4, screen.results.shown)
        assert [p.model_dump() for p in screen.results.shown.prompts] != without  # the analysis changed them
        assert app.context.store.history.count() == 1

        screen.results.focus_list()
        await pilot.press("g")  # the reference follows the prompts to Asset Monster
        await settle(pilot)
        setup = app.screen.query_one("SetupPanel")
        assert setup.references == (str(reference.resolve()),) and len(setup.items) == 4


async def test_the_chosen_product_is_recorded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c", "tab", "tab", "tab")  # concept → count → reference → product
        picker = pf(app).query_one("#product")
        assert app.focused is picker
        await pilot.press("enter")  # lists the products
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # Clone AI → Fyro → Fling
        await pilot.pause()
        assert picker.value == "fling" and "Fling" in str(picker.render())
        await pilot.press("right", "left", "left")  # ← → step through them
        assert picker.value == "fyro"
        await pilot.press("right")
        await write_concept(pilot, CONCEPT, 1)
        fling = next(p for p in app.context.store.products() if p.slug == "fling")
        assert app.context.store.history.list()[0].product_id == fling.id
        assert field_value(app, "#count") == "1"


async def test_the_prompt_view_builds_its_sections_with_the_first_prompt(make_app, monkeypatch) -> None:
    """The first screen's prompt view is one line (no sections: they and pydantic are not needed yet); a run that
    beats the warm-up shows its prompts all the same."""
    from textual.widgets import Collapsible

    from pixflow_tui.core.prompt_schema import SECTIONS
    from pixflow_tui.tui.screens.prompt_factory.screen import PromptFactoryScreen

    monkeypatch.setattr(PromptFactoryScreen, "_warm_up", lambda self: None)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert view(app).has_class("-empty") and not view(app).query(Collapsible)
        await write_concept(pilot, CONCEPT, 2)
        assert view(app).prompt == results(app).shown.prompts[0]
        assert [c.id for c in view(app).query(Collapsible)] == [f"section-{name}" for name in SECTIONS]
