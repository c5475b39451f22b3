from __future__ import annotations

from peewee import Database

from pixflow_tui.store import sqlite
from pixflow_tui.store.models import ALL_MODELS


def up(db: Database) -> None:
    db.create_tables(ALL_MODELS, safe=True)
    sqlite.create_search_index(db)
