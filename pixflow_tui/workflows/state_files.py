"""What a screen keeps between sessions (the Img2Video queue, the Asset Monster set-up): one JSON file per person
under PIXFLOW_HOME, written atomically and never going backwards."""
from __future__ import annotations

import json
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from pixflow_tui.workflows.context import AppContext


def user_state_path(ctx: AppContext, folder: str, stem: str) -> Path:
    """`<home>/<folder>/<stem>-<user>.json`: each person's own copy."""
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", ctx.settings.user) or "user"
    return ctx.settings.home / folder / f"{stem}-{user}.json"


class StateFile:
    """Atomic JSON writes that never go backwards: a save carries a version and an older one is dropped,
    so saves from several worker threads land in the order the user made the changes."""

    what = "saved state"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._written = -1

    def read_data(self, parse: Any) -> tuple[Any, list[str]]:
        """`parse(json)` of the file, None when there is none; a damaged file is set aside, never silently lost."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, []
        except OSError as exc:
            return None, [f"cannot read the {self.what} {self.path}: {exc.strerror or exc}"]
        try:
            return parse(json.loads(text)), []
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
            try:
                self.path.replace(aside)
            except OSError:
                aside = self.path
            return None, [f"the {self.what} could not be read ({exc}); it was kept as {aside}"]

    def write(self, data: dict[str, Any], version: int) -> bool:
        with self._lock:
            if version <= self._written:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
                temporary.replace(self.path)
            finally:
                temporary.unlink(missing_ok=True)
            self._written = version
            return True
