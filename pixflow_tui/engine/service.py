"""Run the engine on its own thread and event loop, so database and network work never stalls the UI."""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from pixflow_tui.engine.runner import JobEngine

log = logging.getLogger(__name__)
T = TypeVar("T")


class EngineService:
    def __init__(self, engine: JobEngine) -> None:
        self.engine = engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._main, name="pixflow-engine", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            loop.run_until_complete(self.engine.run(until_idle=False, stop=self._stop))
        except Exception:
            log.exception("the job engine stopped with an error")
        finally:
            self.engine.store.close_thread_connection()
            loop.close()

    def wake(self) -> None:
        """Tell the engine that new jobs are in the database (thread-safe)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.engine.wake)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine (a provider call such as a cancel) on the engine's loop."""
        if self._loop is None:
            raise RuntimeError("the engine is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def stop(self, timeout: float | None = None) -> None:
        """Stop driving jobs the way a signal does: submits on the wire answer and keep their request ids (bounded
        by the engine's submit timeout); whatever is at the provider stays there and resumes on the next start."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self.engine.request_stop, "quit")
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the engine's loop closed between the look and the call: it has stopped
                pass
        if self._thread is not None:
            self._thread.join(timeout if timeout is not None else self.engine.submit_timeout + 5.0)
        self._thread = None
