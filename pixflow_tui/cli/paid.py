"""The CLI's side of the one door for paid work: show the plan, refuse over the cap, ask on a terminal or
need `--yes`, and `--dry-run` to print the plan and spend nothing. Every paying command calls `settle`."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pixflow_tui.cli.common import ExitCode, error, print_json
from pixflow_tui.workflows.paid_work import PaidPlan

if TYPE_CHECKING:
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


def spend_and_drive(ctx: AppContext, plan: PaidPlan, args: argparse.Namespace, *,
                    details: dict[str, Any] | None = None, human: list[str] | None = None) -> tuple[int | None, int]:
    """Settle, commit and drive the plan's batch to its end: (an exit code to stop with, the batch id). The code is
    set when the plan was not run (refused, dry run, not confirmed: batch id 0) or a signal stopped the run."""
    import asyncio

    from pixflow_tui.cli.common import stopped_exit
    from pixflow_tui.cli.progress import batch_progress
    from pixflow_tui.workflows.cli_support import drive_until_done
    from pixflow_tui.workflows.paid_work import commit

    stop = settle(plan, args, details=details, human=human)
    if stop is not None:
        return stop, 0
    batch_id = commit(ctx, plan).batch_id
    assert batch_id is not None
    with batch_progress(ctx, {batch_id: plan.count}, enabled=not getattr(args, "json", False)):
        driven = asyncio.run(drive_until_done(ctx, batch_ids=[batch_id]))
    return stopped_exit(driven), batch_id
