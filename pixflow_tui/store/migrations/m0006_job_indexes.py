"""Indexes for the queries that run while the app is idle (the engine's claim scan, the header's counters, the
release of leases at quit), so none of them reads the whole `jobs` table of a large library: the partial index of
unfinished jobs, the lease owner's and (user, finished_at, submitted_at) for today's spend (models.py)."""
from __future__ import annotations

from peewee import Database, SchemaManager

from pixflow_tui.store.models import Job


def up(db: Database) -> None:
    # every index Job declares, each IF NOT EXISTS; peewee writes the partial indexes' statuses inline, as SQLite
    # requires (no parameters in an index's WHERE)
    SchemaManager(Job, db).create_indexes(safe=True)
