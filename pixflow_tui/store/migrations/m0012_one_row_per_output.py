"""One row per saved output: unique (job, file) on images and on assets made by a job, so two processes that
both finished one job (a lease taken over too early) cannot save its outputs twice. Duplicates an earlier
version saved are removed first (the oldest row of each file is kept, with its ratings)."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import sqlite
from pixflow_tui.store.models import ASSET_OUTPUT_INDEX, IMAGE_OUTPUT_INDEX

_DUPLICATES = {
    "image": ("generated_images", ""),
    "asset": ("assets", " WHERE job_id IS NOT NULL"),
}


def up(db: Database) -> None:
    for kind, (table, only) in _DUPLICATES.items():
        extra = "AND job_id IS NOT NULL " if only else ""
        rows = db.execute_sql(f'SELECT id FROM "{table}" WHERE id NOT IN (SELECT MIN(id) FROM "{table}"{only} '
                              f"GROUP BY job_id, local_path) {extra}").fetchall()
        for (row_id,) in rows:
            sqlite.remove_document(db, kind, int(row_id))  # while the row still holds its text
            db.execute_sql(f'DELETE FROM "{table}" WHERE id = {db.param}', (row_id,))
    db.execute(IMAGE_OUTPUT_INDEX.safe(True))
    db.execute(ASSET_OUTPUT_INDEX.safe(True))
