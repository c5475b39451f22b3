"""Asset Monster: set up a batch (prompts, references, settings), run it, watch it live, curate the results."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pixflow_tui.tui import action_keys
from pixflow_tui.core.jobs import JobEvent, JobState, JobView
from pixflow_tui.tui.screens.asset_monster.actions import ResultsActions
from pixflow_tui.tui.screens.asset_monster.results import BatchBar, BatchJobTable, JobDetails, batch_label
from pixflow_tui.tui.screens.asset_monster.setup import SetupActions
from pixflow_tui.tui.screens.asset_monster.setup_panel import SetupPanel
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.dialogs import ChoiceDialog
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.job_table import JobTable
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.asset_monster import (
    BatchSummary, JobDetail, batch_job_views, batch_summary, estimate_eta, finished_durations, job_detail,
    latest_batch, list_batches,
)
from pixflow_tui.workflows.ui_support import job_views_by_id

RELOAD_EVERY = 5.0  # seconds; picks up what other processes (the CLI) did to the shown batch
SUMMARY_DELAY = 0.25  # coalesces a burst of job events into one read of the batch's counts
WIDE_RESULTS = 118  # results narrower than this put the preview under the table instead of beside it
SETUP_WIDTH = 36
MIN_RESULTS = 64  # the job table's columns need this much; less and the set-up panel shows alone
TIMED_STATES = frozenset({JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.DOWNLOADING})
ALWAYS_SETUP = 150  # terminals at least this wide keep the set-up panel in view


class AssetMonsterScreen(SetupActions, ResultsActions, ModuleScreen):
    MODULE = "asset_monster"
    INTRO = "Generate image batches from prompts, with reference images to keep identity."
    EMPTY = (
        "No batches yet. Add prompts with a (from Prompt Factory, favourites, history, a file or typed), "
        "choose the settings on the left, then press ctrl+r to run the batch."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run", id="am-run"),
        Binding("a", "add_prompts", "Add prompts", id="am-add-prompts"),
        Binding("i", "add_reference", "Add reference", show=False, id="am-add-reference"),
        Binding("s", "toggle_setup", "Set-up", show=False, id="am-toggle-setup"),
        Binding("p", "presets", "Presets", show=False, id="am-presets"),
        Binding("e", "export", "Export", id=action_keys.EXPORT),
        Binding("b", "batches", "Batches", show=False, id="am-batches"),
        Binding("X", "cancel_batch", "Cancel batch", show=False, id="am-cancel-batch"),
    ]

    class _BatchLoaded(Message, bubble=False):
        def __init__(self, summary: BatchSummary | None, views: list[JobView], first: bool, seq: int) -> None:
            super().__init__()
            self.summary, self.views, self.first, self.seq = summary, views, first, seq

    class _Summary(Message, bubble=False):
        def __init__(self, summary: BatchSummary | None) -> None:
            super().__init__()
            self.summary = summary

    class _Dirty(Message, bubble=False):
        pass

    class _Detail(Message, bubble=False):
        def __init__(self, job_id: int, detail: JobDetail | None) -> None:
            super().__init__()
            self.job_id, self.detail = job_id, detail

    def __init__(self) -> None:
        super().__init__()
        self.batch_id: int | None = None
        self.summary: BatchSummary | None = None
        self.detail: JobDetail | None = None
        self._setup_choice: bool | None = None  # the user's `s` choice; None follows the layout rule
        self._dirty_lock = threading.Lock()
        self._dirty_jobs: set[int] = set()
        self._dirty_posted = False
        self._summary_timer: Any = None
        self._loaded = False
        self._open_seq = 0  # bumped by every open, so a slower, older load never replaces a newer one
        self._durations: dict[int, float] = {}  # job id -> seconds it took, for the ETA
        self._started_at: dict[int, float] = {}  # job id -> when this process saw it start
        self._rating_lock = threading.Lock()
        self._pending_ratings: dict[int, str] = {}

    # -- layout ----------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        settings = self.app_.settings
        cache = settings.thumbnails_dir
        with Horizontal(id="am-body"):
            yield SetupPanel(self.context, renderer=settings.image_renderer, cache_dir=cache, id="setup")
            with Vertical(id="results"):
                yield BatchBar(id="batch-bar")
                yield Static(self.EMPTY, id="results-empty", classes="empty")
                with Container(id="results-main", classes="-beside"):
                    context = self.context
                    yield BatchJobTable(loader=lambda ids: job_views_by_id(context, ids), id="jobs")
                    with Container(id="job-side"):
                        yield ImagePreview(renderer=settings.image_renderer, cache_dir=cache, id="job-preview")
                        yield JobDetails(id="job-details")

    @property
    def table(self) -> BatchJobTable:
        return self.query_one(BatchJobTable)

    @property
    def setup_panel(self) -> SetupPanel:
        return self.query_one(SetupPanel)

    def on_mount(self) -> None:
        self._table_ref = self.table
        self._cleanups.append(self.app_.router.add(self.MODULE, self._on_job_event))
        self.query_one("#results-main").display = False
        self.set_interval(RELOAD_EVERY, self._periodic_reload)
        self.load_batch(None)
        self.take_waiting_prompts()

    def on_screen_resume(self) -> None:
        self.take_waiting_prompts()
        if self._loaded and self.batch_id is not None:
            self.load_batch(self.batch_id, first=False)

    def on_resize(self) -> None:
        self._layout()

    def _setup_wanted(self) -> bool:
        if self._setup_choice is not None:
            return self._setup_choice
        no_results = self.batch_id is None
        fresh = any(not item.sent for item in self.setup_panel.items)
        return no_results or fresh or self.size.width >= ALWAYS_SETUP

    def _layout(self) -> None:
        """Set-up beside the results when both fit; on a narrow terminal `s` flips between them."""
        setup = self.setup_panel
        setup.display = self._setup_wanted()
        alone = setup.display and self.size.width - SETUP_WIDTH < MIN_RESULTS
        setup.set_class(alone, "-alone")
        back = " · s shows the batch" if alone and self.batch_id is not None else ""
        setup.query_one("#setup-title", Static).update(f"Set-up{back}")
        self.query_one("#results").display = not alone
        room = self.size.width - (SETUP_WIDTH if setup.display else 0)
        main = self.query_one("#results-main")
        main.set_class(room >= WIDE_RESULTS, "-beside")
        main.set_class(room < WIDE_RESULTS, "-below")
        if not setup.display and setup.has_focus_within:
            target = self.table if self.table.row_count else None
            self.set_focus(target)
        self._show_bar()

    def _bar_hint(self) -> str:
        return "b batches · s set-up · ? keys"

    def action_toggle_setup(self) -> None:
        self._setup_choice = not self.setup_panel.display
        self._layout()
        if self.setup_panel.display:
            self.setup_panel.query_one("#setup-list").focus()
        elif self.table.row_count:
            self.table.focus()

    def forget_setup_choice(self) -> None:
        self._setup_choice = None

    def show_setup(self) -> None:
        """Bring the set-up panel into view (prompts arrived, or a run needs them)."""
        if not self.setup_panel.display:
            self._setup_choice = True
            self._layout()

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

        start_thread(self, work, name="Loading the batch", group="load-batch", exclusive=False)

    def on_asset_monster_screen__batch_loaded(self, message: _BatchLoaded) -> None:
        table = self.table
        new_id = message.summary.batch.id if message.summary else None
        if message.seq != self._open_seq or (not message.first and new_id != self.batch_id):
            return  # another batch was opened meanwhile
        switching = new_id != self.batch_id or message.first
        self.batch_id = new_id
        self.summary = message.summary
        self._loaded = True
        if switching:
            table.load(message.views)
            with self._dirty_lock:
                self._durations, self._started_at = {}, {}
        else:
            for view in message.views:
                table.upsert(view)
        with self._dirty_lock:
            self._durations.update(finished_durations(message.views))
        has_rows = table.row_count > 0
        self.query_one("#results-main").display = has_rows
        self.query_one("#results-empty").display = not has_rows
        if new_id is not None and not has_rows:
            self.query_one("#results-empty", Static).update("This batch has no jobs.")
        self._layout()
        if switching and has_rows:
            self._load_detail(table.selected_job_id)
        if self.focused is None or (switching and has_rows and not self.setup_panel.has_focus_within):
            if has_rows:
                table.focus()
            else:
                self.setup_panel.query_one("#setup-list").focus()

    def _periodic_reload(self) -> None:
        if self.is_current and self.batch_id is not None and self.summary is not None and self.summary.active:
            self.load_batch(self.batch_id, first=False)

    def open_batch(self, batch_id: int) -> None:
        self.table.marked.clear()
        self.load_batch(batch_id, first=True)

    def action_batches(self) -> None:
        """Pick an older batch to show (they all stay in the database)."""
        context = self.context

        def work() -> None:
            batches = list_batches(context)
            self.app.call_from_thread(show, batches)

        def show(batches: list[BatchSummary]) -> None:
            if not batches:
                self.notify("No batches yet.", severity="warning")
                return
            choices = [(str(s.batch.id), batch_label(s)) for s in batches]
            self.app.push_screen(
                ChoiceDialog("Batches (newest first)", choices, selected=str(self.batch_id)),
                lambda choice: self.open_batch(int(choice)) if choice else None)

        start_thread(self, work, name="Listing batches", group="batches")

    # -- live events --------------------------------------------------------------------------------------

    def _on_job_event(self, event: JobEvent) -> None:
        """Called on the engine's thread: only buffers and posts."""
        if self.batch_id is None or event.batch_id != self.batch_id:
            return
        self._table_ref.apply_event(event)
        with self._dirty_lock:
            if event.state in TIMED_STATES:
                self._started_at.setdefault(event.job_id, time.monotonic())
            elif event.state == JobState.DONE and event.job_id in self._started_at:
                self._durations[event.job_id] = time.monotonic() - self._started_at.pop(event.job_id)
            self._dirty_jobs.add(event.job_id)
            if self._dirty_posted:
                return
            self._dirty_posted = True
        self.post_message(self._Dirty())

    def on_asset_monster_screen__dirty(self, message: _Dirty) -> None:
        with self._dirty_lock:
            jobs, self._dirty_jobs = self._dirty_jobs, set()
            self._dirty_posted = False
        selected = self.table.selected_job_id
        if selected is not None and selected in jobs:
            self._load_detail(selected)
        if self._summary_timer is None:
            self._summary_timer = self.set_timer(SUMMARY_DELAY, self._refresh_summary)

    def _refresh_summary(self) -> None:
        self._summary_timer = None
        batch_id, context = self.batch_id, self.context
        if batch_id is None:
            return

        def work() -> None:
            self.post_message(self._Summary(batch_summary(context, batch_id)))

        start_thread(self, work, name="Counting the batch's jobs", group="summary")

    def on_asset_monster_screen__summary(self, message: _Summary) -> None:
        if message.summary is not None and message.summary.batch.id == self.batch_id:
            was_active = self.summary is not None and self.summary.active > 0
            self.summary = message.summary
            self._show_bar()
            if was_active and not self.summary.active:
                self.load_batch(self.batch_id, first=False)  # settle every row on its stored final state

    def eta(self) -> float | None:
        if self.summary is None or not self.summary.active:
            return None
        with self._dirty_lock:
            durations = list(self._durations.values())
        return estimate_eta(durations, self.summary.active, self.context.settings.concurrency)

    def _show_bar(self) -> None:
        self.query_one(BatchBar).show(self.summary, eta=self.eta(), hint=self._bar_hint())

    def on_job_table_count_changed(self, message: JobTable.CountChanged) -> None:
        has_rows = message.count > 0
        self.query_one("#results-main").display = has_rows
        self.query_one("#results-empty").display = not has_rows

    # -- the selected job ------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#jobs")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._load_detail(int(event.row_key.value) if event.row_key.value else None)
        self.refresh_bindings()

    def _load_detail(self, job_id: int | None) -> None:
        if job_id is None:
            self._show_detail(None)
            return
        context = self.context

        def work() -> None:
            self.post_message(self._Detail(job_id, job_detail(context, job_id)))

        start_thread(self, work, name="Loading the job", group="detail")

    def on_asset_monster_screen__detail(self, message: _Detail) -> None:
        if message.job_id == self.table.selected_job_id:
            self._show_detail(message.detail)

    def _show_detail(self, detail: JobDetail | None) -> None:
        self.detail = detail
        preview = self.query_one("#job-preview", ImagePreview)
        path = detail.path if detail is not None and detail.image is not None else None
        if (Path(path) if path else None) != preview.path:
            preview.show(path)
        self.query_one(JobDetails).show(detail, len(self.table.marked))

    @on(DataTable.RowSelected, "#jobs")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_view()
