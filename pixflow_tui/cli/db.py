"""`pixflow db check|backup|restore|compact`: the database's health, consistent copies, putting a copy back, and
rewriting it without empty space."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from pixflow_tui.cli.common import ExitCode, error, print_json
from pixflow_tui.config import Settings
from pixflow_tui.workflows import db_backup, db_check

EXIT_HELP = ("Exit codes: 0 success (check: no problems), 1 problems found or the command failed, 2 usage, "
             "3 configuration or database (restore needs SQLite).")
T = TypeVar("T")
_EXIT = {db_backup.CONFIG: ExitCode.CONFIG, db_backup.USAGE: ExitCode.USAGE, db_backup.FAILED: ExitCode.FAILED}


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="check, back up, restore and compact the database", description=EXIT_HELP)
    commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", description=EXIT_HELP,
                                help="integrity, orphan rows, leftover downloads, files without rows and rows "
                                     "without files")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--fix", action="store_true", help="remove leftover .part downloads older than an hour "
                                                          "(nothing else is changed)")
    check.set_defaults(handler=run_check)
    backup = commands.add_parser("backup", description=EXIT_HELP,
                                 help="a consistent copy of the database as a SQLite file (default: <home>/backups/)")
    backup.add_argument("path", nargs="?", type=Path, metavar="PATH", help="the new file, or a folder for it")
    backup.add_argument("--json", action="store_true", help="print the result as JSON")
    backup.set_defaults(handler=run_backup)
    migrate = commands.add_parser("migrate-to", description=EXIT_HELP,
                                  help="copy this SQLite library into an empty PostgreSQL database (the file is only "
                                       "read; row counts and checksums are compared)")
    migrate.add_argument("url", metavar="URL", help="postgresql://USER:PASSWORD@HOST/DATABASE (an empty database)")
    migrate.add_argument("--json", action="store_true", help="print the result as JSON")
    migrate.set_defaults(handler=run_migrate_to)
    restore = commands.add_parser("restore", description=EXIT_HELP,
                                  help="replace the database with a backup (the current one is backed up first)")
    restore.add_argument("path", type=Path, metavar="PATH", help="a Pixflow database backup")
    restore.add_argument("--yes", action="store_true", help="do not ask (needed when not on a terminal)")
    restore.add_argument("--json", action="store_true", help="print the result as JSON")
    restore.set_defaults(handler=run_restore)
    compact = commands.add_parser("compact", description=EXIT_HELP,
                                  help="rewrite the SQLite database without empty space, with 16 KB pages (close "
                                       "other Pixflow windows first; needs free disk space the size of the database)")
    compact.add_argument("--json", action="store_true", help="print the result as JSON")
    compact.set_defaults(handler=run_compact)


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    report = db_check.check_database(settings, fix=args.fix)
    if args.json:
        print_json(report.to_dict())
    else:
        print("\n".join(db_check.describe(report)))
    return ExitCode.OK if report.ok else ExitCode.FAILED


def _report(work: Callable[[], T], args: argparse.Namespace, as_json: Callable[[T], Any],
            as_text: Callable[[T], str]) -> int:
    """Run a maintenance action; print its result (JSON or one paragraph) or its one-line error."""
    try:
        result = work()
    except db_backup.MaintenanceError as exc:
        error(str(exc))
        return _EXIT[exc.kind]
    if args.json:
        print_json(as_json(result))
    else:
        print(as_text(result))
    return ExitCode.OK


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    return _report(lambda: db_backup.backup(settings, args.path), args,
                   lambda made: {"backup": str(made), "bytes": made.stat().st_size},
                   lambda made: f"backed up the database to {made}")


def run_migrate_to(args: argparse.Namespace, settings: Settings) -> int:
    from pixflow_tui.workflows import db_transfer

    return _report(lambda: db_transfer.migrate_to(settings, args.url), args, lambda result: result.__dict__,
                   lambda result: f"copied {sum(result.rows.values())} rows in {len(result.rows)} tables from "
                                  f"{result.source} to {result.target}; counts and checksums match. Point "
                                  "database_url at it to use it (the SQLite file was left as it was).")


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    if not args.yes and not _on_terminal():
        error("restore replaces the database; run again with --yes to confirm (there is no terminal to ask on)")
        return ExitCode.USAGE

    def text(result: db_backup.RestoreResult) -> str:
        kept = f"; the previous one is at {result.previous_backup}" if result.previous_backup else ""
        return f"restored the database from {result.restored_from} (schema version {result.schema_version}){kept}"

    return _report(lambda: db_backup.restore(settings, args.path, confirm=lambda q: args.yes or _ask(q)), args,
                   lambda result: result.__dict__, text)


def run_compact(args: argparse.Namespace, settings: Settings) -> int:
    def text(result: db_backup.CompactResult) -> str:
        return (f"compacted {result.database}: {_megabytes(result.bytes_before)} → {_megabytes(result.bytes_after)}, "
                f"{result.page_size // 1024} KB pages")

    return _report(lambda: db_backup.compact(settings), args, lambda result: result.__dict__, text)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False
