"""What both front ends share: settings, the opened store, the providers, the job engine and its events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pixflow_tui.config import Settings
from pixflow_tui.core.events import EventBus
from pixflow_tui.core.jobs import JobView
from pixflow_tui.store import Store
from pixflow_tui.workflows.job_views import job_views


class AppContext:
    """Built once per process (TUI or CLI command) from the settings."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store.open(settings)
        self.events = EventBus()

    @property
    def mode_label(self) -> str:
        return self.settings.mode_label

    def jobs_running(self) -> int:
        return self.store.jobs.active_count()

    def spend_today(self) -> float:
        now = datetime.now(timezone.utc)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).replace(tzinfo=None)
        return self.store.jobs.spend_since(midnight - timedelta(0))

    def close(self) -> None:
        self.store.close_thread_connection()

    def recent_jobs(self, module: str | None = None, limit: int = 200) -> list[JobView]:
        """The newest jobs (of one module's batches when given), oldest first, as table rows."""
        return job_views(self.store, module=module, limit=limit)
