"""Log files in the data folder: one per kind of process, rotated, tolerant of Windows.

The desk and a command (``bayline sync``) often run at once on one data folder. Rotating a
shared file renames it, and Windows refuses to rename a file another process holds open:
``PermissionError`` on every record from then on, and the records lost. So each kind of
process writes its own file (``logs/desk.log``, ``logs/cli.log``, ``logs/server.log``),
and a rotation that is still refused (two desks, antivirus, a backup) is put off and the
record appended to the current file instead.
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from pathlib import Path
from typing import Literal

from app.paths import log_dir

ProcessKind = Literal["desk", "kiosk", "cli", "server"]

MAX_BYTES = 2_000_000
BACKUPS = 5
#: After a refused rotation, keep appending for this long before trying again.
RETRY_ROTATION_S = 60.0


def log_file(data_dir: Path, kind: ProcessKind) -> Path:
    return log_dir(data_dir) / f"{kind}.log"


class TolerantRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A ``RotatingFileHandler`` that keeps writing when the file cannot be renamed."""

    def __init__(self, filename: Path, **kwargs: object) -> None:
        super().__init__(filename, **kwargs)  # type: ignore[arg-type]
        self._retry_at = 0.0

    def shouldRollover(self, record: logging.LogRecord) -> int:  # noqa: N802 - stdlib name
        if time.monotonic() < self._retry_at:
            return 0
        return super().shouldRollover(record)

    def doRollover(self) -> None:  # noqa: N802 - stdlib name
        try:
            super().doRollover()
        except OSError:  # PermissionError on Windows: another process holds the file
            self._retry_at = time.monotonic() + RETRY_ROTATION_S
            if self.stream is None:  # closed before the rename: go on appending to it
                self.stream = self._open()


def setup_logging(data_dir: Path, kind: ProcessKind, *, verbose: bool = False) -> Path:
    """Log to this kind's rotating file in the data folder, and warnings to stderr.
    Returns the file's path."""
    path = log_file(data_dir, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = TolerantRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                          encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: "
                                           "%(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    # A command's failure is told in words on stderr (sync/cli.py ``_fail``); a record
    # logged with ``extra={"console": False}`` (its traceback) goes to the file only.
    console.addFilter(lambda record: getattr(record, "console", True))
    root.addHandler(console)
    # httpx logs request URLs at INFO; never let a library log headers (tokens) at DEBUG.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
