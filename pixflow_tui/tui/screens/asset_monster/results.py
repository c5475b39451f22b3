"""Asset Monster's results side: the batch bar (progress, ETA), the job table with marks, the preview and details."""
from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import ProgressBar, Static

from pixflow_tui.tui import action_keys
from pixflow_tui.core.jobs import JobState, JobView
from pixflow_tui.tui.widgets.job_table import JobTable
from pixflow_tui.workflows.asset_monster import BatchSummary, JobDetail

MARK = "● "


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = max(1, round(seconds))
    return f"ETA {whole // 60}:{whole % 60:02d}" if whole >= 60 else f"ETA {whole}s"


def status_word(summary: BatchSummary) -> str:
    """From the job counts (the stored batch status lags while jobs move)."""
    if summary.active:
        untouched = summary.count(JobState.PENDING)
        return "waiting" if untouched == summary.active and not summary.finished else "running"
    return summary.batch.status


def summary_text(summary: BatchSummary) -> Text:
    """`#3 sunset portraits · running · 5/8 done · 1 failed` (no clock: the ETA is a separate label)."""
    batch = summary.batch
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"Batch #{batch.id} ", style="bold")
    text.append(batch.name or batch.concept or "untitled")
    text.append(f" · {status_word(summary)}", style="bold")
    text.append(f" · {summary.count(JobState.DONE)}/{summary.total} done")
    for state, style in ((JobState.FAILED, "red"), (JobState.CANCELLED, "dim"), (JobState.UNKNOWN, "magenta")):
        if summary.count(state):
            text.append(f" · {summary.count(state)} {state}", style=style)
    if batch.settings.get("provider") == "demo":
        text.append(" · demo", style="dim")
    return text


def batch_label(summary: BatchSummary) -> str:
    """One line of the batch list: `#3 sunset portraits · done · 8/8 · 2026-05-01 14:02`."""
    batch = summary.batch
    when = batch.created_at.strftime("%Y-%m-%d %H:%M")
    return (f"#{batch.id} {(batch.name or batch.concept or 'untitled')[:40]} · {batch.status} · "
            f"{summary.count(JobState.DONE)}/{summary.total} · {when} UTC")


class BatchJobTable(JobTable):
    """The batch's jobs. Keys act on the highlighted row; `space` marks rows for export and Img2Video."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "View", key_display="⏎", id="am-view"),
        Binding("l", "screen.rate('like')", "Like", id=action_keys.LIKE),
        Binding("d", "screen.rate('dislike')", "Dislike", id=action_keys.DISLIKE),
        Binding("0", "screen.rate('clear')", "Clear rating", show=False, id=action_keys.CLEAR_RATING),
        Binding("r", "screen.redo", "Regenerate", id=action_keys.REGENERATE),
        Binding("x", "screen.cancel_job", "Cancel", id=action_keys.CANCEL_JOB),
        Binding("space", "toggle_mark", "Mark", id="am-mark"),
        Binding("f", "screen.favorite", "Favourite prompt", show=False, id=action_keys.FAVOURITE),
        Binding("v", "screen.send_to_video", "Img2Video", id=action_keys.SEND_TO_IMG2VIDEO),
        Binding("o", "screen.open_file", "Open", show=False, id=action_keys.OPEN),
        Binding("y", "screen.copy_prompt", "Copy prompt", show=False, id=action_keys.COPY_PROMPT),
        Binding("M", "clear_marks", "Clear marks", show=False, id="am-clear-marks"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.marked: set[int] = set()

    @property
    def selected_job_id(self) -> int | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def job_ids(self) -> list[int]:
        return [int(key.value) for key in self.rows if key.value is not None]

    def _cells(self, view: JobView) -> tuple[str | Text, ...]:
        cells = super()._cells(view)
        return ((MARK if view.job_id in self.marked else "") + str(cells[0]), *cells[1:])

    def load(self, views: list[JobView]) -> None:  # type: ignore[override]
        self.marked &= {v.job_id for v in views}
        super().load(views)

    def _show_mark(self, job_id: int) -> None:
        key = str(job_id)
        if key not in self.rows:
            return
        index = str(self.get_cell(key, "index")).removeprefix(MARK)
        self.update_cell(key, "index", (MARK if job_id in self.marked else "") + index)

    def action_toggle_mark(self) -> None:
        job_id = self.selected_job_id
        if job_id is None:
            return
        self.marked.symmetric_difference_update({job_id})
        self._show_mark(job_id)
        self.action_cursor_down()
        self.screen.refresh_bindings()

    def action_clear_marks(self) -> None:
        marked, self.marked = self.marked, set()
        for job_id in marked:
            self._show_mark(job_id)
        self.screen.refresh_bindings()


class BatchBar(Vertical):
    """Title line with counts, then the progress bar and the ETA (a separate label so snapshots can hide it)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="batch-title", markup=False)
        with Horizontal():
            yield ProgressBar(total=1, show_eta=False, id="batch-progress")
            yield Static("", id="batch-eta", markup=False)
            yield Static("", id="batch-hint", markup=False)

    def show(self, summary: BatchSummary | None, *, eta: float | None = None, hint: str = "") -> None:
        title = self.query_one("#batch-title", Static)
        bar = self.query_one(ProgressBar)
        eta_label = self.query_one("#batch-eta", Static)
        bar.display = summary is not None
        if summary is None:
            _set_text(title, "No batch yet")
            _set_text(eta_label, "")
        else:
            _set_text(title, summary_text(summary))
            bar.update(total=max(1, summary.total), progress=summary.finished)
            _set_text(eta_label, format_eta(eta) if summary.active else "")
        _set_text(self.query_one("#batch-hint", Static), hint)


def _set_text(label: Static, text: str) -> None:
    """Update a one-line label; lay the screen out again only when its width can change (a layout of the whole
    screen takes tens of ms while a batch runs, and this runs after every burst of job events)."""
    old = str(label.content)
    if text != old:
        label.update(text, layout=len(text) != len(old) and label.styles.width is not None
                     and label.styles.width.is_auto)


def detail_text(detail: JobDetail | None, marked: int = 0) -> Text:
    """The selected job in a few lines: state, dimensions and path (or the failure), prompt."""
    text = Text()
    if detail is None:
        text.append("No job selected.", style="dim")
        return text
    job = detail.job
    text.append(f"Job {job.id}", style="bold")
    text.append(f" · {job.status}", style="bold red" if job.status == JobState.FAILED else "bold")
    if job.parent_job_id:
        text.append(f" · remake of job {job.parent_job_id}", style="dim")
    if detail.image is not None and detail.image.rating:
        text.append(" · liked" if detail.image.rating == 1 else " · disliked",
                    style="green" if detail.image.rating == 1 else "red")
    text.append("\n")
    if job.status == JobState.FAILED:
        text.append(f"Reason: {job.error or 'no reason given'}\n", style="red")
    elif job.status == JobState.UNKNOWN:
        text.append("The app stopped while sending this job; the provider may have it. r retries it.\n",
                    style="magenta")
    else:
        text.append(detail.describe() + "\n", style="dim")
    if detail.prompt is not None:
        text.append(detail.prompt.short(240))
    if marked:
        text.append(f"\n{marked} marked (e exports them, v sends them to Img2Video)", style="dim")
    return text


class JobDetails(Static):
    _lines = -1

    def show(self, detail: JobDetail | None, marked: int = 0) -> None:
        text = detail_text(detail, marked)
        # the screen is laid out again only when the pane's height changes (its height is auto): a layout takes
        # tens of ms while a batch runs, and the selected job's details change with every state it goes through
        width = self.content_region.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else -1
        self.update(text, layout=lines != self._lines or lines < 0)
        self._lines = lines
