"""Small services the TUI needs that the AppContext does not offer (so `tui/` never touches the store)."""
from __future__ import annotations

import threading
from collections.abc import Iterable

from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import JobView
from pixflow_tui.store import StoreError
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.job_views import to_view


class ContextError(RuntimeError):
    """The app context cannot be built (bad database, unwritable data folder); the message is one line."""


def open_context(settings: Settings) -> AppContext:
    """Build the AppContext, turning database and file-system errors into a one-line ContextError."""
    try:
        return AppContext(settings)
    except StoreError as exc:
        raise ContextError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or settings.home
        raise ContextError(f"cannot use data folder {where}: {exc.strerror or exc}") from None


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
    views = []
    for job_id in sorted(set(job_ids)):
        job = context.store.jobs.get(job_id)
        if job is not None:
            views.append(to_view(job))
    return views
