"""Opening the database never loses a library: an emptied file is refused, a migration is backed up first, an
up-to-date database opens while another process holds the write lock, and a URL's password is never shown."""
from __future__ import annotations

import dataclasses
import io
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from pixflow_tui.config import Settings
from pixflow_tui.store import LATEST_VERSION, Store, StoreError, backups_folder
from pixflow_tui.store import postgres as store_postgres
from pixflow_tui.store import sqlite as store_sqlite


def open_and_close(settings: Settings) -> None:
    Store.open(settings).close_thread_connection()


def make_empty_file(path: Path, age_seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))


def version_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])


def make_older(settings: Settings) -> None:
    """A database one migration behind (migrations tolerate what already exists)."""
    conn = sqlite3.connect(settings.database_path)
    with conn:
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (LATEST_VERSION,))
    conn.close()


# ---------------------------------------------------------------------------------------------- empty file


def test_an_emptied_database_file_is_refused_untouched(settings: Settings) -> None:
    path = settings.database_path
    make_empty_file(path, age_seconds=3600)

    with pytest.raises(StoreError) as caught:
        Store.open(settings)
    message = str(caught.value)
    assert "empty file" in message and str(path) in message and "\n" not in message
    assert "pixflow db restore" in message and str(backups_folder(settings)) in message
    assert "move the file away" in message
    assert path.read_bytes() == b""
    assert not Path(f"{path}-wal").exists()


def test_an_empty_file_another_process_is_creating_right_now_is_opened(settings: Settings) -> None:
    """Processes starting together on a new database see the first one's file before it has a page."""
    make_empty_file(settings.database_path, age_seconds=0)
    open_and_close(settings)
    assert version_of(settings.database_path) == LATEST_VERSION


# ---------------------------------------------------------------------------------------------- backups


def test_a_migration_of_an_existing_database_is_backed_up_first(settings: Settings) -> None:
    store = Store.open(settings)
    store.history.add(concept="precious", prompts=[{"style": "x"}])
    store.close_thread_connection()
    make_older(settings)

    open_and_close(settings)

    found = list(backups_folder(settings).glob("pixflow-*-before-migration.db"))
    assert len(found) == 1
    assert version_of(found[0]) == LATEST_VERSION - 1  # the state before the migration
    with sqlite3.connect(found[0]) as conn:
        assert conn.execute("SELECT concept FROM history").fetchall() == [("precious",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert version_of(settings.database_path) == LATEST_VERSION
    assert not list(backups_folder(settings).glob("*.part"))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_upgrade_says_so_on_a_terminal_before_the_backup(settings: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A large library takes minutes to back up and upgrade: the terminal is told why nothing shows yet."""
    open_and_close(settings)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    open_and_close(settings)  # up to date: nothing said
    assert terminal.getvalue() == ""
    make_older(settings)
    open_and_close(settings)
    said = terminal.getvalue()
    assert said.startswith("Upgrading the library") and str(backups_folder(settings)) in said, said


def test_no_backup_for_a_new_or_an_up_to_date_database(settings: Settings) -> None:
    open_and_close(settings)  # brand new
    open_and_close(settings)  # up to date
    assert not backups_folder(settings).exists() or not list(backups_folder(settings).iterdir())


def test_only_the_newest_automatic_backups_are_kept(settings: Settings) -> None:
    open_and_close(settings)
    folder = backups_folder(settings)
    manual = folder / "pixflow-20000101T000000Z.db"
    folder.mkdir(parents=True)
    manual.write_bytes(b"kept: not an automatic backup")
    for _ in range(7):
        make_older(settings)
        open_and_close(settings)
    automatic = sorted(folder.glob("pixflow-*-before-migration*.db"))
    assert len(automatic) == 5
    assert manual.read_bytes() == b"kept: not an automatic backup"


def test_when_the_backup_fails_the_database_is_not_migrated(settings: Settings) -> None:
    open_and_close(settings)
    make_older(settings)
    backups_folder(settings).write_text("a file where the backups folder should be")

    with pytest.raises(StoreError) as caught:
        Store.open(settings)
    message = str(caught.value)
    assert "backup" in message and "left untouched" in message and "\n" not in message
    assert version_of(settings.database_path) == LATEST_VERSION - 1


# ---------------------------------------------------------------------------------------------- locks


@pytest.fixture
def write_lock_held(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """Another process (a connection of its own) holds the write lock; our writes wait only briefly."""
    store = Store.open(settings)
    store.history.add(concept="readable", prompts=[{"style": "x"}])
    store.close_thread_connection()
    monkeypatch.setitem(store_sqlite.PRAGMAS, "busy_timeout", 50)
    holder = sqlite3.connect(settings.database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE history SET concept = 'uncommitted'")
    yield holder
    holder.rollback()
    holder.close()


def test_an_up_to_date_database_opens_and_reads_while_another_process_writes(
        settings: Settings, write_lock_held: sqlite3.Connection) -> None:
    store = Store.open(settings)
    try:
        assert [h.concept for h in store.history.list()] == ["readable"]
        with pytest.raises(Exception, match="locked"):
            store.history.add(concept="a write waits for the lock", prompts=[{"style": "x"}])
    finally:
        store.close_thread_connection()


# ---------------------------------------------------------------------------------------------- URLs


def test_a_postgres_url_without_its_driver_says_what_to_install(settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_postgres, "driver_installed", lambda: False)
    url = "postgresql://alice:s3cret-pw@127.0.0.1:1/pixflow"
    with pytest.raises(StoreError) as caught:
        Store.open(dataclasses.replace(settings, database_url=url))
    message = str(caught.value)
    assert "pip install 'pixflow-tui[postgres]'" in message and "\n" not in message
    assert "s3cret-pw" not in message and "alice:***@127.0.0.1" in message


@pytest.mark.parametrize("password", ["s3cret-pw", "p%40ss/w0rd", "pa:ss"])
def test_a_postgres_server_that_is_not_there_is_one_line_without_the_password(settings: Settings,
                                                                             password: str) -> None:
    url = f"postgresql://alice:{password}@127.0.0.1:1/pixflow"
    with pytest.raises(StoreError) as caught:
        Store.open(dataclasses.replace(settings, database_url=url))
    message = str(caught.value)
    assert "alice:***@127.0.0.1:1/pixflow" in message and "\n" not in message and "refused" in message
    assert password not in message and "p@ss/w0rd" not in message
