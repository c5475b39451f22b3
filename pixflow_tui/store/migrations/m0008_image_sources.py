"""Img2Img lineage: a nullable `source_image_id` on generated images (the image a transform was made from), and
the partial index that finds an image's transforms."""
from __future__ import annotations

from peewee import Database
from playhouse.migrate import SchemaMigrator, migrate

from pixflow_tui.store.models import IMAGE_SOURCE_INDEX, GeneratedImage


def up(db: Database) -> None:
    table = GeneratedImage._meta.table_name
    if "source_image_id" not in {column.name for column in db.get_columns(table)}:
        migrate(SchemaMigrator.from_database(db).add_column(table, "source_image_id", GeneratedImage.source_image))
    db.execute(IMAGE_SOURCE_INDEX.safe(True))
