"""Read-only looks at the whole database for `pixflow db check` and `pixflow db restore` (every user's rows)."""
from __future__ import annotations

from pathlib import Path

import peewee
from peewee import SQL, fn

from pixflow_tui.core.jobs import RESUMABLE_STATES
from pixflow_tui.store import sqlite
from pixflow_tui.store.models import ALL_MODELS, Asset, GeneratedImage, Job, tuples


def integrity_problems(db: peewee.Database) -> list[str]:
    return sqlite.integrity_problems(db)


def orphan_counts(db: peewee.Database) -> dict[str, int]:
    """`table.column` -> how many rows point at a row that does not exist (only those with any).

    Foreign keys are enforced on every connection Pixflow opens, so these come from other tools or from a
    database edited with foreign keys off."""
    found: dict[str, int] = {}
    for model in ALL_MODELS:
        for field in model._meta.refs:
            existing = field.rel_model.select(field.rel_field)
            count = model.select(fn.COUNT(SQL("*"))).where(field.is_null(False) & field.not_in(existing)).scalar()
            if count:
                found[f"{model._meta.table_name}.{field.column_name}"] = int(count)
    return found


def output_files(db: peewee.Database) -> list[tuple[str, int, str]]:
    """(table, row id, local path) of every output row that names a file."""
    rows: list[tuple[str, int, str]] = []
    for model, column in ((GeneratedImage, GeneratedImage.local_path), (Asset, Asset.local_path),
                          (Job, Job.output_path)):
        query = model.select(model._meta.primary_key, column).where(column.is_null(False) & (column != ""))
        rows += [(model._meta.table_name, int(row_id), str(path)) for row_id, path in tuples(query)]
    return rows


def live_leases(db: peewee.Database, now: float) -> int:
    """Unfinished jobs some process holds an unexpired lease on (any user): that process is running them."""
    return int(Job.select(fn.COUNT(Job.id)).where(
        Job.status.in_([str(state) for state in RESUMABLE_STATES])
        & Job.lease_owner.is_null(False) & (Job.lease_expires >= now)
    ).scalar() or 0)


def resolve(path: str, home: Path) -> Path:
    file = Path(path).expanduser()
    return file if file.is_absolute() else home / file
