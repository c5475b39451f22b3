"""The Machine: the inputs form beside the run view, and one status line. The screen composes them, hands the
form's dry runs and runs and the run view's requests (retry, resume, start over, export, earlier runs) to
`MachineFlows`, and refreshes the run shown on this module's job events (coalesced) and on a timer while it is
active. On arrival it shows the newest run, its inputs in the form (or the empty form)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from pixflow_tui.core.jobs import JobEvent
from pixflow_tui.tui.screens.base import ModuleScreen
from pixflow_tui.tui.screens.dialogs import ChoiceDialog, PathInputDialog
from pixflow_tui.tui.screens.machine.flows import MachineFlows
from pixflow_tui.tui.screens.machine.form import MachineForm
from pixflow_tui.tui.screens.machine.run_view import RunView
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import machine as flow

REFRESH_DELAY = 0.2  # seconds after a job event before the run is read again (events come in floods)
POLL_EVERY = 1.5  # seconds; while the shown run is active (its text steps, another process's jobs)


class MachineScreen(ModuleScreen):
    MODULE = "machine"
    INTRO = "One run: concept → prompts → images → script → speech → lipsync. [ / ] switch"
    EMPTY = ""
    AUTO_FOCUS = "#machine-settings"  # never the concept field: 1–6 must work on arrival
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "focus_part('machine-settings')", "Inputs", show=False,
                id="machine-focus-inputs"),
        Binding("right_square_bracket", "focus_part('machine-steps')", "Run", show=False, id="machine-focus-run"),
    ]

    class _Status(Message, bubble=False):
        def __init__(self, status: flow.MachineStatus | None, inputs: flow.MachineInputs | None) -> None:
            super().__init__()
            self.status, self.inputs = status, inputs

    class _JobMoved(Message, bubble=False):
        pass

    def __init__(self) -> None:
        super().__init__()
        self.flows: MachineFlows | None = None
        self.loaded = False
        self._refresh_timer: Any = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="machine-body"):
            yield MachineForm(self.context, id="machine-form")
            yield RunView(self.context, id="machine-run")
        yield Static("", id="machine-status", markup=False)

    def on_mount(self) -> None:
        # no super().on_mount(): Textual calls ModuleScreen.on_mount itself
        self.flows = MachineFlows(self, self.context, self.say, self.show_run)
        self.query_one("#machine-status").display = False
        self._cleanups.append(self.app_.router.add(self.MODULE, self._note_job_event))
        self._cleanups.append(self.flows.question.give_up)
        self.set_interval(POLL_EVERY, self._poll)
        self._load(None, first=True)

    @property
    def form(self) -> MachineForm:
        return self.query_one(MachineForm)

    @property
    def run_view(self) -> RunView:
        return self.query_one(RunView)

    def say(self, text: str, kind: str = "info") -> None:
        status = self.query_one("#machine-status", Static)
        status.update(text)
        status.display = bool(text)
        for name in ("info", "ok", "busy", "warning", "error"):
            status.set_class(name == kind, f"-{name}")

    def action_focus_part(self, part: str) -> None:
        self.query_one(f"#{part}").focus()

    # -- the run shown --------------------------------------------------------------------------------------

    def _load(self, run_id: int | None, *, first: bool = False) -> None:
        """Read a run's status in a thread (None: the newest run; on arrival its inputs fill the form too)."""
        context = self.context

        def work() -> None:
            wanted = run_id
            if wanted is None:
                runs = context.store.pipeline_runs.list(1)
                wanted = runs[0].id if runs else None
            if wanted is None:
                self.post_message(self._Status(None, None))
                return
            status = flow.run_status(context, wanted)
            inputs = None
            if first:
                record = context.store.pipeline_runs.get(wanted)
                inputs = flow.MachineInputs.from_settings(record.settings) if record else None
            self.post_message(self._Status(status, inputs))

        start_thread(self, work, name="Reading a Machine run", group=f"machine-load-{run_id}")

    def show_run(self, run_id: int) -> None:
        self._load(run_id)

    def on_machine_screen__status(self, message: _Status) -> None:
        self.loaded = True
        if message.inputs is not None:
            self.form.fill(message.inputs)
        if message.status is None:
            return
        self.run_view.show(message.status)

    def _note_job_event(self, event: JobEvent) -> None:
        """On the engine's thread: a job of this module moved."""
        self.post_message(self._JobMoved())

    def on_machine_screen__job_moved(self, _: _JobMoved) -> None:
        if self._refresh_timer is None and self.run_view.run_id is not None:
            self._refresh_timer = self.set_timer(REFRESH_DELAY, self._refresh)

    def _refresh(self) -> None:
        self._refresh_timer = None
        run_id = self.run_view.run_id
        if run_id is not None and self.run_view.plan is None:
            self._load(run_id)

    def _poll(self) -> None:
        if self.is_current and self.run_view.active and self.run_view.plan is None:
            self._refresh()

    # -- the form's requests --------------------------------------------------------------------------------

    def on_machine_form_dry_run_wanted(self, message: MachineForm.DryRunWanted) -> None:
        assert self.flows is not None
        message.stop()
        self.flows.dry_run(message.inputs, self._plan_shown)

    def on_machine_form_run_wanted(self, message: MachineForm.RunWanted) -> None:
        assert self.flows is not None
        message.stop()
        self.flows.run(message.inputs)

    def _plan_shown(self, plan: flow.MachinePlan) -> None:
        self.run_view.show_plan(plan)
        if plan.refusal:
            self.say(f"Not run: {plan.refusal}", "warning")
        else:
            self.say(f"Dry run: {plan.paid.count} paid calls, about ${plan.estimate:.2f}. Nothing was written.", "ok")

    # -- the run view's requests ----------------------------------------------------------------------------

    def on_run_view_wanted(self, message: RunView.Wanted) -> None:
        assert self.flows is not None
        run_id = message.run_id
        if message.what == "runs":
            self._pick_run()
        elif run_id is None:
            return
        elif message.what == "retry" and message.step is not None:
            self.flows.retry(run_id, message.step)
        elif message.what == "resume":
            self.flows.resume(run_id)
        elif message.what == "start_over":
            self.flows.start_over(run_id)
        elif message.what == "export":
            self._export(run_id)

    def _export(self, run_id: int) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None and self.flows is not None:
                self.flows.export(run_id, path)

        default = str(Path.home() / f"machine-run-{run_id}.zip")
        self.app.push_screen(PathInputDialog(f"Export run {run_id} as a zip", value=default, must_exist=False,
                                             want="file"), chosen)

    def _pick_run(self) -> None:
        context = self.context

        def work() -> None:
            runs = flow.list_runs(context, 50)
            self.app.call_from_thread(ask, runs)

        def ask(runs: list[flow.MachineStatus]) -> None:
            if not runs:
                self.say("No runs yet.", "info")
                return
            choices = [(str(r.run_id), f"#{r.run_id:<4} {r.status:<10} ${r.cost:<6.2f} {r.concept[:50]}")
                       for r in runs]
            current = self.run_view.run_id
            self.app.push_screen(ChoiceDialog("Machine runs", choices,
                                              selected=str(current) if current else None), opened)

        def opened(value: str | None) -> None:
            if value:
                self._load(int(value))
                self.run_view.table.focus()

        start_thread(self, work, name="Listing Machine runs", group="machine-runs")
