"""Every piece of SQLite-only SQL lives here: connection pragmas and the FTS5 search index.

PostgreSQL gets the same search, with the same matching rules, through the same functions (store/search_pg.py).
"""
from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

from peewee import SQL, Database, SqliteDatabase

from pixflow_tui.store import search_pg


class Pragmas(TypedDict):
    busy_timeout: int  # milliseconds
    page_size: int
    journal_mode: str
    foreign_keys: int
    synchronous: str


# busy_timeout first: the pragmas run in this order, and switching to WAL must wait for other processes too.
# page_size before WAL, which fixes it: a new file gets 16 KB pages (an image row with its ~3 KB prompt left a
# quarter of every 4 KB page empty); an existing file keeps its own until `pixflow db compact`.
PAGE_SIZE = 16384
PRAGMAS: Pragmas = {"busy_timeout": 5000, "page_size": PAGE_SIZE, "journal_mode": "wal", "foreign_keys": 1,
                    "synchronous": "normal"}


def is_sqlite(db: Database) -> bool:
    return isinstance(db, SqliteDatabase)


def write_transaction(db: Database) -> Any:
    """A transaction that takes the write lock before its first read. A deferred one that reads and then writes
    fails at once with "database is locked" when another connection wrote in between (no busy wait)."""
    return db.atomic(*(["IMMEDIATE"] if is_sqlite(db) else []))


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
KIND_SHIFT = 40
REF_MASK = (1 << KIND_SHIFT) - 1
# contentless (content=''): the text lives in the rows it comes from (search_text.py), not a second time here;
# detail=none keeps only which documents hold a word (queries are words and prefixes, never phrases or columns):
# a third of the size detail=column took. Prefix indexes of 2 and 3 letters make the
# first letters typed instant; a longer last word is looked up as the few index terms it begins (`_expand`)
# instead of a prefix query, which would merge the postings of every matching word before returning one row.
_FTS_OPTIONS = "content = '', tokenize = 'porter unicode61', detail = none, prefix = '2 3'"
_LONGEST_PREFIX_INDEX = 3
_MAX_EXPANSION = 64  # more index terms than this under one prefix: let FTS5 merge them itself


def _base(kind: str) -> int:
    return KIND_CODES[kind] << KIND_SHIFT


def _fts_table_sql(name: str) -> str:
    return f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(body, {_FTS_OPTIONS})"


# Every term the index has held: the last word typed is expanded from here (a B-tree range, microseconds), as
# FTS5's own vocabulary table reads each term's whole list of documents to count them (20-50 ms for a common word
# at a million images). Terms are added as documents are indexed and never taken out: a term no document holds
# any more only makes a query ask for it and find nothing.
_TERMS_SQL = "CREATE TABLE IF NOT EXISTS search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"


def create_search_index(db: Database) -> None:
    if is_sqlite(db):
        db.execute_sql(_fts_table_sql("search_index"))
        db.execute_sql(_TERMS_SQL)
    else:
        search_pg.create_search_index(db)


def search_index_is_current(db: Database) -> bool:
    row = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'search_index'").fetchone()
    return row is not None and _FTS_OPTIONS in (row[0] or "")


def rebuild_search_index(db: Database, progress: Callable[[int, int], None] | None = None,
                         chunk: int = 50_000) -> bool:
    """Move an index of an earlier layout (its own copy of the text in `kind`, `ref_id` and `body` columns) to
    the current one, in chunks of rows, calling `progress(done, total)` after each; False when already current."""
    if not is_sqlite(db) or search_index_is_current(db):
        return False
    if db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'search_index'").fetchone() is None:
        create_search_index(db)
        return True
    db.execute_sql("DROP TABLE IF EXISTS search_index_upgrade")
    db.execute_sql(_fts_table_sql("search_index_upgrade"))
    cases = " ".join(f"WHEN '{kind}' THEN {code}" for kind, code in KIND_CODES.items())
    total = int(db.execute_sql("SELECT COUNT(*) FROM search_index_docsize").fetchone()[0])
    done, after = 0, None
    while True:
        rows = db.execute_sql(
            f"SELECT rowid, ((CASE kind {cases} END) << {KIND_SHIFT}) + ref_id, body FROM search_index "
            f"WHERE rowid > ? ORDER BY rowid LIMIT ?", (after if after is not None else -(1 << 62), chunk)).fetchall()
        if not rows:
            break
        db.cursor().executemany("INSERT INTO search_index_upgrade (rowid, body) VALUES (?, ?)",
                                [(new, body) for _, new, body in rows if new is not None])
        done, after = done + len(rows), rows[-1][0]
        if progress:
            progress(done, total)
    db.execute_sql("DROP TABLE search_index")
    db.execute_sql("ALTER TABLE search_index_upgrade RENAME TO search_index")
    db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")
    return True


def index_document(db: Database, kind: str, ref_id: int, body: str) -> None:
    """Index a new row (a row whose text changes is taken out first with `remove_document`, before it changes)."""
    _forget_matches()
    if is_sqlite(db):
        db.execute_sql("INSERT INTO search_index (rowid, body) VALUES (?, ?)", (_base(kind) + ref_id, body))
        _remember_terms(db, [body])
    else:
        search_pg.index_document(db, kind, ref_id, body)


def index_documents(db: Database, rows: list[tuple[str, int, str]]) -> None:
    """Bulk insert for new rows (no previous document to replace)."""
    _forget_matches()
    if not is_sqlite(db):
        search_pg.index_documents(db, rows)
        return
    db.execute_sql("SELECT 1")  # ensure a connection before executemany on the raw cursor
    db.cursor().executemany("INSERT INTO search_index (rowid, body) VALUES (?, ?)",
                            [(_base(kind) + ref, body) for kind, ref, body in rows])
    _remember_terms(db, [body for _, _, body in rows])


def _remember_terms(db: Database, bodies: list[str]) -> None:
    """Add the terms of `bodies`, as the index's tokenizer makes them, to `search_terms` (through a scratch index
    of this connection)."""
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pixflow_tokens USING fts5(body, content = '', "
                   "tokenize = 'porter unicode61', detail = none)")
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pixflow_token_terms "
                   "USING fts5vocab(temp, pixflow_tokens, row)")
    db.cursor().executemany("INSERT INTO temp.pixflow_tokens (rowid, body) VALUES (?, ?)", list(enumerate(bodies)))
    db.execute_sql("INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.pixflow_token_terms")
    db.execute_sql("INSERT INTO temp.pixflow_tokens (pixflow_tokens) VALUES ('delete-all')")


def fill_search_terms(db: Database) -> None:
    """`search_terms` from the whole index at once (an index built before the table, or without `index_documents`)."""
    db.execute_sql(_TERMS_SQL)
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pixflow_search_terms "
                   "USING fts5vocab(main, search_index, row)")
    db.execute_sql("INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.pixflow_search_terms")


def remove_document(db: Database, kind: str, ref_id: int) -> None:
    """Take a row out of the index while the row still holds the text it was indexed by (call it before the row
    is deleted or its text changes)."""
    _forget_matches()
    if not is_sqlite(db):
        search_pg.remove_document(db, kind, ref_id)
        return
    from pixflow_tui.store.search_text import current_body

    rowid = _base(kind) + ref_id
    if db.execute_sql("SELECT 1 FROM search_index_docsize WHERE id = ?", (rowid,)).fetchone() is None:
        return
    body = current_body(db, kind, ref_id)
    if body is not None:  # a contentless index forgets a document by being told its words again
        db.execute_sql("INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', ?, ?)", (rowid, body))


def clear_documents(db: Database, kind: str) -> None:
    """Take every `kind` document out of the index (each by its row's text; rows already gone stay behind)."""
    if not is_sqlite(db):
        search_pg.clear_documents(db, kind)
        return
    for ref_id in document_ids(db, kind):
        remove_document(db, kind, ref_id)


def document_ids(db: Database, kind: str) -> list[int]:
    """Ids of the `kind` rows in the index, in order (what a test or a check compares with the table)."""
    if not is_sqlite(db):
        return [int(r[0]) for r in db.execute_sql(
            "SELECT ref_id FROM search_index WHERE kind = %s ORDER BY ref_id", (kind,)).fetchall()]
    base = _base(kind)
    rows = db.execute_sql("SELECT id FROM search_index_docsize WHERE id BETWEEN ? AND ? ORDER BY id",
                          (base, base + REF_MASK)).fetchall()
    return [int(r[0]) - base for r in rows]


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


def _stems(db: Database, words: list[str]) -> list[str]:
    """What the index's tokenizer makes of each word (porter stems), from a scratch table of this connection."""
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pixflow_stems "
                   "USING fts5(word, tokenize = 'porter unicode61')")
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pixflow_stem_terms "
                   "USING fts5vocab(temp, pixflow_stems, instance)")
    db.execute_sql("DELETE FROM temp.pixflow_stems")
    db.cursor().executemany("INSERT INTO temp.pixflow_stems (rowid, word) VALUES (?, ?)", list(enumerate(words)))
    found = dict(db.execute_sql("SELECT doc, term FROM temp.pixflow_stem_terms").fetchall())
    db.execute_sql("DELETE FROM temp.pixflow_stems")
    return [str(found.get(n, "")) for n in range(len(words))]


def _expand(db: Database, word: str) -> str:
    """The last word typed as a query: a prefix query when a prefix index holds it (or too many words begin
    with it), else an OR of the index terms that begin with its stem, each looked up directly."""
    if len(word) <= _LONGEST_PREFIX_INDEX:
        return f'"{word}"*'
    (stem,) = _stems(db, [word])
    if len(stem) <= _LONGEST_PREFIX_INDEX:
        return f'"{word}"*'
    upper = stem[:-1] + chr(ord(stem[-1]) + 1)
    terms = [str(r[0]) for r in db.execute_sql(
        "SELECT term FROM search_terms WHERE term >= ? AND term < ? LIMIT ?",
        (stem, upper, _MAX_EXPANSION + 1)).fetchall()]
    if not terms:
        return f'"{word}"'  # no term begins so: this finds nothing, cheaply
    if len(terms) > _MAX_EXPANSION:
        return f'"{word}"*'
    # a term the stemmer would change again (atmospher → atmosph) is asked as a prefix of itself, which finds it
    looked_up = [f'"{t}"' if again == t else f'"{t}"*' for t, again in zip(terms, _stems(db, terms))]
    return looked_up[0] if len(looked_up) == 1 else "(" + " OR ".join(looked_up) + ")"


# What `_match` made of a text, for a few seconds: a page, its count and the other tabs ask again at once, and the
# expansion reads the postings of every term it finds. Any write to the index by this process clears it.
_MATCH_SECONDS = 3.0
_matches: dict[tuple[int, str], tuple[float, str]] = {}


def _forget_matches() -> None:
    _matches.clear()


def _match(db: Database, text: str) -> str:
    """`fts_query` for this database: the same words, the last one expanded (`_expand`)."""
    key = (id(db), text)
    now = time.monotonic()
    cached = _matches.get(key)
    if cached is not None and now - cached[0] < _MATCH_SECONDS:
        return cached[1]
    if len(_matches) > 64:
        _matches.clear()
    made = _make_match(db, text)
    _matches[key] = (now, made)
    return made


def _make_match(db: Database, text: str) -> str:
    words = _WORD.findall(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words[:-1]]
    last = words[-1]
    quoted.append(_expand(db, last) if len(last) >= 2 else f'"{last}"')
    return " AND ".join(quoted)


def search_subquery(db: Database, kind: str, text: str) -> SQL | None:
    """A `(SELECT ref_id ...)` subquery for `Field.in_()`, or None when `text` has no words."""
    if is_sqlite(db):
        query = _match(db, text)
        if not query:
            return None
        base = _base(kind)
        return SQL("(SELECT rowid - ? FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ?)",
                   (base, query, base, base + REF_MASK))
    return search_pg.search_subquery(kind, text)


def count_matches(db: Database, kind: str, text: str, cap: int, *, table: str | None = None,
                  user_id: int | None = None) -> int:
    """How many `kind` documents match `text`, counting at most `cap`; with `table` and `user_id`, only rows of
    that table the user owns. Walks the index and stops at `cap`: the cost is the cap, not the matches."""
    if not is_sqlite(db):
        matches = search_subquery(db, kind, text)
        if matches is None:
            return 0
        found_sql, found_params = db.get_sql_context().sql(matches).query()
        owned = f" AND ref_id IN (SELECT id FROM {table} WHERE user_id = %s)" if table and user_id is not None else ""
        extra = [user_id] if owned else []
        return int(db.execute_sql(f"SELECT COUNT(*) FROM ({found_sql[1:-1]}{owned} LIMIT {int(cap)}) AS found",
                                  [*found_params, *extra]).fetchone()[0])
    query = _match(db, text)
    if not query:
        return 0
    base = _base(kind)
    if table and user_id is not None:
        sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM search_index JOIN {table} AS owned ON owned.id = "
               "search_index.rowid - ? WHERE search_index MATCH ? AND search_index.rowid BETWEEN ? AND ? "
               "AND owned.user_id = ? LIMIT ?)")
        params: tuple = (base, query, base, base + REF_MASK, user_id, int(cap))
    else:
        sql = ("SELECT COUNT(*) FROM (SELECT rowid FROM search_index WHERE search_index MATCH ? "
               "AND rowid BETWEEN ? AND ? LIMIT ?)")
        params = (query, base, base + REF_MASK, int(cap))
    return int(db.execute_sql(sql, params).fetchone()[0])


def search_newest(db: Database, kind: str, text: str, *, before: int | None = None, limit: int = 200) -> list[int]:
    """Ids of `kind` documents matching `text`, newest (highest id) first, only ids below `before`.

    Streams: the cost is the page, not the number of matches."""
    if is_sqlite(db):
        query = _match(db, text)
        if not query:
            return []
        base = _base(kind)
        high = base + (before - 1 if before is not None else REF_MASK)
        sql = ("SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? "
               "ORDER BY rowid DESC LIMIT ?")
        return [int(r[0]) - base for r in db.execute_sql(sql, (query, base, high, int(limit))).fetchall()]
    return search_pg.search_newest(db, kind, text, before=before, limit=limit)


def search_range(db: Database, kind: str, text: str, low: int, high: int) -> list[int]:
    """Ids between `low` and `high` (inclusive) of `kind` documents matching `text`."""
    if is_sqlite(db):
        query = _match(db, text)
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
    query = _match(db, text)
    if not query:
        return []
    base = _base(kind)
    sql = "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rank"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [int(row[0]) - base for row in db.execute_sql(sql, (query, base, base + REF_MASK)).fetchall()]


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
            size = _pragma(dst, "page_size")
            if _pragma(src, "page_size") != size and _pragma(dst, "journal_mode") == "wal":
                # a WAL file takes pages of its own size only: the copy is resized first, beside the target
                with tempfile.TemporaryDirectory(dir=Path(target).parent) as folder:
                    resized = sqlite3.connect(Path(folder) / "resized.db")
                    try:
                        src.backup(resized)
                        resized.execute(f"PRAGMA page_size = {int(size)}")
                        resized.execute("VACUUM")
                        resized.backup(dst)
                    finally:
                        resized.close()
            else:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _pragma(conn: sqlite3.Connection, name: str) -> Any:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


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
