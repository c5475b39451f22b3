"""The workflow functions the Prompt Factory added (no UI): products, favourites, strict edit parsing, off-loop
image checks, and image/text prompts that do not save by themselves."""
from __future__ import annotations

import json

import pytest

from pixflow_tui.core.prompt_schema import PromptOutput, PromptParseError
from pixflow_tui.workflows import prompts as flow
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pf_helpers import make_image


@pytest.fixture
def ctx(settings):
    context = AppContext(settings)
    yield context
    context.close()


def test_products_are_the_five_seeded_ones(ctx) -> None:
    assert [(p.name, p.slug) for p in flow.list_products(ctx)] == [
        ("Clone AI", "clone-ai"), ("Fyro", "fyro"), ("Fling", "fling"), ("Zurna", "zurna"), ("Impresso", "impresso")]


def test_save_favorite_keeps_the_name_and_refuses_a_blank_one(ctx) -> None:
    prompt = PromptOutput(style="CRITICAL: x")
    favourite_id = flow.save_favorite(ctx, prompt, "  Night   market  ", "night market")
    stored = ctx.store.favorites.get(favourite_id)
    assert (stored.name, stored.concept, stored.prompt) == ("Night market", "night market", prompt.model_dump())
    with pytest.raises(InputError, match="needs a name"):
        flow.save_favorite(ctx, prompt, "   ")


@pytest.mark.parametrize(("text", "problem"), [
    ("{", "not valid JSON"),
    ("[]", "must be a JSON object"),
    (json.dumps({"style": 5}), "style: Input should be a valid string"),
    (json.dumps({"styl": "x"}), "unknown key styl;"),
    (json.dumps({"pose": {"framing": "x", "expresion": {"eyes": "y"}}}), "unknown key pose.expresion"),
])
def test_parse_edited_prompt_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(PromptParseError, match=problem.replace(".", r"\.")):
        flow.parse_edited_prompt(text)


def test_parse_edited_prompt_accepts_a_valid_edit() -> None:
    data = {"style": "s", "pose": {"expression": {"eyes": "to camera"}}, "quality_score": 88}
    assert flow.parse_edited_prompt(json.dumps(data)).pose.expression.eyes == "to camera"


async def test_image_and_text_prompts_do_not_save_but_their_wrappers_do(ctx, tmp_path) -> None:
    image = make_image(tmp_path)
    prompt = await flow.image_prompt(ctx, image, "  context  ")
    assert isinstance(prompt, PromptOutput) and ctx.store.history.count() == 0
    assert flow.image_concept(image, "  context  ") == "context" and flow.image_concept(image) == "ref.png"
    _, history_id = await flow.analyze_image(ctx, image, "context")
    assert ctx.store.history.get(history_id).source == "analyzed"

    converted = await flow.text_prompt(ctx, "one two three four five six seven eight nine")
    assert converted.style == "one two three four five six seven eight nine" and ctx.store.history.count() == 1
    assert flow.text_concept(converted) == "one two three four five six seven eight"
    _, history_id = await flow.prompt_from_text(ctx, "plain words")
    assert ctx.store.history.get(history_id).source == "text"


async def test_check_image_reports_like_check_image_file(tmp_path) -> None:
    assert await flow.check_image(make_image(tmp_path)) == (tmp_path / "ref.png").resolve()
    with pytest.raises(InputError, match="reference image .* does not exist"):
        await flow.check_image(tmp_path / "missing.png")
