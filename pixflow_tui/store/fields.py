"""Column types that are exact on SQLite and PostgreSQL alike, handing Python the same values as before.

- times: `UTCDateTimeField` is TIMESTAMPTZ on PostgreSQL (the session runs in UTC) and ISO text on SQLite; Python
  always gets a naive datetime in UTC, whichever backend and whatever the server's time zone.
- money: `MoneyField` stores integer micro-dollars (BIGINT), so sums are exact ($0.15 × 10,000 = $1500 exactly);
  Python reads and writes float dollars. SQL aggregates (SUM) return micro-dollars: use `dollars()` on them.
- other floats (lease expiry in epoch seconds, progress, durations) are `DoubleField`: DOUBLE PRECISION on
  PostgreSQL (peewee's FloatField is a 4-byte REAL there, which rounds epoch seconds to ~128 s).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from peewee import BigIntegerField, DateTimeField, DoubleField, TextField

from pixflow_tui.store.values import (
    dollars,
    local_path,
    micros,
    set_outputs_root,
    stored_path,
)

__all__ = ["UTCDateTimeField", "MoneyField", "DoubleField", "OutputPathField", "dollars", "micros", "local_path",
           "set_outputs_root", "stored_path"]


class UTCDateTimeField(DateTimeField):
    """TIMESTAMPTZ on PostgreSQL (see store/postgres.py); a naive UTC datetime in Python."""

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value


class MoneyField(BigIntegerField):
    """Integer micro-dollars in the database, float dollars in Python."""

    def db_value(self, value: Any) -> Any:
        if value is None or not isinstance(value, (int, float)):
            return value  # None, or an SQL expression (cost_actual + amount converts `amount` itself)
        return micros(value)

    def python_value(self, value: Any) -> Any:
        return None if value is None else dollars(value)


class OutputPathField(TextField):
    """A saved output's path: relative to the shared outputs root in the database, absolute in Python."""

    def db_value(self, value: Any) -> Any:
        return stored_path(value) if isinstance(value, str) else value

    def python_value(self, value: Any) -> Any:
        return local_path(value) if isinstance(value, str) else value
