"""The search index keeps only which documents hold each word (detail=none), not the column of every word: a
third of its former size. A contentless index cannot be copied, so each document is indexed again from its row,
in chunks, with progress on the log and, for a big library, on the terminal."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import sqlite
from pixflow_tui.store.migrations.m0009_search_contentless import say_progress
from pixflow_tui.store.search_text import current_body

_CHUNK = 20_000


def up(db: Database) -> None:
    if not sqlite.is_sqlite(db) or sqlite.search_index_is_current(db):
        return
    db.execute_sql("DROP TABLE IF EXISTS search_index_previous")
    db.execute_sql("ALTER TABLE search_index RENAME TO search_index_previous")
    sqlite.create_search_index(db)
    rowids = [int(r[0]) for r in db.execute_sql("SELECT id FROM search_index_previous_docsize ORDER BY id")]
    kinds = {code: kind for kind, code in sqlite.KIND_CODES.items()}
    for start in range(0, len(rowids), _CHUNK):
        documents = []
        for rowid in rowids[start:start + _CHUNK]:
            kind, ref_id = kinds.get(rowid >> sqlite.KIND_SHIFT), rowid & sqlite.REF_MASK
            body = current_body(db, kind, ref_id) if kind else None
            if kind and body is not None:  # a document whose row is already gone is not carried over
                documents.append((kind, ref_id, body))
        sqlite.index_documents(db, documents)
        say_progress(min(start + _CHUNK, len(rowids)), len(rowids))
    db.execute_sql("DROP TABLE search_index_previous")
    db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")
