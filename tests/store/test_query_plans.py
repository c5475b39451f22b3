"""The queries that run while the app sits idle (the engine's claim scan every second, the header's counters, the
release of leases at quit) find their rows through an index: none reads the whole `jobs` table, whose finished rows
grow with the library (a million images is a million done jobs)."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.core.events import EventBus
from pixflow_tui.core.jobs import new_owner_id
from pixflow_tui.engine.runner import JobEngine
from pixflow_tui.store import Store
from pixflow_tui.workflows.context import AppContext

FINISHED = 400
# "jobs" or peewee's alias "t1"; a scan of a subquery's own result is not a read of the table
FULL_READ = re.compile(r"^SCAN (jobs|t\d+)\b|^SEARCH (jobs|t\d+) USING (COVERING )?INDEX \w+ \(user_id=\?\)$")


def fill_history(store: Store, other_owner: str) -> None:
    """Many done jobs (a large library's history), a few unfinished ones leased to another live process."""
    start = datetime(2024, 1, 1)
    days = [(start + timedelta(hours=n * 20)).strftime("%Y-%m-%d %H:%M:%S.%f") for n in range(FINISHED)]
    rows = [(store.user_id, "image", "demo", "m", "{}", "done", 150_000, day, day, day) for day in days]
    rows += [(store.user_id, "image", "demo", "m", "{}", status, None, None, None, days[-1])
             for status in ("pending", "queued", "running", "downloading")]
    store.db.execute_sql("SELECT 1")
    store.db.cursor().executemany(
        "INSERT INTO jobs (user_id, kind, provider, model, request, status, cost_micros, finished_at, submitted_at,"
        " created_at, updated_at, job_index, prompt_index, variant_index, attempts, cost_estimate_micros)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)", [(*row, row[-1]) for row in rows])
    store.db.execute_sql("UPDATE jobs SET lease_owner = ?, lease_expires = ? WHERE status != 'done'",
                         (other_owner, time.time() + 600))


@contextmanager
def traced(store: Store) -> Iterator[list[tuple[str, tuple]]]:
    """Every statement the store runs, with its parameters as bound: the plan must be the one SQLite makes before
    it knows them (a partial index is matched against the statement as prepared)."""
    statements: list[tuple[str, tuple]] = []
    original = store.db.execute_sql

    def recording(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
        statements.append((sql, tuple(params or ())))  # type: ignore[arg-type]
        return original(sql, params, *args, **kwargs)

    store.db.execute_sql = recording  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        del store.db.execute_sql


def scans_of_jobs(store: Store, statements: list[tuple[str, tuple]]) -> list[tuple[str, str]]:
    """(statement, plan line) for every full read of `jobs`: a SCAN (with or without a covering index), or a search
    on the user alone (one user's jobs are the whole table)."""
    found = []
    for sql, params in statements:
        if '"jobs"' not in sql:
            continue
        for row in store.db.cursor().execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall():
            detail = str(row[-1])
            if FULL_READ.match(detail):
                found.append((sql, detail))
    return found


def run_checked(store: Store, work: Callable[[], object]) -> list[tuple[str, tuple]]:
    with traced(store) as statements:
        work()
    assert any("jobs" in sql for sql, _ in statements), "the traced work read no jobs: the test would prove nothing"
    return statements


@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh", "analyzed"])
def test_idle_engine_and_header_queries_use_indexes(settings: Settings, analyzed: bool) -> None:
    ctx = AppContext(settings)
    try:
        store = ctx.store
        fill_history(store, new_owner_id())  # our own pid: the other owner counts as alive
        if analyzed:
            store.db.execute_sql("ANALYZE")  # what a seeded or long-used library has: real statistics
        engine = JobEngine(store, settings, EventBus(), lambda name: pytest.fail("nothing should be driven"))

        def engine_pass() -> None:
            summary = asyncio.run(engine.run(until_idle=True))  # the claim scan; nothing is claimable
            assert not summary.at_provider

        statements = run_checked(store, engine_pass)
        statements += run_checked(store, lambda: (ctx.jobs_running(), ctx.spend_today(), ctx.unfinished_jobs()))
        statements += run_checked(store, lambda: store.jobs.release_all(engine.owner))
        assert scans_of_jobs(store, statements) == []
        assert ctx.jobs_running() == 4 and ctx.spend_today() == 0.0
        assert ctx.unfinished_jobs().total == 4  # what quitting counts: read from the same index
    finally:
        ctx.close()


def test_the_check_sees_a_scan(store: Store) -> None:
    """The check itself: a query with no usable index is reported."""
    statements = [('SELECT COUNT(*) FROM "jobs" WHERE "model" = ?', ("m",)),
                  ('SELECT COUNT(*) FROM "jobs" AS "t1" WHERE "t1"."user_id" = ? AND "t1"."status" IN (?, ?)',
                   (1, "pending", "queued"))]
    assert [plan for _, plan in scans_of_jobs(store, statements)] == [
        "SCAN jobs", "SEARCH t1 USING INDEX jobs_user_id_finished_at_submitted_at (user_id=?)"]


def test_an_existing_database_gets_the_indexes(settings: Settings) -> None:
    store = Store.open(settings)
    names = ("jobs_unfinished", "jobs_lease_owner", "jobs_user_id_finished_at_submitted_at")
    for name in names:
        store.db.execute_sql(f'DROP INDEX "{name}"')
    store.db.execute_sql("DELETE FROM schema_migrations WHERE version >= 6")
    store.close_thread_connection()
    reopened = Store.open(settings)
    try:
        found = {row[0] for row in reopened.db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert set(names) <= found
    finally:
        reopened.close_thread_connection()


# A full read of images or assets: a walk of a whole index, or a walk of the table that then sorts (the newest-first
# walk of the primary key alone stops after a page).
IMAGE_OR_ASSET_SCAN = re.compile(r"^SCAN (generated_images|assets|t\d+)( USING (COVERING )?INDEX \w+)?$")


def full_reads(plan: list[str]) -> list[str]:
    sorts = any(line.startswith("USE TEMP B-TREE FOR ORDER BY") for line in plan)
    return [line for line in plan if IMAGE_OR_ASSET_SCAN.match(line) and (sorts or " USING " in line)]


def fill_people(store: Store, bob_id: int) -> None:
    """Images and assets of two people, some images rated by each."""
    from pixflow_tui.store.images_repo import ImageRepository, RatingRepository
    from pixflow_tui.store.prompts_repo import AssetRepository

    job = store.jobs.create(kind="image", provider="demo", model="m", request={})
    with store.db.atomic():
        for n in range(FINISHED // 2):
            user = store.user_id if n % 2 else bob_id
            image = ImageRepository(store.db, user).add(job_id=job.id, local_path=f"/o/{n}.png",
                                                        file_name=f"{n}.png", concept="c", prompt={})
            if n % 7 == 0:
                RatingRepository(store.db, bob_id).set(image.id, 1)
            if n % 5 == 0:
                RatingRepository(store.db, store.user_id).set(image.id, -1 if n % 3 else 1)
            asset = AssetRepository(user).add(kind="video", local_path=f"/o/{n}.mp4")
            if n % 3 == 0:
                RatingRepository(store.db, bob_id if n % 2 else store.user_id).set_asset(asset.id, 1)


@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh", "analyzed"])
def test_made_by_and_rated_by_pages_use_indexes(settings: Settings, analyzed: bool) -> None:
    from pixflow_tui.config import with_user
    from pixflow_tui.store import LibraryFilter

    bob = Store.open(with_user(settings, "bob"))
    bob_id = bob.user_id
    bob.close_thread_connection()
    store = Store.open(settings)
    try:
        fill_people(store, bob_id)
        if analyzed:
            store.db.execute_sql("ANALYZE")
        filters = [LibraryFilter(made_by="bob"), LibraryFilter(rated_by="bob"),
                   LibraryFilter(made_by=settings.user, rated_by="bob", rating="like"),
                   LibraryFilter(rating="dislike"), LibraryFilter(rating="none", kinds=("video",))]
        with traced(store) as statements:
            pages = [store.library.outputs(flt, limit=20) for flt in filters]
        assert pages[0].rows and pages[1].rows
        scans, checked = [], 0
        for sql, params in statements:
            if '"generated_images"' not in sql and '"assets"' not in sql:
                continue
            checked += 1
            plan = [str(row[-1]) for row in store.db.cursor().execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            scans += [(sql, line) for line in full_reads(plan)]
        assert checked and scans == []
    finally:
        store.close_thread_connection()


def test_the_output_check_sees_a_full_read() -> None:
    assert full_reads(["SCAN t1", "USE TEMP B-TREE FOR ORDER BY"]) == ["SCAN t1"]
    assert full_reads(["SCAN assets USING INDEX assets_user_id_created_at"])
    assert full_reads(["SCAN t1"]) == []  # the newest-first walk of the primary key, stopped after a page
