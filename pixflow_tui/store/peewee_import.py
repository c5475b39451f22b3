"""peewee imports the PostgreSQL driver (psycopg) at its own import when it is installed: about 150 ms of CPU on
every command and every start, which SQLite never uses. `hide_psycopg_from_peewee` (run by the store package)
makes every later import of peewee, whoever does it first, run with the driver hidden; `import_peewee` imports
it so; `attach_psycopg` hands the driver to peewee when a PostgreSQL database is opened (store/postgres.py).

peewee 4.0 keeps the driver in module globals (`psycopg`, `TransactionStatus`, `Json_pg3`, `Jsonb_pg3`) read when a
database connects; tests/store/test_peewee_import.py fails if an upgrade changes that."""
from __future__ import annotations

import importlib
import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any


class _WithoutPsycopg:
    """peewee's own loader, run while `import psycopg` raises ImportError."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if "psycopg" in sys.modules:  # the driver is loaded already: peewee may as well have it
            self.loader.exec_module(module)
            return
        sys.modules["psycopg"] = None  # type: ignore[assignment]
        try:
            self.loader.exec_module(module)
        finally:
            del sys.modules["psycopg"]


class _PeeweeFinder:
    """Finds peewee where the path finder does, and loads it with the driver hidden (any other name: not ours)."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "peewee":
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _WithoutPsycopg(spec.loader)  # type: ignore[assignment]
        return spec


def hide_psycopg_from_peewee() -> None:
    """From now on peewee loads without the driver (a no-op once peewee is loaded or the finder is in place)."""
    if "peewee" not in sys.modules and not any(isinstance(f, _PeeweeFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _PeeweeFinder())


def import_peewee() -> Any:
    hide_psycopg_from_peewee()
    return importlib.import_module("peewee")


def attach_psycopg() -> None:
    """Give peewee the driver it skipped (no-op when it has it)."""
    peewee = import_peewee()
    if getattr(peewee, "psycopg", None) is not None:
        return
    psycopg = importlib.import_module("psycopg")
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    peewee.psycopg, peewee.TransactionStatus, peewee.Json_pg3, peewee.Jsonb_pg3 = psycopg, TransactionStatus, Json, Jsonb
