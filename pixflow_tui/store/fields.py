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
from pathlib import Path, PurePosixPath
from typing import Any

from peewee import BigIntegerField, DateTimeField, DoubleField, TextField

MICROS_PER_DOLLAR = 1_000_000

__all__ = ["UTCDateTimeField", "MoneyField", "DoubleField", "OutputPathField", "dollars", "micros"]


def micros(amount: float | int) -> int:
    """Dollars as whole micro-dollars (rounded to the nearest)."""
    return int(round(float(amount) * MICROS_PER_DOLLAR))


def dollars(value: Any) -> float:
    """Micro-dollars (an aggregate's raw value, None for no rows) as float dollars."""
    return 0.0 if value is None else int(value) / MICROS_PER_DOLLAR


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


class _OutputsRoot:
    """The shared outputs root (setting `outputs_root`, a network mount every machine sees), or None. Set when a
    store opens; output paths under it are stored relative to it, so each machine opens the same files."""

    path: Path | None = None


def set_outputs_root(path: Path | None) -> None:
    _OutputsRoot.path = path


def stored_path(value: str) -> str:
    """An output path as stored: relative to the shared outputs root when it lies under it."""
    root = _OutputsRoot.path
    if root is None or not value:
        return value
    try:
        return PurePosixPath(Path(value).relative_to(root)).as_posix()
    except ValueError:
        return value


def local_path(value: str) -> str:
    """A stored output path as a path on this machine (a relative one lies under this machine's outputs root)."""
    root = _OutputsRoot.path
    if root is None or not value or Path(value).is_absolute():
        return value
    return str(root / value)


class OutputPathField(TextField):
    """A saved output's path: relative to the shared outputs root in the database, absolute in Python."""

    def db_value(self, value: Any) -> Any:
        return stored_path(value) if isinstance(value, str) else value

    def python_value(self, value: Any) -> Any:
        return local_path(value) if isinstance(value, str) else value
