"""`pixflow scripts new|generate|refine|edit|undo|redo|translate|show|list|transcribe`: Avatar Studio's voiceover
scripts from the command line. Every change is a new version; undo and redo are kept in the database."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pixflow_tui.core.formatting import plural
from pixflow_tui.cli.common import NOTHING_FOUND, ExitCode, error, print_json
from pixflow_tui.cli.session import with_context
from pixflow_tui.config import Settings
from pixflow_tui.core import catalog
from pixflow_tui.workflows import scripts as flow
from pixflow_tui.workflows.context import AppContext
from pixflow_tui.workflows.inputs import InputError


EXIT_HELP = "Exit codes: 0 success, 1 the text provider failed, 2 usage or bad input, 3 config/database."


def _text_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the script text")
    source.add_argument("--file", type=Path, help="read the script from this UTF-8 text file")
    source.add_argument("stdin", nargs="?", choices=["-"], metavar="-", help="`-` reads the script from standard input")


def register(subparsers: Any) -> None:
    scripts = subparsers.add_parser("scripts", help="Avatar Studio: write, generate, refine and translate scripts",
                                    description=f"Voiceover scripts with versions (undo/redo). {EXIT_HELP}")
    commands = scripts.add_subparsers(dest="scripts_command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, description=f"{help_text[0].upper()}{help_text[1:]}. "
                                                                       f"{EXIT_HELP}")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.set_defaults(handler=handler)
        return parser

    new = command("new", "a script from your own text", run_new)
    _text_source(new)
    new.add_argument("--title", default="", help="a title (default: its first words)")

    low, high = catalog.SCRIPT_DURATION_RANGE
    gen = command("generate", "write a script from a concept", run_generate)
    gen.add_argument("--concept", required=True, help="what the video is about")
    gen.add_argument("--duration", type=float, required=True, metavar="S", help=f"spoken length, {low}–{high} s")
    gen.add_argument("--tone", choices=catalog.TONES, default=catalog.DEFAULT_TONE,
                     help=f"default {catalog.DEFAULT_TONE}")
    gen.add_argument("--app", default="", metavar="NAME", help="the app the video promotes")
    gen.add_argument("--example", action="append", default=[], metavar="TEXT", help="an example script (up to 5)")

    refine = command("refine", "a refined version of a script's current text", run_refine)
    refine.add_argument("script_id", type=int, metavar="ID", help="the script's id")
    how = refine.add_mutually_exclusive_group(required=True)
    how.add_argument("--improve", action="store_true", help="improve it (with --feedback: as you say)")
    how.add_argument("--shorter", action="store_true", help="about 20%% shorter")
    how.add_argument("--longer", action="store_true", help="about 20%% longer")
    how.add_argument("--duration", type=float, metavar="S", help=f"fit it to S seconds ({low}–{high})")
    refine.add_argument("--feedback", default="", metavar="TEXT", help="what to change (with --improve)")

    edit = command("edit", "your own change to a script (a new version)", run_edit)
    edit.add_argument("script_id", type=int, metavar="ID", help="the script's id")
    _text_source(edit)

    undo = command("undo", "go back to the previous version", run_undo)
    undo.add_argument("script_id", type=int, metavar="ID", help="the script's id")
    redo = command("redo", "go forward again to the newest later version", run_redo)
    redo.add_argument("script_id", type=int, metavar="ID", help="the script's id")

    translate = command("translate", "translate the current version", run_translate)
    translate.add_argument("script_id", type=int, metavar="ID", help="the script's id")
    translate.add_argument("--lang", nargs="+", required=True, metavar="CODE",
                           help=f"language codes: {', '.join(catalog.LANGUAGES)}")

    show = command("show", "a script's current version and its translations", run_show)
    show.add_argument("script_id", type=int, metavar="ID", help="the script's id")
    show.add_argument("--versions", action="store_true", help="also list every version")

    listing = command("list", "the scripts, most recently changed first", run_list)
    listing.epilog = NOTHING_FOUND
    listing.add_argument(
        "--limit", type=int, default=50, help="show at most this many scripts (default: 50)")

    transcribe = command("transcribe", "a script from the speech in an audio or video file or URL",
                         run_transcribe)
    transcribe.add_argument("source", metavar="FILE|URL", help="an audio or video file, or a video page's URL")
    transcribe.add_argument("--title", default="", help="a title (default: its first words)")


# ---- running --------------------------------------------------------------------------------------------


def _with_context(settings: Settings, body: Any) -> int:
    return with_context(settings, body, interrupted="interrupted")


def _read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return str(args.text)
    if args.file is not None:
        path: Path = args.file
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"script file {path} cannot be read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"script file {path} is not UTF-8 text") from None
    return sys.stdin.read()


def _label(code: str) -> str:
    return f"{code} {catalog.LANGUAGES[code]}" if code in catalog.LANGUAGES else (code or "language unknown")


def _print_view(view: flow.ScriptView, *, only_languages: tuple[str, ...] | None = None) -> None:
    version = view.version
    print(f"script {view.id} · {view.title} · version {version.id} ({version.action}) · {_label(view.language)}")
    print()
    print(view.text)
    print()
    length = f"{plural(view.fit.words, 'word')} · ~{view.fit.seconds:g} s"
    if view.duration and view.fit.target is not None:
        length += f" (target {view.duration:g} s ≈ {plural(view.fit.target, 'word')})"
    print(length)
    if view.fit.warning:
        print(f"warning: {view.fit.warning}")
    moves = [m for m, ok in (("undo", view.can_undo), ("redo", view.can_redo)) if ok]
    print(f"can {' and '.join(moves)}" if moves else "nothing to undo or redo")
    for code, translation in view.translations.items():
        if only_languages is not None and code not in only_languages:
            continue
        print()
        print(f"[{_label(code)}]")
        print(translation.text)


def _show(args: argparse.Namespace, view: flow.ScriptView, extra: dict[str, Any] | None = None,
          **print_options: Any) -> int:
    if args.json:
        print_json({**view.describe(), **(extra or {})})
    else:
        _print_view(view, **print_options)
    return ExitCode.OK


def run_new(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        return _show(args, asyncio.run(flow.new_script(ctx, _read_text(args), title=args.title)))

    return _with_context(settings, body)


def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        view = asyncio.run(flow.generate_script(ctx, args.concept, args.duration, args.tone, app_name=args.app,
                                                examples=tuple(args.example)))
        return _show(args, view)

    return _with_context(settings, body)


def run_refine(args: argparse.Namespace, settings: Settings) -> int:
    how = "improve" if args.improve else "shorter" if args.shorter else "longer" if args.longer else "duration"
    if args.feedback and how != "improve":
        error("--feedback goes with --improve")
        return ExitCode.USAGE

    def body(ctx: AppContext) -> int:
        view = asyncio.run(flow.refine_script(ctx, args.script_id, how, feedback=args.feedback,
                                              duration=args.duration))
        return _show(args, view)

    return _with_context(settings, body)


def run_edit(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        return _show(args, asyncio.run(flow.edit_script(ctx, args.script_id, _read_text(args))))

    return _with_context(settings, body)


def run_undo(args: argparse.Namespace, settings: Settings) -> int:
    return _with_context(settings, lambda ctx: _show(args, flow.undo(ctx, args.script_id)))


def run_redo(args: argparse.Namespace, settings: Settings) -> int:
    return _with_context(settings, lambda ctx: _show(args, flow.redo(ctx, args.script_id)))


def run_translate(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        wanted = flow.check_languages(args.lang)
        view = asyncio.run(flow.translate_script(ctx, args.script_id, wanted))
        if args.json:
            print_json({**view.describe(), "requested": list(wanted)})
            return ExitCode.OK
        if view.language in wanted:
            print(f"script {view.id} is already in {_label(view.language)}")
        for code in wanted:
            translation = view.translations.get(code)
            if translation is not None:
                print(f"[{_label(code)}]")
                print(translation.text)
                print()
        return ExitCode.OK

    return _with_context(settings, body)


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        view = flow.script_view(ctx, args.script_id)
        if not args.versions:
            return _show(args, view)
        history = flow.versions(ctx, args.script_id)
        if args.json:
            print_json({**view.describe(), "versions": [
                {"version_id": v.id, "parent_id": v.parent_id, "action": v.action, "language": v.language,
                 "text": v.text, "current": v.id == view.version.id, "created_at": v.created_at}
                for v in history]})
            return ExitCode.OK
        _print_view(view)
        print()
        print("versions:")
        for v in history:
            mark = "*" if v.id == view.version.id else " "
            parent = f"from {v.parent_id}" if v.parent_id else "first"
            words = len(v.text.split())
            print(f" {mark}{v.id:>5}  {v.action:<11} {v.language or '--':<3} {parent:<10} {plural(words, 'word')}")
        return ExitCode.OK

    return _with_context(settings, body)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        found = flow.list_scripts(ctx, args.limit)
        if args.json:
            print_json([v.describe() for v in found])
        elif not found:
            print("no scripts yet: `pixflow scripts generate --concept ... --duration S` or `pixflow scripts new`")
        else:
            for view in found:
                print(f"{view.id:>5}  {view.language or '--':<3} {plural(view.fit.words, 'word'):>10} · ~{view.fit.seconds:g} s"
                      f"  {view.title}")
        return ExitCode.OK

    return _with_context(settings, body)


def run_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    def body(ctx: AppContext) -> int:
        view, transcript = asyncio.run(flow.transcribe_script(ctx, args.source, title=args.title))
        return _show(args, view, {"source": args.source, "transcript_language": transcript.language,
                                  "transcript_seconds": transcript.seconds})

    return _with_context(settings, body)
