"""Every piece of SQLite-only SQL lives here: connection pragmas and the FTS5 search index.

PostgreSQL gets the same search, with the same matching rules, through the same functions (store/search_pg.py).
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from peewee import SQL, Database, SqliteDatabase

from pixflow_tui.store import search_pg


class Pragmas(TypedDict):
    busy_timeout: int  # milliseconds
    journal_mode: str
    foreign_keys: int
    synchronous: str


# busy_timeout first: the pragmas run in this order, and switching to WAL must wait for other processes too
PRAGMAS: Pragmas = {"busy_timeout": 5000, "journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal"}


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


@contextmanager
def short_wait(db: Database, milliseconds: int) -> Iterator[None]:
    """Wait at most `milliseconds` for another writer's lock (instead of busy_timeout) on this thread's
    connection: for a write the UI makes at once and hands to a thread only when the database is busy."""
    if not is_sqlite(db):
        yield
        return
    db.execute_sql(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA busy_timeout = {PRAGMAS['busy_timeout']}")


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


# Each kind of document owns a contiguous rowid range (kind code << 40, plus the row's id), so finding,
# replacing and deleting one document is a rowid lookup, and a search walks one kind newest first and stops
# after a page (ORDER BY rowid DESC LIMIT n) instead of collecting every match.
KIND_CODES = {"image": 1, "history": 2, "favorite": 3, "asset": 4}
_KIND_SHIFT = 40
_REF_MASK = (1 << _KIND_SHIFT) - 1
# detail=column keeps the index small (queries never use phrases); the prefix indexes make as-you-type prefixes
# of 2-6 letters instant instead of merging the postings of every word that starts with them (30-50 ms for a
# common prefix over 100,000 prompts); longer prefixes name few words and stay cheap.
_FTS_OPTIONS = "tokenize = 'porter unicode61', detail = column, prefix = '2 3 4 5 6'"


def _base(kind: str) -> int:
    return KIND_CODES[kind] << _KIND_SHIFT


def _fts_table_sql(name: str) -> str:
    return f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(kind UNINDEXED, ref_id UNINDEXED, body, {_FTS_OPTIONS})"


def create_search_index(db: Database) -> None:
    if is_sqlite(db):
        db.execute_sql(_fts_table_sql("search_index"))
    else:
        search_pg.create_search_index(db)


def upgrade_search_index(db: Database) -> bool:
    """Rebuild an index made before kinds had rowid ranges (migration 0002); False when already current."""
    if not is_sqlite(db):
        return False
    row = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'search_index'").fetchone()
    if row is None:
        create_search_index(db)
        return True
    if _FTS_OPTIONS in (row[0] or ""):
        return False
    db.execute_sql("DROP TABLE IF EXISTS search_index_upgrade")
    db.execute_sql(_fts_table_sql("search_index_upgrade"))
    cases = " ".join(f"WHEN '{kind}' THEN {code}" for kind, code in KIND_CODES.items())
    db.execute_sql(
        "INSERT INTO search_index_upgrade (rowid, kind, ref_id, body) "
        f"SELECT ((CASE kind {cases} END) << {_KIND_SHIFT}) + ref_id, kind, ref_id, body FROM search_index "
        f"WHERE kind IN ({', '.join(repr(k) for k in KIND_CODES)})"
    )
    db.execute_sql("DROP TABLE search_index")
    db.execute_sql("ALTER TABLE search_index_upgrade RENAME TO search_index")
    return True


def index_document(db: Database, kind: str, ref_id: int, body: str) -> None:
    if not is_sqlite(db):
        search_pg.index_document(db, kind, ref_id, body)
        return
    remove_document(db, kind, ref_id)
    db.execute_sql("INSERT INTO search_index (rowid, kind, ref_id, body) VALUES (?, ?, ?, ?)",
                   (_base(kind) + ref_id, kind, ref_id, body))


def index_documents(db: Database, rows: list[tuple[str, int, str]]) -> None:
    """Bulk insert for new rows (no previous document to replace)."""
    if not is_sqlite(db):
        search_pg.index_documents(db, rows)
        return
    db.execute_sql("SELECT 1")  # ensure a connection before executemany on the raw cursor
    db.cursor().executemany("INSERT INTO search_index (rowid, kind, ref_id, body) VALUES (?, ?, ?, ?)",
                            [(_base(kind) + ref, kind, ref, body) for kind, ref, body in rows])


def remove_document(db: Database, kind: str, ref_id: int) -> None:
    if is_sqlite(db):
        db.execute_sql("DELETE FROM search_index WHERE rowid = ?", (_base(kind) + ref_id,))
    else:
        search_pg.remove_document(db, kind, ref_id)


def clear_documents(db: Database, kind: str) -> None:
    if is_sqlite(db):
        db.execute_sql("DELETE FROM search_index WHERE rowid BETWEEN ? AND ?", (_base(kind), _base(kind) + _REF_MASK))
    else:
        search_pg.clear_documents(db, kind)


# A word as unicode61 cuts it (letters and digits; "_" separates), so a quoted word is always a single token.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match, the last one (2+ letters) as a
    prefix, so results come as you type."""
    words = _WORD.findall(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= 2:  # a one-letter prefix matches nearly everything; wait for the second letter
        quoted[-1] += "*"
    return " AND ".join(quoted)


def search_subquery(db: Database, kind: str, text: str) -> SQL | None:
    """A `(SELECT ref_id ...)` subquery for `Field.in_()`, or None when `text` has no words."""
    if is_sqlite(db):
        query = fts_query(text)
        if not query:
            return None
        base = _base(kind)
        return SQL("(SELECT rowid - ? FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ?)",
                   (base, query, base, base + _REF_MASK))
    return search_pg.search_subquery(kind, text)


def search_newest(db: Database, kind: str, text: str, *, before: int | None = None, limit: int = 200) -> list[int]:
    """Ids of `kind` documents matching `text`, newest (highest id) first, only ids below `before`.

    Streams: the cost is the page, not the number of matches."""
    if is_sqlite(db):
        query = fts_query(text)
        if not query:
            return []
        base = _base(kind)
        high = base + (before - 1 if before is not None else _REF_MASK)
        sql = ("SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? "
               "ORDER BY rowid DESC LIMIT ?")
        return [int(r[0]) - base for r in db.execute_sql(sql, (query, base, high, int(limit))).fetchall()]
    return search_pg.search_newest(db, kind, text, before=before, limit=limit)


def search_range(db: Database, kind: str, text: str, low: int, high: int) -> list[int]:
    """Ids between `low` and `high` (inclusive) of `kind` documents matching `text`."""
    if is_sqlite(db):
        query = fts_query(text)
        if not query:
            return []
        base = _base(kind)
        sql = "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ?"
        return [int(r[0]) - base for r in db.execute_sql(sql, (query, base + low, base + high)).fetchall()]
    return search_pg.search_range(db, kind, text, low, high)


def search_ids(db: Database, kind: str, text: str, limit: int | None = None) -> list[int]:
    """Ids of `kind` documents matching `text`, best match first."""
    if not is_sqlite(db):
        return search_pg.search_ids(db, kind, text, limit)
    query = fts_query(text)
    if not query:
        return []
    base = _base(kind)
    sql = "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rank"
    params: tuple = (query, base, base + _REF_MASK)
    offset = base
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [int(row[0]) - offset for row in db.execute_sql(sql, params).fetchall()]


# ---- whole-file operations: what `pixflow db` and the backup before a migration use --------------------

SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: str | Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def has_tables(path: str | Path) -> bool:
    """True when the SQLite file at `path` holds at least one table (read-only look)."""
    if not is_sqlite_file(path):
        return False
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is not None
    finally:
        conn.close()


def copy_database(source: str | Path, target: str | Path) -> None:
    """Copy the SQLite database `source` into `target` with the online backup API: a consistent snapshot even
    while other processes write. `target` may be a live database (restore): its other connections see the
    change as an ordinary write."""
    src = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True,
                          timeout=PRAGMAS["busy_timeout"] / 1000)
    try:
        dst = sqlite3.connect(str(target), timeout=PRAGMAS["busy_timeout"] / 1000)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def make_self_contained(path: str | Path) -> None:
    """Switch a copied file out of WAL mode, so the one file holds everything (a backup to move around)."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode = delete")
    finally:
        conn.close()


def integrity_problems(db: Database, limit: int = 50) -> list[str]:
    """What SQLite's integrity check finds (empty when the file is sound); other databases check themselves."""
    if not is_sqlite(db):
        return []
    rows = db.execute_sql(f"PRAGMA integrity_check({int(limit)})").fetchall()
    return [str(row[0]) for row in rows if str(row[0]) != "ok"]


def live_leases_in_file(path: str | Path, now: float, states: list[str]) -> int:
    """Unfinished jobs with an unexpired lease in the SQLite file at `path`, read without opening it as the store
    (0 when it has no jobs table)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                           timeout=PRAGMAS["busy_timeout"] / 1000)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").fetchone():
            return 0
        marks = ", ".join("?" for _ in states)
        return int(conn.execute(
            f"SELECT COUNT(*) FROM jobs WHERE status IN ({marks}) AND lease_owner IS NOT NULL AND lease_expires >= ?",
            (*states, now)).fetchone()[0])
    finally:
        conn.close()


def quick_check_file(path: str | Path) -> list[str]:
    """SQLite's quick check of the file at `path`, read-only; empty when it is sound."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA quick_check(20)") if str(row[0]) != "ok"]
    finally:
        conn.close()
