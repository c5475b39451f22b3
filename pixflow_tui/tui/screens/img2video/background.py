"""Img2Video's work off the UI thread, through the app's thread workers (so other failures reach the app's one
error path): the result comes back to the UI; bad input and the budget cap (ValueError, which InputError and the
door's BudgetExceeded are) become a warning."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode

from pixflow_tui.tui.workers import start_thread

T = TypeVar("T")


def warn(node: DOMNode, text: str) -> None:
    node.app.notify(text, title="Img2Video", severity="warning", timeout=10)


def in_thread(node: DOMNode, name: str, work: Callable[[], T], done: Callable[[T], object] | None = None, *,
              always: Callable[[], object] | None = None) -> None:
    """Run `work` in a thread; `done(result)` and then `always()` run on the UI (`always` also after a failure)."""
    app = node.app

    def run() -> None:
        try:
            result = work()
        except ValueError as exc:
            app.call_from_thread(warn, node, str(exc))
        else:
            if done is not None:
                app.call_from_thread(done, result)
        finally:
            if always is not None:
                app.call_from_thread(always)

    start_thread(node, run, name=name, group="i2v-work", exclusive=False)
