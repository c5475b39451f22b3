"""Shared pieces of the CLI: exit codes and output helpers."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pixflow_tui.config import Settings


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the command ran and something failed (a job, a check)
    USAGE = 2  # bad command line (argparse uses 2 too)
    CONFIG = 3  # bad setting or unusable database
    BUDGET = 4  # refused: the batch would exceed the budget cap
    INTERRUPTED = 130


EXIT_CODES_HELP = """exit codes:
  0    success
  1    the command ran but something failed (a job failed, a check found a problem)
  2    usage error (unknown command, bad flag or value)
  3    configuration or database error (bad setting, newer or damaged database)
  4    refused: the batch would exceed the configured budget cap
  130  interrupted (Ctrl-C); submitted jobs keep running and resume with `pixflow jobs resume`"""


# every list command says this (`epilog=NOTHING_FOUND`), and does it: tests/test_cli_lists.py
NOTHING_FOUND = "A list or filter that finds nothing is not an error: it says so and exits 0 (with --json: [])."


def terminal_columns() -> int:
    """shutil.get_terminal_size().columns (COLUMNS, else the terminal's, else 80) without importing shutil: its
    compression modules are ~2 ms of every command's start, and argparse imports it only for this."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


_SIZED: dict[type[argparse.HelpFormatter], type[argparse.HelpFormatter]] = {}


def _sized(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """`base` given argparse's default width (the terminal's less 2) by `terminal_columns`."""
    if base not in _SIZED:
        class Sized(base):  # type: ignore[valid-type,misc]
            def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                         width: int | None = None) -> None:
                super().__init__(prog, indent_increment, max_help_position,
                                 terminal_columns() - 2 if width is None else width)

        Sized.__name__ = Sized.__qualname__ = base.__name__
        _SIZED[base] = Sized
    return _SIZED[base]


class Parser(argparse.ArgumentParser):
    """argparse's parser, its help formatted as argparse formats it, without argparse's import of shutil; the
    parsers of its sub-commands are Parsers too (add_subparsers makes them of the parent's class)."""

    def __init__(self, **kwargs: Any) -> None:  # add_subparsers makes each by keywords too
        kwargs["formatter_class"] = _sized(kwargs.get("formatter_class", argparse.HelpFormatter))
        super().__init__(**kwargs)


def _json_value(value: Any) -> Any:
    """Times as ISO 8601 with their offset (the store's naive UTC made explicit); anything else as text."""
    if isinstance(value, datetime):
        from pixflow_tui.core.formatting import iso_time  # not at import: `pixflow --version` stays lean

        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    from decimal import Decimal  # here: only PostgreSQL's money needs it

    if isinstance(value, Decimal):  # exact money from PostgreSQL: still a number in JSON
        return float(value)
    return str(value)


def plain_value(value: Any) -> str:
    """A value in a `key  value` listing: times in local time with the zone, nothing as "-"."""
    if isinstance(value, datetime):
        from pixflow_tui.core.formatting import local_time

        return local_time(value, seconds=True)
    return "-" if value is None else str(value)


def print_json(data: Any) -> None:
    # one write: json.dump with indent writes each token separately (thousands of writes for a listing)
    sys.stdout.write(json.dumps(data, indent=2, default=_json_value, ensure_ascii=False) + "\n")


def start_logging(settings: Settings) -> None:
    """Send log records to the log file in the data folder (a warning when it cannot).

    Loading logging is ~3 ms of a command's start: a listing that reads the database file alone
    (`quick_read=True` on its parser) logs nothing, and starts it only when it opens the store after all."""
    from pixflow_tui.workflows.logs import setup_logging

    try:
        setup_logging(settings.logs_dir, settings.database_url)
    except OSError as exc:
        print(f"pixflow: warning: no log file in {settings.logs_dir}: {exc.strerror}", file=sys.stderr)


def error(message: str) -> None:
    print(f"pixflow: {message}", file=sys.stderr)


STOP_EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129}


def stopped_exit(summary: Any) -> int | None:
    """After driving jobs: the exit code of a run stopped by a signal (having printed what is where), else None."""
    if not summary.stopped:
        return None
    with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
        print(f"pixflow: {summary.stop_message}", file=sys.stderr)
    return STOP_EXIT_CODES.get(summary.stopped, ExitCode.FAILED)
