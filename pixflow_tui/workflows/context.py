"""What both front ends share: settings, the opened store, the providers, the job engine and its events."""
from __future__ import annotations

import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from pixflow_tui.config import Settings
from pixflow_tui.core.formatting import plural
from pixflow_tui.core.events import EventBus
from pixflow_tui.core.jobs import JobKind, JobState, JobView, new_owner_id
from pixflow_tui.workflows.handoff import Handoff
from pixflow_tui.workflows.products import ProductChoice

if TYPE_CHECKING:  # the engine (httpx, PIL, PyAV) and the store (peewee, ~70 ms) load when first used
    from pixflow_tui.engine.runner import EngineSummary, JobEngine
    from pixflow_tui.engine.service import EngineService
    from pixflow_tui.providers.base import MediaProvider, TextProvider
    from pixflow_tui.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class UnfinishedJobs:
    at_provider: int  # sent (or being sent): they keep running there and cost what they cost
    waiting: int  # never sent: nothing happens to them until Pixflow runs again

    @property
    def total(self) -> int:
        return self.at_provider + self.waiting

    def account(self) -> str:
        """What becomes of them when Pixflow stops now, in a few sentences."""
        parts = []
        if self.at_provider:
            one = self.at_provider == 1
            parts.append(f"{plural(self.at_provider, 'job')} {'is' if one else 'are'} at the provider and "
                         f"{'keeps' if one else 'keep'} running there; Pixflow downloads "
                         f"{'its result' if one else 'the results'} when it runs again.")
        if self.waiting:
            one = self.waiting == 1
            parts.append(f"{plural(self.waiting, 'job')} {'was' if one else 'were'} not sent yet and "
                         f"{'waits' if one else 'wait'} here; Pixflow sends {'it' if one else 'them'} when it runs "
                         "again.")
        if parts:
            parts.append("`pixflow jobs resume` finishes them without the TUI.")
        return " ".join(parts)


@dataclass(frozen=True)
class FirstLook:
    """What the TUI's first screen shows from the database, read before the app started (ui_support.quick_look),
    while the store is not open yet."""

    products: tuple[ProductChoice, ...]
    jobs_running: int
    spend_today: float


def start_of_today() -> datetime:
    """Midnight UTC today, naive (as the store's timestamps are): "today" of the spend counter."""
    return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)


class AppContext:
    """Built once per process (TUI or CLI command) from the settings."""

    def __init__(self, settings: Settings, store: Store | None = None, *, open_store: bool = True,
                 first_look: FirstLook | None = None) -> None:
        """With open_store=False the store opens on first use or `open_store()` (the TUI: after its first
        frame, once a quick look has found the database ready and read `first_look`)."""
        self.settings = settings
        self.first_look = first_look
        self._store = store
        self._store_lock = threading.Lock()
        if store is None and open_store:
            self.open_store()
        self.events = EventBus()
        self.handoff = Handoff()
        self._media: dict[str, MediaProvider] = {}
        self._text: TextProvider | None = None
        self._service: EngineService | None = None
        # jobs this process creates are leased to it, so its engine (and nobody else while it lives) drives them
        self.owner = new_owner_id()

    @property
    def store(self) -> Store:
        return self._store if self._store is not None else self.open_store()

    def open_store(self) -> Store:
        """Open the store unless it is open; thread-safe (callers meanwhile wait)."""
        with self._store_lock:
            if self._store is None:
                from pixflow_tui.store import Store

                self._store = Store.open(self.settings)
            return self._store

    # ---- providers -------------------------------------------------------------------------------------

    @property
    def mode_label(self) -> str:
        return self.settings.mode_label

    @property
    def media_provider_name(self) -> str:
        """Where new media jobs go: "fal" or "demo"."""
        from pixflow_tui.providers import media_is_live

        return "fal" if media_is_live(self.settings) else "demo"

    def provider_name_for(self, kind: JobKind) -> str:
        """Where new jobs of `kind` go: lipsync to Hedra when live with a Hedra key, else `media_provider_name`."""
        from pixflow_tui.providers import hedra_lipsync

        if kind == JobKind.LIPSYNC and hedra_lipsync(self.settings):
            return "hedra"
        return self.media_provider_name

    def provider_for(self, name: str) -> MediaProvider:
        """The provider that holds jobs stored under `name` (a job resumes where it was submitted)."""
        if name not in self._media:
            from pixflow_tui.providers import provider_for

            self._media[name] = provider_for(name, self.settings)
        return self._media[name]

    @property
    def text(self) -> TextProvider:
        if self._text is None:
            from pixflow_tui.providers import build_text_provider

            self._text = build_text_provider(self.settings)
        return self._text

    # ---- the engine ------------------------------------------------------------------------------------

    def new_engine(self, **options: object) -> JobEngine:
        from pixflow_tui.engine.runner import JobEngine

        options.setdefault("owner", self.owner)
        return JobEngine(self.store, self.settings, self.events, self.provider_for, **options)  # type: ignore[arg-type]

    def start_engine(self) -> None:
        """Drive jobs in the background (the TUI); resumes every unfinished job at once."""
        if self._service is None:
            from pixflow_tui.engine.service import EngineService

            self._service = EngineService(self.new_engine())
            self._service.start()

    def wake_engine(self) -> None:
        if self._service is not None:
            self._service.wake()

    async def run_jobs(self, *, batch_ids: Iterable[int] | None = None,
                       job_ids: Iterable[int] | None = None) -> EngineSummary:
        """Drive jobs on the current loop until none is left to drive (the CLI).

        SIGINT, SIGTERM and SIGHUP stop it cleanly: the summary's `stopped` and `stop_message` say so."""
        from pixflow_tui.engine.stops import install_stop_signals

        engine = self.new_engine()
        remove = install_stop_signals(engine)
        try:
            return await engine.run(until_idle=True, batch_ids=batch_ids, job_ids=job_ids)
        finally:
            remove()

    def on_engine(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a provider-touching coroutine where the engine's clients live (blocks; never on the UI thread)."""
        if self._service is not None:
            return self._service.submit(coro).result(timeout=60)
        import asyncio  # here: a read-only command (`pixflow library images`) never loads it

        return asyncio.run(self._then_close_clients(coro))

    async def _then_close_clients(self, coro: Coroutine[Any, Any, T]) -> T:
        """`coro`, then the media providers' clients it opened: they belong to this loop, which ends with it."""
        from pixflow_tui.providers import close_clients

        try:
            return await coro
        finally:
            await close_clients(list(self._media.values()))

    def cancel_job(self, job_id: int) -> JobState:
        from pixflow_tui.engine import control

        return self.on_engine(control.cancel_job(self.store, job_id, self.provider_for, self.events))

    def pause_job(self, job_id: int) -> JobState:
        from pixflow_tui.engine import control

        return control.pause_job(self.store, job_id, self.events)

    def resume_job(self, job_id: int) -> JobState:
        from pixflow_tui.engine import control

        state = control.resume_job(self.store, job_id, self.owner, self.events)
        self.wake_engine()
        return state

    def cancel_batch(self, batch_id: int) -> dict[JobState, int]:
        from pixflow_tui.engine import control

        return self.on_engine(control.cancel_batch(self.store, batch_id, self.provider_for, self.events))

    # ---- status ----------------------------------------------------------------------------------------

    def jobs_running(self) -> int:
        return self.store.jobs.active_count()

    def unfinished_jobs(self) -> UnfinishedJobs:
        """Where the unfinished jobs are: at the provider (sent, or being sent) or waiting here (never sent)."""
        counts = self.store.jobs.active_by_status()
        waiting = counts.get(JobState.PENDING, 0)
        return UnfinishedJobs(at_provider=sum(counts.values()) - waiting, waiting=waiting)

    def spend_today(self) -> float:
        return self.store.jobs.spend_since(start_of_today())

    def recent_jobs(self, module: str | None = None, limit: int = 200) -> list[JobView]:
        """The newest jobs (of one module's batches when given), oldest first, as table rows."""
        from pixflow_tui.workflows.job_views import job_views

        return job_views(self.store, module=module, limit=limit)

    def close(self) -> None:
        if self._service is not None:
            self._service.stop()
            self._service = None
        if self._store is not None:
            from pixflow_tui.store import DB_ERRORS

            try:  # this process no longer drives what it created: another may take it over at once
                self._store.jobs.release_all(self.owner)
            except DB_ERRORS:
                pass  # an expired lease frees them all the same
            self._store.close_thread_connection()
