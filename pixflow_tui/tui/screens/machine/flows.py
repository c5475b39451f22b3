"""The Machine's long actions, each in a thread worker (the service is synchronous): start, resume, retry from a
step and export. A run asks for the real plan's confirmation from inside `start_machine`/`resume_machine`:
`PlanQuestion` shows one ConfirmDialog on the UI thread and blocks only the worker until it is answered.

The jobs a run commits are leased to this process, so the app's own engine (woken by the commit) drives them
and the run view follows them; a second engine (`drive_machine`) is not started in the TUI."""
from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from pathlib import Path

from textual.dom import DOMNode

from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows import machine as flow
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import NothingToPay, PaidPlan
from pixflow_tui.workflows.prompts import PromptGenerationError
from pixflow_tui.workflows.scripts import ScriptProviderError

Say = Callable[[str, str], object]  # (text, kind: info | ok | busy | warning | error), called on the UI thread
Show = Callable[[int], object]  # show this run, called on the UI thread
POLL = 0.25  # seconds between looks at whether the app still runs while a worker waits for an answer


class PlanQuestion:
    """The `confirm` of start_machine / resume_machine: called on a worker thread with the real plan, it asks
    on the UI thread and waits for the answer. `give_up` (the screen went away) answers no to anything open."""

    def __init__(self, node: DOMNode, say: Say, before_asking: Callable[[], object] | None = None) -> None:
        self.node = node
        self.say = say
        self.before_asking = before_asking
        self._open: set[concurrent.futures.Future[bool]] = set()

    def __call__(self, plan: PaidPlan) -> bool:
        app = self.node.app
        if self.before_asking is not None:
            self.before_asking()
        if plan.refusal:
            self._tell(f"Not run: {plan.refusal}", "warning")
            return False
        answer: concurrent.futures.Future[bool] = concurrent.futures.Future()
        self._open.add(answer)
        try:
            app.call_from_thread(self._ask, plan, answer)
            while True:
                try:
                    return answer.result(timeout=POLL)
                except concurrent.futures.TimeoutError:
                    if not app.is_running:
                        return False
        except RuntimeError:  # the app is closing: nothing is paid
            return False
        finally:
            self._open.discard(answer)

    def _tell(self, text: str, kind: str) -> None:
        try:
            self.node.app.call_from_thread(self.say, text, kind)
        except RuntimeError:
            pass

    def _ask(self, plan: PaidPlan, answer: concurrent.futures.Future[bool]) -> None:
        def answered(yes: bool | None) -> None:
            if not answer.done():
                answer.set_result(bool(yes))

        self.say("Waiting for your go-ahead…", "busy")
        self.node.app.push_screen(ConfirmDialog("\n".join(plan.lines()), title="Pay for this Machine run?",
                                                yes="Pay and run", no="Not now"), answered)

    def give_up(self) -> None:
        for answer in list(self._open):
            if not answer.done():
                answer.set_result(False)


def _newest_run(context: AppContext) -> int | None:
    runs = context.store.pipeline_runs.list(1)
    return runs[0].id if runs else None


class MachineFlows:
    """The screen's long actions. `say` and `show` are called on the UI thread."""

    def __init__(self, node: DOMNode, context: AppContext, say: Say, show: Show) -> None:
        self.node, self.context, self.say, self.show = node, context, say, show
        self.question = PlanQuestion(node, say, self._show_newest)

    def _ui(self, callback: Callable[..., object], *args: object) -> None:
        try:
            self.node.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app closed meanwhile
            pass

    def _show_newest(self) -> None:
        run_id = _newest_run(self.context)
        if run_id is not None:
            self._ui(self.show, run_id)

    # -- dry run and run -------------------------------------------------------------------------------------

    def dry_run(self, inputs: flow.MachineInputs, shown: Callable[[flow.MachinePlan], object]) -> None:
        context = self.context

        def work() -> None:
            try:
                plan = flow.plan_machine(context, inputs)
            except InputError as exc:
                self._ui(self.say, str(exc), "warning")
                return
            self._ui(shown, plan)

        self.say("Pricing the run…", "busy")
        start_thread(self.node, work, name="Pricing a Machine run", group="machine-plan")

    def run(self, inputs: flow.MachineInputs) -> None:
        """Price it (a cap refusal stops here, before anything is written), write the free text steps, ask about
        the real plan, commit it."""
        context = self.context

        def work() -> None:
            try:
                plan = flow.plan_machine(context, inputs)
            except InputError as exc:
                self._ui(self.say, str(exc), "warning")
                return
            if plan.refusal:
                self._ui(self.say, f"Not run: {plan.refusal}", "warning")
                return
            self._ui(self.say, "Writing the prompts and the script (free)…", "busy")
            self._started(lambda: flow.start_machine(context, plan.inputs, self.question))

        self.say("Pricing the run…", "busy")
        start_thread(self.node, work, name="Starting a Machine run", group="machine-run", exclusive=False)

    def _started(self, body: Callable[[], int | None]) -> None:
        """On the worker: run `body` (start or resume), then say how it went and show the run."""
        try:
            run_id = body()
        except InputError as exc:  # bad inputs, or BudgetExceeded at the commit (the run is marked stopped)
            self._show_newest()
            self._ui(self.say, f"Not run: {exc}", "warning")
            return
        except (PromptGenerationError, ScriptProviderError) as exc:
            self._show_newest()
            self._ui(self.say, f"{exc} (u resumes it here)", "error")
            return
        if run_id is None:
            return
        self.context.wake_engine()
        self._ui(self.show, run_id)
        status = flow.run_status(self.context, run_id)
        if status.status == "stopped":
            self._ui(self.say, f"Run {run_id} stopped before paying: nothing was spent. u resumes it.", "warning")
        else:
            self._ui(self.say, f"Run {run_id} is running: the steps below follow it.", "ok")

    def resume(self, run_id: int) -> None:
        context = self.context

        def body() -> int:
            flow.resume_machine(context, run_id, self.question, drive=False)
            return run_id

        self.say(f"Resuming run {run_id}…", "busy")
        start_thread(self.node, lambda: self._started(body), name="Resuming a Machine run", group="machine-run",
                     exclusive=False)

    def start_over(self, run_id: int) -> None:
        run = self.context.store.pipeline_runs.get(run_id)
        if run is None:
            self.say(f"There is no run {run_id}.", "warning")
            return
        self.run(flow.MachineInputs.from_settings(run.settings))

    # -- retry from a step -----------------------------------------------------------------------------------

    def retry(self, run_id: int, step: str) -> None:
        """The door's two steps: plan (worker), one confirmation, then `commit_retry` (worker), which also marks
        the run running again (paid_work.commit alone would not, so tui/paid.spend is not used here)."""
        context, app = self.context, self.node.app

        def planning() -> None:
            try:
                plan = flow.plan_retry_machine(context, run_id, step)
            except NothingToPay as exc:
                self._ui(self.say, str(exc), "ok")
                return
            except InputError as exc:
                self._ui(self.say, str(exc), "warning")
                return
            self._ui(ask, plan)

        def ask(plan: PaidPlan) -> None:
            if plan.refusal:
                self.say(f"Not run: {plan.refusal}", "warning")
                return
            self.say("", "info")
            app.push_screen(ConfirmDialog("\n".join(plan.lines()), title=f"Retry run {run_id} from {step}?",
                                          yes="Retry", no="Not now"),
                            lambda yes: committing(plan) if yes else None)

        def committing(plan: PaidPlan) -> None:
            def work() -> None:
                try:
                    flow.commit_retry(context, run_id, plan)
                except InputError as exc:
                    self._ui(self.say, f"Not run: {exc}", "warning")
                    return
                self._ui(self.say, f"Run {run_id} goes round again from {step}.", "ok")
                self._ui(self.show, run_id)

            start_thread(self.node, work, name="Queueing a Machine retry", group="machine-retry", exclusive=False)

        self.say(f"Pricing the retry from {step}…", "busy")
        start_thread(self.node, planning, name="Pricing a Machine retry", group="machine-retry-plan")

    # -- export ----------------------------------------------------------------------------------------------

    def export(self, run_id: int, path: Path) -> None:
        context = self.context

        def work() -> None:
            try:
                written = flow.export_machine(context, run_id, path)
            except InputError as exc:
                self._ui(self.say, str(exc), "warning")
                return
            self._ui(self.say, f"Exported run {run_id} to {written}.", "ok")

        self.say(f"Exporting run {run_id}…", "busy")
        start_thread(self.node, work, name="Exporting a Machine run", group="machine-export", exclusive=False)
