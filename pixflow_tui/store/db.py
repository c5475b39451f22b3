"""Opening the database: connection, migrations, seeds. Errors become StoreError with a plain message."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url

from pixflow_tui.core.catalog import PRODUCTS
from pixflow_tui.store import sqlite
from pixflow_tui.store.migrations import LATEST_VERSION, MIGRATIONS
from pixflow_tui.store.models import Product, SchemaMigration, User, database_proxy


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class DatabaseTooNewError(StoreError):
    pass


def describe_database_error(exc: Exception, where: str) -> str:
    text = str(exc)
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


def _connect(url_or_path: str) -> peewee.Database:
    if "://" in url_or_path:
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


def migrate(db: peewee.Database) -> list[str]:
    """Apply the migrations this database has not seen; refuse a database made by a newer Pixflow."""
    db.create_tables([SchemaMigration], safe=True)
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise DatabaseTooNewError(
            f"database {db.database} has schema version {current}, but this Pixflow knows only up to "
            f"{LATEST_VERSION}; upgrade Pixflow (the database was left untouched)"
        )
    applied = []
    for version, name, up in MIGRATIONS:
        if version <= current:
            continue
        with db.atomic():
            up(db)
            SchemaMigration.create(version=version, name=name)
        applied.append(f"{version:04d}_{name}")
    return applied


def seed(db: peewee.Database, user_name: str) -> int:
    """Seed the products (by missing slug) and the local user; return the user's id."""
    with db.atomic():
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


def open_database(url_or_path: str, user_name: str) -> tuple[peewee.Database, int]:
    """Connect, migrate and seed; bind the models to this database. Returns the database and the user id."""
    where = url_or_path
    try:
        db = _connect(url_or_path)
        database_proxy.initialize(db)
        db.connect(reuse_if_open=True)
        migrate(db)
        user_id = seed(db, user_name)
    except StoreError:
        raise
    except (peewee.DatabaseError, sqlite3.DatabaseError, OSError) as exc:
        raise StoreError(describe_database_error(exc, where)) from exc
    except peewee.ImproperlyConfigured as exc:
        raise StoreError(f"database {where}: {exc}") from exc
    return db, user_id
