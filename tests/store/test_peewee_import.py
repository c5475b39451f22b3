"""The store imports peewee without the PostgreSQL driver (SQLite never needs it) and hands the driver to peewee
when a PostgreSQL database is opened (store/peewee_import.py leans on peewee keeping it in module globals)."""
from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_opening_the_store_does_not_import_the_postgres_driver() -> None:
    assert run("import sys, pixflow_tui.store, pixflow_tui.store.models; print('psycopg' in sys.modules)") == "False"


def test_the_driver_is_handed_to_peewee_for_postgres() -> None:
    pytest.importorskip("psycopg")
    code = ("import pixflow_tui.store, peewee; from pixflow_tui.store.peewee_import import attach_psycopg; "
            "print(peewee.psycopg is None); attach_psycopg(); "
            "print(peewee.psycopg is not None and peewee.Jsonb_pg3 is not None and peewee.TransactionStatus is not None)")
    assert run(code).split() == ["True", "True"]
