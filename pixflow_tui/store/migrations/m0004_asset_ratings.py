"""Ratings on assets: a nullable `rating` (1 like, -1 dislike) on every asset, and the (partial) index the
Library's like / dislike filter pages through."""
from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store.models import ASSET_RATING_INDEX, Asset


def up(db: Database) -> None:
    table = Asset._meta.table_name
    if "rating" not in {column.name for column in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, "rating", Asset.rating))
    db.execute(ASSET_RATING_INDEX.safe(True))
