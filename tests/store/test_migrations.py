"""Numbered migrations: applied at start and recorded; a newer or damaged database is refused untouched."""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
import sqlite3
import threading
from pathlib import Path

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.store import LATEST_VERSION, DatabaseTooNewError, Store, StoreError
from pixflow_tui.store.db import migrate
from pixflow_tui.store.migrations import MIGRATIONS

CORE_TABLES = {"users", "products", "history", "favorites", "presets", "generated_images", "image_ratings",
               "batches", "jobs", "assets", "pipeline_runs", "search_index"}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def recorded(path: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()
    finally:
        conn.close()


def open_and_close(settings: Settings) -> int:
    store = Store.open(settings)
    try:
        return store.schema_version
    finally:
        store.close_thread_connection()


def test_migrations_are_numbered_in_order() -> None:
    versions = [version for version, _, _ in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert LATEST_VERSION == versions[-1]


def test_no_file_yet(settings: Settings) -> None:
    assert not settings.database_path.exists()
    assert open_and_close(settings) == LATEST_VERSION
    assert CORE_TABLES <= tables(settings.database_path)


def test_empty_file_just_created(settings: Settings) -> None:
    """As another process starting at the same moment leaves it; an old empty file is refused (test_open_safety)."""
    settings.database_path.parent.mkdir(parents=True)
    settings.database_path.write_bytes(b"")
    assert open_and_close(settings) == LATEST_VERSION
    assert CORE_TABLES <= tables(settings.database_path)


def test_versions_are_recorded(settings: Settings) -> None:
    open_and_close(settings)
    rows = recorded(settings.database_path)
    assert [(v, n) for v, n, _ in rows] == [(v, n) for v, n, _ in MIGRATIONS]
    assert all(applied for _, _, applied in rows)


def test_rerunning_is_a_no_op(settings: Settings) -> None:
    store = Store.open(settings)
    store.history.add(concept="kept", prompts=[{"style": "x"}])
    schema_before = store.db.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrate(store.db) == []
    assert store.db.execute_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == schema_before
    store.close_thread_connection()
    rows = recorded(settings.database_path)

    assert open_and_close(settings) == LATEST_VERSION
    assert recorded(settings.database_path) == rows  # same rows, same applied_at
    again = Store.open(settings)
    try:
        assert [h.concept for h in again.history.list()] == ["kept"]
        assert again.history.list(query="kept")[0].concept == "kept"
    finally:
        again.close_thread_connection()


def test_a_missing_migration_is_applied(settings: Settings) -> None:
    """A database that recorded fewer versions gets the rest (each migration tolerates existing tables)."""
    open_and_close(settings)
    with sqlite3.connect(settings.database_path) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (LATEST_VERSION,))
    assert open_and_close(settings) == LATEST_VERSION
    assert [v for v, _, _ in recorded(settings.database_path)][-1] == LATEST_VERSION


def make_newer(path: Path, journal_mode: str) -> None:
    """A database as a future Pixflow would leave it: our tables plus a newer schema version."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal_mode}")
    conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '2031-01-01')",
                 (LATEST_VERSION + 1,))
    conn.execute("INSERT INTO history (user_id, concept, prompts, prompt_count, source, created_at) "
                 "VALUES (1, 'future row', '[]', 0, 'generated', '2031-01-01')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_a_newer_database_is_refused_and_left_untouched(settings: Settings, journal_mode: str) -> None:
    open_and_close(settings)
    path = settings.database_path
    make_newer(path, journal_mode)
    before = path.read_bytes()

    with pytest.raises(DatabaseTooNewError) as caught:
        Store.open(settings)
    message = str(caught.value)
    assert str(path) in message
    assert f"schema version {LATEST_VERSION + 1}" in message and "upgrade Pixflow" in message
    assert "\n" not in message

    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == journal_mode
        assert conn.execute("SELECT concept FROM history").fetchall() == [("future row",)]
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == LATEST_VERSION + 1
    finally:
        conn.close()


def test_migrate_itself_refuses_a_newer_database(store: Store) -> None:
    store.db.execute_sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'x', '2031-01-01')",
                         (LATEST_VERSION + 5,))
    with pytest.raises(DatabaseTooNewError):
        migrate(store.db)


def test_a_corrupt_file_is_reported_as_damaged_and_not_changed(settings: Settings) -> None:
    path = settings.database_path
    path.parent.mkdir(parents=True)
    junk = random.Random(1234).randbytes(64 * 1024)
    path.write_bytes(junk)

    with pytest.raises(StoreError) as caught:
        Store.open(settings)
    message = str(caught.value)
    assert "damaged" in message and str(path) in message
    assert "\n" not in message
    assert not isinstance(caught.value, DatabaseTooNewError)
    assert path.read_bytes() == junk


def test_a_folder_where_the_file_should_be_is_a_clear_error(settings: Settings) -> None:
    settings.database_path.mkdir(parents=True)
    with pytest.raises(StoreError, match="cannot be opened"):
        Store.open(settings)


def test_database_url_names_another_sqlite_file(tmp_path: Path, settings: Settings) -> None:
    for location in (tmp_path / "plain.db", f"sqlite:///{tmp_path / 'url.db'}"):
        store = Store.open(Settings(**{**settings.__dict__, "database_url": str(location)}))
        try:
            assert store.schema_version == LATEST_VERSION
            assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            store.close_thread_connection()
    assert (tmp_path / "plain.db").is_file() and (tmp_path / "url.db").is_file()
    assert not settings.database_path.exists()


def pragmas(store: Store) -> tuple[str, int, int]:
    return (
        store.db.execute_sql("PRAGMA journal_mode").fetchone()[0],
        store.db.execute_sql("PRAGMA foreign_keys").fetchone()[0],
        store.db.execute_sql("PRAGMA busy_timeout").fetchone()[0],
    )


def test_pragmas_are_in_effect(store: Store) -> None:
    journal, foreign_keys, busy = pragmas(store)
    assert journal == "wal"
    assert foreign_keys == 1
    assert busy >= 1000


def test_pragmas_hold_on_every_thread_connection(store: Store) -> None:
    """peewee opens one connection per thread (engine workers); each must get the pragmas."""
    found: list[tuple[str, int, int]] = []

    def worker() -> None:
        found.append(pragmas(store))
        store.close_thread_connection()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert found and found[0][0] == "wal" and found[0][1] == 1 and found[0][2] >= 1000


def _open_in_child(settings: Settings, barrier, results) -> None:
    barrier.wait()
    try:
        store = Store.open(settings)
        store.close_thread_connection()
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test with the message
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start the processes at the same instant")
def test_processes_starting_together_on_a_new_database_all_open_it(tmp_path: Path, settings: Settings) -> None:
    """A TUI and CLI commands (or a resume after a crash) may open a brand-new database at the same moment."""
    context = multiprocessing.get_context("fork")
    processes_per_round = 6
    for round_number in range(8):
        folder = tmp_path / f"round-{round_number}"
        fresh = dataclasses.replace(settings, home=folder)
        barrier = context.Barrier(processes_per_round)
        results = context.Queue()
        children = [context.Process(target=_open_in_child, args=(fresh, barrier, results))
                    for _ in range(processes_per_round)]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=60) for _ in children]
        for child in children:
            child.join(timeout=60)
        assert outcomes == ["ok"] * processes_per_round, outcomes
        assert recorded(fresh.database_path)[-1][0] == LATEST_VERSION
        with sqlite3.connect(fresh.database_path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 5
            assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1
            assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def schema_of(path: Path, table: str) -> tuple[list[tuple], list[tuple]]:
    """A table's columns (name, type, not null, default) and its indexes with their columns and SQL."""
    with sqlite3.connect(path) as conn:
        columns = [row[1:5] for row in conn.execute(f"PRAGMA table_info({table})")]
        indexes = sorted((name, tuple(c[2] for c in conn.execute(f"PRAGMA index_info({name})")), sql)
                         for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                                       "AND tbl_name = ?", (table,)))
    return columns, indexes


def test_0013_moves_asset_ratings_to_one_row_per_person(settings: Settings, tmp_path: Path) -> None:
    """A database from before 0013 (the maker's rating in a column of assets) ends up as a new one is made, each
    rating kept as its maker's row of asset_ratings."""
    open_and_close(settings)
    fresh = schema_of(settings.database_path, "assets")
    assert "rating" not in [c[0] for c in fresh[0]]
    with sqlite3.connect(settings.database_path) as conn:
        conn.execute("DROP TABLE asset_ratings")
        conn.execute("ALTER TABLE assets ADD COLUMN rating INTEGER CHECK (rating IN (-1, 1))")
        conn.execute('CREATE INDEX "assets_user_id_rating" ON "assets" ("user_id", "rating") WHERE ("rating" IS NOT NULL)')
        user = conn.execute("SELECT id FROM users").fetchone()[0]
        for rating in (1, -1, None):
            conn.execute("INSERT INTO assets (user_id, kind, local_path, url, prompt, metadata, concept, created_at, "
                         "rating) VALUES (?, 'video', '/o/v.mp4', '', '', '{}', '', '2024-01-01', ?)", (user, rating))
        conn.execute("DELETE FROM schema_migrations WHERE version >= 13")
    store = Store.open(settings)
    try:
        assert store.schema_version == LATEST_VERSION
        assert [r.rating for r in store.library.outputs().rows] == [None, -1, 1]
        assert store.ratings.set_asset(1, -1)
        assert [r.rating for r in store.library.outputs().rows] == [None, -1, -1]
    finally:
        store.close_thread_connection()
    assert schema_of(settings.database_path, "assets") == fresh


def test_0015_drops_the_indexes_a_wider_one_holds(settings: Settings) -> None:
    """A database from before 0015 (a foreign key's own index beside a wider one starting with it) ends up as a new
    one is made."""
    open_and_close(settings)
    fresh = {table: schema_of(settings.database_path, table) for table in ("jobs", "generated_images")}
    with sqlite3.connect(settings.database_path) as conn:
        for table, column in (("jobs", "user_id"), ("jobs", "batch_id"), ("generated_images", "user_id"),
                              ("generated_images", "job_id"), ("generated_images", "batch_id")):
            conn.execute(f'CREATE INDEX "{table}_{column}" ON "{table}" ("{column}")')
        conn.execute("DELETE FROM schema_migrations WHERE version >= 15")
    assert schema_of(settings.database_path, "jobs") != fresh["jobs"]
    assert open_and_close(settings) == LATEST_VERSION
    assert {table: schema_of(settings.database_path, table) for table in fresh} == fresh
