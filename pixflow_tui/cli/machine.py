"""`pixflow machine`: The Machine — concept to talking-avatar videos as one durable, resumable run."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pixflow_tui.cli.common import NOTHING_FOUND, ExitCode, error, print_json, stopped_exit
from pixflow_tui.cli.paid import add_spending_flags, settle
from pixflow_tui.cli.progress import batch_progress
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows import machine as flow
from pixflow_tui.workflows.avatars import find_avatar
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.paid_work import PaidPlan

EXITS = "Exit codes: 0 done, 1 something failed (or was stopped), 2 usage, 3 config/database, 4 over budget, 130 interrupted."


def register(subparsers: Any) -> None:
    machine = subparsers.add_parser("machine", help="The Machine: concept → prompts → images → script → speech → "
                                                    "lipsync as one resumable run")
    commands = machine.add_subparsers(dest="machine_command", metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="start a run", description=f"Start a Machine run. {EXITS}")
    run.add_argument("--concept", required=True, help="what the content is about (1–300 characters)")
    run.add_argument("--avatar", action="append", required=True, metavar="IMG",
                     help="avatar image or gallery key; the first is the lipsync avatar (must be green-box)")
    run.add_argument("--voice", required=True, choices=[v.name for v in catalog.VOICES], help="speech voice")
    run.add_argument("-n", "--count", type=int, default=flow.DEFAULT_COUNT, help="prompts and images (1–10, default 5)")
    run.add_argument("--ref", action="append", default=[], metavar="IMG", help="reference image (up to 5 in all)")
    run.add_argument("--app", default=flow.DEFAULT_APP, help=f"app/product named in the script (default {flow.DEFAULT_APP})")
    run.add_argument("--duration", type=int, default=flow.DEFAULT_DURATION, choices=flow.DURATIONS,
                     help="script length in seconds (default 15)")
    run.add_argument("--tone", default=catalog.DEFAULT_TONE, choices=catalog.TONES, help="script tone")
    run.add_argument("--languages", default="", metavar="EN,TR", help="speech languages (default: the script's own)")
    run.add_argument("--videos", action="store_true", help="also turn each image into a video")
    run.add_argument("--camera", choices=catalog.CAMERA_MOVEMENTS, metavar="PRESET",
                     help="camera movement of the videos (implies --videos)")
    add_spending_flags(run)
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.set_defaults(handler=run_run)

    listing = commands.add_parser("list", help="list runs", epilog=NOTHING_FOUND)
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", help="a run's steps, progress, cost and outputs")
    show.add_argument("run_id", type=int, help="the run's id")
    show.add_argument("--json", action="store_true", help="print the result as JSON")
    show.set_defaults(handler=run_show)

    resume = commands.add_parser("resume", help="finish a run after a quit or a kill",
                                 description=f"Finish a run: a text step it died in is redone; paid jobs resume "
                                             f"where they were (nothing is planned or paid twice). {EXITS}")
    resume.add_argument("run_id", type=int, help="the run's id")
    add_spending_flags(resume)  # --yes: a run that had not paid yet; --dry-run: say what resume would do
    resume.add_argument("--json", action="store_true", help="print the result as JSON")
    resume.set_defaults(handler=run_resume)

    retry = commands.add_parser("retry", help="retry a run's failed jobs (nothing finished is paid again)",
                                description=f"Retry the failed jobs of a step and the steps after it. {EXITS}")
    retry.add_argument("run_id", type=int, help="the run's id")
    retry.add_argument("--from", dest="from_step", choices=flow.STEPS, help="the step to retry from (default: all)")
    add_spending_flags(retry)
    retry.add_argument("--json", action="store_true", help="print the result as JSON")
    retry.set_defaults(handler=run_retry)

    export = commands.add_parser("export", help="a zip of a run's images, videos, scripts, prompts, audio and videos")
    export.add_argument("run_id", type=int, help="the run's id")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="the zip to write")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(handler=run_export)


def _with_context(settings: Settings, body: Any) -> int:
    return with_context(settings, body, interrupted="interrupted; `pixflow machine resume RUN_ID` finishes the run (see `pixflow machine list`)")


def _avatar_path(ctx: AppContext, key: str) -> str:
    """A gallery key (file:…, image:…) or an image path."""
    if key.startswith(("file:", "image:")):
        return find_avatar(ctx, key).path
    return key


def _inputs(ctx: AppContext, args: argparse.Namespace) -> flow.MachineInputs:
    languages = tuple(code for code in args.languages.split(",") if code.strip())
    return flow.MachineInputs(concept=args.concept, avatars=tuple(_avatar_path(ctx, a) for a in args.avatar),
                              voice=args.voice, count=args.count, references=tuple(args.ref), app=args.app,
                              duration=args.duration, tone=args.tone, languages=languages,
                              videos=args.videos or args.camera is not None, camera=args.camera)


def _ask(plan: PaidPlan, reason: str) -> bool:
    print("\n".join([reason, *plan.lines()]), file=sys.stderr)
    if not sys.stdin.isatty():
        error("not confirmed (no terminal to ask on); nothing was paid")
        return False
    try:
        answer = input("Go ahead? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def run_run(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        plan = flow.plan_machine(ctx, _inputs(ctx, args))
        stop = settle(plan.paid, args, details=plan.describe(), human=plan.lines()[:len(plan.steps) + 1])
        if stop is not None:
            return stop

        def confirm(real: PaidPlan) -> bool:
            # the user accepted the estimate; the real plan (written prompts and script) is asked about again
            # only when it costs more
            if real.estimate <= plan.estimate + 1e-9:
                return True
            return _ask(real, f"the run now costs ${real.estimate:.2f}, more than the ${plan.estimate:.2f} estimated")

        if not args.json:
            print("writing the prompts and the script…", file=sys.stderr)
        run_id = flow.start_machine(ctx, plan.inputs, confirm)
        if not args.json:
            print(f"run {run_id}", file=sys.stderr)
        return _drive_and_report(ctx, run_id, args)

    return _with_context(settings, body)


def _drive_and_report(ctx: AppContext, run_id: int, args: argparse.Namespace, *,
                      resume_confirm: Any = None, resuming: bool = False) -> int:
    status = flow.run_status(ctx, run_id)
    driven = None
    if resuming:
        total = len(ctx.store.jobs.list(batch_id=status.batch_id)) if status.batch_id else 0
        with batch_progress(ctx, {status.batch_id: total} if status.batch_id else {}, enabled=not args.json):
            driven = flow.resume_machine(ctx, run_id, resume_confirm)
    elif status.batch_id is not None:
        total = len(ctx.store.jobs.list(batch_id=status.batch_id))
        with batch_progress(ctx, {status.batch_id: total}, enabled=not args.json):
            driven = flow.drive_machine(ctx, run_id)
    status = flow.run_status(ctx, run_id)
    stopped = stopped_exit(driven) if driven is not None else None
    if args.json:
        extra = {"stopped": driven.stopped, "at_provider": driven.at_provider} if stopped is not None and driven else {}
        print_json({**status.describe(), **extra})
    else:
        _print_status(status)
    if stopped is not None:
        return stopped
    return ExitCode.OK if status.status == "done" else ExitCode.FAILED


def _print_status(status: flow.MachineStatus) -> None:
    print(f"run {status.run_id}: {status.status} · {status.concept} · cost ${status.cost:.2f}"
          + (f" · {status.error}" if status.error else ""))
    for step in status.steps:
        progress = f" {step.done}/{step.total}" if step.total else ""
        cost = f" ${step.cost:.2f}" if step.cost else ""
        print(f"  {step.name:<8} {step.state}{progress}{cost}")
        for output in step.outputs:
            print(f"      {output}")
        for problem in step.errors:
            print(f"      ! {problem}")
    if status.status in ("partial", "failed") and status.batch_id is not None:
        print(f"retry: pixflow machine retry {status.run_id} --from {status.failed_step}")
    elif status.status in ("failed", "stopped", "running", "confirming"):
        print(f"resume: pixflow machine resume {status.run_id}")


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        runs = flow.list_runs(ctx)
        if args.json:
            print_json([{k: v for k, v in r.describe().items() if k != "steps"} for r in runs])
        elif not runs:
            print("no Machine runs yet: `pixflow machine run --concept … --avatar IMG --voice NAME`")
        for run in runs if not args.json else []:
            print(f"{run.run_id:>5}  {run.status:<9} {run.step:<8} ${run.cost:.2f}  {run.concept}")
        return ExitCode.OK

    return _with_context(settings, body)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        status = flow.run_status(ctx, args.run_id)
        if args.json:
            print_json(status.describe())
        else:
            _print_status(status)
        return ExitCode.OK

    return _with_context(settings, body)


def run_resume(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        if args.dry_run:
            return _resume_dry_run(flow.run_status(ctx, args.run_id), args)

        def confirm(plan: PaidPlan) -> bool:
            return settle(plan, args) is None

        return _drive_and_report(ctx, args.run_id, args, resume_confirm=confirm, resuming=True)

    return _with_context(settings, body)


def _resume_dry_run(status: flow.MachineStatus, args: argparse.Namespace) -> int:
    """What resume would do, doing nothing: a run that paid follows its jobs (nothing is paid again); one that
    had not yet redoes its text steps and then asks before paying (so the price is shown then)."""
    paid = status.batch_id is not None
    would = ("follow its jobs where they are; nothing is planned or paid again" if paid else
             "redo the text step it stopped in, then price the paid steps and ask before spending")
    if args.json:
        print_json({"dry_run": True, **status.describe(), "resume_would": would})
    else:
        _print_status(status)
        print(f"dry run: resume would {would}")
    return ExitCode.OK


def run_retry(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        plan = flow.plan_retry_machine(ctx, args.run_id, args.from_step)
        stop = settle(plan, args, details={"run_id": args.run_id, "from_step": args.from_step})
        if stop is not None:
            return stop
        flow.commit_retry(ctx, args.run_id, plan)
        return _drive_and_report(ctx, args.run_id, args)

    return _with_context(settings, body)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        path = flow.export_machine(ctx, args.run_id, args.output)
        if args.json:
            print_json({"run_id": args.run_id, "path": str(path)})
        else:
            print(path)
        return ExitCode.OK

    return _with_context(settings, body)
