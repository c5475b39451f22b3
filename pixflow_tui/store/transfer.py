"""Copying a whole library between databases: `pixflow db migrate-to URL` (a SQLite library into PostgreSQL) and
`pixflow db backup` of a PostgreSQL library (into a SQLite file). Rows are copied table by table through the
models' own field conversions, ids kept; the search index is rebuilt on the target; then row counts and a
checksum of every table are compared. The source is only read."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from peewee import Database, Field

from pixflow_tui.store import postgres, sqlite
from pixflow_tui.store.models import ALL_MODELS, BaseModel
from pixflow_tui.store.search_text import current_body

_CHUNK = 500


class TransferError(RuntimeError):
    pass


@dataclass
class TransferReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    checksums: dict[str, str] = field(default_factory=dict)  # table -> sha256 of its rows (same on both sides)


def _models() -> list[type[BaseModel]]:
    """Tables in an order where every foreign key points at a table already copied."""
    ordered: list[type[BaseModel]] = []
    pending = list(ALL_MODELS)
    while pending:
        for model in pending:
            targets = {fk.rel_model for fk in model._meta.refs if fk.rel_model is not model}
            if targets <= set(ordered):
                ordered.append(model)
                pending.remove(model)
                break
        else:
            raise TransferError(f"tables with circular references: {[m._meta.table_name for m in pending]}")
    return ordered


def _rows(db: Database, model: type[BaseModel]) -> Iterator[list[Any]]:
    """Every row of `model`'s table in `db`, as Python values, in primary-key order."""
    fields: list[Field] = model._meta.sorted_fields
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    cursor = db.execute_sql(f'SELECT {columns} FROM "{model._meta.table_name}" ORDER BY 1')
    while True:
        batch = cursor.fetchmany(_CHUNK)
        if not batch:
            return
        for row in batch:
            yield [f.python_value(value) for f, value in zip(fields, row)]


def table_checksum(db: Database, model: type[BaseModel]) -> tuple[int, str]:
    """(rows, sha256) of a table's content as Python sees it: the same on SQLite and PostgreSQL when equal."""
    digest, count = hashlib.sha256(), 0
    for row in _rows(db, model):
        digest.update(json.dumps(row, default=str, sort_keys=True).encode())
        count += 1
    return count, digest.hexdigest()


def target_is_empty(db: Database) -> bool:
    from pixflow_tui.store.models import Asset, GeneratedImage, History, Job

    return all(db.execute_sql(f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0] == 0
               for m in (Job, GeneratedImage, Asset, History))


def copy_library(source: Database, target: Database) -> TransferReport:
    """Copy every row of `source` into the migrated, empty `target` (one transaction), rebuild the search index
    there and compare counts and checksums; TransferError on any difference (the target then holds nothing new)."""
    report = TransferReport()
    with target.atomic():
        for model in reversed(_models()):  # the seeded users and products make way for the source's, ids and all
            target.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
        for model in _models():
            fields: list[Field] = model._meta.sorted_fields
            marks = ", ".join([target.param] * len(fields))
            names = ", ".join(f'"{f.column_name}"' for f in fields)
            sql = f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})'
            cursor, count, chunk = target.cursor(), 0, []
            for row in _rows(source, model):
                chunk.append([f.db_value(v) for f, v in zip(fields, row)])
                if len(chunk) == _CHUNK:
                    cursor.executemany(sql, chunk)
                    count, chunk = count + len(chunk), []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
            report.rows[model._meta.table_name] = count
        if postgres.is_postgres(target):
            postgres.reset_sequences(target, [m._meta.table_name for m in _models() if "id" in m._meta.fields
                                              and m._meta.fields["id"].primary_key])
        index_everything(target)
        for model in _models():
            theirs, ours = table_checksum(source, model), table_checksum(target, model)
            if theirs != ours:
                raise TransferError(f"table {model._meta.table_name} differs after the copy "
                                    f"({theirs[0]} rows in the source, {ours[0]} copied); nothing was kept")
            report.checksums[model._meta.table_name] = ours[1]
    return report


def index_everything(db: Database) -> None:
    """Index every image, history entry, favourite and asset of a library copied into an index that holds none."""
    tables = {"image": "generated_images", "history": "history", "favorite": "favorites", "asset": "assets"}
    for kind, table in tables.items():
        ids = [int(row[0]) for row in db.execute_sql(f'SELECT id FROM "{table}" ORDER BY id').fetchall()]
        for start in range(0, len(ids), _CHUNK):
            documents = [(kind, ref, current_body(db, kind, ref) or "") for ref in ids[start:start + _CHUNK]]
            sqlite.index_documents(db, documents)
