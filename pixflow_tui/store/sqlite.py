"""Every piece of SQLite-only SQL lives here: connection pragmas and the FTS5 search index.

Other databases (a PostgreSQL URL) get a plain table searched with LIKE through the same functions.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from peewee import SQL, Database, SqliteDatabase

# busy_timeout first: the pragmas run in this order, and switching to WAL must wait for other processes too
PRAGMAS = {"busy_timeout": 5000, "journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal"}


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


def stored_schema_version(path: str | Path) -> int | None:
    """The highest migration recorded in an existing SQLite file, read without changing the file.

    Opened read-only and before any pragma (switching to WAL rewrites the file header), so a database from a
    newer Pixflow can be refused untouched. None when the file is empty or has no `schema_migrations` table.
    Raises sqlite3.DatabaseError for a file that is not a database.
    """
    file = Path(path).expanduser()
    if not file.is_file() or file.stat().st_size == 0:
        return None
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if not found:
            return None
        value = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        return int(value or 0)
    finally:
        conn.close()


def create_search_index(db: Database) -> None:
    if is_sqlite(db):
        db.execute_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
            "kind UNINDEXED, ref_id UNINDEXED, body, tokenize = 'porter unicode61')"
        )
    else:
        db.execute_sql(
            "CREATE TABLE IF NOT EXISTS search_index (kind VARCHAR(16) NOT NULL, ref_id INTEGER NOT NULL, body TEXT)"
        )
        db.execute_sql("CREATE INDEX IF NOT EXISTS search_index_ref ON search_index (kind, ref_id)")


def index_document(db: Database, kind: str, ref_id: int, body: str) -> None:
    remove_document(db, kind, ref_id)
    db.execute_sql("INSERT INTO search_index (kind, ref_id, body) VALUES (?, ?, ?)" if is_sqlite(db)
                   else "INSERT INTO search_index (kind, ref_id, body) VALUES (%s, %s, %s)", (kind, ref_id, body))


def index_documents(db: Database, rows: list[tuple[str, int, str]]) -> None:
    """Bulk insert for new rows (no previous document to replace)."""
    marker = "?" if is_sqlite(db) else "%s"
    db.execute_sql("SELECT 1")  # ensure a connection before executemany on the raw cursor
    cursor = db.cursor()
    cursor.executemany(f"INSERT INTO search_index (kind, ref_id, body) VALUES ({marker}, {marker}, {marker})", rows)


def remove_document(db: Database, kind: str, ref_id: int) -> None:
    marker = "?" if is_sqlite(db) else "%s"
    db.execute_sql(f"DELETE FROM search_index WHERE kind = {marker} AND ref_id = {marker}", (kind, ref_id))


def clear_documents(db: Database, kind: str) -> None:
    marker = "?" if is_sqlite(db) else "%s"
    db.execute_sql(f"DELETE FROM search_index WHERE kind = {marker}", (kind,))


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match, the last one as a prefix."""
    words = _WORD.findall(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def search_subquery(db: Database, kind: str, text: str) -> SQL | None:
    """A `(SELECT ref_id ...)` subquery for `Field.in_()`, or None when `text` has no words."""
    if is_sqlite(db):
        query = fts_query(text)
        if not query:
            return None
        return SQL("(SELECT ref_id FROM search_index WHERE search_index MATCH ? AND kind = ?)", (query, kind))
    words = _WORD.findall(text)
    if not words:
        return None
    sql = "(SELECT ref_id FROM search_index WHERE kind = %s" + " AND body ILIKE %s" * len(words) + ")"
    return SQL(sql, (kind, *[f"%{w}%" for w in words]))


def search_ids(db: Database, kind: str, text: str, limit: int | None = None) -> list[int]:
    """Ids of `kind` documents matching `text`, best match first."""
    if is_sqlite(db):
        query = fts_query(text)
        if not query:
            return []
        sql = "SELECT ref_id FROM search_index WHERE search_index MATCH ? AND kind = ? ORDER BY rank"
        params: tuple = (query, kind)
    else:
        words = _WORD.findall(text)
        if not words:
            return []
        sql = "SELECT ref_id FROM search_index WHERE kind = %s" + " AND body ILIKE %s" * len(words)
        params = (kind, *[f"%{w}%" for w in words])
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [int(row[0]) for row in db.execute_sql(sql, params).fetchall()]
