"""`pixflow db migrate-to URL` (a SQLite library into PostgreSQL) and the backup of a PostgreSQL library (into a
SQLite file that `db restore` and `db migrate-to` take)."""
from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pixflow_tui.config import Settings, redact_url
from pixflow_tui.workflows.db_backup import CONFIG, USAGE, MaintenanceError


@dataclass(frozen=True)
class MigrateResult:
    source: str
    target: str  # the URL without its password
    rows: dict[str, int]
    checksums_match: bool


def migrate_to(settings: Settings, url: str) -> MigrateResult:
    """Copy this machine's SQLite library into the empty PostgreSQL database at `url`; the SQLite file is only
    read (a consistent copy of it is upgraded and read). Counts and checksums of every table are compared."""
    from pixflow_tui.store import StoreError, sqlite_file
    from pixflow_tui.store import backups as store_backups
    from pixflow_tui.store import postgres, transfer
    from pixflow_tui.store.db import open_database

    if not postgres.is_postgres_url(url):
        raise MaintenanceError(f"{redact_url(url)} is not a postgresql:// URL", USAGE)
    source = sqlite_file(settings)
    if source is None:
        raise MaintenanceError("migrate-to copies a SQLite library; this one is already at "
                               f"{redact_url(settings.database_url or '')}", CONFIG)
    if not source.is_file() or source.stat().st_size == 0:
        raise MaintenanceError(f"there is no library at {source} to copy", CONFIG)
    with tempfile.TemporaryDirectory(prefix="pixflow-migrate-") as folder:
        snapshot = Path(folder) / "snapshot.db"
        try:
            store_backups.backup_database(source, snapshot)
            source_db, _ = open_database(str(snapshot), settings.user)  # brought to this version's schema
            target_db, _ = open_database(url, settings.user)
        except (OSError, sqlite3.Error) as exc:
            raise MaintenanceError(f"could not read {source}: {exc}") from None
        except StoreError as exc:
            raise MaintenanceError(str(exc), CONFIG) from None
        try:
            if not transfer.target_is_empty(target_db):
                raise MaintenanceError(f"{redact_url(url)} already holds a library (jobs, images or history); "
                                       "name an empty database", USAGE)
            report = transfer.copy_library(source_db, target_db)
        except transfer.TransferError as exc:
            raise MaintenanceError(str(exc)) from None
        finally:
            source_db.close()
            target_db.close()
    return MigrateResult(source=str(source), target=redact_url(url), rows=report.rows, checksums_match=True)


def backup_server(settings: Settings, target: Path) -> Path:
    """A consistent copy of a PostgreSQL library (one REPEATABLE READ snapshot) into the new SQLite file `target`."""
    from pixflow_tui.store import StoreError, database_location, transfer
    from pixflow_tui.store import sqlite as store_sqlite
    from pixflow_tui.store.db import open_database

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    part = Path(name)
    part.unlink()
    try:
        try:
            source_db, _ = open_database(database_location(settings), settings.user)
        except StoreError as exc:
            raise MaintenanceError(str(exc), CONFIG) from None
        copy_db, _ = open_database(str(part), settings.user)
        try:
            source_db.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                transfer.copy_library(source_db, copy_db)
            finally:
                source_db.execute_sql("COMMIT")
        except transfer.TransferError as exc:
            raise MaintenanceError(str(exc)) from None
        finally:
            source_db.close()
            copy_db.close()
        store_sqlite.make_self_contained(part)
        os.replace(part, target)
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            leftover.unlink(missing_ok=True)
    return target
