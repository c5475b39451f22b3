"""Values as read from a row, without peewee or the record classes: JSON columns, timestamps, money, output paths,
and the maker of frozen records. The full store (records.py, fields.py) and the quick read path (quick_read.py) share
them, so a one-shot read command reads rows exactly as the store does."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

R = TypeVar("R")

MICROS_PER_DOLLAR = 1_000_000


def micros(amount: float | int) -> int:
    """Dollars as whole micro-dollars (rounded to the nearest)."""
    return int(round(float(amount) * MICROS_PER_DOLLAR))


def dollars(value: Any) -> float:
    """Micro-dollars (an aggregate's raw value, None for no rows) as float dollars."""
    return 0.0 if value is None else int(value) / MICROS_PER_DOLLAR


def loads(text: str | None, default: Any) -> Any:
    """A JSON column's value, `default` when it is empty or not JSON."""
    try:
        return json.loads(text) if text else default
    except json.JSONDecodeError:
        return default


def stamp(value: Any) -> datetime:
    """A timestamp column as read raw, as a naive UTC datetime: SQLite gives peewee's text form, PostgreSQL an
    aware datetime (TIMESTAMPTZ)."""
    if not isinstance(value, datetime):
        return datetime.fromisoformat(value)
    return value if value.tzinfo is None else value.astimezone(timezone.utc).replace(tzinfo=None)


def fast_maker(cls: type[R]) -> Callable[[Sequence[Any]], R]:
    """A constructor of the frozen dataclass `cls` from its field values in order, for pages of rows: the
    generated __init__ sets each field through object.__setattr__, which for a page costs as much as the query.
    Only for classes without __post_init__ or slots."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    new = object.__new__

    def make(values: Sequence[Any]) -> R:
        obj = new(cls)
        obj.__dict__.update(zip(names, values))
        return obj

    return make


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
