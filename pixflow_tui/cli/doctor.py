"""`pixflow doctor`: what is installed and configured, and whether it works."""
from __future__ import annotations

import argparse
from typing import Any

from pixflow_tui.cli.common import ExitCode, print_json
from pixflow_tui.config import Settings
from pixflow_tui.workflows.system import run_doctor
from pixflow_tui.workflows.terminal import TerminalReport


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("doctor", help="check the installation, data folder, database and providers")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run)


def _terminal_lines(found: TerminalReport | None) -> list[str]:
    if found is None:
        return []
    if not found.answered:
        return [f"terminal       {found.reason}"]
    said = ", ".join([
        f"sixel {'yes' if found.sixel else 'no'}", f"kitty graphics {'yes' if found.kitty_graphics else 'no'}",
        f"colours {found.colors}", *([f"inside {found.tmux}"] if found.tmux else []),
    ])
    return [f"terminal       {found.terminal or 'unnamed'} answered: {said}", f"why            {found.reason}",
            *(f"note           {note}" for note in found.notes)]


def run(args: argparse.Namespace, settings: Settings) -> int:
    report = run_doctor(settings)
    if args.json:
        print_json(report.to_dict())
    else:
        keys = ", ".join(f"{name} {'present' if present else 'missing'}" for name, present in report.keys.items())
        schema = "unavailable" if report.schema_version is None else f"{report.schema_version} (latest {report.schema_latest})"
        lines = [
            f"pixflow {report.version}",
            f"data folder    {report.data_dir} ({'writable' if report.data_dir_writable else 'NOT writable'})",
            f"config file    {report.config_file} ({'found' if report.config_file_exists else 'not present'})",
            f"database       {report.database}",
            f"schema         {schema}",
            f"providers      {report.provider_mode} (setting: {report.provider_setting})",
            f"keys           {keys}",
            f"image renderer {report.image_renderer} (setting: {report.image_renderer_setting}; "
            f"terminal graphics: {report.terminal_graphics})",
            *_terminal_lines(report.terminal),
        ]
        lines += [f"warning: {w}" for w in report.warnings]
        lines += [f"PROBLEM: {p}" for p in report.problems]
        print("\n".join(lines))
    return ExitCode.OK if report.ok else ExitCode.FAILED
