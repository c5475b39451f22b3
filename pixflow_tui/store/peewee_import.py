"""peewee imports the PostgreSQL driver (psycopg) at its own import when it is installed: about 150 ms of CPU on
every command and every start, which SQLite never uses. `import_peewee` imports peewee with the driver hidden;
`attach_psycopg` hands the driver to peewee when a PostgreSQL database is opened (store/postgres.py).

peewee 4.0 keeps the driver in module globals (`psycopg`, `TransactionStatus`, `Json_pg3`, `Jsonb_pg3`) read when a
database connects; tests/store/test_peewee_import.py fails if an upgrade changes that."""
from __future__ import annotations

import importlib
import sys
from typing import Any


def import_peewee() -> Any:
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return sys.modules.get("peewee") or importlib.import_module("peewee")
    sys.modules["psycopg"] = None  # type: ignore[assignment]  # `import psycopg` raises ImportError
    try:
        return importlib.import_module("peewee")
    finally:
        del sys.modules["psycopg"]


def attach_psycopg() -> None:
    """Give peewee the driver it skipped (no-op when it has it)."""
    peewee = import_peewee()
    if getattr(peewee, "psycopg", None) is not None:
        return
    psycopg = importlib.import_module("psycopg")
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    peewee.psycopg, peewee.TransactionStatus, peewee.Json_pg3, peewee.Jsonb_pg3 = psycopg, TransactionStatus, Json, Jsonb
