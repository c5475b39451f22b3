"""Exact types on every backend: money in integer micro-dollars (new `*_micros` columns, the old float columns
converted and dropped), and on PostgreSQL timestamps as TIMESTAMPTZ (the stored values were UTC) and floats as
DOUBLE PRECISION (peewee's FloatField was a 4-byte REAL there: lease expiries rounded to ~128 s)."""
from __future__ import annotations

from peewee import Database

from pixflow_tui.store import postgres
from pixflow_tui.store.fields import DoubleField, MoneyField, UTCDateTimeField
from pixflow_tui.store.models import ALL_MODELS, Batch, BaseModel, Job, SchemaMigration

# (model, the old float column of dollars, the field that replaces it)
_MONEY: list[tuple[type[BaseModel], str, MoneyField]] = [
    (Batch, "cost_estimate", Batch.cost_estimate),
    (Batch, "cost_actual", Batch.cost_actual),
    (Job, "cost_estimate", Job.cost_estimate),
    (Job, "cost", Job.cost),
]


def up(db: Database) -> None:
    for model, old, field in _MONEY:
        _to_micros(db, model._meta.table_name, old, field)
    if postgres.is_postgres(db):
        _exact_postgres_types(db)


def _to_micros(db: Database, table: str, old: str, field: MoneyField) -> None:
    columns = {column.name for column in db.get_columns(table)}
    if old not in columns:
        return  # made by this version (0001 created the micro-dollar column), or already converted
    new = field.column_name
    if new not in columns:
        not_null = "" if field.null else " NOT NULL DEFAULT 0"
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{new}" BIGINT{not_null}')
    whole = "BIGINT" if postgres.is_postgres(db) else "INTEGER"
    source = f'CAST("{old}" AS NUMERIC)' if postgres.is_postgres(db) else f'"{old}"'
    db.execute_sql(f'UPDATE "{table}" SET "{new}" = CAST(ROUND({source} * 1000000) AS {whole}) '
                   f'WHERE "{old}" IS NOT NULL')
    db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{old}"')


def _exact_postgres_types(db: Database) -> None:
    models: list[type[BaseModel]] = [*ALL_MODELS, SchemaMigration]
    for model in models:
        table = model._meta.table_name
        types = {column.name: column.data_type for column in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            have = types.get(field.column_name)
            if isinstance(field, UTCDateTimeField) and have == "timestamp without time zone":
                db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{field.column_name}" TYPE TIMESTAMPTZ '
                               f'USING "{field.column_name}" AT TIME ZONE \'UTC\'')
            elif isinstance(field, DoubleField) and have == "real":
                db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{field.column_name}" TYPE DOUBLE PRECISION')
