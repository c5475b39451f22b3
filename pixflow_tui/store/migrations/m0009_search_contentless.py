"""The search index keeps no copy of the text (contentless FTS5) and fewer prefix indexes (2 and 3 letters): about a
fifth of its former size. Rebuilt from the old index's own copy of the text, in chunks, with progress on the log
and, for a big library, on the terminal (a million images take a few minutes)."""
from __future__ import annotations

import logging
import sys

from peewee import Database

from pixflow_tui.store import sqlite

log = logging.getLogger(__name__)
_SAY_FROM = 100_000  # documents: below this the rebuild takes seconds and says nothing on the terminal


def say_progress(done: int, total: int) -> None:
    log.info("search index rebuilt for %d of %d documents", done, total)
    if total >= _SAY_FROM and sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\rRebuilding the search index (once, smaller): {done:,} of {total:,} documents", end=end,
              file=sys.stderr, flush=True)


def up(db: Database) -> None:
    sqlite.rebuild_search_index(db, say_progress)
