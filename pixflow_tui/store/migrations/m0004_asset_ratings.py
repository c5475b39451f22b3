"""Ratings on assets: a nullable `rating` (1 like, -1 dislike) on every asset, and the index the Library's
rating filter pages through."""
from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store.models import Asset


def up(db: Database) -> None:
    table = Asset._meta.table_name
    if "rating" not in {column.name for column in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, "rating", Asset.rating))
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "assets_user_id_rating" ON "{table}" ("user_id", "rating")')
