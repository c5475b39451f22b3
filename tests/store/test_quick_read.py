"""The quick read path (store/quick_read.py: plain sqlite3, read-only, for one-shot listings) lists exactly what the
store's pages list, filter by filter, and steps aside (None) whenever the store is needed."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pixflow_tui.config import Settings, with_user
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.core.prompt_schema import PromptOutput
from pixflow_tui.core.requests import image_request
from pixflow_tui.store import LibraryFilter, Store
from pixflow_tui.store.library_records import ASSET_KINDS, LibraryRow
from pixflow_tui.store.quick_read import QuickReader, QuickReadError
from tests.db_helpers import sql

START = datetime(2026, 3, 1, 9, 30)


def _image(store: Store, n: int, concept: str, batch_id: int | None, model: str) -> int:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model=model, request={}, batch_id=batch_id)
    return store.images.add(job_id=job.id, local_path=f"/o/{n}.png", file_name=f"{n}.png", concept=concept,
                            prompt={"style": f"style {n}"}, batch_id=batch_id, model=model,
                            thumbnail_path=None if n % 3 else f"/t/{n}.png").id


@pytest.fixture
def library(settings: Settings, store: Store) -> Iterator[Settings]:
    """Two people, tagged batches, images and every kind of asset over several days, rated by both."""
    bob = Store.open(with_user(settings, "bob"))
    batches = [store.batches.create(module="asset_monster", name=f"b{i}", concept="c") for i in range(3)]
    store.batches.add_tag(batches[0].id, "keep")
    store.batches.add_tag(batches[2].id, "keep")
    concepts = ["red fox", "50% off fox", "a_b test", "blue whale", "Fox at night", "a\\b"]
    image_ids = []
    for n in range(18):
        owner = bob if n % 4 == 0 else store
        batch = batches[n % 3].id if n % 5 else None
        image_ids.append(_image(owner, n, concepts[n % len(concepts)], batch, f"model-{n % 2}"))
    asset_ids = []
    for n in range(12):
        owner = bob if n % 3 == 0 else store
        kind = ASSET_KINDS[n % len(ASSET_KINDS)]
        metadata = {"thumbnail": f"/t/a{n}.png", "settings": {"aspect_ratio": "16:9"}, "width": 640} if n % 2 else {}
        asset_ids.append(owner.assets.add(kind=kind, local_path=f"/o/a{n}.mp4", prompt=f"push in {n}",
                                          source_image=image_ids[n], batch_id=batches[n % 3].id if n % 4 else None,
                                          model=f"model-{n % 2}", metadata={**metadata,
                                                                           "concept": concepts[n % len(concepts)]}).id)
    for n, ident in enumerate(image_ids):  # spread over days, some at the same instant as an asset
        sql(store.db, "UPDATE generated_images SET generated_at = ? WHERE id = ?",
            ((START + timedelta(hours=7 * n)).isoformat(" "), ident))
    for n, ident in enumerate(asset_ids):
        stamp = START + timedelta(hours=7 * n + 7 * (n % 2))
        sql(store.db, "UPDATE assets SET created_at = ? WHERE id = ?", (stamp.isoformat(" "), ident))
    for ident in image_ids[::3]:
        store.ratings.rate(ident, 1)
    for ident in image_ids[1::4]:
        store.ratings.rate(ident, -1)
    for ident in image_ids[::2]:
        bob.ratings.rate(ident, -1)
    for n, ident in enumerate(asset_ids[::2]):
        store.ratings.set_asset(ident, 1 if n % 2 else -1)
    bob.ratings.set_asset(asset_ids[1], 1)
    bob.close_thread_connection()
    yield settings


def full(store: Store, flt: LibraryFilter, limit: int) -> list[LibraryRow]:
    """What the CLI collected through the store: pages of 3, so the merge goes on across pages."""
    rows: list[LibraryRow] = []
    after = None
    while len(rows) < limit:
        page = store.library.outputs(flt, after=after, limit=min(3, limit - len(rows)))
        rows.extend(page.rows)
        if not page.more:
            break
        after = page.cursor
    return rows[:limit]


def quick(settings: Settings, flt: LibraryFilter, limit: int) -> list[LibraryRow]:
    reader = QuickReader.open(settings.database_path, settings.user, settings.outputs_root)
    assert reader is not None
    try:
        return reader.outputs(flt, limit)
    finally:
        reader.close()


FILTERS = [
    LibraryFilter(), LibraryFilter(kinds=("image",)), LibraryFilter(kinds=("video",)),
    LibraryFilter(kinds=("lipsync", "avatar")), LibraryFilter(kinds=ASSET_KINDS), LibraryFilter(rating="like"),
    LibraryFilter(rating="dislike"), LibraryFilter(rating="none"), LibraryFilter(concept="fox"),
    LibraryFilter(concept="50%"), LibraryFilter(concept="a_b"), LibraryFilter(concept="a\\b"),
    LibraryFilter(concept="FOX"), LibraryFilter(model="model-1"), LibraryFilter(tag="keep"),
    LibraryFilter(tag="nothing"), LibraryFilter(since=START + timedelta(days=1)),
    LibraryFilter(since=START + timedelta(days=1), until=START + timedelta(days=3)),
    LibraryFilter(made_by="bob"), LibraryFilter(made_by="nobody"), LibraryFilter(rated_by="bob"),
    LibraryFilter(rating="like", kinds=("image",), made_by="bob", tag="keep"),
    LibraryFilter(rating="none", concept="fox", model="model-0", kinds=("image", "video")),
]

EMPTY = [LibraryFilter(tag="nothing"), LibraryFilter(made_by="nobody")]


def _name(flt: LibraryFilter) -> str:
    return ",".join(f"{k}={v}" for k, v in vars(flt).items() if v != getattr(LibraryFilter(), k)) or "all"


@pytest.mark.parametrize("flt", FILTERS, ids=[_name(f) for f in FILTERS])
def test_the_quick_read_lists_what_the_store_lists(library: Settings, store: Store, flt: LibraryFilter) -> None:
    batch_id = store.batches.list(limit=1)[0].id
    for candidate in (flt, LibraryFilter(batch_id=batch_id, kinds=flt.kinds)):
        for limit in (1, 4, 50):
            expected = full(store, candidate, limit)
            assert quick(library, candidate, limit) == expected, (candidate, limit)
    assert bool(full(store, flt, 50)) == (flt not in EMPTY), "a filter that finds nothing compares nothing"


def test_history_favourites_and_batches_are_the_stores(library: Settings, store: Store) -> None:
    for n in range(7):
        store.history.add(concept=f"concept {n}", prompts=[{"style": str(i)} for i in range(n % 3 + 1)])
        store.favorites.add(prompt={"style": f"look {n}"}, name="" if n % 2 else f"Look {n}", concept=f"c{n}")
    pushed = store.batches.create(module="img2video", name="50% push_in", concept="fox")
    sql(store.db, "UPDATE batches SET cost_estimate_micros = 1250000, cost_actual_micros = 333 WHERE id = ?",
        (pushed.id,))
    reader = QuickReader.open(library.database_path, library.user, None)
    assert reader is not None
    try:
        for limit in (1, 3, 50):
            assert reader.history(limit) == store.library.history(limit=limit).rows
            assert reader.favorites(limit) == store.library.favorites(limit=limit).rows
            for tag, query in ((None, ""), ("keep", ""), (None, "b1"), (None, "asset b"), (None, "50%"),
                               (None, "push_in"), (None, "VIDEO"), ("keep", "b2"), ("none-such", "")):
                assert reader.batches(tag, query, limit) == \
                    store.library.batches(tag=tag, query=query, limit=limit).rows, (tag, query, limit)
        assert len(reader.history(50)) == 7 and len(reader.favorites(50)) == 7
        batches = reader.batches(None, "", 50)
        assert len(batches) == 4 and any(row.outputs and row.tags for row in batches)
        assert (batches[0].cost_estimate, batches[0].cost_actual) == (1.25, 0.000333)
    finally:
        reader.close()


def test_jobs_are_the_stores_records(library: Settings, store: Store) -> None:
    """Every field of a job record (money, paths, times, JSON), as `jobs list` reads it through the store."""
    from pixflow_tui.core.jobs import JobState

    jobs = store.jobs.list()
    batch_id = next(j.batch_id for j in jobs if j.batch_id is not None)
    whole = image_request(PromptOutput(style="a harbour at dusk"), meta={"concept": "harbour"}).to_dict()
    made = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model=whole["model"], request=whole,
                             batch_id=batch_id)  # stored pointing at its image's prompt (store/job_requests.py)
    store.images.add(job_id=made.id, local_path="/o/made.png", file_name="made.png", concept="harbour",
                     prompt=whole["meta"]["prompt"])
    done = datetime(2026, 3, 2, 8, 0, 0, 123456)
    store.jobs.update(jobs[0].id, status=JobState.DONE, cost=0.15, output_path="/o/done.png", submitted_at=START,
                      finished_at=done, handle={"status_url": "u"}, result={"images": [1]}, progress=0.5,
                      lease_owner="me", lease_expires=1.7e9, attempts=2, error=None, request_id="r-1")
    store.jobs.update(jobs[1].id, status=JobState.FAILED, error="it broke", attempts=3, finished_at=done)
    store.jobs.update(jobs[2].id, status=JobState.UNKNOWN, queue_position=4)
    reader = QuickReader.open(library.database_path, library.user, None)
    assert reader is not None
    try:
        for batch in (None, batch_id, 424242):
            for statuses in (None, [str(JobState.DONE)], [str(JobState.FAILED), str(JobState.UNKNOWN)]):
                for limit in (None, 2, 50):
                    wanted = None if statuses is None else [JobState(s) for s in statuses]
                    expected = store.jobs.list(batch_id=batch, statuses=wanted, limit=limit, newest_first=True)
                    assert reader.jobs(batch, statuses, limit) == expected, (batch, statuses, limit)
        assert reader.jobs(None, [str(JobState.DONE)], None)[0].cost == 0.15
        assert reader.jobs(None, None, 1)[0].request == whole
    finally:
        reader.close()


def test_stored_paths_under_the_outputs_root_are_this_machines(library: Settings, store: Store,
                                                               tmp_path: Path) -> None:
    sql(store.db, "UPDATE generated_images SET local_path = 'shared/x.png'")
    root = tmp_path / "mount"
    reader = QuickReader.open(library.database_path, library.user, root)
    assert reader is not None
    try:
        assert {row.local_path for row in reader.outputs(LibraryFilter(kinds=("image",)), 50)} == \
            {str(root / "shared/x.png")}
    finally:
        reader.close()


def test_it_steps_aside_when_the_store_is_needed(settings: Settings, store: Store, tmp_path: Path) -> None:
    path = settings.database_path
    assert QuickReader.open(tmp_path / "missing.db", settings.user, None) is None
    assert QuickReader.open(path, "somebody-new", None) is None  # the store adds the person
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert QuickReader.open(empty, settings.user, None) is None
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 200)
    assert QuickReader.open(damaged, settings.user, None) is None
    sql(store.db, "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
    assert QuickReader.open(path, settings.user, None) is None  # an older schema: the store migrates it


def test_it_opens_read_only_and_an_error_while_reading_is_a_quick_read_error(settings: Settings,
                                                                             store: Store) -> None:
    reader = QuickReader.open(settings.database_path, settings.user, None)
    assert reader is not None
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.connection.execute("DELETE FROM users")
        # a temporary view shadows the table: "no such column" while reading
        reader.connection.execute("CREATE TEMP VIEW generated_images AS SELECT 1 AS x")
        with pytest.raises(QuickReadError):
            reader.outputs(LibraryFilter(kinds=("image",)), 5)
    finally:
        reader.close()
    with pytest.raises(ValueError, match="search"):
        QuickReader(sqlite3.connect(":memory:"), 1).outputs(LibraryFilter(query="fox"), 5)
