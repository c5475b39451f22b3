"""What the TUI's first screen shows from an SQLite library, read with plain sqlite3 before the app starts: the
products and the header's counters. The store's modules (peewee, the models, the set-up) cost ~100 ms and load
after the first frame; `workflows/ui_support.quick_look` calls this once its checks found the library ready.

The selects mirror `prompts_repo.list_products`, `JobRepository.active_count` and `JobRepository.spend_since`;
tests/store/test_quick_look.py compares them with the store's.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from pixflow_tui.core.jobs import RESUMABLE_STATES

# models.IS_UNFINISHED, written out the same way: SQLite uses the partial index of unfinished jobs only for a
# statement that names exactly its statuses in its text
UNFINISHED_SQL = '"status" IN (' + ", ".join(f"'{s}'" for s in sorted(str(s) for s in RESUMABLE_STATES)) + ")"


@dataclass(frozen=True)
class FirstScreenRows:
    products: tuple[tuple[int, str, str], ...]  # (id, name, slug) of each active product, by id
    jobs_running: int
    spend_micros: int  # billed since the moment given


def first_screen_rows(connection: sqlite3.Connection, user_id: int, since: datetime) -> FirstScreenRows:
    """Raises sqlite3.Error as the connection does."""
    products = tuple((int(ident), name, slug) for ident, name, slug in connection.execute(
        'SELECT "id", "name", "slug" FROM "products" WHERE "is_active" = 1 ORDER BY "id"'))
    running = connection.execute(f'SELECT COUNT(*) FROM "jobs" WHERE "user_id" = ? AND {UNFINISHED_SQL}',
                                 (user_id,)).fetchone()[0]
    when = since.isoformat(" ")  # how sqlite3 (and so peewee) binds a datetime
    spend = 0
    # two range reads of one index, as spend_since does: finished since, or unfinished and submitted since
    for condition in ('"finished_at" >= ?', '"finished_at" IS NULL AND "submitted_at" >= ?'):
        part = connection.execute(f'SELECT SUM("cost_micros") FROM "jobs" WHERE "user_id" = ? AND {condition} '
                                  'AND "cost_micros" IS NOT NULL', (user_id, when)).fetchone()[0]
        spend += int(part or 0)
    return FirstScreenRows(products, int(running), spend)
