"""The run view: one run's steps (state, done/total, cost) and the highlighted step's outputs as they arrive —
the prompt list, the images (a thumbnail grid), the videos (poster frames), the script per language, the audio
files and the final videos (a poster frame). Owns its keys and posts what the user asked for; the screen runs it
(`flows.py`) and hands back fresh statuses (`show`)."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pixflow_tui.tui.screens.machine.media import picture_of
from pixflow_tui.tui.widgets.image_preview import ImagePreview
from pixflow_tui.tui.widgets.thumbnail_grid import GridEntry, ThumbnailGrid
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import machine as flow
from pixflow_tui.workflows.context import AppContext

STATE_MARK = {"pending": "· pending", "running": "◐ running", "done": "✓ done", "partial": "✗ partial",
              "failed": "✗ failed"}
ACTIVE = ("running", "confirming")
NO_RUN = "No run yet: fill in the inputs, d prices it (a dry run), ctrl+r runs it."
PLAN_HINT = "ctrl+r runs it · a new dry run replaces this"


class StepTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="machine-step-down"),
        Binding("k", "cursor_up", "Up", show=False, id="machine-step-up"),
    ]


class RunView(Vertical):
    """Keys: R retry from the highlighted step, u resume, n start over, x export, l earlier runs, g the outputs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "retry", "Retry from step", id="machine-retry"),
        Binding("u", "resume", "Resume", id="machine-resume"),
        Binding("n", "start_over", "Start over", id="machine-start-over"),
        Binding("x", "export", "Export", id="machine-export"),
        Binding("l", "runs", "Runs", id="machine-runs"),
        Binding("g", "outputs", "Outputs", show=False, id="machine-outputs"),
    ]

    class Wanted(Message):
        """The user asked for `what` (retry, resume, start_over, export, runs) on run `run_id` (step: retry)."""

        def __init__(self, what: str, run_id: int | None, step: str | None = None) -> None:
            super().__init__()
            self.what, self.run_id, self.step = what, run_id, step

    class _Pictures(Message, bubble=False):
        def __init__(self, step: str, entries: list[GridEntry]) -> None:
            super().__init__()
            self.step, self.entries = step, entries

    def __init__(self, context: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context = context
        self.status: flow.MachineStatus | None = None
        self.plan: flow.MachinePlan | None = None  # a dry run shown instead of a run
        self._shown: tuple[str, tuple[str, ...]] | None = None  # the step and outputs shown below the table

    def compose(self) -> ComposeResult:
        yield Static(NO_RUN, id="machine-run-head", markup=False)
        yield StepTable(id="machine-steps", cursor_type="row", zebra_stripes=False)
        with Vertical(id="machine-output"):
            yield Static("", id="machine-output-text", markup=False)
            settings = self.context.settings
            yield ThumbnailGrid(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir, cell_width=18,
                                empty="No pictures yet.", id="machine-grid")
            yield ImagePreview(renderer=settings.image_renderer, cache_dir=settings.thumbnails_dir,
                               id="machine-poster")

    def on_mount(self) -> None:
        self.border_title = "Run"
        table = self.table
        for key, label in (("step", "Step"), ("state", "State"), ("progress", "Done"), ("cost", "Cost"),
                           ("model", "Model")):
            table.add_column(label, key=key)
        self.query_one("#machine-grid").display = False
        self.query_one("#machine-poster").display = False
        table.display = False

    @property
    def table(self) -> StepTable:
        return self.query_one(StepTable)

    @property
    def run_id(self) -> int | None:
        return self.status.run_id if self.status else None

    @property
    def active(self) -> bool:
        return self.status is not None and self.status.status in ACTIVE

    # -- a dry run ------------------------------------------------------------------------------------------

    def show_plan(self, plan: flow.MachinePlan) -> None:
        """The dry run: each step's model, paid calls and estimate, and the budget (or its refusal)."""
        self.plan = plan
        self.border_title = "Dry run"
        head = f"Dry run · {plan.inputs.concept} · about ${plan.estimate:.2f}"
        self.query_one("#machine-run-head", Static).update(head)
        table = self.table
        table.clear()
        table.display = True
        for step in plan.steps:
            table.add_row(step.name, "planned", f"{step.calls} paid" if step.calls else "free",
                          step.cost_text(plan.paid.demo), step.model, key=step.name)
        lines = plan.paid.lines()
        if plan.refusal:
            lines = [f"Refused: {plan.refusal}", *lines]
        self._show_text("\n".join([*lines, "", PLAN_HINT]))
        self._shown = None

    # -- a run ----------------------------------------------------------------------------------------------

    def show(self, status: flow.MachineStatus) -> None:
        fresh = self.status is None or self.status.run_id != status.run_id or self.plan is not None
        self.plan = None
        self.status = status
        self.border_title = f"Run {status.run_id}"
        done = sum(s.done for s in status.steps)
        total = sum(s.total for s in status.steps)
        head = f"{status.concept} · {status.status} · {done}/{total} · ${status.cost:.2f}"
        if status.error and status.status in ("stopped", "failed"):
            head += f"\n{status.error}"
        self.query_one("#machine-run-head", Static).update(head)
        table = self.table
        table.display = True
        if fresh:
            table.clear()
        for step in status.steps:
            cells = (step.name, STATE_MARK.get(step.state, step.state), f"{step.done}/{step.total}",
                     f"${step.cost:.2f}" if step.total and step.name in flow.PAID_STEPS else "free", "")
            if fresh or step.name not in {str(k.value) for k in table.rows}:
                table.add_row(*cells, key=step.name)
            else:
                for column, value in zip(("step", "state", "progress", "cost", "model"), cells, strict=True):
                    table.update_cell(step.name, column, value)
        if fresh:
            self._shown = None
        self.show_outputs()

    def clear(self) -> None:
        self.status, self.plan, self._shown = None, None, None
        self.table.clear()
        self.table.display = False
        self.query_one("#machine-run-head", Static).update(NO_RUN)
        self._show_text("")

    @property
    def current_step(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        if self.plan is None:
            self.show_outputs()

    # -- the highlighted step's outputs ---------------------------------------------------------------------

    def _show_text(self, text: str) -> None:
        self.query_one("#machine-output-text", Static).update(text)
        self.query_one("#machine-grid").display = False
        self.query_one("#machine-poster").display = False

    def show_outputs(self) -> None:
        status, name = self.status, self.current_step
        if status is None or name is None:
            return
        step = status.step_named(name)
        shown = (name, tuple(str(o) for o in step.outputs))
        if shown == self._shown:
            return
        self._shown = shown
        errors = "\n".join(f"✗ {e}" for e in step.errors[:5])
        if name == "prompts":
            text = "\n".join(f"{n}. {p}" for n, p in enumerate(step.outputs, 1)) or "No prompts yet."
        elif name == "script":
            text = "\n\n".join(f"{code}: {body}" for code, body in status.scripts.items()) or "No script yet."
        elif name == "speech":
            text = "\n".join(f"♪ {Path(p).name}\n  {p}" for p in step.outputs) or "No audio yet."
        elif name == "lipsync":
            text = "\n".join(f"▶ {Path(p).name}\n  {p}" for p in step.outputs) or "No final video yet."
        else:
            text = f"{step.done}/{step.total} {name} · g: browse them" if step.outputs else f"No {name} yet."
        self._show_text("\n".join(t for t in (text, errors) if t))
        if step.outputs and name in ("images", "videos", "lipsync"):
            self._load_pictures(name, [str(o) for o in step.outputs])

    def _load_pictures(self, name: str, outputs: list[str]) -> None:
        cache = self.context.settings.thumbnails_dir

        def work() -> None:
            entries = [GridEntry(path, picture_of(path, cache), Path(path).name) for path in outputs]
            self.post_message(self._Pictures(name, entries))

        start_thread(self, work, name="Reading the run's pictures", group="machine-pictures")

    def on_run_view__pictures(self, message: _Pictures) -> None:
        if self._shown is None or self._shown[0] != message.step:
            return
        if message.step == "lipsync":
            poster = self.query_one("#machine-poster", ImagePreview)
            picture = next((e.path for e in message.entries if e.path), None)
            poster.display = picture is not None
            if picture is not None and poster.path != Path(picture):
                poster.show(picture)
            return
        grid = self.query_one("#machine-grid", ThumbnailGrid)
        grid.display = True
        grid.replace(message.entries, more=False)

    # -- keys -----------------------------------------------------------------------------------------------

    def _want(self, what: str, step: str | None = None) -> None:
        if what != "runs" and self.run_id is None:
            self.app.notify("No run shown: start one (ctrl+r) or open an earlier one (l).", severity="warning")
            return
        self.post_message(self.Wanted(what, self.run_id, step))

    def action_retry(self) -> None:
        self._want("retry", self.current_step)

    def action_resume(self) -> None:
        self._want("resume")

    def action_start_over(self) -> None:
        self._want("start_over")

    def action_export(self) -> None:
        self._want("export")

    def action_runs(self) -> None:
        self._want("runs")

    def action_outputs(self) -> None:
        grid = self.query_one("#machine-grid", ThumbnailGrid)
        if grid.display:
            grid.focus()
