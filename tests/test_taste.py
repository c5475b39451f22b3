"""Taste from ratings end to end: images filed under the product their prompts were written for, `pixflow taste
show`, and `pixflow library export-ratings` read back line for line."""
from __future__ import annotations

from pathlib import Path

import pytest

from pixflow_tui.config import load_settings
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.store import Store
from pixflow_tui.workflows import asset_monster as am
from pixflow_tui.workflows import library_queries as lq
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.rating_export import read_export
from tests.cli_helpers import run, run_json
from tests.taste_helpers import rated_images

LIGHTS = ("Rembrandt lighting from a softbox", "Butterfly lighting with a beauty dish")


def seed_rated(store: Store, tmp_path: Path, product_id: int | None) -> list[int]:
    """Eleven images: five Rembrandt (liked), five butterfly (disliked), and one unrated."""
    rated = [({"style": f"editorial portrait {n}", "lighting": {"setup": LIGHTS[n % 2]}},
              (1 if n % 2 == 0 else -1) if n < 10 else None) for n in range(11)]
    ids = rated_images(store, tmp_path, rated, product_id, source="history", history_id=7, references=["/r.png"])
    store.ratings.set(ids[0], 1, notes="kept")
    return ids


@pytest.fixture
def ctx(settings):  # type: ignore[no-untyped-def]
    context = AppContext(settings)
    yield context
    context.close()


def test_prompts_sent_for_a_product_file_their_images_under_it(ctx: AppContext) -> None:
    product = ctx.store.products()[1]
    favorite = ctx.store.favorites.add(prompt={"style": "silk"}, name="Silk", product_id=product.id)
    lq.send_favorites(ctx, [favorite.id])
    ctx.handoff.send_prompts("fox", [PromptOutput(style="fox")], product_id=None)
    entries = am.waiting_prompts(ctx)
    plans = am.plan_runs(ctx, entries, am.default_settings(ctx))
    assert sorted((p.settings().get("product_id") or 0) for p in plans) == [0, product.id]


@pytest.mark.both_backends
def test_taste_show_text_and_json(capsys, tmp_path: Path) -> None:
    store = Store.open(load_settings())
    product = store.products()[0]
    seed_rated(store, tmp_path, product.id)
    store.close_thread_connection()
    code, profile = run_json(capsys, "taste", "show", "--product", product.slug)
    assert code == 0 and (profile["product"], profile["liked"], profile["disliked"]) == (product.name, 5, 5)
    liked = {(p["section"], p["value"]): p for p in profile["liked_patterns"]}
    assert liked[("lighting", "rembrandt lighting")]["liked"] == 5
    assert [p["value"] for p in profile["disliked_patterns"]] == ["butterfly lighting"]
    code, out, _ = run(capsys, "taste", "show")
    assert code == 0 and "for all products: 5 liked, 5 disliked" in out
    assert "+ rembrandt lighting: in 5 liked and 0 disliked images" in out and "- butterfly lighting" in out
    code, profile = run_json(capsys, "taste", "show", "--product", "none")
    assert code == 0 and profile["liked"] == 0
    code, someone_else = run_json(capsys, "--user", "alice", "taste", "show")
    assert code == 0 and someone_else["person"] == "alice" and someone_else["liked"] == 0  # each person's own
    code, _, err = run(capsys, "taste", "show", "--product", "nope")
    assert code == 1 and "there is no product 'nope'" in err


@pytest.mark.both_backends
def test_export_ratings_round_trips(capsys, tmp_path: Path) -> None:
    store = Store.open(load_settings())
    product = store.products()[2]
    ids = seed_rated(store, tmp_path, product.id)
    store.ratings.set(ids[1], None)  # cleared: not exported
    expected = {i: store.images.get(i) for i in ids}
    store.close_thread_connection()
    out = tmp_path / "ratings.jsonl"
    code, summary = run_json(capsys, "library", "export-ratings", "-o", str(out))
    assert code == 0 and summary == {"path": str(out), "lines": 9, "liked": 5, "disliked": 4}
    lines = read_export(out)
    assert [line["image_id"] for line in lines] == [i for i in ids[:10] if i != ids[1]]
    for line in lines:
        image = expected[line["image_id"]]
        assert image is not None
        assert line["path"] == image.local_path and line["prompt"] == image.prompt
        assert line["rating"] == image.rating and line["label"] == ("liked" if image.rating == 1 else "disliked")
        assert line["model"] == "demo-image" and line["product"] == product.name
        assert line["settings"]["aspect_ratio"] == "3:4" and line["settings"]["references"] == ["/r.png"]
        assert line["lineage"]["batch_id"] == image.batch_id and line["lineage"]["history_id"] == 7
        assert line["lineage"]["prompt_index"] == image.prompt_index
    assert lines[0]["notes"] == "kept"
    code, _, err = run(capsys, "library", "export-ratings", "-o", str(tmp_path / "missing" / "r.jsonl"))
    assert code == 1 and "does not exist" in err
    out.write_text(out.read_text() + '{"format": "other"}\n')
    with pytest.raises(InputError, match="line 10 is not a Pixflow ratings line"):
        read_export(out)


def test_prompts_generate_follows_taste_from_five_ratings(capsys, tmp_path: Path) -> None:
    from pixflow_tui.providers.demo.prompts import concept_prompt

    store = Store.open(load_settings())
    liked, disliked = (concept_prompt("velvet jazz club", i).model_dump() for i in range(2))
    rated_images(store, tmp_path, [(liked, 1), (liked, 1)], None)
    store.close_thread_connection()
    code, result = run_json(capsys, "prompts", "generate", "--concept", "neon street", "-n", "2")
    assert code == 0 and "taste" not in result["prompts"][0]  # auto: 2 ratings are not enough
    store = Store.open(load_settings())
    rated_images(store, tmp_path, [(liked, 1)] * 4 + [(disliked, -1)] * 4, None)
    store.close_thread_connection()
    code, result = run_json(capsys, "prompts", "generate", "--concept", "neon street", "-n", "2")
    assert code == 0 and all("used_liked" in p["taste"] for p in result["prompts"])
    assert result["quality"]["taste"]["guidance"]["ratings"] == 10
    code, out, _ = run(capsys, "prompts", "generate", "--concept", "neon street", "-n", "1", "--taste", "off")
    assert code == 0 and "taste:" not in out
    code, out, _ = run(capsys, "prompts", "generate", "--concept", "neon street", "-n", "1")
    assert code == 0 and "   taste: used liked: " in out and "avoided disliked: " in out
