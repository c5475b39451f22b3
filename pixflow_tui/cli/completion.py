"""`pixflow completion bash|zsh|fish`: a static completion script generated from the argparse tree (shtab)."""
from __future__ import annotations

import argparse
import sys
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


def script(shell: str) -> str:
    import shtab  # only this command needs it

    from pixflow_tui.cli import build_parser

    return str(shtab.complete(build_parser(), shell=shell))


def run(args: argparse.Namespace, settings: Settings) -> int:
    sys.stdout.write(script(args.shell))
    return 0
