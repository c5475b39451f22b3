"""The library's listings: keyset pages over images and assets, filters, streamed search, lineage lookups."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import LibraryFilter, Store
from pixflow_tui.store import sqlite as store_sqlite
from pixflow_tui.store.db import migrate
from pixflow_tui.store.models import GeneratedImage

from tests.db_helpers import is_postgres, sql

pytestmark = pytest.mark.both_backends


def add_image(store: Store, concept: str, style: str, *, batch_id: int | None = None, model: str = "m-one",
              parent_job_id: int | None = None):
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model=model, request={}, batch_id=batch_id,
                            parent_job_id=parent_job_id)
    return store.images.add(job_id=job.id, local_path=f"/o/{job.id}.png", file_name=f"{job.id}.png",
                            concept=concept, prompt={"style": style}, batch_id=batch_id, model=model)


def keys(page) -> list[str]:
    return [row.key for row in page.rows]


def all_pages(store: Store, flt: LibraryFilter, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = store.library.outputs(flt, after=after, limit=limit)
        seen += keys(page)
        if not page.more:
            return seen
        after = page.cursor
    raise AssertionError("paging did not end")


@pytest.fixture
def mixed(store: Store) -> dict[str, list]:
    """23 images and 8 videos made from some of them, interleaved in time."""
    images, videos = [], []
    for n in range(23):
        images.append(add_image(store, f"concept {n % 3}", f"style number {n}"))
        if n % 3 == 0:
            videos.append(store.assets.add(kind="video", local_path=f"/o/v{n}.mp4", prompt=f"push in {n}",
                                           source_image=images[-1].id, metadata={"concept": images[-1].concept}))
    return {"images": images, "videos": videos}


def test_every_output_newest_first_and_pages_are_exact(store: Store, mixed: dict[str, list]) -> None:
    expected = []
    for n, image in enumerate(mixed["images"]):
        expected.append(f"image:{image.id}")
        if n % 3 == 0:
            expected.append(f"asset:{mixed['videos'][n // 3].id}")
    expected.reverse()  # newest first; a video written after its image comes first
    for limit in (1, 4, 7, 30, 100):
        assert all_pages(store, LibraryFilter(), limit) == expected


def test_kinds_ratings_and_assets_without_ratings(store: Store, mixed: dict[str, list]) -> None:
    images = mixed["images"]
    store.ratings.rate(images[0].id, 1)
    store.ratings.rate(images[5].id, 1)
    store.ratings.rate(images[6].id, -1)
    assert keys(store.library.outputs(LibraryFilter(rating="like"))) == [f"image:{images[5].id}",
                                                                          f"image:{images[0].id}"]
    assert keys(store.library.outputs(LibraryFilter(rating="dislike"))) == [f"image:{images[6].id}"]
    unrated = keys(store.library.outputs(LibraryFilter(rating="none"), limit=100))
    assert len(unrated) == 31 - 3 and f"image:{images[5].id}" not in unrated  # videos count as unrated
    assert {k.split(":")[0] for k in keys(store.library.outputs(LibraryFilter(kinds=("video",))))} == {"asset"}
    assert store.library.count_outputs(LibraryFilter()) == 31
    assert store.library.count_outputs(LibraryFilter(), cap=10) == 10
    assert store.library.count_outputs(LibraryFilter(rating="like")) == 2


def test_concept_batch_model_tag_and_dates(store: Store) -> None:
    batch = store.batches.create(module="asset_monster", name="b")
    other = store.batches.create(module="asset_monster", name="o")
    in_batch = add_image(store, "lighthouse at dusk", "fog", batch_id=batch.id, model="m-two")
    outside = add_image(store, "desert road", "heat", batch_id=other.id)
    store.batches.add_tag(batch.id, "client-a")
    old = add_image(store, "old one", "dust")
    GeneratedImage.update(generated_at=datetime(2020, 1, 5)).where(GeneratedImage.id == old.id).execute()

    def found(**kw) -> set[int]:
        return {r.id for r in store.library.outputs(LibraryFilter(**kw)).rows}

    assert found(concept="lighthouse") == {in_batch.id}
    assert found(batch_id=other.id) == {outside.id}
    assert found(model="m-two") == {in_batch.id}
    assert found(tag="client-a") == {in_batch.id}
    assert found(since=datetime(2019, 12, 1), until=datetime(2020, 2, 1)) == {old.id}
    assert found(since=datetime.utcnow() - timedelta(days=1)) == {in_batch.id, outside.id}
    assert set(store.library.models()) == {"m-one", "m-two"}


def test_search_streams_past_many_non_matching_rows(store: Store) -> None:
    early = add_image(store, "needle in the hay", "first")
    for n in range(450):
        add_image(store, f"hay bale {n}", "straw")
    late = add_image(store, "another needle", "last")
    page = store.library.outputs(LibraryFilter(query="needle"), limit=5)
    assert keys(page) == [f"image:{late.id}", f"image:{early.id}"] and not page.more
    # with a filter that rejects most matches, the walk goes on until the page is full or the index ends
    store.ratings.rate(early.id, 1)
    assert keys(store.library.outputs(LibraryFilter(query="hay", rating="like"))) == [f"image:{early.id}"]
    # a narrow filter (a batch) checks that batch's rows against the index instead
    batch = store.batches.create(module="asset_monster", name="b")
    inside = add_image(store, "hay in a batch", "straw", batch_id=batch.id)
    assert keys(store.library.outputs(LibraryFilter(query="hay", batch_id=batch.id))) == [f"image:{inside.id}"]
    assert keys(store.library.outputs(LibraryFilter(query="needle", batch_id=batch.id))) == []


def test_search_pages_continue_without_repeats(store: Store) -> None:
    made = [add_image(store, "silk dress", f"look {n}") for n in range(12)]
    for n in range(30):
        add_image(store, "cotton shirt", f"plain {n}")
    seen = all_pages(store, LibraryFilter(query="silk"), 5)
    assert seen == [f"image:{image.id}" for image in reversed(made)]


def test_prefix_search_as_you_type(store: Store) -> None:
    lighthouse = add_image(store, "lighthouse keeper", "fog")
    add_image(store, "desert road", "heat")
    for typed in ("li", "lig", "ligh", "light", "lighthou", "lighthouse", "LIGHTHOUSE keep"):
        assert {r.id for r in store.library.outputs(LibraryFilter(query=typed)).rows} == {lighthouse.id}, typed
    assert store_sqlite.fts_query("a_b c") == '"a" AND "b" AND "c"'  # "_" separates, like the tokenizer
    assert store_sqlite.fts_query("cat d") == '"cat" AND "d"'  # one letter is not a prefix yet


def test_assets_are_searchable_and_carry_their_concept(store: Store, mixed: dict[str, list]) -> None:
    video = mixed["videos"][2]
    assert video.concept == mixed["images"][6].concept
    assert keys(store.library.outputs(LibraryFilter(query="push", kinds=("video",)), limit=2)) == [
        f"asset:{mixed['videos'][-1].id}", f"asset:{mixed['videos'][-2].id}"]
    assert keys(store.library.outputs(LibraryFilter(query="push 6"))) == [f"asset:{video.id}"]
    assert keys(store.library.outputs(LibraryFilter(concept="concept 0", kinds=("video",)), limit=100)) == [
        f"asset:{v.id}" for v in reversed(mixed["videos"])]


@pytest.mark.sqlite_only
def test_index_documents_live_in_their_kind_range(store: Store) -> None:
    image = add_image(store, "shared word zebra", "x")
    history = store.history.add(concept="zebra history", prompts=[{"style": "zebra"}])
    assert store_sqlite.search_newest(store.db, "image", "zebra") == [image.id]
    assert store_sqlite.search_newest(store.db, "history", "zebra") == [history.id]
    store.history.delete(history.id)
    assert store_sqlite.search_newest(store.db, "history", "zebra") == []
    assert store_sqlite.search_newest(store.db, "image", "zebra") == [image.id]
    plan = sql(store.db, "EXPLAIN QUERY PLAN DELETE FROM search_index WHERE rowid = ?", (1,)).fetchall()
    assert "INDEX 0:=" in " ".join(str(r) for r in plan)  # FTS5 looks the rowid up instead of scanning


def test_history_favorites_and_batches_pages(store: Store) -> None:
    entries = [store.history.add(concept=f"idea {n}", prompts=[{"style": f"s{n}"}] * (n % 3 + 1)) for n in range(9)]
    page = store.library.history(limit=4)
    assert [r.id for r in page.rows] == [e.id for e in reversed(entries)][:4] and page.more
    rest = store.library.history(after=page.cursor, limit=10)
    assert [r.id for r in rest.rows] == [e.id for e in reversed(entries)][4:] and not rest.more
    assert [r.id for r in store.library.history(query="s3").rows] == [entries[3].id]
    favorite = store.favorites.add(prompt={"style": "velvet"}, name="Velvet")
    assert [r.id for r in store.library.favorites(query="velvet").rows] == [favorite.id]
    batch = store.batches.create(module="asset_monster", name="tagged run", concept="foxes")
    add_image(store, "fox", "snow", batch_id=batch.id)
    store.batches.add_tag(batch.id, "keep")
    rows = store.library.batches(tag="keep").rows
    assert [(r.id, r.tags, r.outputs) for r in rows] == [(batch.id, ("keep",), 1)]
    assert [r.id for r in store.library.batches(query="fox").rows] == [batch.id]


def test_lineage_lookups(store: Store) -> None:
    image = add_image(store, "fox", "snow")
    regenerated = add_image(store, "fox", "snow", parent_job_id=image.job_id)
    video = store.assets.add(kind="video", local_path="/o/v.mp4", source_image=image.id)
    lipsync = store.assets.add(kind="lipsync", local_path="/o/l.mp4", source_asset=video.id)
    assert [r.key for r in store.library.assets_made_from(image_id=image.id)] == [f"asset:{video.id}"]
    assert [r.key for r in store.library.assets_made_from(asset_id=video.id)] == [f"asset:{lipsync.id}"]
    assert [r.id for r in store.library.images_regenerated_from(image.job_id)] == [regenerated.id]
    assert store.library.output(f"asset:{lipsync.id}").source_asset_id == video.id
    assert store.library.output("image:999999") is None and store.library.output("nonsense") is None


@pytest.mark.sqlite_only
def test_migration_0002_upgrades_an_old_database(settings, tmp_path) -> None:
    """A version-1 database (search index without kind ranges, assets without a concept) is upgraded in place."""
    store = Store.open(settings)
    image = add_image(store, "old lighthouse", "fog")
    video = store.assets.add(kind="video", local_path="/o/v.mp4", metadata={"concept": "old lighthouse"})
    store.history.add(concept="old idea", prompts=[{"style": "kept"}])
    db = store.db
    db.execute_sql("DROP TABLE search_index")
    db.execute_sql("CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref_id UNINDEXED, body, "
                   "tokenize = 'porter unicode61')")
    db.execute_sql("INSERT INTO search_index (kind, ref_id, body) VALUES ('image', ?, 'old lighthouse fog')",
                   (image.id,))
    db.execute_sql("INSERT INTO search_index (kind, ref_id, body) VALUES ('history', 1, 'old idea kept')")
    db.execute_sql("DELETE FROM schema_migrations WHERE version >= 2")
    db.execute_sql("UPDATE assets SET concept = ''")
    store.close_thread_connection()
    reopened = Store.open(settings)
    assert reopened.library.output(f"asset:{video.id}").concept == "old lighthouse"
    assert [r.id for r in reopened.library.outputs(LibraryFilter(query="lighthouse", kinds=("image",))).rows] == [
        image.id]
    assert [r.id for r in reopened.library.outputs(LibraryFilter(query="lighthouse", kinds=("video",))).rows] == [
        video.id]
    assert [r.concept for r in reopened.library.history(query="kept").rows] == ["old idea"]
    assert migrate(reopened.db) == []  # applied once
    with sqlite3.connect(settings.database_path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search_index'").fetchone()[0]
    assert "content = ''" in sql and "prefix = '2 3'" in sql  # the current layout (0009)


def test_set_rating_is_one_write_and_knows_missing_images(store: Store) -> None:
    image = add_image(store, "fox", "snow")
    assert store.ratings.set(image.id, 1) and store.ratings.get(image.id).rating == 1
    assert store.ratings.set(image.id, -1) and store.ratings.get(image.id).rating == -1  # an upsert
    assert store.ratings.set(image.id, None) and store.ratings.get(image.id) is None
    assert store.ratings.set(image.id, None)  # clearing twice is fine
    assert not store.ratings.set(424242, 1)
    with pytest.raises(ValueError):
        store.ratings.set(image.id, 5)
