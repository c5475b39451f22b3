"""Asset Monster's results side: the batch bar, the job table, the preview and the details of the highlighted
job. It loads the shown batch, follows its jobs live and keeps the ETA."""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from pixflow_tui.core.jobs import JobEvent, JobState, JobView
from pixflow_tui.tui.screens.asset_monster.background import in_thread
from pixflow_tui.tui.screens.asset_monster.batch_bar import BatchBar
from pixflow_tui.tui.screens.asset_monster.batch_table import BatchJobTable
from pixflow_tui.tui.screens.asset_monster.job_details import JobDetails
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.job_table import JobTable
from pixflow_tui.workflows.asset_monster import (
    BatchSummary, JobDetail, batch_job_views, batch_summary, estimate_eta, finished_durations, job_detail,
    latest_batch,
)
from pixflow_tui.workflows.context import AppContext

RELOAD_EVERY = 5.0  # seconds; picks up what other processes (the CLI) did to the shown batch
SUMMARY_DELAY = 0.25  # coalesces a burst of job events into one read of the batch's counts
DETAIL_CACHE = 64  # read job details kept: a cursor move back or onto a read neighbour shows them at once
NEIGHBOURS = 2  # rows read ahead on each side of the highlighted one
TIMED_STATES = frozenset({JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING})
BAR_HINT = "b batches · s set-up · ? keys"


class ResultsPane(Vertical):
    """The shown batch. Posts `BatchShown` when a batch (or its first rows) is on screen."""

    class BatchShown(Message):
        def __init__(self, batch_id: int | None, has_rows: bool, switched: bool) -> None:
            super().__init__()
            self.batch_id, self.has_rows, self.switched = batch_id, has_rows, switched

    class _BatchLoaded(Message, bubble=False):
        def __init__(self, summary: BatchSummary | None, views: list[JobView], first: bool, seq: int) -> None:
            super().__init__()
            self.summary, self.views, self.first, self.seq = summary, views, first, seq

    class _JobsMoved(Message, bubble=False):
        """Events of the shown batch wait in `_events`; one queued message stands for any number of them."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ResultsPane._JobsMoved)

    def __init__(self, context: AppContext, *, empty: str, renderer: str, cache_dir: Path,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.empty, self.renderer, self.cache_dir = empty, renderer, cache_dir
        self.batch_id: int | None = None
        self.detail: JobDetail | None = None
        self.loaded = False
        self._open_seq = 0  # bumped by every open, so a slower, older load never replaces a newer one
        self._events: deque[tuple[JobEvent, float]] = deque()  # appended on the engine's thread, drained here
        self._durations: dict[int, float] = {}  # job id -> seconds it took, for the ETA
        self._started_at: dict[int, float] = {}  # job id -> when this process saw it start
        self._summary_timer: Timer | None = None
        # job id -> its details as last read; a job's event, a rating or a reload of the batch drops them
        self._details: OrderedDict[int, JobDetail | None] = OrderedDict()
        # made here and held: the engine's thread hands it events and must not query the DOM
        self._table = BatchJobTable(context, renderer=renderer, cache_dir=cache_dir, id="jobs")

    def compose(self) -> ComposeResult:
        yield BatchBar(self.context, id="batch-bar")
        yield Static(self.empty, id="results-empty", classes="empty")
        with Container(id="results-main", classes="-beside"):
            yield self._table
            with Container(id="job-side"):
                yield ImagePreview(renderer=self.renderer, cache_dir=self.cache_dir, id="job-preview")
                yield JobDetails(id="job-details")

    def on_mount(self) -> None:
        self.query_one("#results-main").display = False
        self.query_one(BatchBar).hint = BAR_HINT
        self.set_interval(RELOAD_EVERY, self._periodic_reload)
        self.load_batch(None)

    @property
    def table(self) -> BatchJobTable:
        return self._table

    @property
    def bar(self) -> BatchBar:
        return self.query_one(BatchBar)

    @property
    def summary(self) -> BatchSummary | None:
        return self.bar.summary

    def fit(self, wide: bool) -> None:
        """The preview beside the table when the pane is `wide`, else under it."""
        main = self.query_one("#results-main")
        main.set_class(wide, "-beside")
        main.set_class(not wide, "-below")

    # -- the batch shown ---------------------------------------------------------------------------------

    def load_batch(self, batch_id: int | None, *, first: bool = True) -> None:
        """Show batch `batch_id` (None: the newest Asset Monster batch); `first=False` refreshes the one shown."""
        context = self.context
        if first:
            self._open_seq += 1
        seq = self._open_seq

        def work() -> None:
            wanted = batch_id
            if wanted is None:
                latest = latest_batch(context)
                wanted = latest.id if latest else None
            if wanted is None:
                self.post_message(self._BatchLoaded(None, [], first, seq))
                return
            self.post_message(self._BatchLoaded(batch_summary(context, wanted), batch_job_views(context, wanted),
                                                first, seq))

        in_thread(self, work, name="Loading the batch", group="load-batch")

    def open_batch(self, batch_id: int) -> None:
        self.table.marked.clear()
        self.load_batch(batch_id, first=True)

    def refresh_batch(self) -> None:
        if self.loaded and self.batch_id is not None:
            self.load_batch(self.batch_id, first=False)

    def on_results_pane__batch_loaded(self, message: _BatchLoaded) -> None:
        table = self.table
        new_id = message.summary.batch.id if message.summary else None
        if message.seq != self._open_seq or (not message.first and new_id != self.batch_id):
            return  # another batch was opened meanwhile
        switching = new_id != self.batch_id or message.first
        self.batch_id = table.batch_id = new_id
        self.loaded = True
        self._details.clear()
        if switching:
            table.load(message.views)
            self._durations, self._started_at = {}, {}
        else:
            for view in message.views:
                table.upsert(view)
        self._durations.update(finished_durations(message.views))
        self._show_summary(message.summary)
        has_rows = table.row_count > 0
        self._show_rows(has_rows)
        if new_id is not None and not has_rows:
            self.query_one("#results-empty", Static).update("This batch has no jobs.")
        if switching and has_rows:
            self._load_detail(table.selected_job_id)
        self.post_message(self.BatchShown(new_id, has_rows, switching))

    def _periodic_reload(self) -> None:
        summary = self.summary
        if self.screen.is_current and self.batch_id is not None and summary is not None and summary.active:
            self.load_batch(self.batch_id, first=False)

    def _show_rows(self, has_rows: bool) -> None:
        self.query_one("#results-main").display = has_rows
        self.query_one("#results-empty").display = not has_rows

    def on_job_table_count_changed(self, message: JobTable.CountChanged) -> None:
        message.stop()
        self._show_rows(message.count > 0)

    def on_batch_bar_open_batch(self, message: BatchBar.OpenBatch) -> None:
        message.stop()
        self.open_batch(message.batch_id)

    # -- live events and the counts ------------------------------------------------------------------------

    def note_job_event(self, event: JobEvent) -> None:
        """Called on the engine's thread: hands the event to the table and to the pane's queue."""
        if self.batch_id is None or event.batch_id != self.batch_id:
            return
        self.table.apply_event(event)
        self._events.append((event, time.monotonic()))
        self.post_message(self._JobsMoved())

    def on_results_pane__jobs_moved(self, message: _JobsMoved) -> None:
        moved: set[int] = set()
        while self._events:
            event, at = self._events.popleft()
            if event.batch_id != self.batch_id:
                continue  # from a batch shown before
            if event.state in TIMED_STATES:
                self._started_at.setdefault(event.job_id, at)
            elif event.state == JobState.DONE and event.job_id in self._started_at:
                self._durations[event.job_id] = at - self._started_at.pop(event.job_id)
            moved.add(event.job_id)
            self._details.pop(event.job_id, None)
        selected = self.table.selected_job_id
        if selected is not None and selected in moved:
            self._load_detail(selected)
        if moved and self._summary_timer is None:
            self._summary_timer = self.set_timer(SUMMARY_DELAY, self._refresh_summary)

    def _refresh_summary(self) -> None:
        self._summary_timer = None
        batch_id, context = self.batch_id, self.context
        if batch_id is not None:
            in_thread(self, lambda: batch_summary(context, batch_id), self._summary_read,
                      name="Counting the batch's jobs", group="summary", exclusive=True)

    def _summary_read(self, summary: BatchSummary | None) -> None:
        if summary is not None and summary.batch.id == self.batch_id:
            was_active = self.summary is not None and self.summary.active > 0
            self._show_summary(summary)
            if was_active and not summary.active:
                self.load_batch(self.batch_id, first=False)  # settle every row on its stored final state

    def _show_summary(self, summary: BatchSummary | None) -> None:
        eta = None
        if summary is not None and summary.active:
            eta = estimate_eta(list(self._durations.values()), summary.active, self.context.settings.concurrency)
        bar = self.bar
        bar.eta = eta
        bar.summary = summary

    # -- the highlighted job ------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._load_detail(int(event.row_key.value) if event.row_key.value else None)

    def on_batch_job_table_job_changed(self, message: BatchJobTable.JobChanged) -> None:
        message.stop()
        self._details.pop(message.job_id, None)
        if self.table.selected_job_id == message.job_id:
            self._load_detail(message.job_id)

    def on_batch_job_table_batch_changed(self, message: BatchJobTable.BatchChanged) -> None:
        message.stop()
        self.refresh_batch()

    def _load_detail(self, job_id: int | None) -> None:
        """Show the job's details: at once from the cache when read before, else read in a thread; then read its
        uncached neighbours ahead (and have the preview draw their pictures) so the next move is immediate too."""
        if job_id is None:
            self._show_detail(None)
            return
        if job_id in self._details:
            self._details.move_to_end(job_id)
            self._show_detail(self._details[job_id])
        wanted = [job_id] if job_id not in self._details else []
        wanted += [near for near in self._neighbours(job_id) if near not in self._details]
        if not wanted:
            return
        context = self.context
        in_thread(self, lambda: [(wanted_id, job_detail(context, wanted_id)) for wanted_id in wanted],
                  self._details_read, name="Loading the job", group="detail", exclusive=True)

    def _neighbours(self, job_id: int) -> list[int]:
        table = self.table
        try:
            row = table.get_row_index(str(job_id))
        except Exception:  # noqa: BLE001 - the row went away meanwhile
            return []
        near = [row + step for distance in range(1, NEIGHBOURS + 1) for step in (distance, -distance)]
        keys = [table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value for index in near
                if 0 <= index < table.row_count]
        return [int(key) for key in keys if key]

    def _details_read(self, read: list[tuple[int, JobDetail | None]]) -> None:
        selected = self.table.selected_job_id
        for job_id, detail in read:
            self._details[job_id] = detail
            self._details.move_to_end(job_id)
            if job_id == selected:
                self._show_detail(detail)
        while len(self._details) > DETAIL_CACHE:
            self._details.popitem(last=False)
        paths = [Path(detail.path) for _, detail in read
                 if detail is not None and detail.image is not None and detail.path]
        if paths:
            self.query_one("#job-preview", ImagePreview).prefetch(paths)

    def _show_detail(self, detail: JobDetail | None) -> None:
        self.detail = self.table.detail = detail
        preview = self.query_one("#job-preview", ImagePreview)
        path = detail.path if detail is not None and detail.image is not None else None
        if (Path(path) if path else None) != preview.path:
            preview.show(path)
        self.query_one(JobDetails).show(detail, len(self.table.marked))
