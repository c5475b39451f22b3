"""The log file in the data folder, shared by the TUI and the CLI (full tracebacks go here, never to the screen)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pixflow_tui.config import scrub_password

LOG_NAME = "pixflow.log"
_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


class _PixflowLogHandler(logging.Handler):
    """Marker type, so a second setup (tests build many apps) replaces ours and nobody else's.

    The rotating file handler behind it is made at the first record: logging.handlers (socket, pickle: ~20 ms)
    stays out of a command that logs nothing (`pixflow library images --json`). A record that cannot be written
    (full disk, folder gone) is dropped quietly: logging's default prints a traceback to stderr, which is the
    user's terminal (or the TUI's screen)."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.INFO)
        self.baseFilename = str(path.resolve())
        self.dropped = 0
        self._file: logging.StreamHandler[Any] | None = None
        path.touch()  # the file exists from the start, as before

    def file_handler(self) -> logging.StreamHandler[Any]:
        if self._file is None:
            from logging.handlers import RotatingFileHandler

            owner = self

            class _QuietRotatingFileHandler(RotatingFileHandler):
                def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
                    owner.dropped += 1

            self._file = _QuietRotatingFileHandler(self.baseFilename, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
            self._file.setFormatter(self.formatter)
        return self._file

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 (logging's name)
        super().setFormatter(fmt)
        if self._file is not None:
            self._file.setFormatter(fmt)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.file_handler().handle(record)
        except Exception:  # the file could not be opened (folder gone): dropped like a record that cannot be written
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        self.dropped += 1

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


class _ScrubbingFormatter(logging.Formatter):
    """Every line as logged, with the database URL's password (and any URL's) replaced by ***."""

    def __init__(self, database_url: str | None) -> None:
        super().__init__(_FORMAT)
        self.database_url = database_url

    def format(self, record: logging.LogRecord) -> str:
        return scrub_password(super().format(record), self.database_url)


def setup_logging(logs_dir: Path, database_url: str | None = None) -> Path:
    """Send log records (ours, Textual's warnings, textual-image's) to a rotating file in `logs_dir`; the password
    of `database_url` never reaches the file."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / LOG_NAME
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _PixflowLogHandler)]:
        if Path(handler.baseFilename) == path.resolve():
            handler.setFormatter(_ScrubbingFormatter(database_url))
            return path
        root.removeHandler(handler)
        handler.close()
    handler = _PixflowLogHandler(path)
    handler.setFormatter(_ScrubbingFormatter(database_url))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # httpx notes every request at INFO (fal's twice, through its two clients): ~8 lines per job would push the
    # log's warnings out of its 8 MB within a few thousand jobs; the job ledger keeps what each job did
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path
