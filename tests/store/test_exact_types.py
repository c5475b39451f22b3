"""Exact types on both backends: money in integer micro-dollars, epoch-second leases in 8-byte floats, timestamps
as UTC (TIMESTAMPTZ on PostgreSQL), and an old database's float dollars converted in place by migration 0007."""
from __future__ import annotations

import sqlite3
import time
from datetime import datetime

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobKind, JobState
from pixflow_tui.store import LATEST_VERSION, Store
from pixflow_tui.store.models import Job
from tests.db_helpers import is_postgres, sql

pytestmark = pytest.mark.both_backends


def test_ten_thousand_jobs_at_fifteen_cents_cost_exactly_1500(store: Store) -> None:
    batch = store.batches.create(module="asset_monster", cost_estimate=0.15)
    rows = [{"user": store.user_id, "batch": batch.id, "kind": "image", "provider": "fal", "model": "m",
             "request": "{}", "job_index": i, "status": str(JobState.DONE), "cost_estimate": 0.15,
             "cost": 0.15, "submitted_at": datetime(2026, 1, 1)} for i in range(10_000)]
    with store.atomic():
        for start in range(0, len(rows), 1000):
            Job.insert_many(rows[start:start + 1000]).execute()
    assert store.jobs.spend_since(datetime(2025, 1, 1)) == 1500.0
    assert store.jobs.in_flight_estimate() == 0.0  # every one has a cost
    assert sql(store.db, "SELECT SUM(cost_micros) FROM jobs").fetchone()[0] == 1_500_000_000
    for _ in range(3):
        store.batches.add_cost(batch.id, 0.1)
    assert store.batches.get(batch.id).cost_actual == 0.3  # 0.1 + 0.1 + 0.1 in floats is 0.30000000000000004
    assert sql(store.db, "SELECT cost_actual_micros FROM batches WHERE id = ?", (batch.id,)).fetchone()[0] == 300_000


def test_a_job_reads_back_its_cost_and_lease_exactly(store: Store) -> None:
    expires = time.time() + 30.0
    job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={}, cost_estimate=0.039,
                            lease_owner="host:1:abc", lease_expires=expires)
    store.jobs.update(job.id, cost=0.0395, progress=0.333333333333)
    got = store.jobs.get(job.id)
    assert (got.cost_estimate, got.cost, got.lease_expires) == (0.039, 0.0395, expires)
    assert got.progress == 0.333333333333
    assert isinstance(got.created_at, datetime) and got.created_at.tzinfo is None


def test_timestamps_are_stored_as_utc(store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="demo", model="m", request={})
    store.jobs.update(job.id, submitted_at=datetime(2026, 3, 29, 1, 30))  # a time that does not exist in Europe
    assert store.jobs.get(job.id).submitted_at == datetime(2026, 3, 29, 1, 30)
    if is_postgres(store.db):
        kind = sql(store.db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'jobs' "
                             "AND column_name = 'submitted_at'").fetchone()[0]
        assert kind == "timestamp with time zone"
        store.db.execute_sql("SET TIME ZONE 'Asia/Kolkata'")  # another session's zone reads the same instant
        assert store.jobs.get(job.id).submitted_at == datetime(2026, 3, 29, 1, 30)
        kinds = {row[0] for row in sql(store.db, "SELECT DISTINCT data_type FROM information_schema.columns "
                                                 "WHERE table_schema = 'public'").fetchall()}
        assert "real" not in kinds and "timestamp without time zone" not in kinds


@pytest.mark.sqlite_only
def test_an_old_sqlite_library_gets_micro_dollars_in_place(settings: Settings, store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={}, cost_estimate=0.15)
    store.close_thread_connection()
    with sqlite3.connect(settings.database_path) as conn:  # as version 4 left it: float dollars
        conn.execute("ALTER TABLE jobs ADD COLUMN cost_estimate REAL NOT NULL DEFAULT 0")
        conn.execute("ALTER TABLE jobs ADD COLUMN cost REAL")
        conn.execute("ALTER TABLE jobs DROP COLUMN cost_estimate_micros")
        conn.execute("ALTER TABLE jobs DROP COLUMN cost_micros")
        conn.execute("UPDATE jobs SET cost_estimate = 0.15, cost = 0.1499999")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 7")
    again = Store.open(settings)
    try:
        assert again.schema_version == LATEST_VERSION
        got = again.jobs.get(job.id)
        assert (got.cost_estimate, got.cost) == (0.15, 0.15)
        columns = {c.name for c in again.db.get_columns("jobs")}
        assert {"cost_estimate_micros", "cost_micros"} <= columns and not {"cost", "cost_estimate"} & columns
    finally:
        again.close_thread_connection()
    assert list((settings.home / "backups").glob("*-before-migration*.db"))


@pytest.mark.postgres_only
def test_an_old_postgres_library_gets_exact_types_in_place(settings: Settings, store: Store) -> None:
    job = store.jobs.create(kind=JobKind.IMAGE, provider="fal", model="m", request={}, lease_expires=1_800_000_000.5)
    store.jobs.update(job.id, submitted_at=datetime(2026, 1, 2, 3, 4, 5))
    for statement in (  # the column types peewee's defaults gave before version 7
        "ALTER TABLE jobs ALTER COLUMN lease_expires TYPE REAL",
        "ALTER TABLE jobs ALTER COLUMN submitted_at TYPE TIMESTAMP USING submitted_at AT TIME ZONE 'UTC'",
        "ALTER TABLE jobs ADD COLUMN cost REAL", "ALTER TABLE jobs ADD COLUMN cost_estimate REAL NOT NULL DEFAULT 0",
        "ALTER TABLE jobs DROP COLUMN cost_micros", "ALTER TABLE jobs DROP COLUMN cost_estimate_micros",
        "UPDATE jobs SET cost = 0.15, cost_estimate = 0.15",
        "DELETE FROM schema_migrations WHERE version >= 7",
    ):
        store.db.execute_sql(statement)
    store.close_thread_connection()
    again = Store.open(settings)
    try:
        got = again.jobs.get(job.id)
        assert (got.cost, got.cost_estimate, got.submitted_at) == (0.15, 0.15, datetime(2026, 1, 2, 3, 4, 5))
        types = dict(sql(again.db, "SELECT column_name, data_type FROM information_schema.columns "
                                   "WHERE table_name = 'jobs'").fetchall())
        assert types["lease_expires"] == "double precision" and types["cost_micros"] == "bigint"
        assert types["submitted_at"] == "timestamp with time zone" and "cost" not in types
    finally:
        again.close_thread_connection()
