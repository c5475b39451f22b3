"""`search_terms`: every term of the search index, so the last word typed is expanded from a B-tree instead of FTS5's
vocabulary table (which reads each term's documents to count them). Filled once from the index as it is."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import sqlite


def up(db: Database) -> None:
    if not sqlite.is_sqlite(db):
        return
    has_terms = db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'search_terms'").fetchone()
    if not has_terms or db.execute_sql("SELECT 1 FROM search_terms LIMIT 1").fetchone() is None:
        sqlite.fill_search_terms(db)
