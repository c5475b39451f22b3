"""Shared pieces of the CLI: exit codes and output helpers."""
from __future__ import annotations

import contextlib
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any


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


def _json_value(value: Any) -> Any:
    """Times as ISO 8601 with their offset (the store's naive UTC made explicit); anything else as text."""
    if isinstance(value, datetime):
        from pixflow_tui.core.formatting import iso_time  # not at import: `pixflow --version` stays lean

        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
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
