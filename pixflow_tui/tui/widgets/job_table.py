"""A table of jobs keyed by job id, updated in place from engine events."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from pixflow_tui.core.jobs import FINISHED_STATES, JobEvent, JobState, JobView
from pixflow_tui.tui import compat
from pixflow_tui.tui.workers import start_thread

Loader = Callable[[list[int]], list[JobView]]

# key, label, fixed width (None: the prompt column takes what is left)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("index", "Batch·#", 8),
    ("prompt", "Prompt", None),
    ("status", "Status", 12),
    ("elapsed", "Elapsed", 7),
    ("cost", "Cost", 6),
    ("rating", "Rating", 6),
)
_MIN_PROMPT_WIDTH = 12
_MAX_PROMPT_WIDTH = 80  # prompts arrive cut to 80 characters; wider only pushes the status off to the right
_TIMED_STATES = frozenset({JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING})
_STATE_STYLES = {
    JobState.DONE: "green",
    JobState.FAILED: "bold red",
    JobState.CANCELLED: "dim",
    JobState.UNKNOWN: "magenta",
    JobState.PAUSED: "yellow",
    JobState.RUNNING: "cyan",
    JobState.DOWNLOADING: "cyan",
    JobState.QUEUED: "yellow",
}


def status_text(state: JobState, queue_position: int | None = None, progress: float | None = None) -> Text:
    label = str(state)
    if state is JobState.QUEUED and queue_position is not None:
        label = f"queued #{queue_position}"
    elif state in (JobState.RUNNING, JobState.DOWNLOADING) and progress is not None:
        label = f"{state} {round(max(0.0, min(1.0, progress)) * 100)}%"
    return Text(label, style=_STATE_STYLES.get(state, ""))


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def format_cost(cost: float | None) -> str:
    return "" if cost is None else f"${cost:.2f}"


def rating_text(rating: int | None) -> Text:
    if rating == 1:
        return Text("+1", style="green")
    if rating == -1:
        return Text("-1", style="red")
    return Text("")


def _same(old: object, new: str | Text) -> bool:
    if isinstance(old, Text) and isinstance(new, Text):  # Text's == leaves out the base style
        return old.plain == new.plain and old.style == new.style and old.spans == new.spans
    return old == new


class JobTable(DataTable[str | Text]):
    """Rows keyed by job id. `apply_event` is safe from any thread: events are buffered (latest per job)
    and applied together on a short timer, so a burst of thousands of events costs one repaint.

    While events keep coming, flushes are at least `min_flush_gap` apart: every cell change makes the table
    render all its visible lines again, which on a small machine busy with downloads stalls the UI loop."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # descriptions match DataTable's own, so help shows "↓ j  Cursor down" on one line
        Binding("j", "cursor_down", "Cursor down", show=False, id="jobs-down-vim"),
        Binding("k", "cursor_up", "Cursor up", show=False, id="jobs-up-vim"),
        Binding("g", "scroll_top", "Top", show=False, id="jobs-top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="jobs-bottom"),
    ]

    class CountChanged(Message):
        """The number of rows changed (the screen swaps its empty-state text)."""

        def __init__(self, table: JobTable, count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

        @property
        def control(self) -> JobTable:
            return self.table

    class _FlushSoon(Message, bubble=False):
        pass

    class _Loaded(Message, bubble=False):
        def __init__(self, views: list[JobView]) -> None:
            super().__init__()
            self.views = views

    def __init__(
        self, *, loader: Loader | None = None, flush_interval: float = 0.06, min_flush_gap: float = 0.3,
        name: str | None = None, id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", name=name, id=id, classes=classes)
        self._loader = loader
        self.flush_interval = flush_interval
        self.min_flush_gap = min_flush_gap
        self._last_flush = float("-inf")
        self._pending: dict[int, JobEvent] = {}
        self._lock = threading.Lock()
        self._flush_scheduled = False
        self._started: dict[int, float] = {}  # job id -> monotonic start, for jobs whose clock runs
        self._last_count = 0
        self._changed_cells: set[tuple[RowKey, ColumnKey]] = set()
        self._laid_out = False  # a Resize has been handled: the prompt column fits the width painted

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or _MIN_PROMPT_WIDTH)
        # a quarter-second tick: each row's clock still changes once a second, but rows started at different
        # times change on different ticks, so one repaint never takes every running row at once
        self.set_interval(0.25, self._tick_elapsed)

    def on_resize(self) -> None:
        self._laid_out = True
        self._fit_prompt_column()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Blank until the first Resize is handled. A table mounted hidden (Asset Monster's, until a batch with
        rows is shown) is first painted in the frame that shows it, before its Resize: every cell at the narrow
        prompt column, all thrown away a moment later when the Resize re-renders every cell at the width fitted
        (two full paints of 20-35 ms on the loop as a batch opened; now one)."""
        if not self._laid_out:
            return [Strip.blank(crop.width, self.rich_style)] * crop.height
        return super().render_lines(crop)

    def _fit_prompt_column(self) -> None:
        if not self.columns:
            return
        fixed = sum(w for _, _, w in COLUMNS if w) + 2 * self.cell_padding * len(COLUMNS)
        width = max(_MIN_PROMPT_WIDTH, min(_MAX_PROMPT_WIDTH, self.scrollable_content_region.width - fixed))
        column = self.columns[ColumnKey("prompt")]
        if column.width != width:
            column.width = width
            compat.columns_resized(self)

    # -- data in --------------------------------------------------------------------------------------

    def load(self, views: Iterable[JobView]) -> None:
        """Replace all rows with `views` (oldest first)."""
        self.clear()
        self._started.clear()
        for view in views:
            self._add_view(view)
        self._count_changed()

    def upsert(self, view: JobView) -> None:
        """Add the job's row, or refresh every cell of it."""
        key = str(view.job_id)
        if key not in self.rows:
            self._add_view(view)
            self._count_changed()
            return
        for column, value in zip((c[0] for c in COLUMNS), self._cells(view), strict=True):
            self._set_cell(key, column, value)
        self._repaint_changed_rows()
        self._track_clock(view)

    def apply_event(self, event: JobEvent) -> None:
        """Queue an engine event for this table (thread-safe)."""
        with self._lock:
            self._pending[event.job_id] = event
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        self.post_message(self._FlushSoon())

    def flush(self) -> None:
        """Apply the queued events now."""
        with self._lock:
            events, self._pending = self._pending, {}
            self._flush_scheduled = False
        self._last_flush = time.monotonic()
        unknown: list[int] = []
        for event in events.values():
            if self._apply(event):
                unknown.append(event.job_id)
        self._repaint_changed_rows()
        if unknown:
            self._count_changed()
            if self._loader is not None:
                self._load_details(unknown)

    # -- internals ------------------------------------------------------------------------------------

    def _cells(self, view: JobView) -> tuple[str | Text, ...]:
        # the table mixes batches, so the index names its batch too: "12·3" is job 3 of batch 12
        index = f"{view.batch_id}·{view.index + 1}" if view.batch_id is not None else str(view.index + 1)
        return (
            index, Text(view.prompt, no_wrap=True, overflow="ellipsis"),
            status_text(view.state, view.queue_position, view.progress),
            format_elapsed(view.elapsed), format_cost(view.cost), rating_text(view.rating),
        )

    def _add_view(self, view: JobView) -> None:
        self.add_row(*self._cells(view), key=str(view.job_id))
        self._track_clock(view)

    def _track_clock(self, view: JobView) -> None:
        if view.state in _TIMED_STATES and view.elapsed is not None:
            self._started[view.job_id] = time.monotonic() - view.elapsed
        else:
            self._started.pop(view.job_id, None)

    def _apply(self, event: JobEvent) -> bool:
        """Update the row from one event; True when the job was not in the table (a row was added)."""
        key = str(event.job_id)
        added = key not in self.rows
        if added:
            self.add_row("…", "", "", "", "", "", key=key)
        self._set_cell(key, "status", status_text(event.state, event.queue_position, event.progress))
        if event.cost is not None:
            self._set_cell(key, "cost", format_cost(event.cost))
        now = time.monotonic()
        if event.state in _TIMED_STATES:
            self._started.setdefault(event.job_id, now)
        elif event.state in FINISHED_STATES and event.job_id in self._started:
            self._set_cell(key, "elapsed", format_elapsed(now - self._started.pop(event.job_id)))
        return added

    def _set_cell(self, key: str, column: str, value: str | Text) -> None:
        row = compat.stored_row(self, RowKey(key))
        if row is not None and not _same(row.get(ColumnKey(column)), value):
            self.update_cell(key, column, value)

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: str | Text, *,
                    update_width: bool = False) -> None:
        """Change a cell and repaint only its row (soon, with the other cells changed meanwhile).

        DataTable.update_cell bumps the one counter all its render caches are keyed on, so a single changed
        cell renders every visible cell again (~0.5 ms each: 200 ms for a screenful on a busy small machine).
        Here only the changed cell's and row's cache entries are dropped."""
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if update_width or not compat.set_cell_quietly(self, row_key, column_key, value):
            super().update_cell(row_key, column_key, value, update_width=update_width)
            return
        if not self._changed_cells:
            self.call_later(self._repaint_changed_rows)
        self._changed_cells.add((row_key, column_key))

    def _repaint_changed_rows(self) -> None:
        cells, self._changed_cells = self._changed_cells, set()
        if not cells:
            return
        compat.forget_rendered_cells(self, cells)

    def _tick_elapsed(self) -> None:
        now = time.monotonic()
        for job_id, started in self._started.items():
            if str(job_id) in self.rows:
                self._set_cell(str(job_id), "elapsed", format_elapsed(now - started))
        self._repaint_changed_rows()

    def _count_changed(self) -> None:
        if self.row_count != self._last_count:
            self._last_count = self.row_count
            self.post_message(self.CountChanged(self, self.row_count))

    def _load_details(self, job_ids: list[int]) -> None:
        loader = self._loader
        assert loader is not None

        def work() -> None:
            self.post_message(self._Loaded(loader(job_ids)))

        start_thread(self, work, name="Loading job rows", group="job-rows", exclusive=False)

    def on_job_table__flush_soon(self, message: _FlushSoon) -> None:
        gap = self._last_flush + self.min_flush_gap - time.monotonic()
        self.set_timer(max(self.flush_interval, gap), self.flush)

    def on_job_table__loaded(self, message: _Loaded) -> None:
        # Only the descriptive cells: events that came in after the loader read the database are newer.
        for view in message.views:
            key = str(view.job_id)
            if key in self.rows:
                cells = dict(zip((c[0] for c in COLUMNS), self._cells(view), strict=True))
                for column in ("index", "prompt", "rating"):
                    self._set_cell(key, column, cells[column])
        self._repaint_changed_rows()
