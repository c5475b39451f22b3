"""`pixflow`: the headless commands, and the TUI when run bare. Never imports textual at module level."""
from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from pixflow_tui import __version__
from pixflow_tui.cli.common import EXIT_CODES_HELP, ExitCode, Parser, start_logging
from pixflow_tui.config import SettingsError, load_settings, with_user


# command -> the module that registers it; a command loads only its own module (and what that uses)
COMMAND_MODULES = {
    "doctor": "doctor", "prompts": "prompts", "images": "images", "videos": "videos", "avatars": "avatars",
    "scripts": "scripts", "speech": "avatar_runs", "lipsync": "avatar_runs", "avatar": "avatar_runs",
    "reactions": "avatar_runs", "voices": "voices", "machine": "machine", "jobs": "jobs", "library": "library",
    "rate": "library", "export": "library", "presets": "library", "db": "db", "taste": "taste",
    "completion": "completion",
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    # The command modules (pydantic, Pillow, the engine behind them) load only for a command: a bare `pixflow`
    # starts the TUI without them, `pixflow --version` needs none, `pixflow images ...` only images'.
    first = argv[0] if argv else ""
    if first in COMMAND_MODULES:
        names = [COMMAND_MODULES[first]]
    elif first in ("--version", "-V"):
        names = []
    else:
        names = list(dict.fromkeys(COMMAND_MODULES.values()))
    modules = [importlib.import_module(f"pixflow_tui.cli.{name}") for name in names]

    parser = Parser(
        prog="pixflow",
        description="Pixflow: AI asset production from the terminal. Run without a command to start the TUI.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pixflow {__version__}")
    parser.add_argument("--user", metavar="NAME",
                        help="act as this person: their ratings, favourites and history (default: the setting "
                             "`user`, else the login name)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules:  # each sets `handler` on its parsers
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments).parse_args(arguments) if arguments else None
    if (args is None or args.command is None) and not (sys.stdout.isatty() and sys.stdin.isatty()):
        # the TUI would write escape codes into a pipe or file (or wait on a stdin that is not a keyboard)
        which = "output" if not sys.stdout.isatty() else "input"
        print(f"pixflow: the TUI needs a terminal, and standard {which} is not one; "
              "run a command instead (`pixflow --help` lists them)", file=sys.stderr)
        return ExitCode.USAGE
    try:
        settings = load_settings()
        if args is not None and args.user is not None:
            settings = with_user(settings, args.user)
    except SettingsError as exc:
        print(f"pixflow: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    if not getattr(args, "quick_read", False):  # such a listing starts it only if it opens the store
        start_logging(settings)
    for warning in settings.warnings:
        print(f"pixflow: warning: {warning}", file=sys.stderr)
    if args is None or args.command is None:
        from pixflow_tui.cli.launch import launch_tui

        return launch_tui(settings)
    try:
        return int(args.handler(args, settings))
    except BrokenPipeError:  # the reader went away (`pixflow ... | head`): stop quietly
        sys.stderr.close()
        return ExitCode.OK
    except KeyboardInterrupt:  # a Ctrl-C past a command's own handling, e.g. while it closes the library
        print("pixflow: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a database that is locked, full or gone mid-command: one line, not a traceback
        from pixflow_tui.workflows.system import database_failure

        message = database_failure(exc, settings)
        if message is None:
            raise
        print(f"pixflow: {message}", file=sys.stderr)
        return ExitCode.CONFIG


def run(argv: Sequence[str] | None = None) -> int:
    """The `pixflow` program: `main`, then Python's own shutdown (the worker pool's threads joined, output flushed)
    with Ctrl-C ignored. The work is done by then; a Ctrl-C landing there would only print a traceback."""
    code = main(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code
