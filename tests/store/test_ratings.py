"""image_ratings: the database itself enforces CHECK(rating IN (-1, 1)), UNIQUE(user_id, image_id) and
ON DELETE CASCADE from generated_images, not just the repository."""
from __future__ import annotations

import dataclasses
import time

import peewee
import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import Store
from pixflow_tui.store.models import ImageRating

from tests.db_helpers import is_postgres, sql

pytestmark = pytest.mark.both_backends


@pytest.fixture
def image_id(store: Store) -> int:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    return store.images.add(job_id=job.id, local_path="/o/1.png", file_name="1.png", concept="c",
                            prompt={"style": "s"}).id


def raw_insert(store: Store, user_id: int, image_id: int, rating: int) -> None:
    sql(store.db, 
        "INSERT INTO image_ratings (user_id, image_id, rating, rated_at, updated_at) "
        "VALUES (?, ?, ?, datetime('now'), datetime('now'))",
        (user_id, image_id, rating),
    )


def ratings_rows(store: Store) -> list[tuple[int, int, int]]:
    return sql(store.db, "SELECT user_id, image_id, rating FROM image_ratings ORDER BY id").fetchall()


# ---------------------------------------------------------------------------------------------- CHECK


@pytest.mark.parametrize("bad", [0, 2, -2, 5])
def test_check_rejects_other_ratings_in_raw_sql(store: Store, image_id: int, bad: int) -> None:
    with pytest.raises(peewee.IntegrityError, match="(?i)check"):
        raw_insert(store, store.user_id, image_id, bad)
    assert ratings_rows(store) == []


@pytest.mark.parametrize("bad", [0, 2])
def test_check_rejects_other_ratings_through_the_model(store: Store, image_id: int, bad: int) -> None:
    with pytest.raises(peewee.IntegrityError):
        ImageRating.insert(user=store.user_id, image=image_id, rating=bad).execute()
    assert ratings_rows(store) == []


def test_check_also_guards_updates(store: Store, image_id: int) -> None:
    store.ratings.rate(image_id, 1)
    with pytest.raises(peewee.IntegrityError):
        sql(store.db, "UPDATE image_ratings SET rating = 2")
    assert ratings_rows(store) == [(store.user_id, image_id, 1)]


@pytest.mark.parametrize("good", [1, -1])
def test_check_accepts_like_and_dislike(store: Store, image_id: int, good: int) -> None:
    raw_insert(store, store.user_id, image_id, good)
    assert ratings_rows(store) == [(store.user_id, image_id, good)]


def test_repository_refuses_a_bad_rating_before_the_database(store: Store, image_id: int) -> None:
    for bad in (0, 2, 3):
        with pytest.raises(ValueError, match="1 .like. or -1 .dislike."):
            store.ratings.rate(image_id, bad)
    assert ratings_rows(store) == []


# ---------------------------------------------------------------------------------------------- UNIQUE


def test_rating_again_upserts_one_row(store: Store, image_id: int) -> None:
    first = store.ratings.rate(image_id, 1, notes="nice")
    time.sleep(0.002)
    second = store.ratings.rate(image_id, -1, notes="on second thought")
    assert ratings_rows(store) == [(store.user_id, image_id, -1)]
    assert (second.rating, second.notes) == (-1, "on second thought")
    assert second.rated_at == first.rated_at  # when it was first rated stays
    assert second.updated_at > first.updated_at
    assert store.images.get(image_id).rating == -1


def test_raw_duplicate_insert_fails(store: Store, image_id: int) -> None:
    store.ratings.rate(image_id, 1)
    with pytest.raises(peewee.IntegrityError, match="(?i)unique"):
        raw_insert(store, store.user_id, image_id, -1)
    assert ratings_rows(store) == [(store.user_id, image_id, 1)]


def test_unique_is_per_user(settings: Settings, store: Store, image_id: int) -> None:
    store.ratings.rate(image_id, 1)
    other = Store.open(dataclasses.replace(settings, user="bob"))
    try:
        assert other.ratings.set(image_id, -1) is True  # images are shared: anyone rates them, for themselves
        with pytest.raises(peewee.IntegrityError):
            raw_insert(other, other.user_id, image_id, 1)  # the schema allows one rating per user
        assert sorted(ratings_rows(other)) == sorted([(store.user_id, image_id, 1), (other.user_id, image_id, -1)])
        assert store.ratings.get(image_id).rating == 1
        assert other.ratings.get(image_id).rating == -1
    finally:
        other.close_thread_connection()


def test_a_rating_needs_an_existing_image(store: Store, image_id: int) -> None:
    with pytest.raises(peewee.IntegrityError, match="(?i)foreign key"):
        raw_insert(store, store.user_id, image_id + 1000, 1)
    with pytest.raises(LookupError, match="no image"):
        store.ratings.rate(image_id + 1000, 1)
    assert store.ratings.set(image_id + 1000, 1) is False


# ---------------------------------------------------------------------------------------------- CASCADE


def test_deleting_an_image_deletes_its_rating(store: Store, image_id: int) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    keep = store.images.add(job_id=job.id, local_path="/o/2.png", file_name="2.png", concept="c", prompt={})
    store.ratings.rate(image_id, 1)
    store.ratings.rate(keep.id, -1)
    store.images.delete(image_id)
    assert ratings_rows(store) == [(store.user_id, keep.id, -1)]


def test_cascade_is_in_the_schema_not_the_repository(store: Store, image_id: int) -> None:
    store.ratings.rate(image_id, 1)
    sql(store.db, "DELETE FROM generated_images WHERE id = ?", (image_id,))
    assert ratings_rows(store) == []
    fks = store.db.get_foreign_keys("image_ratings")
    assert [(fk.column, fk.dest_column) for fk in fks if fk.dest_table == "generated_images"] == [("image_id", "id")]


# ---------------------------------------------------------------------------------------------- assets


@pytest.fixture
def asset_id(store: Store) -> int:
    return store.assets.add(kind="video", local_path="/o/1.mp4", prompt="push in", concept="c").id


def asset_rating(store: Store, asset_id: int) -> int | None:
    row = sql(store.db, "SELECT rating FROM asset_ratings WHERE asset_id = ? AND user_id = ?",
              (asset_id, store.user_id)).fetchone()
    return row[0] if row else None


def test_an_asset_is_rated_and_cleared_by_the_one_writer(store: Store, asset_id: int) -> None:
    assert asset_rating(store, asset_id) is None
    assert store.ratings.set_asset(asset_id, 1) is True and asset_rating(store, asset_id) == 1
    assert store.ratings.set_asset(asset_id, -1) is True and asset_rating(store, asset_id) == -1
    assert store.ratings.set_now(asset_id, 1, table="asset") is True and asset_rating(store, asset_id) == 1
    assert store.ratings.set_asset(asset_id, None) is True and asset_rating(store, asset_id) is None
    assert ratings_rows(store) == []  # image ratings untouched
    with pytest.raises(ValueError):
        store.ratings.set_asset(asset_id, 2)
    with pytest.raises(ValueError):
        store.ratings.set_now(asset_id, 1, table="batch")
    assert store.ratings.set_asset(asset_id + 1000, 1) is False
    assert store.ratings.set_now(asset_id + 1000, None, table="asset") is False


def test_the_asset_check_is_in_the_schema(store: Store, asset_id: int) -> None:
    with pytest.raises(peewee.IntegrityError, match="(?i)check"):
        sql(store.db, "INSERT INTO asset_ratings (user_id, asset_id, rating, rated_at) VALUES (?, ?, 5, ?)",
            (store.user_id, asset_id, "2024-01-01"))


def test_an_asset_is_rated_by_each_person(settings: Settings, store: Store, asset_id: int) -> None:
    store.ratings.set_asset(asset_id, 1)
    other = Store.open(dataclasses.replace(settings, user="bob"))
    try:
        assert other.ratings.set_asset(asset_id, -1) is True  # assets are shared: Bob rates it for himself
        assert asset_rating(other, asset_id) == -1
        assert other.ratings.set_now(asset_id, None, table="asset") is True and asset_rating(other, asset_id) is None
    finally:
        other.close_thread_connection()
    assert asset_rating(store, asset_id) == 1
