"""Renaming files the Windows way: another process holding a file open makes ``os.replace``
fail with ``PermissionError`` there (the running desk, an antivirus scan, a backup), where
POSIX would just rename. One helper retries for a little while, then says so plainly."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from app.errors import StorageError

log = logging.getLogger(__name__)

#: About three seconds in all: an antivirus scan or a backup usually lets go by then.
ATTEMPTS = 12
DELAY = 0.25


def replace_with_retry(src: Path | str, dst: Path | str, *, attempts: int | None = None,
                       delay: float | None = None,
                       sleep: Callable[[float], None] = time.sleep) -> None:
    """``os.replace(src, dst)``, retried while the file is held open elsewhere; then a
    ``StorageError`` (reason ``busy``) that names the file and what to do."""
    attempts = ATTEMPTS if attempts is None else attempts
    delay = DELAY if delay is None else delay
    last: OSError | None = None
    for n in range(1, attempts + 1):
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:  # Windows: the file is open in another process
            last = exc
            log.info("renaming %s failed (attempt %d of %d): %s", src, n, attempts, exc)
            if n < attempts:
                sleep(delay)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StorageError(f"Bayline could not rename {src}: {exc.strerror or exc}.",
                               "io") from exc
    raise StorageError(
        f"Bayline could not rename {src}: another program has it open (a running Bayline "
        "window, an antivirus scan or a backup). Close Bayline everywhere on this computer, "
        "wait a minute and try again; nothing was changed.", "busy") from last


def set_aside_path(path: Path, stamp: str) -> Path:
    """A name beside ``path`` that does not exist yet: ``replica-set-aside-<stamp>.sqlite``."""
    target = path.with_name(f"{path.stem}-set-aside-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}-set-aside-{stamp}-{n}{path.suffix}")
    return target


def set_aside_file(path: Path, stamp: str, *, sleep: Callable[[float], None] = time.sleep,
                   attempts: int | None = None) -> Path:
    """Rename the SQLite file ``path`` with its ``-wal`` and ``-shm`` (never delete them)
    to a new name beside it; returns that name. The main file goes first: if it cannot be
    moved, nothing was."""
    target = set_aside_path(path, stamp)
    replace_with_retry(path, target, sleep=sleep, attempts=attempts)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            try:
                replace_with_retry(side, Path(f"{target}{suffix}"), sleep=sleep,
                                   attempts=attempts)
            except StorageError:
                if suffix == "-wal":  # without it the set-aside file misses its last commits
                    raise
                log.info("left %s behind (SQLite makes it again)", side)
    return target


__all__ = ["replace_with_retry", "set_aside_file", "set_aside_path"]
