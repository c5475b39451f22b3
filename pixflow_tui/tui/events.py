"""Routes engine events (which arrive on the engine's thread) to the widgets that show them."""
from __future__ import annotations

import threading
from collections.abc import Callable

from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.ui_support import BatchModules

Sink = Callable[[JobEvent], None]


class JobEventRouter:
    """One subscription to the context's event bus; sinks register per module (or for every event).

    Sinks are called on the publishing thread, so they must be thread-safe (JobTable.apply_event and
    PixflowHeader.note_job_event only buffer and post a message).
    """

    def __init__(self, context: AppContext) -> None:
        self._modules = BatchModules(context)
        self._sinks: dict[str | None, list[Sink]] = {}
        self._lock = threading.Lock()
        self._unsubscribe = context.events.subscribe(self.dispatch)

    def add(self, module: str | None, sink: Sink) -> Callable[[], None]:
        """Call `sink` for events of `module`'s batches (every event when module is None)."""
        with self._lock:
            self._sinks.setdefault(module, []).append(sink)

        def remove() -> None:
            with self._lock:
                if sink in self._sinks.get(module, []):
                    self._sinks[module].remove(sink)

        return remove

    def dispatch(self, event: JobEvent) -> None:
        with self._lock:
            wanted = {module for module, sinks in self._sinks.items() if sinks and module is not None}
            every = list(self._sinks.get(None, []))
        targets = list(every)
        if wanted:
            module = self._modules.module_of(event.batch_id)
            with self._lock:
                targets += self._sinks.get(module, []) if module in wanted else []
        for sink in targets:
            sink(event)

    def close(self) -> None:
        self._unsubscribe()
