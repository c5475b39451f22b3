"""Numbered schema migrations, applied in order at start and recorded in `schema_migrations`.

Each migration is idempotent (it tolerates what already exists) so a fresh database, which gets the current
tables from 0001, can run the later ones too.
"""
from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from pixflow_tui.store.migrations import m0001_initial, m0002_library

Migration = tuple[int, str, Callable[[Database], None]]

MIGRATIONS: list[Migration] = [
    (1, "initial", m0001_initial.up),
    (2, "library", m0002_library.up),
]
LATEST_VERSION = MIGRATIONS[-1][0]
