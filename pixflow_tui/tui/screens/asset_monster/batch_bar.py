"""Asset Monster's batch bar: the shown batch's counts, progress and ETA, and what acts on the whole batch
(export it, cancel it, open another one)."""
from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static

from pixflow_tui.core.formatting import local_time, plural
from pixflow_tui.core.jobs import JobState
from pixflow_tui.tui.screens.asset_monster.background import in_thread
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, PathInputDialog
from pixflow_tui.workflows.asset_monster import (
    BatchSummary, batch_images, default_export_path, images_for_jobs, list_batches,
)
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.exports import renamed
from pixflow_tui.workflows.library import ExportResult, export_zip


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
    """One line of the batch list: `#3 sunset portraits · done · 8/8 · 2026-05-01 14:02 CEST` (local time)."""
    batch = summary.batch
    return (f"#{batch.id} {(batch.name or batch.concept or 'untitled')[:40]} · {batch.status} · "
            f"{summary.count(JobState.DONE)}/{summary.total} · {local_time(batch.created_at)}")


def _set_text(label: Static, text: str | Text) -> None:
    """Update a one-line label; lay the screen out again only when its width can change (a layout of the whole
    screen takes tens of ms while a batch runs, and this runs after every burst of job events)."""
    old = str(label.content)
    if text != old:
        label.update(text, layout=len(text) != len(old) and label.styles.width is not None
                     and label.styles.width.is_auto)


class BatchBar(Vertical):
    """Title line with counts, then the progress bar and the ETA (a separate label so snapshots can hide it).
    The results pane sets `summary` and `eta`; the screen's keys call `export`, `cancel_batch` and `pick`."""

    summary: reactive[BatchSummary | None] = reactive(None, init=False)
    eta: reactive[float | None] = reactive(None, init=False)
    hint: reactive[str] = reactive("", init=False)

    class OpenBatch(Message):
        """The user picked batch `batch_id` to show."""

        def __init__(self, batch_id: int) -> None:
            super().__init__()
            self.batch_id = batch_id

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context

    def compose(self) -> ComposeResult:
        yield Static("", id="batch-title", markup=False)
        with Horizontal():
            yield ProgressBar(total=1, show_eta=False, id="batch-progress")
            yield Static("", id="batch-eta", markup=False)
            yield Static("", id="batch-hint", markup=False)

    def on_mount(self) -> None:
        self._show()

    def watch_summary(self) -> None:
        self._show()

    def watch_eta(self) -> None:
        self._show()

    def watch_hint(self) -> None:
        self._show()

    def _show(self) -> None:
        summary = self.summary
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
            _set_text(eta_label, format_eta(self.eta) if summary.active else "")
        _set_text(self.query_one("#batch-hint", Static), self.hint)

    # -- the whole batch ---------------------------------------------------------------------------------

    def pick(self) -> None:
        """Pick an older batch to show (they all stay in the database)."""
        context = self.context
        in_thread(self, lambda: list_batches(context), self._show_batches, name="Listing batches", group="batches",
                  exclusive=True)

    def _show_batches(self, batches: list[BatchSummary]) -> None:
        if not batches:
            self.notify("No batches yet.", severity="warning")
            return
        choices = [(str(s.batch.id), batch_label(s)) for s in batches]
        selected = str(self.summary.batch.id) if self.summary is not None else None
        self.app.push_screen(ChoiceDialog("Batches (newest first)", choices, selected=selected), self._picked)

    def _picked(self, choice: str | None) -> None:
        if choice:
            self.post_message(self.OpenBatch(int(choice)))

    def cancel_batch(self) -> None:
        if self.summary is None:
            return
        batch_id, context = self.summary.batch.id, self.context

        def cancelled(counts: dict[JobState, int]) -> None:
            count = counts.get(JobState.CANCELLED, 0)
            self.notify(f"{plural(count, 'job')} of batch #{batch_id} cancelled; finished images "
                        "are kept.")

        self.app.push_screen(ConfirmDialog(
            f"Cancel every unfinished job of batch #{batch_id}? Finished images are kept.",
            title="Cancel the batch?", yes="Cancel jobs", no="Keep running"),
            lambda yes: in_thread(self, lambda: context.cancel_batch(batch_id), cancelled,
                                  name="Cancelling the batch", group="results") if yes else None)

    def export(self, marked: list[int]) -> None:
        """Export the `marked` jobs' images, or (none marked) the whole batch's, as a zip."""
        summary = self.summary
        if summary is None:
            self.notify("No batch to export yet.", severity="warning")
            return
        default = default_export_path(self.context, summary.batch, selection=bool(marked))
        what = f"the {plural(len(marked), 'marked image')}" if marked else f"all images of batch #{summary.batch.id}"

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            target = path / default.name if path.is_dir() else path
            self._write(target, marked, summary)

        self.app.push_screen(PathInputDialog(
            f"Export {what} as a zip", "Images plus prompts.json with prompts, settings and ratings; an existing "
            "file is never overwritten.", value=str(default), must_exist=False), chosen)

    def _write(self, target: Path, marked: list[int], summary: BatchSummary) -> None:
        context = self.context

        def work() -> ExportResult:
            images = images_for_jobs(context, marked) if marked else batch_images(context, summary.batch.id)
            return export_zip(context, images, target)

        def exported(result: ExportResult) -> None:
            note = f" ({plural(len(result.missing), 'file')} missing)" if result.missing else ""
            self.notify(f"Exported {plural(result.files, 'image')} with prompts.json to {result.path}{note}"
                        f"{renamed(target, result.path)}", timeout=12)

        in_thread(self, work, exported, name="Exporting", group="results",
                  refused=lambda message: self.notify(message, title="Not exported", severity="error", timeout=12))
