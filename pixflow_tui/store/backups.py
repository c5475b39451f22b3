"""Backups of the SQLite database: named by UTC time, written atomically, the automatic ones pruned."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pixflow_tui.store import sqlite

AUTO_SUFFIX = "-before-migration"
KEEP_AUTOMATIC = 5


def backup_path(folder: Path, label: str = "") -> Path:
    """`folder/pixflow-<UTC timestamp><label>.db`, with -2, -3 … when that name is taken."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"pixflow-{stamp}{label}.db"
    number = 2
    while candidate.exists():
        candidate = folder / f"pixflow-{stamp}{label}-{number}.db"
        number += 1
    return candidate


def backup_database(source: Path, target: Path) -> Path:
    """A consistent, self-contained copy of the SQLite file `source` at `target`; never a half-written target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    part = Path(name)
    try:
        sqlite.copy_database(source, part)
        sqlite.make_self_contained(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def backup_before_migration(source: Path, folder: Path, keep: int = KEEP_AUTOMATIC) -> Path:
    """Back up a database a migration is about to change; keep only the newest `keep` automatic backups."""
    made = backup_database(source, backup_path(folder, AUTO_SUFFIX))
    automatic = sorted(folder.glob(f"pixflow-*{AUTO_SUFFIX}*.db"), key=lambda p: (p.stat().st_mtime, p.name))
    for old in automatic[:-keep] if keep > 0 else automatic:
        if old != made:
            old.unlink(missing_ok=True)
    return made
