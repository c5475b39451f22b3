"""The Img2Video queue as shown: the summary line, the table of entries (or a note while it is empty) and what
the side panel should show. It reads and writes the queue file and follows the entries' jobs live (engine events
coalesced per job, database reads in workers, a slow re-read for what other processes do). The keys are
QueueView's (queue_panel.py)."""
from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.tui.screens.img2video.queue_model import QueueModel
from pixflow_tui.tui.screens.img2video.queue_table import QueueTable
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.img2video import (
    EntryStatus,
    QueueEntry,
    QueueFile,
    VideoQueue,
    entry_statuses,
    load_queue,
    queue_path,
)

REFRESH_EVERY = 5.0  # seconds: catches what other processes (the CLI) did to our jobs
EMPTY = ("The queue is empty. Press a to add an image (or a folder of images) by path, or send images here "
         "with v from Asset Monster (2) or the Library (6). New images start with the settings you saved last.")


class QueueView(Vertical, can_focus=True):
    """Focusable itself so that the queue's keys (add, presets) work while it is empty and the table hidden."""

    class Highlighted(Message):
        """Show this entry (None: none) in the side panel. Only the newest one queued matters."""

        def __init__(self, entry: QueueEntry | None, status: EntryStatus | None) -> None:
            super().__init__()
            self.entry, self.status = entry, status

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueueView.Highlighted)

    class Loaded(Message):
        """The queue file is read and shown."""

    class _Read(Message, bubble=False):
        def __init__(self, queue: VideoQueue, statuses: dict[str, EntryStatus], notes: list[str]) -> None:
            super().__init__()
            self.queue, self.statuses, self.notes = queue, statuses, notes

    class _Statuses(Message, bubble=False):
        def __init__(self, statuses: dict[str, EntryStatus]) -> None:
            super().__init__()
            self.statuses = statuses

    class _JobChanged(Message, bubble=False):
        def __init__(self, event: JobEvent) -> None:
            super().__init__()
            self.event = event

        def can_replace(self, message: Message) -> bool:
            # a newer event of the same job says all this one says
            return isinstance(message, QueueView._JobChanged) and message.event.job_id == self.event.job_id

    summary: reactive[str] = reactive("Loading the queue…", init=False)  # counts by state, and what ctrl+g costs

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.model: QueueModel | None = None  # None until the queue file is read
        self._file = QueueFile(queue_path(context))
        self._version = 0  # of the queue file's writes, so a late write never wins

    def compose(self) -> ComposeResult:
        yield Static(self.summary, id="i2v-summary")
        empty = Static(EMPTY, id="i2v-empty", classes="empty")
        empty.display = False
        yield empty
        table = QueueTable(id="i2v-table")
        table.display = False
        yield table

    def watch_summary(self, line: str) -> None:
        self.query_one("#i2v-summary", Static).update(line)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self.set_interval(REFRESH_EVERY, self._refresh_if_shown)
        start_thread(self, partial(self._read, self.context, self._file), name="Loading the Img2Video queue",
                     group="i2v-load")

    def _read(self, context: AppContext, file: QueueFile) -> None:
        queue, notes = load_queue(context, file)
        self.post_message(self._Read(queue, entry_statuses(context, queue.entries), notes))

    def on_queue_view__read(self, message: _Read) -> None:
        self.model = QueueModel(message.queue, message.statuses)
        for note in message.notes:
            self.notify(note, title="Img2Video", severity="warning", timeout=12)
        self.show_queue()
        self.post_message(self.Loaded())

    # ---- state ----------------------------------------------------------------------------------------

    @property
    def queue(self) -> VideoQueue | None:
        return self.model.queue if self.model else None

    @property
    def selected(self) -> QueueEntry | None:
        if self.model is None or not self.model.entries:
            return None
        return self.model.find(self.table.selected_id)

    def status_of(self, entry: QueueEntry) -> EntryStatus:
        assert self.model is not None
        return self.model.status_of(entry)

    def save(self) -> None:
        """Write the queue file (in a thread; versions keep the writes in order)."""
        if self.model is None:
            return
        self._version += 1
        start_thread(self, partial(self._file.write, self.model.queue.to_dict(), self._version),
                     name="Saving the Img2Video queue", group="i2v-save", exclusive=False)

    # ---- showing ----------------------------------------------------------------------------------------

    def show_queue(self, select: str | None = None) -> None:
        """Rebuild the rows (keeping the cursor on `select` or where it was), the summary and the side panel."""
        assert self.model is not None
        table, has_entries = self.table, bool(self.model.entries)
        table.display = has_entries
        self.query_one("#i2v-empty").display = not has_entries
        table.show(self.model.entries, self.model.statuses, select)
        focused = self.screen.focused
        if has_entries and focused in (None, self):
            table.focus()
        elif not has_entries and focused in (None, table):
            self.focus()
        self._changed()

    def _show_row(self, entry_id: str) -> None:
        assert self.model is not None
        for number, entry in enumerate(self.model.entries, 1):
            if entry.id == entry_id:
                self.table.update_entry(number, entry, self.model.status_of(entry))

    def _changed(self) -> None:
        """Statuses or the highlight changed: the summary, the side panel and which keys apply follow."""
        if self.model is not None:
            self.summary = self.model.summary()
        entry = self.selected
        self.post_message(self.Highlighted(entry, self.status_of(entry) if entry else None))
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._changed()

    # ---- live status ----------------------------------------------------------------------------------

    def note_job_event(self, event: JobEvent) -> None:
        """The router's sink, called on the engine's thread."""
        self.post_message(self._JobChanged(event))

    def on_queue_view__job_changed(self, message: _JobChanged) -> None:
        if self.model is None:
            return
        entry_id, finished = self.model.apply_event(message.event)
        if entry_id is None:
            return
        self._show_row(entry_id)
        if finished:
            self.refresh_statuses([entry_id])
        self._changed()

    def refresh_statuses(self, entry_ids: list[str] | None = None) -> None:
        """Read the entries' jobs and videos from the database (in a thread)."""
        if self.model is None:
            return
        entries = [e.copy() for e in self.model.entries if entry_ids is None or e.id in entry_ids]
        if entries:
            start_thread(self, partial(self._read_statuses, self.context, entries),
                         name="Reading Img2Video statuses", group="i2v-status", exclusive=False)

    def _read_statuses(self, context: AppContext, entries: list[QueueEntry]) -> None:
        self.post_message(self._Statuses(entry_statuses(context, entries)))

    def on_queue_view__statuses(self, message: _Statuses) -> None:
        if self.model is None:
            return
        for entry_id in self.model.apply_statuses(message.statuses):
            self._show_row(entry_id)
        self._changed()

    def _refresh_if_shown(self) -> None:
        if self.screen.is_current and self.model is not None and self.model.needs_watching():
            self.refresh_statuses()
