"""Indexes that another index already holds: a foreign key's own index where a wider index starts with the same
column (jobs: user, batch; images: user, job, batch). Queries, and the foreign keys' cascades, use the wider one."""
from __future__ import annotations

from peewee import Database

REDUNDANT = ("jobs_user_id", "jobs_batch_id", "generated_images_user_id", "generated_images_job_id",
             "generated_images_batch_id")


def up(db: Database) -> None:
    for name in REDUNDANT:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
