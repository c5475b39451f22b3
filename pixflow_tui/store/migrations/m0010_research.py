"""Prompt Factory's research step: the `research_cache` table (one row per mode and keyword, 48 h) and the
research kept with a history entry (`history.research`)."""
from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store.models import History, ResearchCache


def up(db: Database) -> None:
    table = History._meta.table_name
    if "research" not in {column.name for column in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, "research", History.research))
    db.create_tables([ResearchCache], safe=True)
