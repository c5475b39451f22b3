"""Library: a concept on every asset, indexes for the library's pages, and assets in the search index."""
from __future__ import annotations

import json

from peewee import Database, TextField
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store import sqlite
from pixflow_tui.store.search_text import asset_search_text
from pixflow_tui.store.models import Asset

_INDEXES = (
    ("assets_user_id_created_at", "assets", ("user_id", "created_at")),
    ("generated_images_user_id_model", "generated_images", ("user_id", "model")),
)


def up(db: Database) -> None:
    columns = {column.name for column in db.get_columns(Asset._meta.table_name)}
    if "concept" not in columns:
        migrate(SchemaMigrator.from_database(db).add_column(Asset._meta.table_name, "concept", TextField(default="")))
    for name, table, fields in _INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(fields)})')
    sqlite.rebuild_search_index(db)  # rowid ranges per kind (and, since 0009, no copy of the text)
    _backfill_assets(db)


def _backfill_assets(db: Database) -> None:
    """Concept and search entry for assets written before this migration (none on a new database)."""
    rows = db.execute_sql("SELECT id, concept, prompt, metadata FROM assets").fetchall()
    for asset_id, concept, prompt, metadata_text in rows:
        try:
            metadata = json.loads(metadata_text or "{}")
        except json.JSONDecodeError:
            metadata = {}
        if not concept and isinstance(metadata.get("concept"), str) and metadata["concept"]:
            concept = metadata["concept"]
            db.execute_sql(f"UPDATE assets SET concept = {db.param} WHERE id = {db.param}", (concept, asset_id))
        sqlite.remove_document(db, "asset", asset_id)  # run again: nothing indexed twice
        sqlite.index_document(db, "asset", asset_id, asset_search_text(concept or "", prompt or "", metadata))
