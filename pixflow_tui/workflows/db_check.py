"""`pixflow db check`: is the database sound, and do its rows and the outputs folder agree?"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pixflow_tui.core.formatting import plural
from pixflow_tui.config import Settings

PART_MAX_AGE = 3600.0  # a .part file this old belongs to no download in progress (downloads rewrite it often)


@dataclass
class CheckReport:
    database: str
    open_error: str | None = None
    integrity: list[str] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)
    leftover_parts: list[str] = field(default_factory=list)
    recent_parts: list[str] = field(default_factory=list)  # likely downloads in progress: not a problem
    removed_parts: list[str] = field(default_factory=list)
    untracked_files: list[str] = field(default_factory=list)
    missing_files: list[dict[str, object]] = field(default_factory=list)

    @property
    def problem_count(self) -> int:
        return (bool(self.open_error) + len(self.integrity) + len(self.orphans) + len(self.leftover_parts)
                + len(self.untracked_files) + len(self.missing_files))

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["ok"] = self.ok
        data["problems"] = self.problem_count
        return data


def check_database(settings: Settings, *, fix: bool = False, now: float | None = None) -> CheckReport:
    """Look at everything; with `fix`, remove .part files older than PART_MAX_AGE (nothing else is touched)."""
    from pixflow_tui.store import Store, StoreError, display_location
    from pixflow_tui.store import maintenance

    report = CheckReport(database=display_location(settings))
    try:
        store = Store.open(settings)
    except StoreError as exc:
        report.open_error = str(exc)
        return report
    try:
        report.integrity = maintenance.integrity_problems(store.db)
        report.orphans = maintenance.orphan_counts(store.db)
        rows = maintenance.output_files(store.db)
    finally:
        store.close_thread_connection()
    known = {maintenance.resolve(path, settings.home) for _, _, path in rows}
    report.missing_files = [{"table": table, "id": row_id, "path": path} for table, row_id, path in rows
                            if not maintenance.resolve(path, settings.home).exists()]
    _look_at_outputs(settings.outputs_dir, known, report, fix, time.time() if now is None else now)
    return report


def _look_at_outputs(folder: Path, known: set[Path], report: CheckReport, fix: bool, now: float) -> None:
    if not folder.is_dir():
        return
    for file in sorted(folder.rglob("*")):
        if not file.is_file():
            continue
        if file.name.endswith(".part"):
            if now - file.stat().st_mtime < PART_MAX_AGE:
                report.recent_parts.append(str(file))
            elif fix:
                file.unlink(missing_ok=True)
                report.removed_parts.append(str(file))
            else:
                report.leftover_parts.append(str(file))
        elif file not in known and not (file.suffix == ".json" and file.with_suffix("") in known):
            report.untracked_files.append(str(file))


def describe(report: CheckReport, limit: int = 20) -> list[str]:
    """The human report: one section per kind of problem, at most `limit` paths each."""
    lines = [f"database           {report.database}"]
    if report.open_error:
        return [*lines, f"PROBLEM: {report.open_error}", "1 problem found"]
    lines.append("integrity          " + ("ok" if not report.integrity else plural(len(report.integrity), "problem")))
    lines += [f"  {line}" for line in report.integrity[:limit]]
    lines.append("orphan rows        " + ("none" if not report.orphans else
                                          f"{plural(sum(report.orphans.values()), 'row')} pointing at missing rows"))
    lines += [f"  {column}: {count}" for column, count in report.orphans.items()]
    lines += _paths("leftover downloads", report.leftover_parts, limit, " (.part files older than an hour; "
                    "remove them with --fix)")
    lines += _paths("removed downloads", report.removed_parts, limit, "", show_none=False)
    lines += _paths("downloads running", report.recent_parts, limit, " (recent .part files, left alone)",
                    show_none=False)
    lines += _paths("files without rows", report.untracked_files, limit, " (in the outputs folder, unknown to "
                    "the database)")
    missing = [f"{item['table']} {item['id']}: {item['path']}" for item in report.missing_files]
    lines += _paths("rows without files", missing, limit, "")
    lines.append("no problems found" if report.ok else f"{plural(report.problem_count, 'problem')} found")
    return lines


def _paths(title: str, items: list[str], limit: int, note: str, show_none: bool = True) -> list[str]:
    if not items:
        return [f"{title:<18} none"] if show_none else []
    lines = [f"{title:<18} {len(items)}{note}"] + [f"  {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"  … and {len(items) - limit} more (--json lists them all)")
    return lines
