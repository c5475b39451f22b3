"""Full-text search on PostgreSQL, with the matching rules of the SQLite FTS5 index (store/sqlite.py).

Same rules, so one set of search tests proves both:
- words: what unicode61 calls a word (letters and digits, "_" separates), cut in Python with the same pattern on
  both the indexed text and the query, so PostgreSQL's own parser sees only plain words;
- case and accents: folded in Python (lower case, diacritics removed, as unicode61's remove_diacritics);
- stemming: the `pixflow` text search configuration uses PostgreSQL's Snowball English stemmer ("Porter2") with
  no stop words (FTS5's porter tokenizer drops none either). Porter2 and FTS5's original Porter agree on common
  English (plurals, -ing, -ed: "portraits" finds "portrait"); they can differ on rare suffixes
  ("generously", "-ize"/"-ise" forms);
- every word must match; the last one (2+ letters) as a prefix (`:*`), so results come as you type.

The index is a table `search_index (kind, ref_id, body, tsv)`, with `tsv` a stored generated tsvector under a GIN
index, and a btree on (kind, ref_id) for the newest-first pages.
"""
from __future__ import annotations

import re
import unicodedata

from peewee import SQL, Database

CONFIG = "pixflow"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics, cut into words joined by spaces (unicode61's view of `text`)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


def tsquery_text(text: str) -> str:
    """The to_tsquery() text for what a user typed: every word ANDed, the last (2+ letters) as a prefix."""
    words = fold(text).split()
    if not words:
        return ""
    terms = [f"'{word}'" for word in words]  # words hold only letters and digits: nothing to escape
    if len(words[-1]) >= 2:
        terms[-1] += ":*"
    return " & ".join(terms)


def create_search_index(db: Database) -> None:
    db.execute_sql(
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = '{CONFIG}_stem') THEN "
        f"CREATE TEXT SEARCH DICTIONARY {CONFIG}_stem (TEMPLATE = snowball, Language = english); END IF; "
        f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN "
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english); "
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR asciiword, word, hword, hword_part, "
        f"asciihword, hword_asciipart WITH {CONFIG}_stem; END IF; END $$"
    )
    columns = {c.name for c in db.get_columns("search_index")} if db.table_exists("search_index") else set()
    if columns and "tsv" not in columns:
        db.execute_sql("DROP TABLE search_index")  # the LIKE table of earlier versions: rebuilt by the caller
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS search_index (kind VARCHAR(16) NOT NULL, ref_id BIGINT NOT NULL, body TEXT, "
        f"tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('{CONFIG}', COALESCE(body, ''))) STORED, "
        "PRIMARY KEY (kind, ref_id))"
    )
    db.execute_sql("CREATE INDEX IF NOT EXISTS search_index_tsv ON search_index USING GIN (tsv)")


def needs_rebuild(db: Database) -> bool:
    """True when the index is the LIKE table of earlier versions (no tsvector column)."""
    return db.table_exists("search_index") and "tsv" not in {c.name for c in db.get_columns("search_index")}


def index_document(db: Database, kind: str, ref_id: int, body: str) -> None:
    db.execute_sql(
        "INSERT INTO search_index (kind, ref_id, body) VALUES (%s, %s, %s) "
        "ON CONFLICT (kind, ref_id) DO UPDATE SET body = EXCLUDED.body", (kind, ref_id, fold(body)))


def index_documents(db: Database, rows: list[tuple[str, int, str]]) -> None:
    db.execute_sql("SELECT 1")  # ensure a connection before executemany on the raw cursor
    db.cursor().executemany(
        "INSERT INTO search_index (kind, ref_id, body) VALUES (%s, %s, %s) "
        "ON CONFLICT (kind, ref_id) DO UPDATE SET body = EXCLUDED.body",
        [(kind, ref, fold(body)) for kind, ref, body in rows])


def remove_document(db: Database, kind: str, ref_id: int) -> None:
    db.execute_sql("DELETE FROM search_index WHERE kind = %s AND ref_id = %s", (kind, ref_id))


def clear_documents(db: Database, kind: str) -> None:
    db.execute_sql("DELETE FROM search_index WHERE kind = %s", (kind,))


_MATCH = f"kind = %s AND tsv @@ to_tsquery('{CONFIG}', %s)"


def search_subquery(kind: str, text: str) -> SQL | None:
    query = tsquery_text(text)
    if not query:
        return None
    return SQL(f"(SELECT ref_id FROM search_index WHERE {_MATCH})", (kind, query))


def search_newest(db: Database, kind: str, text: str, *, before: int | None, limit: int) -> list[int]:
    query = tsquery_text(text)
    if not query:
        return []
    sql = f"SELECT ref_id FROM search_index WHERE {_MATCH}"
    params: list[object] = [kind, query]
    if before is not None:
        sql += " AND ref_id < %s"
        params.append(before)
    sql += " ORDER BY ref_id DESC LIMIT %s"
    params.append(int(limit))
    return [int(row[0]) for row in db.execute_sql(sql, params).fetchall()]


def search_range(db: Database, kind: str, text: str, low: int, high: int) -> list[int]:
    query = tsquery_text(text)
    if not query:
        return []
    sql = f"SELECT ref_id FROM search_index WHERE {_MATCH} AND ref_id BETWEEN %s AND %s"
    return [int(row[0]) for row in db.execute_sql(sql, (kind, query, low, high)).fetchall()]


def search_ids(db: Database, kind: str, text: str, limit: int | None) -> list[int]:
    """Best match first (ts_rank, then newest)."""
    query = tsquery_text(text)
    if not query:
        return []
    sql = (f"SELECT ref_id FROM search_index WHERE {_MATCH} "
           f"ORDER BY ts_rank(tsv, to_tsquery('{CONFIG}', %s)) DESC, ref_id DESC")
    params: list[object] = [kind, query, query]
    if limit:
        sql += " LIMIT %s"
        params.append(int(limit))
    return [int(row[0]) for row in db.execute_sql(sql, params).fetchall()]
