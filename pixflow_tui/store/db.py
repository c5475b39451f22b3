"""Opening the database: connection, migrations, seeds. Errors become StoreError with a plain message."""
from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import peewee

from pixflow_tui.config import redact_url, scrub_password
from pixflow_tui.core.catalog import PRODUCTS
from pixflow_tui.store import backups, postgres, sqlite
from pixflow_tui.store.migrations import LATEST_VERSION, MIGRATIONS
from pixflow_tui.store.models import Product, SchemaMigration, User, database_proxy


# what a database call can raise when the database is locked, full, read-only or broken (for layers above store/)
DB_ERRORS: tuple[type[Exception], ...] = (peewee.DatabaseError, sqlite3.DatabaseError)


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class DatabaseTooNewError(StoreError):
    pass


# A brand-new database file is empty until its creator writes the first page, and another process starting at
# the same moment may see it so; an empty file older than this lost its data (a full disk, a truncation).
_FRESH_EMPTY_SECONDS = 10.0


def describe_database_error(exc: Exception, where: str) -> str:
    text = " ".join(str(exc).split())  # one line (libpq's messages have a second, indented one)
    if "locked" in text or "busy" in text:
        return f"database {where} is locked by another program; close it or wait and try again"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"database {where} is damaged ({text}); move it aside to start fresh, or restore a backup"
    if "readonly" in text or "read-only" in text:
        return f"database {where} is read-only; check the permissions of the file and its folder"
    if "unable to open" in text:
        return f"database {where} cannot be opened; check that its folder exists and is writable"
    if "disk" in text and "full" in text:
        return f"database {where}: the disk is full"
    return f"database {where}: {text}"


def describe_failure(exc: BaseException, where: str) -> str | None:
    """One line for a database error met after opening (a write that waited busy_timeout for another process's
    lock, a full disk), or None when `exc` is not a database error."""
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, DB_ERRORS):
        return scrub_password(describe_database_error(exc, redact_url(where)), where)
    return None


def _connect(url_or_path: str) -> peewee.Database:
    if postgres.is_postgres_url(url_or_path):
        return postgres.open_postgres(url_or_path)
    if "://" in url_or_path:
        from playhouse.db_url import connect as connect_url  # it loads every backend's extension: only for URLs

        db = connect_url(url_or_path)
        if isinstance(db, peewee.SqliteDatabase):
            db = peewee.SqliteDatabase(db.database, pragmas=sqlite.PRAGMAS)
        return db
    path = Path(url_or_path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return peewee.SqliteDatabase(str(path), pragmas=sqlite.PRAGMAS)


def schema_version(db: peewee.Database) -> int:
    if not db.table_exists(SchemaMigration._meta.table_name):
        return 0
    value = SchemaMigration.select(peewee.fn.MAX(SchemaMigration.version)).scalar()
    return int(value or 0)


def _too_new(where: str, version: int) -> DatabaseTooNewError:
    return DatabaseTooNewError(
        f"database {where} has schema version {version}, but this Pixflow knows only up to "
        f"{LATEST_VERSION}; upgrade Pixflow (the database was left untouched)"
    )


def migrate(db: peewee.Database) -> list[str]:
    """Apply the migrations this database has not seen; refuse a database made by a newer Pixflow."""
    if db.table_exists(SchemaMigration._meta.table_name):
        current = schema_version(db)
        if current > LATEST_VERSION:
            raise _too_new(db.database, current)
    db.create_tables([SchemaMigration], safe=True)
    applied = []
    # IMMEDIATE takes the write lock before reading the version, so two processes starting at once
    # cannot both apply the same migration
    with sqlite.write_transaction(db):
        current = schema_version(db)
        for version, name, up in MIGRATIONS:
            if version <= current:
                continue
            up(db)
            SchemaMigration.create(version=version, name=name)
            applied.append(f"{version:04d}_{name}")
    return applied


def seed(db: peewee.Database, user_name: str) -> int:
    """Seed the products (by missing slug) and the local user; return the user's id."""
    # IMMEDIATE: a deferred transaction that reads and then writes fails at once with "database is locked"
    # (no busy wait) when another process starting at the same moment has written in between
    with sqlite.write_transaction(db):
        existing = {p.slug for p in Product.select(Product.slug)}
        for product in PRODUCTS:
            if product.slug not in existing:
                Product.create(
                    name=product.name,
                    slug=product.slug,
                    color_primary=product.color_primary,
                    color_accent=product.color_accent,
                )
        email = f"{user_name}@local"
        user, _ = User.get_or_create(email=email, defaults={"name": user_name})
    return user.id


def open_database(url_or_path: str, user_name: str, backup_dir: Path | None = None) -> tuple[peewee.Database, int]:
    """Connect, migrate and seed; bind the models to this database. Returns the database and the user id.

    backup_dir: where a SQLite database that a migration is about to change is backed up first."""
    where = redact_url(url_or_path)
    db: peewee.Database | None = None
    try:
        db = _connect(url_or_path)
        if sqlite.is_sqlite(db) and db.database != ":memory:":
            _look_before_opening(Path(db.database), where, backup_dir)
        database_proxy.initialize(db)
        user_id = _connect_migrate_seed(db, user_name)
    except StoreError:
        _close_quietly(db)
        raise
    except (peewee.DatabaseError, sqlite3.DatabaseError, OSError) as exc:
        _close_quietly(db)
        raise StoreError(scrub_password(describe_database_error(exc, where), url_or_path)) from None
    except peewee.ImproperlyConfigured as exc:
        _close_quietly(db)
        if "psycopg" in str(exc) or "postgres" in str(exc).lower():
            raise StoreError(f"database {where} is PostgreSQL, but its driver (psycopg 3) is not installed; "
                             f"run: {postgres.INSTALL_HINT}") from None
        raise StoreError(scrub_password(f"database {where}: {exc}", url_or_path)) from None
    return db, user_id


def _look_before_opening(path: Path, where: str, backup_dir: Path | None) -> None:
    """Refuse an emptied or newer SQLite file untouched; back up one a migration will change.

    Done before connecting: the connection pragmas (WAL) would already change the file."""
    if path.is_file() and path.stat().st_size == 0 and time.time() - path.stat().st_mtime > _FRESH_EMPTY_SECONDS:
        folder = f" (backups are in {backup_dir})" if backup_dir else ""
        raise StoreError(f"database {where} is an empty file (0 bytes), not a Pixflow library, and was left "
                         f"untouched; restore a backup with `pixflow db restore FILE`{folder} or move the file "
                         "away to start a new library")
    stored = sqlite.stored_schema_version(path)
    if stored is not None and stored > LATEST_VERSION:
        raise _too_new(where, stored)
    if backup_dir is not None and (stored or 0) < LATEST_VERSION and sqlite.has_tables(path):
        if sys.stderr.isatty():  # a large library takes minutes to copy and upgrade: say why nothing else shows yet
            print(f"Upgrading the library {where} to this version of Pixflow (a backup into {backup_dir} first); "
                  "a large library takes a few minutes…", file=sys.stderr, flush=True)
        try:
            backups.backup_before_migration(path, backup_dir)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"database {where} needs an upgrade, but the backup into {backup_dir} failed "
                             f"({reason}); the database was left untouched") from exc


def _connect_migrate_seed(db: peewee.Database, user_name: str, patience: float = 5.0) -> int:
    """Connect, migrate and seed, waiting while another process that starts at the same moment holds the lock.

    Some of SQLite's lock conflicts (switching a new file to WAL, a read that turns into a write) fail at once
    instead of waiting for busy_timeout, so a brief retry is what makes two processes starting together safe.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            db.connect(reuse_if_open=True)
            ready = _ready_user_id(db, user_name)
            if ready is not None:
                return ready
            with postgres.migration_lock(db):
                migrate(db)
                return seed(db, user_name)
        except peewee.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            _close_quietly(db)
            time.sleep(0.05)


def _ready_user_id(db: peewee.Database, user_name: str) -> int | None:
    """The user's id when the database needs no migration or seed, found by reading only: opening an
    up-to-date database must not wait for the write lock another process may hold for long."""
    if not db.table_exists(SchemaMigration._meta.table_name) or schema_version(db) != LATEST_VERSION:
        return None
    slugs = {product.slug for product in Product.select(Product.slug)}
    if any(product.slug not in slugs for product in PRODUCTS):
        return None
    user = User.get_or_none(User.email == f"{user_name}@local")
    return None if user is None else int(user.id)


def _close_quietly(db: peewee.Database | None) -> None:
    """Release a connection that failed to open properly, so no WAL/shm files or locks linger."""
    if db is None:
        return
    try:
        if not db.is_closed():
            db.close()
    except Exception:
        pass
