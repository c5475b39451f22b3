"""Persistence: open a `Store` and use its repositories; they return plain dataclasses.

Importing the package loads none of it: the names below load their module (and peewee, ~45 ms) on first use, so
a module of the store that needs no peewee (quick_read.py, for one-shot read commands) loads alone. Whoever
imports peewee first, it loads without the PostgreSQL driver (peewee_import.py)."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pixflow_tui.store.peewee_import import hide_psycopg_from_peewee

hide_psycopg_from_peewee()

if TYPE_CHECKING:
    from pixflow_tui.store.db import DB_ERRORS, DatabaseTooNewError, StoreError
    from pixflow_tui.store.images_repo import ImageFilter
    from pixflow_tui.store.library_records import LibraryFilter
    from pixflow_tui.store.migrations import LATEST_VERSION
    from pixflow_tui.store.opened import Store, backups_folder, database_location, display_location, sqlite_file

_HOMES = {
    "Store": "opened", "database_location": "opened", "display_location": "opened", "backups_folder": "opened",
    "sqlite_file": "opened", "StoreError": "db", "DB_ERRORS": "db", "DatabaseTooNewError": "db",
    "ImageFilter": "images_repo", "LibraryFilter": "library_records", "LATEST_VERSION": "migrations",
}

__all__ = ["Store", "StoreError", "DB_ERRORS", "DatabaseTooNewError", "ImageFilter", "LibraryFilter", "LATEST_VERSION",
           "database_location", "display_location", "backups_folder", "sqlite_file"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
