"""workflows/scripts: undo, redo and translations over the version tree (demo text provider, zero latency)."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows import scripts as flow
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext(settings)
    yield context
    context.close()


def new(ctx: AppContext, text: str = "The first words of my script for the video.") -> flow.ScriptView:
    return asyncio.run(flow.new_script(ctx, text))


def edit(ctx: AppContext, script_id: int, text: str) -> flow.ScriptView:
    return asyncio.run(flow.edit_script(ctx, script_id, text))


def translate(ctx: AppContext, script_id: int, *codes: str) -> flow.ScriptView:
    return asyncio.run(flow.translate_script(ctx, script_id, codes))


def test_nothing_to_undo_on_the_first_version(ctx: AppContext) -> None:
    first = new(ctx)
    assert not first.can_undo and not first.can_redo
    with pytest.raises(InputError, match="nothing to undo: this is the first version"):
        flow.undo(ctx, first.id)
    with pytest.raises(InputError, match="nothing to redo"):
        flow.redo(ctx, first.id)
    assert flow.script_view(ctx, first.id).version.id == first.version.id  # nothing moved


def test_undo_then_redo_walks_the_versions(ctx: AppContext) -> None:
    first = new(ctx)
    second = edit(ctx, first.id, "A second text for the same video.")
    third = edit(ctx, first.id, "A third text for the same video, longer.")
    assert flow.undo(ctx, first.id).version.id == second.version.id
    assert flow.undo(ctx, first.id).version.id == first.version.id
    assert flow.redo(ctx, first.id).version.id == second.version.id
    assert flow.redo(ctx, first.id).version.id == third.version.id
    with pytest.raises(InputError, match="nothing to redo"):
        flow.redo(ctx, first.id)


def test_redo_after_a_new_edit_goes_to_the_newest_child(ctx: AppContext) -> None:
    first = new(ctx)
    abandoned = edit(ctx, first.id, "A branch that is undone and then left behind.")
    flow.undo(ctx, first.id)
    newer = edit(ctx, first.id, "A newer branch from the first version.")
    assert newer.version.parent_id == first.version.id and not newer.can_redo
    back = flow.undo(ctx, first.id)
    assert back.version.id == first.version.id and back.can_redo
    redone = flow.redo(ctx, first.id)
    assert redone.version.id == newer.version.id != abandoned.version.id
    assert redone.text == "A newer branch from the first version."


def test_an_edit_to_the_same_text_is_no_new_version(ctx: AppContext) -> None:
    first = new(ctx)
    assert edit(ctx, first.id, f"  {first.text}  ").version.id == first.version.id
    assert len(flow.versions(ctx, first.id)) == 1


def test_translations_do_not_become_current_and_undo_skips_them(ctx: AppContext) -> None:
    first = new(ctx)
    second = edit(ctx, first.id, "The second version, which is then translated.")
    translated = translate(ctx, first.id, "tr", "es")
    assert translated.version.id == second.version.id  # still the edited version
    assert set(translated.translations) == {"TR", "ES"}
    assert translated.translations["TR"].text.startswith("[demo translation to Turkish]")
    assert all(v.parent_id == second.version.id for v in translated.translations.values())
    assert not translated.can_redo  # a translation is not a version to redo to
    undone = flow.undo(ctx, first.id)
    assert undone.version.id == first.version.id and undone.translations == {}
    redone = flow.redo(ctx, first.id)
    assert redone.version.id == second.version.id and set(redone.translations) == {"TR", "ES"}
    with pytest.raises(InputError, match="nothing to redo"):
        flow.redo(ctx, first.id)
    # the list and the listing of versions agree
    actions = [(v.action, v.language) for v in flow.versions(ctx, first.id)]
    assert actions == [("typed", "EN"), ("edited", "EN"), ("translated", "TR"), ("translated", "ES")]
    assert [v.version.id for v in flow.list_scripts(ctx)] == [second.version.id]


def test_translations_belong_to_the_version_they_were_made_from(ctx: AppContext) -> None:
    first = new(ctx)
    translate(ctx, first.id, "DE")
    second = edit(ctx, first.id, "A changed text: the German one is of the first.")
    assert second.translations == {}
    assert set(flow.undo(ctx, first.id).translations) == {"DE"}


def test_translate_skips_the_scripts_own_language_and_checks_codes(ctx: AppContext) -> None:
    first = new(ctx)
    assert first.language == "EN"
    same = translate(ctx, first.id, "en", " EN ")
    assert same.translations == {} and len(flow.versions(ctx, first.id)) == 1
    with pytest.raises(InputError, match="language XX is not offered"):
        translate(ctx, first.id, "tr", "xx")
    with pytest.raises(InputError, match="choose at least one language"):
        translate(ctx, first.id, " ")
    assert flow.check_languages(["tr", "TR", " es "]) == ("TR", "ES")  # trimmed, upper-cased, once each
    assert len(flow.versions(ctx, first.id)) == 1  # nothing was written


def test_refine_keeps_the_parent_and_the_duration(ctx: AppContext) -> None:
    made = asyncio.run(flow.generate_script(ctx, "a budgeting app for students", 20, "casual"))
    shorter = asyncio.run(flow.refine_script(ctx, made.id, "shorter"))
    assert shorter.version.parent_id == made.version.id and shorter.fit.words < made.fit.words
    assert shorter.duration == 16 and shorter.language == made.language
    with pytest.raises(InputError, match="not a refinement"):
        asyncio.run(flow.refine_script(ctx, made.id, "sideways"))
    with pytest.raises(InputError, match="say the duration"):
        asyncio.run(flow.refine_script(ctx, made.id, "duration"))


def test_improve_keeps_the_duration_in_range(ctx: AppContext) -> None:
    typed = new(ctx, " ".join(["word"] * 400) + " the end.")
    improved = asyncio.run(flow.refine_script(ctx, typed.id, "improve"))
    low, high = catalog.SCRIPT_DURATION_RANGE
    assert improved.duration is not None and low <= improved.duration <= high


def test_a_provider_failure_is_a_workflow_error(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixflow_tui.providers.base import ProviderError
    from pixflow_tui.providers.demo.text import DemoTextProvider

    async def broken(self: object, *args: object, **kwargs: object) -> None:
        raise ProviderError("the model is overloaded", transient=True)

    monkeypatch.setattr(DemoTextProvider, "write_script", broken)
    with pytest.raises(Exception) as raised:
        asyncio.run(flow.generate_script(ctx, "a budgeting app", 20))
    assert type(raised.value).__module__.startswith("pixflow_tui.workflows")
