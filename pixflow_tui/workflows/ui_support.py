"""Small services the TUI needs that the AppContext does not offer (so `tui/` never touches the store)."""
from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import pixflow_tui
from pixflow_tui.config import Settings
from pixflow_tui.core.catalog import PRODUCTS
from pixflow_tui.core.jobs import JobView
from pixflow_tui.store.quick_look import first_screen_rows
from pixflow_tui.store.values import dollars
from pixflow_tui.workflows.context import AppContext, FirstLook, start_of_today
from pixflow_tui.workflows.products import ProductChoice


class ContextError(RuntimeError):
    """The app context cannot be built (bad database, unwritable data folder); the message is one line."""


def open_context(settings: Settings, *, open_later: bool = False) -> AppContext:
    """Build the AppContext, turning database and file-system errors into a one-line ContextError.

    open_later: when a quick look finds the database ready (current schema, seeded, writable, not locked),
    the store opens on first use instead, and the context holds what the first screen shows (`first_look`);
    otherwise it opens now, so every setup error is raised here."""
    if open_later and (look := quick_look(settings)) is not None:
        return AppContext(settings, open_store=False, first_look=look)
    from pixflow_tui.store import StoreError

    try:
        return AppContext(settings)
    except StoreError as exc:
        raise ContextError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or settings.home
        raise ContextError(f"cannot use data folder {where}: {exc.strerror or exc}") from None


def latest_schema_version() -> int:
    """store.migrations.LATEST_VERSION, read from the migrations' file names (importing the store costs
    ~70 ms of start-up); -1 when they cannot be listed."""
    folder = Path(pixflow_tui.__file__).parent / "store" / "migrations"
    versions = [int(match.group(1)) for file in folder.glob("m[0-9]*.py")
                if (match := re.match(r"m(\d+)_", file.name))]
    return max(versions, default=-1)


def quick_look(settings: Settings) -> FirstLook | None:
    """What the first screen shows, when opening the store would change nothing and cannot fail for a reason
    known now; else None.

    A plain sqlite3 look, without the store's modules: anything unusual (a URL, a missing, older, newer,
    damaged or locked database, an unwritable file or folder, an unseeded user or product) says None,
    and the full open then reports it."""
    path = settings.database_path.expanduser()
    if settings.database_url or not path.is_file():
        return None
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=0)
        try:
            version = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            user = connection.execute("SELECT id FROM users WHERE email = ?", (f"{settings.user}@local",)).fetchone()
            slugs = {row[0] for row in connection.execute("SELECT slug FROM products")}
            if version != latest_schema_version() or user is None:
                return None
            rows = first_screen_rows(connection, int(user[0]), start_of_today())
            connection.execute("BEGIN IMMEDIATE")  # the open's seeding takes the write lock: is it free?
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    if not all(product.slug in slugs for product in PRODUCTS):
        return None
    return FirstLook(tuple(ProductChoice(*product) for product in rows.products), rows.jobs_running,
                     dollars(rows.spend_micros))


class BatchModules:
    """batch id → module name, cached; safe to call from the engine's thread (a batch never changes module)."""

    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._known: dict[int, str | None] = {}
        self._lock = threading.Lock()

    def module_of(self, batch_id: int | None) -> str | None:
        if batch_id is None:
            return None
        with self._lock:
            if batch_id in self._known:
                return self._known[batch_id]
        batch = self._context.store.batches.get(batch_id)
        module = batch.module if batch else None
        with self._lock:
            self._known[batch_id] = module
        return module


def job_views_by_id(context: AppContext, job_ids: Iterable[int]) -> list[JobView]:
    """Table rows for the given jobs (those that exist), in id order."""
    from pixflow_tui.workflows.job_views import to_view

    views = []
    for job_id in sorted(set(job_ids)):
        job = context.store.jobs.get(job_id)
        if job is not None:
            views.append(to_view(job))
    return views
