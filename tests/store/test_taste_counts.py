"""Taste counters: the profile of a seeded set of ratings equals counts made by hand, the counters move with every
rating change, prompt edit and deletion, and incremental counting equals a rebuild from scratch."""
from __future__ import annotations

import random

import pytest

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.core.taste import normalise_phrase, prompt_patterns, wilson_lower
from pixflow_tui.store import Store, taste_repo
from tests.db_helpers import sql

pytestmark = pytest.mark.both_backends


def _prompt(lighting: str, lens: str, style: str = "editorial portrait, warm grade") -> dict:
    return {"style": style, "lighting": {"setup": lighting}, "camera": {"lens": lens}}


def _image(store: Store, prompt: dict, product_id: int | None = None) -> int:
    settings = {"product_id": product_id} if product_id else {}
    batch = store.batches.create(module="asset_monster", name="b", concept="c", settings=settings)
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={}, batch_id=batch.id)
    return store.images.add(job_id=job.id, local_path=f"/o/{job.id}.png", file_name=f"{job.id}.png", concept="c",
                            prompt=prompt, batch_id=batch.id).id


REMBRANDT = "Rembrandt lighting from a large softbox at 45 degrees"
BUTTERFLY = "Butterfly (Paramount) lighting with a beauty dish"
LENS_85 = "85mm portrait prime, compressing the background"
LENS_35 = "35mm wide prime"


def test_phrases_are_normalised_to_their_head() -> None:
    assert normalise_phrase(REMBRANDT) == "rembrandt lighting"
    assert normalise_phrase("The  REMBRANDT lighting, with fill") == "rembrandt lighting"
    assert normalise_phrase(BUTTERFLY) == "butterfly lighting"
    assert normalise_phrase("none") == ""
    patterns = prompt_patterns(_prompt(REMBRANDT, LENS_85, "Editorial portrait: Rembrandt lighting. CRITICAL: the red coat"))
    assert patterns == {("lighting", "rembrandt lighting"), ("camera", "85mm portrait prime"),
                        ("style", "editorial portrait"), ("style", "rembrandt lighting")}


def test_profile_of_seeded_ratings_equals_hand_counts(store: Store) -> None:
    product = store.products()[0]
    # 4 Rembrandt+85mm liked, 1 Rembrandt+35mm disliked, 3 butterfly+35mm disliked, 1 butterfly+85mm liked
    seeded = [(REMBRANDT, LENS_85, 1)] * 4 + [(REMBRANDT, LENS_35, -1)] + [(BUTTERFLY, LENS_35, -1)] * 3 \
        + [(BUTTERFLY, LENS_85, 1)]
    for lighting, lens, rating in seeded:
        assert store.ratings.set(_image(store, _prompt(lighting, lens), product.id), rating)
    _image(store, _prompt(BUTTERFLY, LENS_35), product.id)  # unrated: counts for nothing
    profile = store.taste.profile(product.id, product.name)
    assert (profile.total_liked, profile.total_disliked) == (5, 4)
    assert profile.counts[("lighting", "rembrandt lighting")] == (4, 1)
    assert profile.counts[("lighting", "butterfly lighting")] == (1, 3)
    assert profile.counts[("camera", "85mm portrait prime")] == (5, 0)
    assert profile.counts[("camera", "35mm wide prime")] == (0, 4)
    assert profile.counts[("style", "editorial portrait")] == (5, 4)
    liked = {(s.section, s.value): s for s in profile.leaning("liked")}
    disliked = {(s.section, s.value): s for s in profile.leaning("disliked")}
    # 5 of 5 liked: Wilson lower bound 0.566 > 5/9 overall; 4 of 4 disliked: 0.510 > 4/9
    assert set(liked) == {("camera", "85mm portrait prime")}
    assert liked[("camera", "85mm portrait prime")].confidence == pytest.approx(wilson_lower(5, 5))
    assert set(disliked) == {("camera", "35mm wide prime")}
    assert ("style", "editorial portrait") not in liked | disliked  # in every image: no lean
    assert store.taste.rated_count(product.id) == 9
    assert store.taste.rated_count(None) == 9
    assert store.taste.rated_count(0) == 0


def test_counters_follow_changes_clears_edits_and_deletions(store: Store) -> None:
    image = _image(store, _prompt(REMBRANDT, LENS_85))
    store.ratings.set(image, 1)
    store.ratings.set(image, 1)  # the same rating again moves nothing
    assert store.taste.stored()[(0, "lighting", "rembrandt lighting")] == (1, 0)
    store.ratings.set(image, -1)
    assert store.taste.stored()[(0, "lighting", "rembrandt lighting")] == (0, 1)
    store.images.update(image, prompt=_prompt(BUTTERFLY, LENS_85))
    stored = store.taste.stored()
    assert (0, "lighting", "rembrandt lighting") not in stored
    assert stored[(0, "lighting", "butterfly lighting")] == (0, 1)
    store.ratings.set(image, None)
    assert store.taste.stored() == {}
    store.ratings.set(image, 1)
    store.images.delete(image)
    assert store.taste.stored() == {}


def test_a_rating_of_no_image_of_mine_counts_nothing(store: Store) -> None:
    assert store.ratings.set(999, 1) is False
    assert store.taste.stored() == {}


def test_incremental_counts_equal_a_rebuild_after_random_changes(store: Store) -> None:
    rng = random.Random(7)
    products = [p.id for p in store.products()[:2]] + [None]
    lights = [REMBRANDT, BUTTERFLY, "Split lighting with a strip box", "Loop lighting from a softbox"]
    lenses = [LENS_85, LENS_35, "50mm standard prime"]
    images = [_image(store, _prompt(rng.choice(lights), rng.choice(lenses), rng.choice(["a, b", "c, b", "d"])),
                     rng.choice(products)) for _ in range(40)]
    for _ in range(300):
        image = rng.choice(images)
        action = rng.random()
        if action < 0.85:
            store.ratings.set(image, rng.choice([1, -1, None]))
        elif action < 0.95:
            store.images.update(image, prompt=_prompt(rng.choice(lights), rng.choice(lenses)))
        else:
            store.images.delete(image)
            images.remove(image)
    incremental = store.taste.stored()
    assert incremental  # the walk left ratings behind
    taste_repo.rebuild(store.db, store.user_id)
    assert store.taste.stored() == incremental


def test_trend_counts_ratings_by_the_week_they_were_first_made(store: Store) -> None:
    from datetime import timedelta

    from pixflow_tui.store.models import utcnow

    images = [_image(store, _prompt(REMBRANDT, LENS_85)) for _ in range(4)]
    for image, rating in zip(images, (1, 1, 1, -1)):
        store.ratings.set(image, rating)
    store.ratings.set(images[0], -1)  # changing a rating keeps its week
    this_week = taste_repo._week_of(utcnow())
    assert [(p.week, p.liked, p.disliked) for p in store.taste.trend(None)] == [(this_week, 2, 2)]
    earlier = utcnow() - timedelta(days=14)
    sql(store.db, "UPDATE image_ratings SET rated_at = ? WHERE image_id = ?", (earlier, images[1]))
    taste_repo.rebuild(store.db, store.user_id)
    assert [(p.liked, p.disliked) for p in store.taste.trend(None)] == [(1, 0), (1, 2)]
    assert store.taste.trend(None)[0].week == taste_repo._week_of(earlier)
    assert store.taste.trend(store.products()[0].id) == []


def test_migration_11_counts_the_weeks_of_counters_made_without_them(store: Store) -> None:
    from pixflow_tui.store.migrations.m0011_taste_weeks import up
    from pixflow_tui.store.models import TasteCount

    store.ratings.set(_image(store, _prompt(REMBRANDT, LENS_85)), 1)
    TasteCount.delete().where(TasteCount.section == taste_repo.WEEK).execute()
    assert store.taste.trend(None) == []
    up(store.db)
    assert [(p.liked, p.disliked) for p in store.taste.trend(None)] == [(1, 0)]
