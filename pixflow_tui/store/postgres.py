"""Every piece of PostgreSQL-only code: the connection (psycopg 3, the session in UTC), exact column types and the
advisory lock that makes migrations safe when several processes or machines start at once."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from peewee import Database, ImproperlyConfigured, PostgresqlDatabase

from pixflow_tui.store.peewee_import import attach_psycopg

INSTALL_HINT = "pip install 'pixflow-tui[postgres]'  (in a checkout: .venv/bin/pip install -e '.[postgres]')"
# pg_advisory_lock key of the schema migrations (any constant 64-bit number every Pixflow agrees on)
MIGRATION_LOCK_KEY = 0x50_49_58_46_4C_4F_57  # "PIXFLOW"


class PixflowPostgres(PostgresqlDatabase):
    """PostgreSQL with exact types: timestamps are TIMESTAMPTZ, floats are 8-byte DOUBLE PRECISION."""

    field_types = {**PostgresqlDatabase.field_types, "DATETIME": "TIMESTAMPTZ", "FLOAT": "DOUBLE PRECISION"}


def is_postgres_url(location: str) -> bool:
    return location.split("://", 1)[0].lower().startswith("postgres") if "://" in location else False


def is_postgres(db: Database) -> bool:
    return isinstance(db, PostgresqlDatabase)


def driver_installed() -> bool:
    return importlib.util.find_spec("psycopg") is not None


def connect_params(url: str) -> dict[str, Any]:
    """psycopg's keyword arguments for a postgresql:// URL (user and password percent-decoded; a password that
    holds a raw "/" or "@" is taken whole: the credentials end at the last "@")."""
    rest = url.split("://", 1)[1]
    rest, _, query = rest.partition("?")
    credentials, at, location = rest.rpartition("@")
    host_port, _, dbname = location.partition("/")
    params: dict[str, Any] = {"dbname": unquote(dbname) or None}
    if at:
        user, colon, password = credentials.partition(":")
        params["user"] = unquote(user) or None
        params["password"] = unquote(password) if colon else None
    parts = urlsplit(f"//{host_port}")
    params["host"] = unquote(parts.hostname) if parts.hostname else None
    params["port"] = parts.port
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        params[unquote(key)] = unquote(value)
    # every session in UTC: naive UTC datetimes written to TIMESTAMPTZ columns are read as UTC
    params["options"] = (str(params.get("options", "")) + " -c TimeZone=UTC").strip()
    return {key: value for key, value in params.items() if value is not None}


def open_postgres(url: str) -> PixflowPostgres:
    if not driver_installed():
        raise ImproperlyConfigured(f"PostgreSQL needs its driver (psycopg 3), which is not installed; run: {INSTALL_HINT}")
    attach_psycopg()
    params = connect_params(url)
    database = params.pop("dbname", None)
    return PixflowPostgres(database, prefer_psycopg3=True, autoconnect=True, **params)


def epoch_now(db: Database) -> float:
    """The server's clock in epoch seconds: one clock for every machine that shares the ledger."""
    return float(db.execute_sql("SELECT EXTRACT(EPOCH FROM clock_timestamp())").fetchone()[0])


def reset_sequences(db: Database, tables: list[str]) -> None:
    """Move each table's id sequence past the ids copied in (the next insert must not reuse one)."""
    for table in tables:
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1), "
                       f'MAX(id) IS NOT NULL) FROM "{table}"')


@contextmanager
def migration_lock(db: Database) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock for the migrations: a second process starting at the same moment
    waits here, then finds the schema current (no "duplicate key" from two CREATE TABLEs racing)."""
    if not is_postgres(db):
        yield
        return
    db.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
