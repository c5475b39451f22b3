"""The research step on Prompt Factory's screen (demo provider): its progress while it runs, the report after,
history bringing it back, research off, and text → prompt converted by the model."""
from __future__ import annotations

from textual.widgets import Static

from pixflow_tui.tui.screens.prompt_factory.research_panel import ResearchPanel
from pixflow_tui.tui.screens.prompt_factory.text_mode import ConvertToggle
from pixflow_tui.workflows import library_queries
from pf_helpers import fill, message, pf, results, settle, view, wait_until, write_concept

CONCEPT = "rainy neon street portrait, vintage film"


def panel(app) -> ResearchPanel:
    return pf(app).query_one(ResearchPanel)


def panel_text(app) -> str:
    return str(panel(app).query_one("#research-text", Static).render())


async def test_progress_shows_while_researching_then_the_prompts_take_the_place(make_app) -> None:
    app = make_app(demo_latency=1.0)  # each prompt takes a second: the research is seen first
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 2, settle_after=False)
        await wait_until(pilot, lambda: bool(panel(app).display) and "Research" in panel_text(app))
        assert "Researching “rainy neon street portrait, vintage film”" in panel_text(app)
        assert pf(app).busy and not view(app).display
        await wait_until(pilot, lambda: results(app).shown is not None and results(app).shown.arrived >= 1)
        await pilot.pause()
        assert not panel(app).display and view(app).display  # the first prompt is shown in its place
        batch = results(app).shown
        assert batch.research is not None and batch.research.demo
        assert panel(app).border_title.startswith("Research · demo · grounding 0 · cache 0/2")
        pf(app).action_cancel_run()
        await settle(pilot)
        assert app.context.store.history.list()[0].research is not None  # kept with what was written


async def test_the_report_lists_what_the_research_found_and_history_brings_it_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 2)
        research = results(app).shown.research
        assert "(R)" in message(app)
        await pilot.press("R")
        await settle(pilot)
        text = panel_text(app)
        assert research.summary() in text.replace("\n", " ") or research.summary()[:40] in text
        for theme in research.sub_themes:
            assert theme.name in text
        assert "Insights" in text and "cache hit rate 0%" in text
        await pilot.press("R")
        await settle(pilot)

        entry = app.context.store.history.list()[0]
        await write_concept(pilot, "something else entirely", 1)
        assert results(app).shown.concept == "something else entirely"
        library_queries.send_history(app.context, entry.id)
        pf(app)._take_history()
        await settle(pilot)
        loaded = results(app).shown
        assert loaded.history_id == entry.id and loaded.research is not None
        assert [t.name for t in loaded.research.sub_themes] == [t.name for t in research.sub_themes]
        assert "R shows its research" in message(app)


async def test_research_off_writes_at_once_and_says_there_is_none(make_app) -> None:
    app = make_app(research="off")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await write_concept(pilot, CONCEPT, 1)
        assert results(app).shown.research is None and "research" not in message(app)
        await pilot.press("R")
        await settle(pilot)
        assert "No research for these prompts" in panel_text(app)
        assert app.context.store.research_cache.count() == 0


async def test_text_can_be_kept_verbatim_or_converted(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, "#text", "a dancer on a rooftop at dusk")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert view(app).prompt.style == "a dancer on a rooftop at dusk" and not view(app).prompt.outfit.main

        toggle = pf(app).query_one(ConvertToggle)
        pf(app).query_one("#text").focus()
        await pilot.press("shift+tab")  # from the text box to the switch above it
        assert app.focused is toggle
        await pilot.press("space")
        assert toggle.convert and "convert with the model" in str(toggle.render())
        await pilot.press("ctrl+g")
        await settle(pilot)
        converted = view(app).prompt
        assert converted.style.startswith("a dancer on a rooftop at dusk") and converted.outfit.main
        assert [h.source for h in app.context.store.history.list()] == ["text", "text"]
