"""The quick look before the TUI starts (store/quick_look.py: plain sqlite3) reads what the store reads for the first
screen, the products and the header's counters, and reads no more of `jobs` than the store does."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta

import pytest

from pixflow_tui.config import Settings, with_user
from pixflow_tui.store import Store
from pixflow_tui.store.models import IS_UNFINISHED
from pixflow_tui.store.quick_look import UNFINISHED_SQL, first_screen_rows
from pixflow_tui.workflows.context import start_of_today
from tests.db_helpers import sql
from tests.store.test_query_plans import fill_history, scans_of_jobs


@pytest.fixture
def busy(settings: Settings, store: Store) -> Iterator[Store]:
    """A long history, unfinished jobs, and today's spend: finished today, still downloading (no finish time yet),
    submitted yesterday and finished today, someone else's; an inactive product."""
    fill_history(store, "elsewhere:1")
    today = start_of_today()
    moments = {"done": today + timedelta(minutes=5), "late": today - timedelta(hours=3)}
    rows = [  # (status, cost micros, submitted, finished)
        ("done", 1_250_000, moments["done"], moments["done"]),
        ("downloading", 400_000, moments["done"], None),
        ("done", 70_000, moments["late"], moments["done"]),
        ("done", 990_000, moments["late"], moments["late"]),  # yesterday: not today's
        ("failed", None, moments["done"], moments["done"]),
    ]
    for status, cost, submitted, finished in rows:
        sql(store.db, "INSERT INTO jobs (user_id, kind, provider, model, request, status, cost_micros, submitted_at,"
            " finished_at, created_at, updated_at, job_index, prompt_index, variant_index, attempts,"
            " cost_estimate_micros) VALUES (?, 'image', 'demo', 'm', '{}', ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)",
            (store.user_id, status, cost, submitted.isoformat(" "),
             finished.isoformat(" ") if finished else None, submitted.isoformat(" "), submitted.isoformat(" ")))
    bob = Store.open(with_user(settings, "bob"))
    sql(bob.db, "INSERT INTO jobs (user_id, kind, provider, model, request, status, cost_micros, submitted_at,"
        " finished_at, created_at, updated_at, job_index, prompt_index, variant_index, attempts, cost_estimate_micros)"
        " VALUES (?, 'image', 'demo', 'm', '{}', 'running', 5000000, ?, NULL, ?, ?, 0, 0, 0, 0, 0)",
        (bob.user_id, *[moments["done"].isoformat(" ")] * 3))
    bob.close_thread_connection()
    sql(store.db, "UPDATE products SET is_active = 0 WHERE slug = 'fling'")
    yield store


def test_the_look_reads_what_the_store_reads(settings: Settings, busy: Store) -> None:
    with closing(sqlite3.connect(settings.database_path)) as connection:
        rows = first_screen_rows(connection, busy.user_id, start_of_today())
    assert rows.products == tuple((p.id, p.name, p.slug) for p in busy.products())
    assert "fling" not in [slug for _, _, slug in rows.products]
    assert rows.jobs_running == busy.jobs.active_count() == 4 + 1
    assert rows.spend_micros / 1_000_000 == busy.jobs.spend_since(start_of_today()) == pytest.approx(1.72)


class Recording(sqlite3.Connection):
    statements: list[tuple[str, tuple]] = []

    def execute(self, sql: str, parameters: object = (), /) -> sqlite3.Cursor:
        self.statements.append((sql, tuple(parameters)))  # type: ignore[arg-type]
        return super().execute(sql, parameters)  # type: ignore[arg-type]


def test_the_look_reads_jobs_through_indexes(settings: Settings, busy: Store) -> None:
    with closing(sqlite3.connect(settings.database_path, factory=Recording)) as connection:
        first_screen_rows(connection, busy.user_id, start_of_today())
    statements = connection.statements
    assert sum('"jobs"' in statement for statement, _ in statements) == 3
    assert scans_of_jobs(busy, statements) == []


def test_the_unfinished_jobs_are_named_as_the_store_names_them() -> None:
    assert UNFINISHED_SQL == IS_UNFINISHED.sql
