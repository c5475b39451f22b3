"""`pixflow speech|lipsync|avatar|reactions`: Avatar Studio's talking-avatar runs from the command line — speech
from a script or text, a lipsync of an avatar speaking it (or your own audio) per language, a failed language
retried alone, the run exported as a zip, and reaction videos. Every paid step goes through the one door."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pixflow_tui.core.formatting import plural
from pixflow_tui.cli.common import ExitCode, error, print_json
from pixflow_tui.cli.paid import add_spending_flags, spend_and_drive
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.core.avatars import REACTIONS
from pixflow_tui.core.jobs import JobState
from pixflow_tui.workflows import avatar_runs as runs
from pixflow_tui.workflows import avatars as gallery_flow
from pixflow_tui.workflows.cli_support import summarize_batch
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError
from pixflow_tui.workflows.paid_work import PaidPlan

EXIT_HELP = ("Exit codes: 0 every deliverable was made, 1 a language (or job) failed, 2 usage or bad input (also a "
             "paid run with no terminal and no --yes), 3 config/database, 4 over budget, 130 interrupted.")
VOICE_NAMES = [v.name for v in catalog.VOICES]


def _languages(value: str) -> list[str]:
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("give language codes, e.g. EN,TR")
    return codes


def _paid_parser(commands: Any, name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text,
                                 description=f"{help_text[0].upper()}{help_text[1:]}. {EXIT_HELP}")
    add_spending_flags(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=handler)
    return parser


def register(subparsers: Any) -> None:
    voice_help = f"the voice: {', '.join(VOICE_NAMES)}"

    speech = subparsers.add_parser("speech", help="Avatar Studio: speech (text to audio) from a script or text",
                                   description=f"Speech from a script or text. {EXIT_HELP}")
    speech_commands = speech.add_subparsers(dest="speech_command", metavar="COMMAND", required=True)
    gen = _paid_parser(speech_commands, "generate", "an audio file of a voice speaking a script or text (paid when "
                       "live)", run_speech)
    source = gen.add_mutually_exclusive_group(required=True)
    source.add_argument("--script", type=int, metavar="ID", help="a script from `pixflow scripts`")
    source.add_argument("--text", help="the words to speak")
    source.add_argument("--file", type=Path, help="read the words from this UTF-8 text file")
    gen.add_argument("--voice", required=True, choices=VOICE_NAMES, metavar="NAME", help=voice_help)
    gen.add_argument("--language", type=str.upper, metavar="XX",
                     help=f"the script's translation to speak, or the text's language ({', '.join(catalog.LANGUAGES)})")

    lipsync = subparsers.add_parser("lipsync", help="Avatar Studio: an avatar speaking your own audio",
                                    description=f"A lipsync of an avatar speaking an audio file. {EXIT_HELP}")
    lipsync_commands = lipsync.add_subparsers(dest="lipsync_command", metavar="COMMAND", required=True)
    lip = _paid_parser(lipsync_commands, "generate", "a video of the avatar speaking the audio (paid when live)",
                       run_lipsync)
    lip.add_argument("--avatar", required=True, metavar="IMG", help="a key from `pixflow avatars list` or a path")
    audio = lip.add_mutually_exclusive_group(required=True)
    audio.add_argument("--audio", metavar="FILE", help=f"an audio file (≤ 50 MB, ≤ "
                       f"{catalog.LIPSYNC_MAX_AUDIO_SECONDS:.0f} s)")
    audio.add_argument("--audio-job", type=int, metavar="JOB_ID", help="the output of a finished speech job")

    avatar = subparsers.add_parser("avatar", help="Avatar Studio: talking-avatar runs, one video per language",
                                   description=f"Talking-avatar runs. {EXIT_HELP}")
    avatar_commands = avatar.add_subparsers(dest="avatar_command", metavar="COMMAND", required=True)
    run = _paid_parser(avatar_commands, "run", "per language, speech then the avatar speaking it (paid when live)",
                       run_avatar)
    run.add_argument("--avatar", required=True, metavar="IMG", help="a key from `pixflow avatars list` or a path")
    what = run.add_mutually_exclusive_group(required=True)
    what.add_argument("--script", type=int, metavar="ID", help="a script from `pixflow scripts`")
    what.add_argument("--text", help="the words to speak")
    what.add_argument("--audio", metavar="FILE", help="your own audio instead of speech")
    run.add_argument("--voice", choices=VOICE_NAMES, metavar="NAME", help=f"{voice_help} (not with --audio)")
    run.add_argument("--languages", type=_languages, metavar="EN,TR,...",
                     help="the script's languages to make (default: its own); they must be translated first")

    status = avatar_commands.add_parser("status", help="a run's table: per language its state and files",
                                        description=f"A run's per-language table. {EXIT_HELP}")
    status.add_argument("run_id", type=int, metavar="RUN_ID", help="the run's id (from `avatar run`)")
    status.add_argument("--json", action="store_true", help="print the result as JSON")
    status.set_defaults(handler=run_status)

    retry = _paid_parser(avatar_commands, "retry", "send a language's failed steps round again (a finished speech "
                         "is not paid again)", run_retry)
    retry.add_argument("run_id", type=int, metavar="RUN_ID", help="the run's id (from `avatar run`)")
    retry.add_argument("--language", required=True, type=str.upper, metavar="XX",
                       help="the language to make again, e.g. TR")

    export = avatar_commands.add_parser("export", help="a zip of the run: per language script, audio, video",
                                        description=f"Export a run as a zip with a manifest.json. {EXIT_HELP}")
    export.add_argument("run_id", type=int, metavar="RUN_ID", help="the run's id (from `avatar run`)")
    export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.zip", help="the zip to write")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(handler=run_export)

    reactions = subparsers.add_parser("reactions", help="Avatar Studio: reaction videos of an avatar",
                                      description=f"Reaction videos. {EXIT_HELP}")
    reaction_commands = reactions.add_subparsers(dest="reactions_command", metavar="COMMAND", required=True)
    react = _paid_parser(reaction_commands, "generate", "a short video of the avatar moving into one emotion (paid "
                         "when live)", run_reaction)
    react.add_argument("avatar", metavar="IMG", help="a key from `pixflow avatars list` or a path")
    react.add_argument("--reaction", required=True, choices=list(REACTIONS), help="the reaction to show")


# ---- running --------------------------------------------------------------------------------------------


def _with_context(settings: Settings, body: Any) -> int:
    return with_context(settings, body)


def _avatar_path(ctx: AppContext, key: str) -> str:
    """A gallery avatar by key or path; any other path is passed on as it is (the workflow checks it)."""
    try:
        return gallery_flow.find_avatar(ctx, key).path
    except InputError:
        if key.startswith(("file:", "image:")):
            raise
        return str(Path(key).expanduser())


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"text file {path} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"text file {path} is not UTF-8 text") from None


def _row(row: runs.LanguageRun) -> dict[str, Any]:
    return {"language": row.language, "state": row.state,
            "speech_job_id": row.speech.id if row.speech else None,
            "lipsync_job_id": row.lipsync.id if row.lipsync else None,
            "deliverable": row.deliverable, "error": row.error}


def _run_view(ctx: AppContext, run_id: int) -> dict[str, Any]:
    batch = ctx.store.batches.get(run_id)
    if batch is None or batch.module != runs.MODULE:
        raise InputError(f"there is no avatar run {run_id} (see `pixflow jobs list`)")
    rows = [_row(r) for r in runs.run_languages(ctx, run_id)]
    summary = summarize_batch(ctx, run_id)
    return {"run_id": run_id, "name": batch.name, "status": summary["status"], "demo": summary["demo"],
            "cost": summary["cost"], "languages": rows,
            "done": sum(1 for r in rows if r["state"] == "done" and r["deliverable"]), "total": len(rows)}


def _print_table(view: dict[str, Any]) -> None:
    print(f"{'LANG':<5} {'STATE':<11} {'SPEECH':>7} {'LIPSYNC':>7}  RESULT")
    for row in view["languages"]:
        result = row["deliverable"] or row["error"] or ""
        print(f"{row['language']:<5} {row['state']:<11} {row['speech_job_id'] or '-':>7} "
              f"{row['lipsync_job_id'] or '-':>7}  {result}".rstrip())
    print(f"run {view['run_id']}: {view['status']}, {view['done']}/{plural(view['total'], 'language')} made"
          f"{' (demo output)' if view['demo'] else ''}, cost ${view['cost']:.2f}")


def _all_made(view: dict[str, Any]) -> bool:
    return view["total"] > 0 and view["done"] == view["total"]


def _run_paid(ctx: AppContext, args: argparse.Namespace, plan: PaidPlan, details: dict[str, Any],
              run_id: int | None = None) -> int:
    """Settle the plan, commit it, drive the run, then print its per-language table."""
    spent = spend_and_drive(ctx, plan, args, details=details, human=[f"plan: {plan.action}"])
    if spent.stop is not None:
        return spent.stop
    run_id = spent.batch_id or run_id
    assert run_id is not None
    view = _run_view(ctx, run_id)
    stopped = spent.stopped(args, view)
    if stopped is not None:
        return stopped
    if args.json:
        print_json(view)
    else:
        _print_table(view)
    return ExitCode.OK if _all_made(view) else ExitCode.FAILED


def run_speech(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        text = _read_text(args.file) if args.file is not None else args.text
        languages = [args.language] if args.language else None
        plan = runs.plan_avatar_run(ctx, voice=args.voice, script_id=args.script, text=text, languages=languages)
        return _run_paid(ctx, args, plan, {"speech": {"voice": args.voice, "script_id": args.script,
                                                      "languages": languages}})

    return _with_context(settings, body)


def run_lipsync(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        plan = runs.plan_avatar_run(ctx, avatar=_avatar_path(ctx, args.avatar), audio=args.audio,
                                    audio_job=args.audio_job)
        source = args.audio if args.audio is not None else f"job {args.audio_job}"
        return _run_paid(ctx, args, plan, {"lipsync": {"avatar": args.avatar, "audio": source}})

    return _with_context(settings, body)


def run_avatar(args: argparse.Namespace, settings: Settings) -> int:
    if args.audio is None and args.voice is None:
        error("--voice is needed to speak a script or text")
        return ExitCode.USAGE
    if args.audio is not None and (args.voice or args.languages):
        error("--voice and --languages go with a script or text, not with your own --audio")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        plan = runs.plan_avatar_run(ctx, voice=args.voice, avatar=_avatar_path(ctx, args.avatar),
                                    script_id=args.script, text=args.text, audio=args.audio,
                                    languages=args.languages)
        return _run_paid(ctx, args, plan, {"avatar_run": {"avatar": args.avatar, "voice": args.voice,
                                                          "script_id": args.script, "languages": args.languages}})

    return _with_context(settings, body)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        view = _run_view(ctx, args.run_id)
        if args.json:
            print_json(view)
        else:
            _print_table(view)
        return ExitCode.OK

    return _with_context(settings, body)


def run_retry(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        _run_view(ctx, args.run_id)  # names a missing run plainly
        plan = runs.plan_retry_language(ctx, args.run_id, args.language)
        return _run_paid(ctx, args, plan, {"retry": {"run_id": args.run_id, "language": args.language}},
                         run_id=args.run_id)

    return _with_context(settings, body)


def run_reaction(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        plan = runs.plan_reaction(ctx, _avatar_path(ctx, args.avatar), args.reaction)
        spent = spend_and_drive(ctx, plan, args, details={"reaction": args.reaction, "avatar": args.avatar},
                                human=[f"plan: a {args.reaction} reaction video of {args.avatar}"])
        if spent.stop is not None:
            return spent.stop
        batch_id = spent.batch_id
        summary = summarize_batch(ctx, batch_id)
        stopped = spent.stopped(args, summary)
        if stopped is not None:
            return stopped
        if args.json:
            print_json(summary)
        else:
            for job in summary["jobs"]:
                print(f"job {job['job_id']}: {job['status']} {job['output_path'] or job['error'] or ''}".rstrip())
            print(f"batch {batch_id}: {summary['status']}, {summary['done']}/{summary['total']} reaction videos"
                  f"{' (demo output)' if summary['demo'] else ''}, cost ${summary['cost']:.2f}")
        return ExitCode.OK if summary["done"] == summary["total"] else ExitCode.FAILED

    return _with_context(settings, body)


# ---- export ---------------------------------------------------------------------------------------------


def _entry(ctx: AppContext, row: runs.LanguageRun) -> tuple[dict[str, Any], list[tuple[str, Path | str]]]:
    """A language's manifest entry and the (name in the zip, file or text) pairs it puts in the zip."""
    folder = row.language if row.language != "-" else "audio"
    files: list[tuple[str, Path | str]] = []
    entry: dict[str, Any] = {"language": row.language, "state": row.state, "voice": None,
                             "speech_job_id": row.speech.id if row.speech else None,
                             "lipsync_job_id": row.lipsync.id if row.lipsync else None,
                             "script": None, "audio": None, "video": None, "error": row.error or None}
    audio: str | None = None
    if row.speech is not None:
        arguments = row.speech.request.get("arguments", {})
        entry["voice"] = arguments.get("voice") or row.speech.request.get("meta", {}).get("voice")
        text = arguments.get("text")
        if text:
            files.append((f"{folder}/script.txt", str(text)))
            entry["script"] = f"{folder}/script.txt"
        if row.speech.status == JobState.DONE:
            audio = row.speech.output_path
    elif row.lipsync is not None:  # the user's own audio
        own = row.lipsync.request.get("files", {}).get("audio_url")
        audio = own if isinstance(own, str) and not own.startswith(("job:", "plan:")) else None
    if audio and Path(audio).is_file():
        name = f"{folder}/audio{Path(audio).suffix}"
        files.append((name, Path(audio)))
        entry["audio"] = name
    if row.lipsync is not None and row.lipsync.status == JobState.DONE and row.lipsync.output_path \
            and Path(row.lipsync.output_path).is_file():
        name = f"{folder}/video{Path(row.lipsync.output_path).suffix}"
        files.append((name, Path(row.lipsync.output_path)))
        entry["video"] = name
    return entry, files


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        view = _run_view(ctx, args.run_id)
        batch = ctx.store.batches.get(args.run_id)
        entries: list[dict[str, Any]] = []
        contents: list[tuple[str, Path | str]] = []
        for row in runs.run_languages(ctx, args.run_id):
            entry, files = _entry(ctx, row)
            entries.append(entry)
            contents.extend(files)
        manifest = {"run_id": args.run_id, "name": batch.name if batch else "", "status": view["status"],
                    "languages": entries}
        destination: Path = args.output.expanduser()
        try:
            _write_zip(destination, manifest, contents)
        except OSError as exc:
            error(f"cannot write {destination}: {exc.strerror or exc}")
            return ExitCode.USAGE
        missing = [e["language"] for e in entries if e["state"] != "done"]
        if args.json:
            print_json({"path": str(destination.resolve()), **manifest})
        else:
            print(f"exported run {args.run_id} to {destination}: {plural(len(entries), 'language')}, "
                  f"{plural(len(contents), 'file')}")
        if missing:
            error(f"not finished, exported without its files: {', '.join(missing)}")
        return ExitCode.OK

    return _with_context(settings, body)


def _write_zip(destination: Path, manifest: dict[str, Any], contents: list[tuple[str, Path | str]]) -> None:
    """Write to a temporary file beside the destination, then rename it into place: never a half zip."""
    if destination.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(destination))
    fd, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, item in contents:
                if isinstance(item, Path):
                    archive.write(item, name)
                else:
                    archive.writestr(name, item)
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
