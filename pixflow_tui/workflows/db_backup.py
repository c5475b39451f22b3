"""`pixflow db backup`, `restore` and `compact`: consistent copies of the SQLite database, putting one back
without losing the current one, and rewriting it without empty space."""
from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pixflow_tui.core.formatting import plural, plural_word
from pixflow_tui.config import Settings

# what the front end does with a MaintenanceError (the CLI maps these to its exit codes)
CONFIG, USAGE, FAILED = "config", "usage", "failed"


class MaintenanceError(RuntimeError):
    """The backup or restore cannot be done; the message is one line, `kind` says whose fault it is."""

    def __init__(self, message: str, kind: str = FAILED) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class RestoreResult:
    restored_from: str
    database: str
    schema_version: int
    previous_backup: str | None  # where the database that was replaced now is (None: there was none)


@dataclass(frozen=True)
class CompactResult:
    database: str
    bytes_before: int
    bytes_after: int
    page_size: int


def database_file(settings: Settings, action: str = "restore") -> Path:
    """The SQLite file, or MaintenanceError for another kind of database."""
    from pixflow_tui.store import display_location, sqlite_file

    path = sqlite_file(settings)
    if path is None:
        hint = ("copy a backup into an empty database with `pixflow db migrate-to URL`, or use the server's own "
                "tools, e.g. pg_dump and pg_restore" if action == "restore" else "the server compacts itself")
        raise MaintenanceError(f"{action} works only with SQLite; the database is {display_location(settings)} "
                               f"({hint})", CONFIG)
    return path


def backup(settings: Settings, target: Path | None = None) -> Path:
    """A consistent copy of the database (taken while others may write); the default target is
    `<home>/backups/pixflow-<UTC timestamp>.db`. Never overwrites a file."""
    from pixflow_tui.store import backups_folder, sqlite_file
    from pixflow_tui.store import backups as store_backups
    from pixflow_tui.store import sqlite as store_sqlite

    if sqlite_file(settings) is None:  # PostgreSQL: a snapshot of the server's library into a SQLite file
        from pixflow_tui.workflows.db_transfer import backup_server

        return backup_server(settings, _new_target(target, backups_folder(settings)))
    source = database_file(settings)
    if not source.is_file() or source.stat().st_size == 0:
        raise MaintenanceError(f"there is no database at {source} to back up")
    if not store_sqlite.is_sqlite_file(source):
        raise MaintenanceError(f"database {source} is not a SQLite database (damaged?); copy the file by hand")
    target = _new_target(target, backups_folder(settings))
    try:
        return store_backups.backup_database(source, target)
    except (OSError, sqlite3.Error) as exc:
        raise MaintenanceError(f"backup of {source} into {target} failed: {_reason(exc)}") from None


def _new_target(target: Path | None, folder: Path) -> Path:
    """The backup file to write: a new timestamped name in `folder` or in the folder given, or the new file given."""
    from pixflow_tui.store import backups as store_backups

    if target is None:
        return store_backups.backup_path(folder)
    if target.is_dir():
        return store_backups.backup_path(target)
    if target.exists():
        raise MaintenanceError(f"{target} already exists; name a new file or a folder", USAGE)
    return target


def restore(settings: Settings, source: Path, confirm: Callable[[str], bool]) -> RestoreResult:
    """Replace the database with the Pixflow database `source`, after backing up the current one.

    Refused while another process holds leases on unfinished jobs (it is running them), or when `source` is not
    a sound Pixflow database of a schema version this Pixflow knows. `confirm` is asked last."""
    from pixflow_tui.store import LATEST_VERSION, backups_folder
    from pixflow_tui.store import backups as store_backups
    from pixflow_tui.store import sqlite as store_sqlite

    current = database_file(settings)
    version = _check_source(source, LATEST_VERSION)
    if current.exists() and source.resolve() == current.resolve():
        raise MaintenanceError(f"{source} is the database itself; name a backup", USAGE)
    current_sound = current.is_file() and store_sqlite.is_sqlite_file(current)
    if current_sound:
        running = _running_jobs(current)
        if running:
            raise MaintenanceError(f"{plural(running, 'job')} {plural_word(running, 'is')} being run by another Pixflow "
                                   "process; stop it (or wait for "
                                   "the jobs to end) and restore again; nothing was changed")
    if not confirm(f"Replace the database {current} with {source} (schema version {version})? "
                   "The current one is backed up first."):
        raise MaintenanceError("restore cancelled; nothing was changed")
    previous: Path | None = None
    try:
        if current.is_file() and current.stat().st_size > 0:
            previous = store_backups.backup_path(backups_folder(settings), "-before-restore")
            if current_sound:
                store_backups.backup_database(current, previous)
            else:  # damaged: keep its bytes as they are
                previous.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(current, previous)
        if not current_sound:
            for leftover in (current, Path(f"{current}-wal"), Path(f"{current}-shm")):
                leftover.unlink(missing_ok=True)
            current.parent.mkdir(parents=True, exist_ok=True)
        # the backup API writes into the live file under SQLite's locks, so an idle reader elsewhere stays safe
        store_sqlite.copy_database(source, current)
    except (OSError, sqlite3.Error) as exc:
        kept = f"; the previous database is kept at {previous}" if previous and previous.exists() else ""
        raise MaintenanceError(f"restore of {source} failed: {_reason(exc)}{kept}") from None
    return RestoreResult(restored_from=str(source), database=str(current), schema_version=version,
                         previous_backup=str(previous) if previous else None)


def compact(settings: Settings) -> CompactResult:
    """Rewrite the SQLite file without its empty space, with the page size new libraries get (after a big delete
    or an upgrade from a Pixflow that used 4 KB pages). Needs the database to itself: no other Pixflow open."""
    from pixflow_tui.store import sqlite as store_sqlite

    current = database_file(settings, "compact")
    if not current.is_file() or not store_sqlite.is_sqlite_file(current):
        raise MaintenanceError(f"there is no SQLite database at {current} to compact")
    running = _running_jobs(current)
    if running:
        raise MaintenanceError(f"{plural(running, 'job')} {plural_word(running, 'is')} being run by another Pixflow "
                               "process; compact when they have ended; nothing was changed")
    before = _file_bytes(current)
    conn = sqlite3.connect(str(current), timeout=1.0)
    try:
        if conn.execute("PRAGMA journal_mode = delete").fetchone()[0] != "delete":
            raise MaintenanceError("another Pixflow has the database open; close it and compact again; "
                                   "nothing was changed")
        try:
            conn.execute(f"PRAGMA page_size = {store_sqlite.PAGE_SIZE}")
            conn.execute("VACUUM")
        finally:
            conn.execute("PRAGMA journal_mode = wal")
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.Error as exc:
        reason = ("another Pixflow has the database open; close it and compact again" if "locked" in str(exc)
                  else _reason(exc))
        raise MaintenanceError(f"compacting {current} failed: {reason}; nothing was changed") from None
    finally:
        conn.close()
    return CompactResult(database=str(current), bytes_before=before, bytes_after=_file_bytes(current),
                         page_size=page_size)


def _file_bytes(database: Path) -> int:
    return sum(p.stat().st_size for p in (database, Path(f"{database}-wal")) if p.exists())


def _check_source(source: Path, latest: int) -> int:
    from pixflow_tui.store import sqlite as store_sqlite

    if not source.is_file():
        raise MaintenanceError(f"{source} is not a file", USAGE)
    if not store_sqlite.is_sqlite_file(source):
        raise MaintenanceError(f"{source} is not a SQLite database, so not a Pixflow backup", USAGE)
    try:
        version = store_sqlite.stored_schema_version(source)
        damage = store_sqlite.quick_check_file(source)
    except sqlite3.Error as exc:
        raise MaintenanceError(f"{source} cannot be read as a database: {exc}", USAGE) from None
    if version is None or version < 1:
        raise MaintenanceError(f"{source} is a SQLite database but not a Pixflow one (no schema version)", USAGE)
    if version > latest:
        raise MaintenanceError(f"{source} has schema version {version}, but this Pixflow knows only up to {latest}; "
                               "upgrade Pixflow first", USAGE)
    if damage:
        raise MaintenanceError(f"{source} is damaged ({damage[0]}); choose another backup", USAGE)
    return version


def _running_jobs(current: Path) -> int:
    from pixflow_tui.core.jobs import RESUMABLE_STATES
    from pixflow_tui.store import sqlite as store_sqlite

    try:
        return store_sqlite.live_leases_in_file(current, time.time(), [str(s) for s in RESUMABLE_STATES])
    except sqlite3.Error:
        return 0  # unreadable: it is backed up byte for byte and replaced


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    return "another process is writing to the database; try again in a moment" if "locked" in text else text
