"""Health check of an installation: what `pixflow doctor` reports."""
from __future__ import annotations

import contextlib
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pixflow_tui import __version__
from pixflow_tui.config import Settings
from pixflow_tui.workflows import terminal


@dataclass
class DoctorReport:
    version: str
    data_dir: str
    data_dir_writable: bool
    config_file: str
    config_file_exists: bool
    database: str
    schema_version: int | None
    schema_latest: int
    provider_mode: str
    provider_setting: str
    keys: dict[str, bool]
    openai_base_url: str | None
    fal_base_url: str | None
    image_renderer_setting: str
    image_renderer: str
    terminal_graphics: str  # what `auto` picks in this terminal
    terminal: terminal.TerminalReport | None = None  # what the terminal answered (read through the tty)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _writable(folder: Path) -> str | None:
    """None when files can be created in `folder`, else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".pixflow-write-check-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def run_doctor(settings: Settings) -> DoctorReport:
    from pixflow_tui.store import LATEST_VERSION, Store, StoreError, display_location

    problems: list[str] = []
    reason = _writable(settings.home)
    if reason:
        problems.append(f"data folder {settings.home} is not writable: {reason}")
    version: int | None = None
    found = terminal.probe(use_stdio=False)  # the terminal, not stdout: `pixflow doctor > file` still asks it
    renderer, renderer_warning = terminal.resolve_renderer(settings.image_renderer, found)
    if not reason or settings.database_url:
        try:
            store = Store.open(settings)
            version = store.schema_version
            store.close_thread_connection()
        except StoreError as exc:
            problems.append(str(exc))
    return DoctorReport(
        version=__version__,
        data_dir=str(settings.home),
        data_dir_writable=reason is None,
        config_file=str(settings.config_path),
        config_file_exists=settings.config_path.is_file(),
        database=display_location(settings),
        schema_version=version,
        schema_latest=LATEST_VERSION,
        provider_mode=settings.mode_label,
        provider_setting=settings.provider_mode,
        keys={"FAL_KEY": bool(settings.fal_key), "OPENAI_API_KEY": bool(settings.openai_api_key)},
        openai_base_url=settings.openai_base_url,
        fal_base_url=settings.fal_base_url,
        image_renderer_setting=settings.image_renderer,
        image_renderer=renderer,
        terminal_graphics=found.renderer,
        terminal=found,
        problems=problems,
        warnings=list(settings.warnings) + ([renderer_warning] if renderer_warning else []),
    )


def database_failure(exc: BaseException, settings: Settings) -> str | None:
    """The one line to show for a database error that escaped a command (say a write that found another process
    holding the write lock for longer than busy_timeout), or None when `exc` is something else."""
    from pixflow_tui.store import database_location
    from pixflow_tui.store.db import describe_failure

    return describe_failure(exc, database_location(settings))


def prepare_worker_processes() -> None:
    """Start the worker processes' helper (see providers.offload.prepare) on the main thread. It is handed
    the real stderr: a full-screen UI's replacement has no usable file descriptor."""
    from pixflow_tui.providers import offload

    with contextlib.redirect_stderr(sys.__stderr__ or sys.stderr):
        offload.prepare()
