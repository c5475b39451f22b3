"""Asset ratings per person: the `rating` column of an asset (its maker's rating, from 0004) becomes a row of
`asset_ratings` for that person, and the column and its index go. Assets are shared; each person rates them.
An index on the kind serves one kind's page across everyone's assets."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store.models import ASSET_KIND_INDEX, Asset, AssetRating


def up(db: Database) -> None:
    db.create_tables([AssetRating], safe=True)
    db.execute(ASSET_KIND_INDEX.safe(True))  # a kind's page, now across everyone's assets
    table = Asset._meta.table_name
    if "rating" not in {column.name for column in db.get_columns(table)}:
        return
    db.execute_sql(f'INSERT INTO "{AssetRating._meta.table_name}" (user_id, asset_id, rating, rated_at) '
                   f'SELECT user_id, id, rating, created_at FROM "{table}" WHERE rating IS NOT NULL '
                   'ON CONFLICT DO NOTHING')
    db.execute_sql('DROP INDEX IF EXISTS "assets_user_id_rating"')
    db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "rating"')
