"""Each saved output of a job is one row (unique job + file), on both backends; duplicates an earlier version
saved are removed by migration 0012, keeping the oldest row (and its rating)."""
from __future__ import annotations

import peewee
import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind
from pixflow_tui.store import LATEST_VERSION, Store
from tests.db_helpers import sql

pytestmark = pytest.mark.both_backends


def add_image(store: Store, job_id: int, path: str = "/o/1.png"):
    return store.images.add(job_id=job_id, local_path=path, file_name="1.png", concept="harbour", prompt={})


def test_the_same_output_cannot_be_saved_twice(store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={})
    add_image(store, job.id)
    add_image(store, job.id, "/o/2.png")  # a second output of the same job is fine
    with pytest.raises(peewee.IntegrityError):
        with store.atomic():
            add_image(store, job.id)
    video = store.jobs.create(kind=JobKind.VIDEO, provider="fal", model="m", request={})
    store.assets.add(kind="video", local_path="/o/v.mp4", job=video.id)
    with pytest.raises(peewee.IntegrityError):
        with store.atomic():
            store.assets.add(kind="video", local_path="/o/v.mp4", job=video.id)
    store.assets.add(kind="video", local_path="/o/imported.mp4")
    store.assets.add(kind="video", local_path="/o/imported.mp4")  # imports have no job: not constrained
    assert len(store.images.for_job(job.id)) == 2


def test_migration_0012_removes_duplicates_keeping_the_first(settings: Settings, store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={})
    first = add_image(store, job.id)
    store.ratings.rate(first.id, 1)
    sql(store.db, "DROP INDEX generated_images_one_row_per_output")
    second = add_image(store, job.id)  # what a takeover could save before 0012
    sql(store.db, "DELETE FROM schema_migrations WHERE version >= 12")
    store.close_thread_connection()
    again = Store.open(settings)
    try:
        assert again.schema_version == LATEST_VERSION
        assert [i.id for i in again.images.for_job(job.id)] == [first.id]
        assert again.ratings.get(first.id).rating == 1 and again.images.get(second.id) is None
    finally:
        again.close_thread_connection()
