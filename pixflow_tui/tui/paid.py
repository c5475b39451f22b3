"""The TUI's side of the one door for paid work: every payable key plans off the UI thread, shows one
confirmation (count, models, estimate, budget), then commits in a worker. Screens call `spend` or `redo`
(or, to offer a choice between plans, their own dialog and then `commit_in_worker`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

from pixflow_tui.tui.screens.dialogs import ConfirmDialog
from pixflow_tui.tui.workers import start_thread
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import Committed, NothingToPay, PaidPlan, commit, plan_redo

Wording = str | Callable[[PaidPlan], str]
Done = Callable[[Committed], Any]
Refused = Callable[[str], Any]

REDO_WORDING = {
    "regenerate": ("Regenerate this output?", "A new output from the same request and settings; the current one is kept."),
    "retry": ("Retry this job?", "It goes round again; a result the provider already finished is only fetched again."),
}


def _refuse(node: DOMNode, on_refused: Refused | None, message: str) -> None:
    if on_refused is not None:
        on_refused(message)
    else:
        node.app.notify(message, title="Not run", severity="error", timeout=12)


def commit_in_worker(node: DOMNode, context: AppContext, plan: PaidPlan, on_done: Done | None = None,
                     on_refused: Refused | None = None) -> None:
    """Commit a confirmed plan off the UI thread (the door checks the budget again)."""
    app = node.app

    def work() -> None:
        try:
            done = commit(context, plan)
        except InputError as exc:
            app.call_from_thread(_refuse, node, on_refused, f"Not run: {exc}")
            return
        if on_done is not None:
            app.call_from_thread(on_done, done)

    start_thread(node, work, name="Queueing paid work", group="paid", exclusive=False)


def spend(node: DOMNode, context: AppContext, plan_work: Callable[[], PaidPlan], *, title: Wording,
          intro: Wording = "", yes: str = "Run", on_done: Done | None = None,
          on_refused: Refused | None = None) -> None:
    """Plan (in a thread), ask once, commit (in a thread). A plan the budget cap refuses, bad input, or a
    budget that changed before the commit end in `on_refused` (default: an error notification)."""
    app = node.app

    def planning() -> None:
        try:
            plan = plan_work()
        except NothingToPay as exc:
            app.call_from_thread(app.notify, str(exc)[0].upper() + str(exc)[1:] + ".", title="Nothing to pay")
            return
        except InputError as exc:
            app.call_from_thread(_refuse, node, on_refused, str(exc))
            return
        app.call_from_thread(ask, plan)

    def ask(plan: PaidPlan) -> None:
        if plan.refusal:
            _refuse(node, on_refused, f"Not run: {plan.refusal}")
            return
        lead = intro(plan) if callable(intro) else intro
        heading = title(plan) if callable(title) else title
        app.push_screen(ConfirmDialog("\n".join(([lead] if lead else []) + plan.lines()), title=heading, yes=yes,
                                      no="Not now"),
                        lambda confirmed: commit_in_worker(node, context, plan, on_done, on_refused)
                        if confirmed else None)

    start_thread(node, planning, name="Pricing the work", group="paid-plan", exclusive=False)


def redo(node: DOMNode, context: AppContext, job_id: int, on_done: Done | None = None) -> None:
    """The shared `r`: regenerate a done job, retry a failed, cancelled or unknown one — from any screen."""

    def done(committed: Committed) -> None:
        node.app.notify(f"Regenerating job {job_id} as job {committed.job_ids[0]}." if committed.job_ids
                        else f"Job {job_id} queued again.")
        if on_done is not None:
            on_done(committed)

    spend(node, context, lambda: plan_redo(context, job_id), title=lambda plan: REDO_WORDING[plan.action][0],
          intro=lambda plan: REDO_WORDING[plan.action][1], yes="Go ahead", on_done=done)
