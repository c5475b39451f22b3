"""Ratings on assets: a nullable `rating` (1 like, -1 dislike) on every asset, and the (partial) index the
Library's like / dislike filter paged through. Migration 0013 moves them to one row per person (asset_ratings)
and drops both; they are defined here, as they were, so an old database passes through the same steps."""
from __future__ import annotations

from peewee import Check, Database, IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store.models import Asset


def up(db: Database) -> None:
    table = Asset._meta.table_name
    rating = IntegerField(null=True, constraints=[Check("rating IN (-1, 1)")])
    if "rating" not in {column.name for column in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, "rating", rating))
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "assets_user_id_rating" ON "{table}" ("user_id", "rating") '
                   'WHERE ("rating" IS NOT NULL)')
