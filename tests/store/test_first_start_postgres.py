"""Several processes (machines) starting together on an empty PostgreSQL database all open it: the migrations run
under an advisory lock, so the second waits instead of failing with "duplicate key". (SQLite's own case is in
test_migrations.py.)"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
from typing import Any

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.store import LATEST_VERSION, Store
from pixflow_tui.store.migrations import MIGRATIONS


def _open_in_child(settings: Settings, user: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        store = Store.open(dataclasses.replace(settings, user=user))
        store.close_thread_connection()
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test with the message
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start the processes at the same instant")
def test_processes_starting_together_on_an_empty_postgres_database_all_open_it(settings: Settings,
                                                                               pg_server: Any) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL run skipped: no server could be started")
    context = multiprocessing.get_context("fork")
    for round_number in range(4):
        url = pg_server.create_database(migrated=False)
        fresh = dataclasses.replace(settings, database_url=url)
        users = ["ana", "ana", "ben", "ben", "cy"]
        barrier = context.Barrier(len(users))
        results = context.Queue()
        children = [context.Process(target=_open_in_child, args=(fresh, user, barrier, results)) for user in users]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=120) for _ in children]
        for child in children:
            child.join(timeout=60)
        assert outcomes == ["ok"] * len(users), (round_number, outcomes)
        store = Store.open(fresh)
        try:
            assert store.schema_version == LATEST_VERSION
            count = store.db.execute_sql("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
            assert count == len(MIGRATIONS)
            assert store.db.execute_sql("SELECT COUNT(*) FROM products").fetchone()[0] == 5
            names = {name for (name,) in store.db.execute_sql("SELECT name FROM users").fetchall()}
            assert {"ana", "ben", "cy"} <= names
        finally:
            store.close_thread_connection()
        pg_server.drop_database(url)
