"""A small thread-safe publish/subscribe hub for job events (the engine publishes, front ends listen)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from pixflow_tui.core.jobs import JobEvent

Listener = Callable[[JobEvent], None]
log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; call the returned function to remove it. Listeners run on the publishing thread."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the engine
                log.exception("job event listener failed")
