"""Raw SQL in the tests, written once for both backends: `?` placeholders and SQLite's datetime('now') are
turned into PostgreSQL's `%s` and CURRENT_TIMESTAMP when the store is on PostgreSQL."""
from __future__ import annotations

from typing import Any

from peewee import Database


def sql(db: Database, text: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
    if db.param != "?":
        text = text.replace("?", db.param).replace("datetime('now')", "CURRENT_TIMESTAMP")
    return db.execute_sql(text, params)


def is_postgres(db: Database) -> bool:
    return db.param != "?"
