"""Thread workers owned by the app, so that every failure reaches the app's one error handler."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker


def start_thread(
    node: DOMNode, work: Callable[[], Any], *, name: str, group: str, exclusive: bool = True
) -> Worker[Any]:
    """Run `work` in a thread. `Worker.StateChanged` does not bubble, so the worker belongs to the app;
    the group is made unique per node so `exclusive` only cancels this node's earlier work."""
    return node.app.run_worker(
        work, name=name, group=f"{group}-{id(node)}", exclusive=exclusive, thread=True, exit_on_error=False
    )
