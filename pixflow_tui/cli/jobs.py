"""`pixflow jobs list|show|resume|cancel|retry`: the job ledger from the command line."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pixflow_tui.core.formatting import plural
from pixflow_tui.cli.common import NOTHING_FOUND, ExitCode, error, plain_value, print_json, start_logging, stopped_exit
from pixflow_tui.cli.paid import add_spending_flags, settle
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings
from pixflow_tui.core.jobs import RESUMABLE_STATES, JobState
from pixflow_tui.workflows.errors import InputError
from pixflow_tui.workflows.job_views import job_summary
from pixflow_tui.workflows.quick_reads import quick_jobs

if TYPE_CHECKING:  # the engine, the paid work and the providers load with the command that needs them: a listing
    # read from the file alone (quick_reads.py) loads none of them
    from pixflow_tui.workflows.context import AppContext
    from pixflow_tui.workflows.reconcile import Reconciled


def register(subparsers: Any) -> None:
    jobs = subparsers.add_parser("jobs", help="list, inspect, resume, cancel or retry jobs",
                                 description="Exit codes: 0 success, 1 something failed or was left unfinished, "
                                             "2 usage, 3 config/database.")
    commands = jobs.add_subparsers(dest="jobs_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="list jobs, newest first", epilog=NOTHING_FOUND)
    listing.add_argument("--batch", type=int, help="only this batch")
    listing.add_argument("--status", choices=[str(s) for s in JobState], help="only jobs in this state")
    listing.add_argument("--limit", type=int, default=50, help="show at most this many jobs (default: 50)")
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(handler=run_list, quick_read=True)
    show = commands.add_parser("show", help="everything about one job")
    show.add_argument("job_id", type=int, help="the job's id")
    show.add_argument("--json", action="store_true", help="print the result as JSON")
    show.set_defaults(handler=run_show)
    resume = commands.add_parser("resume", help="drive every unfinished job to an end state, then exit")
    resume.add_argument("--batch", type=int, action="append", help="only these batches")
    resume.add_argument("--json", action="store_true", help="print the result as JSON")
    resume.set_defaults(handler=run_resume)
    cancel = commands.add_parser("cancel", help="cancel jobs (remote ones get the provider's cancel call)")
    cancel.add_argument("job_ids", type=int, nargs="*", help="the jobs' ids")
    cancel.add_argument("--batch", type=int, help="cancel every unfinished job of this batch")
    cancel.add_argument("--json", action="store_true", help="print the result as JSON")
    cancel.set_defaults(handler=run_cancel)
    retry = commands.add_parser("retry", help="send failed, cancelled or unknown jobs round again")
    retry.add_argument("job_ids", type=int, nargs="+", help="the jobs' ids")
    retry.add_argument("--no-run", action="store_true", help="only mark them; a running TUI or `resume` drives them")
    add_spending_flags(retry)
    retry.add_argument("--json", action="store_true", help="print the result as JSON")
    retry.set_defaults(handler=run_retry)


def _with_context(settings: Settings, body: Any) -> int:
    return with_context(settings, body, interrupted="interrupted; jobs at the provider keep running — `pixflow jobs resume` finishes them")


def _line(job: dict[str, Any]) -> str:
    where = job["output_path"] or job["error"] or ""
    return f"{job['job_id']:>6}  batch {job['batch_id'] or '-':<5} {job['kind']:<8} {job['status']:<11} {where}"


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    quick = quick_jobs(settings, args.batch, args.status, args.limit)
    if quick is not None:
        return _print_jobs(quick, args.json)

    def body(ctx: AppContext) -> int:
        statuses = [JobState(args.status)] if args.status else None
        return _print_jobs([job_summary(j) for j in ctx.store.jobs.list(batch_id=args.batch, statuses=statuses,
                                                                          limit=args.limit, newest_first=True)],
                           args.json)

    start_logging(settings)  # not before the command (`quick_read`): see start_logging
    return _with_context(settings, body)


def _print_jobs(jobs: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print_json(jobs)
    else:
        print("\n".join(_line(j) for j in jobs) if jobs else "no jobs")
    return ExitCode.OK


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        job = ctx.store.jobs.get(args.job_id)
        if job is None:
            error(f"there is no job {args.job_id}")
            return ExitCode.FAILED
        data = {**job_summary(job), "request": job.request, "result": job.result}
        if args.json:
            print_json(data)
        else:
            for key, value in data.items():
                print(f"{key:<14} {plain_value(value)}")
        return ExitCode.OK

    return _with_context(settings, body)


def _drive(ctx: AppContext, args: argparse.Namespace, batch_ids: list[int] | None,
           job_ids: list[int] | None = None) -> int:
    import asyncio

    from pixflow_tui.cli.progress import batch_progress
    from pixflow_tui.workflows.cli_support import drive_until_done

    unfinished = [j for j in ctx.store.jobs.list(statuses=RESUMABLE_STATES)
                  if (batch_ids is None or j.batch_id in batch_ids) and (job_ids is None or j.id in job_ids)]
    totals: dict[int, int] = {}
    for job in unfinished:
        if job.batch_id is not None:
            totals[job.batch_id] = totals.get(job.batch_id, 0) + 1
    with batch_progress(ctx, totals, enabled=not args.json and bool(unfinished)):
        # jobs named by this command are waited for even while another live process drives them
        driving = drive_until_done(ctx, job_ids=job_ids) if job_ids is not None else ctx.run_jobs(batch_ids=batch_ids)
        summary = asyncio.run(driving)
    after = [ctx.store.jobs.get(j.id) for j in unfinished]
    states = {str(s): sum(1 for j in after if j and j.status == s) for s in JobState}
    # driven: unfinished when the command started; finished_here: those this process itself brought to an end
    result = {"driven": len(unfinished), "finished_here": sum(summary.finished.values()), "stalled": summary.stalled,
              "states": states,
              "unknown": [j.id for j in ctx.store.jobs.list(statuses=[JobState.UNKNOWN])],
              "stopped": summary.stopped, "at_provider": summary.at_provider}
    if args.json:
        print_json(result)
    else:
        counts = ", ".join(f"{n} {s}" for s, n in states.items() if n)
        print(f"{plural(len(unfinished), 'job')} driven: {counts or 'nothing to do'}")
        if summary.stalled:
            print(f"still at the provider (unreachable now): {summary.stalled}; run `pixflow jobs resume` again")
        if result["unknown"]:
            print(f"unknown (may or may not be at the provider): {result['unknown']}; "
                  "`pixflow jobs retry ID` re-submits one if you accept a possible second charge")
    stopped = stopped_exit(summary)
    if stopped is not None:
        return stopped
    failed = any(j and j.status != JobState.DONE for j in after)
    return ExitCode.FAILED if failed or summary.stalled else ExitCode.OK


def run_resume(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        unknown = [j.id for j in ctx.store.jobs.list(statuses=[JobState.UNKNOWN])
                   if args.batch is None or j.batch_id in args.batch]
        _reconcile(ctx, unknown, quiet=args.json)  # free: only asks the provider, and follows what it has
        return _drive(ctx, args, args.batch)

    return _with_context(settings, body)


def run_cancel(args: argparse.Namespace, settings: Settings) -> int:
    if not args.job_ids and args.batch is None:
        error("name job ids or --batch ID")
        return ExitCode.USAGE

    from pixflow_tui.workflows.cli_support import JobActionError

    def body(ctx: AppContext) -> int:
        results: dict[str, str] = {}
        code = ExitCode.OK
        if args.batch is not None:
            for state, count in ctx.cancel_batch(args.batch).items():
                results[f"batch {args.batch} {state}"] = str(count)
        for job_id in args.job_ids:
            try:
                results[str(job_id)] = str(ctx.cancel_job(job_id))
            except JobActionError as exc:
                results[str(job_id)] = f"error: {exc}"
                code = ExitCode.FAILED
        if args.json:
            print_json(results)
        else:
            for key, value in results.items():
                print(f"{key}: {value}")
        return code

    return _with_context(settings, body)


def run_retry(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows.paid_work import BudgetExceeded, commit, plan_retry
    from pixflow_tui.workflows.reconcile import FOUND, NO_RECORD

    def body(ctx: AppContext) -> int:
        # an unknown job the provider turns out to have is followed, never sent again
        answers = {a.job_id: a for a in _reconcile(ctx, args.job_ids, quiet=args.json)}
        found = [job_id for job_id, a in answers.items() if a.outcome == FOUND]
        retryable: list[int] = []
        for job_id in args.job_ids:
            if job_id in found:
                continue
            try:
                plan_retry(ctx, [job_id])
                retryable.append(job_id)
            except InputError as exc:
                error(str(exc))
        if not retryable and not found:
            return ExitCode.FAILED
        if retryable:
            no_record = frozenset(job_id for job_id, a in answers.items() if a.outcome == NO_RECORD)
            plan = plan_retry(ctx, retryable, no_record=no_record)
            stop = settle(plan, args, details={"retry": retryable, "found": found})
            if stop is not None:
                return stop
            try:
                commit(ctx, plan)
            except BudgetExceeded as exc:
                error(str(exc))
                return ExitCode.BUDGET
            except InputError as exc:
                error(str(exc))
                return ExitCode.FAILED
        if args.no_run:
            if args.json:
                print_json({"retried": retryable, "found": found})
            else:
                print(f"marked for retry: {retryable}" + (f"; found at the provider: {found}" if found else ""))
            return ExitCode.OK
        code = _drive(ctx, args, None, found + retryable)
        return code if len(found) + len(retryable) == len(args.job_ids) else ExitCode.FAILED

    return _with_context(settings, body)


def _reconcile(ctx: AppContext, job_ids: list[int], *, quiet: bool) -> list[Reconciled]:
    from pixflow_tui.workflows.reconcile import reconcile_unknown

    answers = reconcile_unknown(ctx, job_ids)
    if not quiet:
        for answer in answers:
            print(answer.message, file=sys.stderr)
    return answers
