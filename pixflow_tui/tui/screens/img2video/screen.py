"""Img2Video: a queue of images, each with its own video settings, generated progressively.

The queue (drafts included) is loaded from the workflow's queue file and saved after every change; job events
update the rows live; database reads and file writes run in thread workers."""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pixflow_tui.tui import action_keys
from pixflow_tui.core.jobs import FINISHED_STATES, JobEvent, JobState
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.img2video.detail import EntryDetail
from pixflow_tui.tui.screens.img2video.edit_flows import EditFlows
from pixflow_tui.tui.screens.img2video.queue_table import QueueTable
from pixflow_tui.tui.screens.img2video.run_flows import RunFlows
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.img2video import (
    DRAFT,
    EntryStatus,
    QueueEntry,
    QueueFile,
    VideoQueue,
    entry_statuses,
    load_queue,
    queue_path,
)
from pixflow_tui.workflows.img2video_camera import estimate_settings_cost

T = TypeVar("T")
REFRESH_EVERY = 5.0  # seconds: catches what other processes (the CLI) did to our jobs
SPIN_EVERY = 0.2


class Img2VideoScreen(RunFlows, EditFlows, ModuleScreen):
    MODULE = "img2video"
    INTRO = "Images → short videos with camera moves; each image keeps its own settings."
    EMPTY = (
        "The queue is empty. Press a to add an image (or a folder of images) by path, or send images here "
        "with v from Asset Monster (2) or the Library (6). New images start with the settings you saved last."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="i2v-add"),
        Binding("ctrl+g", "generate", "Generate", id="i2v-generate"),
        Binding("enter,s", "edit", "Edit", id="i2v-edit"),
        Binding("r", "generate_one", "Make one", id="i2v-generate-one"),
        Binding("r", "regenerate", "Regenerate", id=action_keys.REGENERATE),
        Binding("x", "cancel", "Cancel", id=action_keys.CANCEL_JOB),
        Binding("e", "export", "Export", id=action_keys.EXPORT),
        # shown in the side panel's hint line rather than the footer, which is full at 80 columns
        Binding("o", "play", "Play the video", show=False, id="i2v-play"),
        Binding("p", "presets", "Video presets", show=False, id="i2v-presets"),
        Binding("y", "copy_prompt", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
        Binding("delete,backspace", "remove", "Remove from queue", show=False, id="i2v-remove"),
        Binding("c", "clear_done", "Clear finished entries", show=False, id="i2v-clear-done"),
    ]

    class _Loaded(Message, bubble=False):
        def __init__(self, queue: VideoQueue, statuses: dict[str, EntryStatus], notes: list[str]) -> None:
            super().__init__()
            self.queue, self.statuses, self.notes = queue, statuses, notes

    class _Statuses(Message, bubble=False):
        def __init__(self, statuses: dict[str, EntryStatus]) -> None:
            super().__init__()
            self.statuses = statuses

    class _EventsReady(Message, bubble=False):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.queue: VideoQueue | None = None
        self.statuses: dict[str, EntryStatus] = {}
        self.busy: set[str] = set()  # entries with an operation in flight (planning, queueing, cancelling)
        self._job_entry: dict[int, str] = {}
        self._events: dict[int, JobEvent] = {}
        self._events_lock = threading.Lock()
        self._events_posted = False
        self._file: QueueFile | None = None
        self._version = 0
        self.planning = False

    # ---- layout ---------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        settings = self.context.settings
        with Horizontal(id="i2v-body"):
            with Vertical(id="i2v-left"):
                yield Static("Loading the queue…", id="i2v-summary")
                yield Static(self.EMPTY, id="i2v-empty", classes="empty")
                table = QueueTable(id="i2v-table")
                table.display = False
                yield table
            yield EntryDetail(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, id="i2v-detail")

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self.query_one("#i2v-empty").display = False
        self._file = QueueFile(queue_path(self.context))
        self._cleanups.append(self.app_.router.add(self.MODULE, self._on_job_event))
        self.set_interval(REFRESH_EVERY, self._refresh_if_shown)
        self.set_interval(SPIN_EVERY, lambda: self.table.spin() if self.is_current else None)
        context, file = self.context, self._file

        def work() -> None:
            queue, notes = load_queue(context, file)
            self.post_message(self._Loaded(queue, entry_statuses(context, queue.entries), notes))

        start_thread(self, work, name="Loading the Img2Video queue", group="i2v-load")

    def on_img2video_screen__loaded(self, message: _Loaded) -> None:
        self.queue, self.statuses = message.queue, message.statuses
        self._relink()
        for note in message.notes:
            self.notify(note, title="Img2Video", severity="warning", timeout=12)
        self.show_queue()
        self._take_handoff()

    def on_screen_resume(self) -> None:
        if self.queue is not None:
            self._take_handoff()
            self.refresh_statuses()

    # ---- showing ----------------------------------------------------------------------------------------

    def show_queue(self, select: str | None = None) -> None:
        assert self.queue is not None
        table = self.table
        has_entries = bool(self.queue.entries)
        table.display = has_entries
        self.query_one("#i2v-empty").display = not has_entries
        table.show(self.queue.entries, self.statuses, select)
        if has_entries and self.focused is None:
            table.focus()
        self._show_detail()
        self._show_summary()
        self.refresh_bindings()

    def _show_row(self, entry_id: str) -> None:
        if self.queue is None:
            return
        for number, entry in enumerate(self.queue.entries, 1):
            if entry.id == entry_id:
                self.table.update_entry(number, entry, self.status_of(entry))

    def _show_detail(self) -> None:
        entry = self.selected
        self.query_one(EntryDetail).show(entry, self.status_of(entry) if entry else None)

    def _show_summary(self) -> None:
        if self.queue is None:
            return
        counts: dict[str, int] = {}
        pending, cost = 0, 0.0
        for entry in self.queue.entries:
            status = self.status_of(entry)
            key = "on the way" if status.active or entry.id in self.busy else str(status.state)
            counts[key] = counts.get(key, 0) + 1
            if status.state in (DRAFT, JobState.FAILED) and entry.id not in self.busy:
                pending += 1
                cost += estimate_settings_cost(entry.settings)
        total = len(self.queue.entries)
        names = {DRAFT: ("draft", "drafts")}
        parts = [f"{n} {names.get(k, (k, k))[0 if n == 1 else 1]}" for k, n in counts.items()]
        line = " · ".join(parts) if total else "No images yet"
        if pending:
            more = "more " if pending < total else ""
            line += f" — ctrl+g: {pending} {more}video{'' if pending == 1 else 's'} ≈ ${cost:.2f}"
        self.query_one("#i2v-summary", Static).update(line)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # ---- state helpers ------------------------------------------------------------------------------

    @property
    def selected(self) -> QueueEntry | None:
        if self.queue is None or not self.queue.entries:
            return None
        entry_id = self.table.selected_id
        return self.queue.find(entry_id) if entry_id else None

    def status_of(self, entry: QueueEntry) -> EntryStatus:
        return self.statuses.get(entry.id) or EntryStatus(DRAFT)

    def editable(self, entry: QueueEntry) -> bool:
        return entry.id not in self.busy and not self.status_of(entry).active

    def _relink(self) -> None:
        assert self.queue is not None
        self._job_entry = {job_id: e.id for e in self.queue.entries for job_id in e.job_ids}

    def save(self) -> None:
        """Write the queue file (in a thread; versions keep the writes in order)."""
        if self.queue is None or self._file is None:
            return
        self._version += 1
        data, version, file = self.queue.to_dict(), self._version, self._file
        start_thread(self, lambda: file.write(data, version), name="Saving the Img2Video queue",
                     group="i2v-save", exclusive=False)

    def background(self, name: str, work: Callable[[], T], done: Callable[[T], None] | None = None,
                   *, always: Callable[[], None] | None = None) -> None:
        """Run `work` in a thread; `done(result)` and `always()` run on the UI. Input and budget problems
        become a warning; anything else reaches the app's worker error handler."""
        app = self.app

        def run() -> None:
            ok, result = False, None
            try:
                result = work()
                ok = True
            except ValueError as exc:  # bad input, or over the budget cap (the door's BudgetExceeded)
                app.call_from_thread(self.warn, str(exc))
            finally:
                try:
                    if ok and done is not None:
                        app.call_from_thread(done, result)
                finally:
                    if always is not None:
                        app.call_from_thread(always)

        start_thread(self, run, name=name, group="i2v-work", exclusive=False)

    def warn(self, text: str) -> None:
        self.notify(text, title="Img2Video", severity="warning", timeout=10)

    # ---- live status --------------------------------------------------------------------------------

    def _on_job_event(self, event: JobEvent) -> None:
        """Called on the engine's thread: keep the latest event per job and wake the UI once."""
        with self._events_lock:
            self._events[event.job_id] = event
            if self._events_posted:
                return
            self._events_posted = True
        self.post_message(self._EventsReady())

    def on_img2video_screen__events_ready(self, message: _EventsReady) -> None:
        with self._events_lock:
            events, self._events = self._events, {}
            self._events_posted = False
        finished: list[str] = []
        for event in events.values():
            entry_id = self._job_entry.get(event.job_id)
            entry = self.queue.find(entry_id) if self.queue and entry_id else None
            if entry is None or entry.job_id != event.job_id:
                continue  # not ours, or an older job of the entry
            old = self.status_of(entry)
            self.statuses[entry.id] = dataclasses.replace(
                old, state=str(event.state), job_id=event.job_id, queue_position=event.queue_position,
                progress=event.progress if event.progress is not None else old.progress)
            self._show_row(entry.id)
            if event.state in FINISHED_STATES or event.state == JobState.UNKNOWN:
                finished.append(entry.id)
        if finished:
            self.refresh_statuses(finished)
        self._show_summary()
        self._show_detail()
        self.refresh_bindings()

    def refresh_statuses(self, entry_ids: list[str] | None = None) -> None:
        """Read the entries' jobs and videos from the database (in a thread)."""
        if self.queue is None:
            return
        entries = [e.copy() for e in self.queue.entries if entry_ids is None or e.id in entry_ids]
        if not entries:
            return
        context = self.context

        def work() -> None:
            self.post_message(self._Statuses(entry_statuses(context, entries)))

        start_thread(self, work, name="Reading Img2Video statuses", group="i2v-status", exclusive=False)

    def on_img2video_screen__statuses(self, message: _Statuses) -> None:
        if self.queue is None:
            return
        for entry_id, status in message.statuses.items():
            entry = self.queue.find(entry_id)
            if entry is None or status.job_id != entry.job_id:
                continue  # changed meanwhile; a newer read follows
            self.statuses[entry_id] = status
            self._show_row(entry_id)
        self._show_summary()
        self._show_detail()
        self.refresh_bindings()

    def _refresh_if_shown(self) -> None:
        if self.is_current and self.queue is not None and any(
                self.status_of(e).active or self.status_of(e).state == JobState.UNKNOWN for e in self.queue.entries):
            self.refresh_statuses()

    # ---- which keys apply -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        loaded = self.queue is not None
        entry = self.selected
        status = self.status_of(entry) if entry else None
        if action in ("add", "presets"):
            return loaded
        if action == "generate":
            return loaded and bool(self.queue and self.queue.entries)
        if action in ("edit", "remove"):
            return entry is not None and self.editable(entry)
        if action == "copy_prompt":
            return entry is not None
        if action in ("generate_one", "regenerate"):
            if entry is None or status is None or not self.editable(entry):
                return False
            return (status.state == JobState.DONE) == (action == "regenerate")
        if action == "cancel":
            return entry is not None and status is not None and entry.id not in self.busy and (
                status.active or status.state == JobState.UNKNOWN)
        if action == "play":
            return status is not None and status.video is not None
        if action == "export":
            return loaded and any(s.video is not None for s in self.statuses.values())
        if action == "clear_done":
            return loaded and any(self.status_of(e).state == JobState.DONE for e in self.queue.entries)  # type: ignore[union-attr]
        return True
