"""Background work of Asset Monster's widgets: a thread worker owned by the app (so failures reach its one error
path), with the result handed back on the UI thread."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode

from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.inputs import InputError

T = TypeVar("T")


def in_thread(node: DOMNode, work: Callable[[], T], done: Callable[[T], object] | None = None, *, name: str,
              group: str, refused: Callable[[str], object] | None = None, exclusive: bool = False) -> None:
    """Run `work` in a thread; `done(result)` runs on the UI thread. Bad input (InputError) goes to `refused`
    when given (on the UI thread); any other failure to the app's worker error handler."""
    app = node.app

    def job() -> None:
        try:
            result = work()
        except InputError as exc:
            if refused is None:
                raise
            app.call_from_thread(refused, str(exc))
            return
        if done is not None:
            app.call_from_thread(done, result)

    start_thread(node, job, name=name, group=group, exclusive=exclusive)
