"""Where exports go and how they are named, the same in every module: `<home>/exports` by default, and an
existing file is never overwritten (a free name beside it is taken instead)."""
from __future__ import annotations

from pathlib import Path

from pixflow_tui.workflows.context import AppContext


def exports_folder(ctx: AppContext) -> Path:
    """The default folder of every export (zips, copied videos, preset files)."""
    return ctx.settings.home / "exports"


def renamed(asked: Path, written: Path) -> str:
    """What a notification adds when an export went to a free name beside the one asked for ("" otherwise)."""
    return "" if asked == written else f" ({asked.name} already existed, so it was kept)"


def free_path(path: Path) -> Path:
    """`path`, or `name-2.ext`, `name-3.ext`… when it is taken: an export never overwrites a file."""
    if not path.exists():
        return path
    number = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1
