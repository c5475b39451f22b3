"""A live progress bar per batch, fed by engine events (written to stderr so --json output stays clean)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from pixflow_tui.core.jobs import JobEvent, JobState
from pixflow_tui.workflows.context import AppContext


@contextmanager
def batch_progress(ctx: AppContext, totals: dict[int, int], *, enabled: bool = True) -> Iterator[None]:
    """Show one bar per batch id in `totals` (batch id -> job count) while the body runs."""
    if not enabled:
        yield
        return
    console = Console(stderr=True)
    progress = Progress(TextColumn("batch {task.fields[batch]}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console, transient=False)
    tasks: dict[int, TaskID] = {}
    finished: dict[int, set[int]] = {b: set() for b in totals}
    for batch_id, total in totals.items():
        tasks[batch_id] = progress.add_task("", total=total, batch=batch_id, note="")

    def on_event(event: JobEvent) -> None:
        if event.batch_id not in tasks:
            return
        if event.state.finished:
            finished[event.batch_id].add(event.job_id)
        note = f"job {event.job_id} {event.state}"
        if event.state == JobState.QUEUED and event.queue_position is not None:
            note += f" #{event.queue_position}"
        if event.state == JobState.FAILED and event.message:
            note += f": {event.message[:60]}"
        progress.update(tasks[event.batch_id], completed=len(finished[event.batch_id]), note=note)

    unsubscribe = ctx.events.subscribe(on_event)
    try:
        with progress:
            yield
    finally:
        unsubscribe()
