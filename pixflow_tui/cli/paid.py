"""The CLI's side of the one door for paid work: show the plan, refuse over the cap, ask on a terminal or
need `--yes`, and `--dry-run` to print the plan and spend nothing. Every paying command calls `settle`."""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pixflow_tui.cli.common import ExitCode, error, print_json

if TYPE_CHECKING:  # the paid work (the engine behind it) loads with a command that pays
    from pixflow_tui.workflows.paid_work import PaidPlan
    from pixflow_tui.config import Settings
    from pixflow_tui.workflows.context import AppContext


def add_spending_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="print the plan and its cost; spend nothing")
    parser.add_argument("--yes", action="store_true", help="do not ask before spending")


def settle(plan: PaidPlan, args: argparse.Namespace, *, details: dict[str, Any] | None = None,
           human: list[str] | None = None) -> int | None:
    """None when the work may go ahead; otherwise the exit code to stop with (nothing has been written)."""
    if plan.refusal:
        error(plan.refusal)
        return ExitCode.BUDGET
    if getattr(args, "dry_run", False):
        if getattr(args, "json", False):
            print_json({"dry_run": True, **(details or {}), **plan.describe()})
        else:
            print("\n".join([*(human or []), *plan.lines()]))
        return ExitCode.OK
    if plan.estimate <= 0 or getattr(args, "yes", False):
        return None
    if not sys.stdin.isatty():
        error(f"this would spend {plan.cost_text()} at {', '.join(plan.providers)}; add --yes to confirm "
              "(or --dry-run to see the plan)")
        return ExitCode.USAGE
    print("\n".join([*(human or []), *plan.lines()]), file=sys.stderr)
    try:
        answer = input("Go ahead? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return None
    error("nothing was run")
    return ExitCode.FAILED


@dataclass
class Spent:
    """What `spend_and_drive` did: `stop` is the exit code when nothing ran (refused, a dry run, not confirmed)."""

    stop: int | None
    batch_id: int = 0
    driven: Any = None  # the engine's EngineSummary (the CLI does not import the engine)

    def stopped(self, args: argparse.Namespace, view: dict[str, Any]) -> int | None:
        """After a signal stopped the run: its exit code (having said what is where, and with --json the view and
        the stop); None when the run ended by itself."""
        from pixflow_tui.cli.common import stopped_exit

        code = stopped_exit(self.driven) if self.driven is not None else None
        if code is not None and getattr(args, "json", False) and self.driven is not None:
            print_json({**view, "stopped": self.driven.stopped, "at_provider": self.driven.at_provider})
        return code


def spend_and_drive(ctx: AppContext, plan: PaidPlan, args: argparse.Namespace, *,
                    details: dict[str, Any] | None = None, human: list[str] | None = None) -> Spent:
    """Settle, commit and drive the plan's batch until its jobs end (whoever drives them)."""
    import asyncio

    from pixflow_tui.cli.progress import batch_progress
    from pixflow_tui.workflows.cli_support import drive_until_done
    from pixflow_tui.workflows.paid_work import commit

    stop = settle(plan, args, details=details, human=human)
    if stop is not None:
        return Spent(stop)
    committed = commit(ctx, plan)
    # a retry has no new batch: its jobs' batches are driven
    batches = sorted({b for b in [committed.batch_id, *(r.job.batch_id for r in plan.requeues)] if b is not None})
    with batch_progress(ctx, {b: plan.count for b in batches}, enabled=not getattr(args, "json", False)):
        driven = asyncio.run(drive_until_done(ctx, batch_ids=batches))
    return Spent(None, committed.batch_id or (batches[0] if batches else 0), driven)


@dataclass(frozen=True)
class PlannedCommand:
    """What a paying command planned: the door's plan, and what `--dry-run` / the question show about it."""

    plan: PaidPlan
    details: dict[str, Any]
    human: list[str]


def run_planned_batch(settings: Settings, args: argparse.Namespace,
                      plan_command: Callable[[AppContext], PlannedCommand], *, noun: str) -> int:
    """A paying command from its plan to its exit code: settle, commit, drive, print the batch (`noun`s made);
    bad input exits 2, the budget 4, an interrupt 130."""
    from pixflow_tui.cli.session import with_context
    from pixflow_tui.core.formatting import plural
    from pixflow_tui.workflows.cli_support import summarize_batch

    def body(ctx: AppContext) -> int:
        planned = plan_command(ctx)
        spent = spend_and_drive(ctx, planned.plan, args, details=planned.details, human=planned.human)
        if spent.stop is not None:
            return spent.stop
        summary = summarize_batch(ctx, spent.batch_id)
        stopped = spent.stopped(args, summary)
        if stopped is not None:
            return stopped
        if getattr(args, "json", False):
            print_json(summary)
        else:
            for job in summary["jobs"]:
                print(f"{job['job_id']:>6}  {job['status']:<10} {job['output_path'] or job['error'] or ''}")
            print(f"batch {summary['batch_id']}: {summary['done']}/{plural(summary['total'], noun)}"
                  f"{' (demo output)' if summary['demo'] and noun == 'image' else ''}, cost ${summary['cost']:.2f}")
        return ExitCode.OK if summary["done"] == summary["total"] else ExitCode.FAILED

    return with_context(settings, body, interrupted=f"interrupted; submitted {noun}s keep rendering at the provider "
                                                    "— `pixflow jobs resume` finishes them")
