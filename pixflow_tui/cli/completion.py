"""`pixflow completion bash|zsh|fish`: a static completion script generated from the argparse tree (shtab)."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from pixflow_tui.config import Settings

SHELLS = ("bash", "zsh", "fish")

INSTALL_HELP = """where to put it:
  bash  pixflow completion bash > ~/.local/share/bash-completion/completions/pixflow
  zsh   pixflow completion zsh > "${fpath[1]}/_pixflow"   (any folder on $fpath; then restart zsh)
  fish  pixflow completion fish > ~/.config/fish/completions/pixflow.fish"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("completion", help="print a shell completion script (bash, zsh or fish)",
                                   description="Print a completion script for every command and flag of pixflow.",
                                   epilog=INSTALL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(handler=run)


# a flag or argument whose value is a file: its type is Path, or its name says so (IMG, FILE, FILE.zip, PATH, ...)
_PATH_NAME = re.compile(r"\b(IMG|IMAGE|FILE|PATH|DIR|AUDIO)\b|\bFILE\.")


def _complete_paths(parser: argparse.ArgumentParser, files: Any) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _complete_paths(sub, files)
        elif action.choices is None and action.nargs != 0 and (
                action.type is Path or _PATH_NAME.search(str(action.metavar or action.dest.upper()))):
            action.complete = files  # type: ignore[attr-defined]  # shtab reads this attribute


def script(shell: str) -> str:
    import shtab  # only this command needs it

    from pixflow_tui.cli import build_parser

    parser = build_parser()
    _complete_paths(parser, shtab.FILE)
    return str(shtab.complete(parser, shell=shell))


def run(args: argparse.Namespace, settings: Settings) -> int:
    sys.stdout.write(script(args.shell))
    return 0
