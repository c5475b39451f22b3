"""The Img2Video queue: one row per entry (keyed by entry id) with its image, settings and live status."""
from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from pixflow_tui.tui import compat
from pixflow_tui.core.jobs import JobState
from pixflow_tui.workflows.img2video import DRAFT, EntryStatus, QueueEntry
from pixflow_tui.workflows.img2video_camera import camera_summary

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPIN_EVERY = 0.2  # seconds
# key, label, fixed width (None: the entry column takes what is left)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("number", "#", 2),
    ("entry", "Image · camera", None),
    ("video", "Video", 8),
    ("status", "Status", 15),
)
_MIN_ENTRY_WIDTH = 12
STACK_BELOW = 36  # an image column narrower than this shows the camera on a line of its own under the name


def status_label(status: EntryStatus, frame: int | None = 0) -> Text:
    """"⠋ queued #2", "✓ done", "draft"… The spinner frame turns while a job is on its way (None: no spinner)."""
    state = status.state
    spin = "" if frame is None else SPINNER[frame % len(SPINNER)] + " "
    if state == DRAFT:
        return Text("draft", style="dim")
    if state == JobState.PENDING:
        return Text(spin + "waiting", style="yellow")
    if state == JobState.SUBMITTING:
        return Text(spin + "sending", style="yellow")
    if state == JobState.QUEUED:
        where = f" #{status.queue_position}" if status.queue_position is not None else ""
        return Text(spin + "queued" + where, style="yellow")
    if state == JobState.RUNNING:
        done = f" {round(max(0.0, min(1.0, status.progress)) * 100)}%" if status.progress is not None else ""
        return Text(spin + "rendering" + done, style="cyan")
    if state == JobState.DOWNLOADING:
        return Text(spin + "downloading", style="cyan")
    if state == JobState.DONE:
        return Text("✓ done", style="green")
    if state == JobState.FAILED:
        return Text("✗ failed", style="bold red")
    if state == JobState.CANCELLED:
        return Text("cancelled", style="dim")
    if state == JobState.UNKNOWN:
        return Text("? unknown", style="magenta")
    if state == JobState.PAUSED:
        return Text("paused", style="yellow")
    return Text(str(state))


def model_short(model: str) -> str:
    return {"kling": "K", "hailuo": "H"}.get(model, model[:1].upper())


class QueueTable(DataTable[str | Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Cursor down", show=False, id="i2v-down-vim"),
        Binding("k", "cursor_up", "Cursor up", show=False, id="i2v-up-vim"),
        Binding("g", "scroll_top", "Top", show=False, id="i2v-top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="i2v-bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", id=id, zebra_stripes=False)
        self._frame = 0
        self._active: dict[str, EntryStatus] = {}
        self.stacked = False  # the camera on its own line (a narrow terminal: 80 columns)
        self._shown: tuple[list[QueueEntry], dict[str, EntryStatus]] = ([], {})

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or _MIN_ENTRY_WIDTH)
        self.set_interval(SPIN_EVERY, self.spin)

    def on_resize(self) -> None:
        self.fit_columns()

    def on_show(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Give the image column what the fixed ones leave (it is the one worth reading)."""
        if not self.columns or self.scrollable_content_region.width <= 0:
            return
        fixed = sum(w for _, _, w in COLUMNS if w) + 2 * self.cell_padding * len(COLUMNS)
        width = max(_MIN_ENTRY_WIDTH, self.scrollable_content_region.width - fixed)
        column = self.columns.get(ColumnKey("entry"))
        if column is not None and column.width != width:
            column.width = width
            compat.columns_resized(self)
        if (width < STACK_BELOW) != self.stacked:
            self.stacked = width < STACK_BELOW
            self.show(*self._shown)

    @property
    def selected_id(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def _cells(self, number: int, entry: QueueEntry, status: EntryStatus) -> tuple[str | Text, ...]:
        s = entry.settings
        label = Text(no_wrap=not self.stacked, overflow="ellipsis")
        label.append(entry.name, style="bold")
        if s.movements or s.speed or s.shots:
            label.append(("\n" if self.stacked else "  ") + camera_summary(s), style="dim")
        model = "" if s.model == "kling" else " " + model_short(s.model)
        return (str(number), label, f"{s.duration}s {s.aspect_ratio}{model}",
                status_label(status, self._frame))

    def _height(self, entry: QueueEntry) -> int:
        """One line, or (stacked) the name and the camera wrapped under it: every word of it is read."""
        s = entry.settings
        if not self.stacked or not (s.movements or s.speed or s.shots):
            return 1
        column = self.columns.get(ColumnKey("entry"))
        width = max(1, column.width if column is not None else _MIN_ENTRY_WIDTH)
        return 1 + len(Text(camera_summary(s)).wrap(self.app.console, width))

    def show(self, entries: list[QueueEntry], statuses: dict[str, EntryStatus], select: str | None = None) -> None:
        """Rebuild the rows (entries are few); keeps the cursor on `select` or the row it was on."""
        keep = select or self.selected_id
        self._shown = (entries, statuses)
        self.clear()
        self._active.clear()
        for number, entry in enumerate(entries, 1):
            status = statuses.get(entry.id) or EntryStatus(DRAFT)
            self.add_row(*self._cells(number, entry, status), key=entry.id, height=self._height(entry))
            if status.active:
                self._active[entry.id] = status
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        self.call_after_refresh(self.fit_columns)

    def update_entry(self, number: int, entry: QueueEntry, status: EntryStatus) -> None:
        if entry.id not in self.rows:
            return
        for (column, _, _), value in zip(COLUMNS, self._cells(number, entry, status), strict=True):
            self.update_cell(entry.id, column, value)
        if status.active:
            self._active[entry.id] = status
        else:
            self._active.pop(entry.id, None)

    def spin(self) -> None:
        """Turn the spinner of every row whose video is on its way (while the screen is shown)."""
        if not self._active or not self.screen.is_current:
            return
        self._frame += 1
        for entry_id, status in self._active.items():
            if entry_id in self.rows:
                self.update_cell(entry_id, "status", status_label(status, self._frame))
