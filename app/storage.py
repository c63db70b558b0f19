"""SQLite failures at ``app/``'s edge: each becomes ``StorageError`` a person can act on.

A failure of the disk or of the file — busy (another program holds it), full, not a
database, damaged, no permission, an I/O error — is not a bug: the person is told what to
do and the sync engine retries later. A failure that means the code is wrong (a constraint,
a missing table, bad SQL) stays what it is, so it is never mistaken for a full disk.

SQLite's result code (``sqlite_errorname``, Python 3.11+) decides, not the message text.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import exc as sa_exc

from app.errors import StorageError

#: SQLite result code (its primary part) → our reason.
_REASONS: dict[str, str] = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_PROTOCOL": "busy",
    "SQLITE_FULL": "full",
    "SQLITE_NOTADB": "not_a_database",
    "SQLITE_CORRUPT": "damaged",
    "SQLITE_PERM": "permission",
    "SQLITE_READONLY": "permission",
    "SQLITE_CANTOPEN": "permission",
    "SQLITE_AUTH": "permission",
    "SQLITE_IOERR": "io",
    "SQLITE_NOMEM": "io",
    "SQLITE_NOLFS": "io",
}

#: Older SQLite builds without result codes: the messages they use.
_MESSAGES: tuple[tuple[str, str], ...] = (
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
    ("database or disk is full", "full"),
    ("file is not a database", "not_a_database"),
    ("file is encrypted or is not a database", "not_a_database"),
    ("database disk image is malformed", "damaged"),
    ("readonly database", "permission"),
    ("unable to open database file", "permission"),
    ("disk i/o error", "io"),
)


def message(reason: str, path: Path | str, detail: str = "") -> str:
    """The words for ``reason``: what happened to which file, and what to do."""
    where = str(path)
    if reason == "busy":
        return (f"The local database ({where}) is busy: another Bayline window or program "
                "(a backup, an antivirus scan) is using it. Wait a moment and try again; "
                "close the other Bayline if this lasts.")
    if reason == "full":
        return (f"The disk holding the local database ({where}) is full. Free some space "
                "and try again; the last change was not saved.")
    if reason == "not_a_database":
        return (f"The file {where} is not a Bayline database (it may be damaged, or another "
                "file was put in its place).")
    if reason == "damaged":
        return f"The local database ({where}) is damaged."
    if reason == "permission":
        return (f"Bayline may not write its local database ({where}). Check that this folder "
                "belongs to you and is not read-only.")
    if reason == "io":
        return (f"The disk reported an error reading or writing the local database ({where}). "
                "Check the disk, or its cable if it is a USB or network drive.")
    return f"The local database ({where}) could not be used" + (f": {detail}" if detail else ".")


def reason_of(exc: BaseException) -> str | None:
    """Our reason for a storage failure, or None when ``exc`` is not one (a bug)."""
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    if isinstance(orig, OSError):  # making the folder, renaming the file
        return "permission" if isinstance(orig, PermissionError) else (
            "full" if orig.errno == errno.ENOSPC else "io")
    if not isinstance(orig, sqlite3.DatabaseError) or isinstance(
            orig, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.DataError
            | sqlite3.InterfaceError | sqlite3.NotSupportedError):
        return None
    name = getattr(orig, "sqlite_errorname", "") or ""
    primary = "_".join(name.split("_")[:2])  # SQLITE_IOERR_SHORT_READ → SQLITE_IOERR
    if primary in _REASONS:
        return _REASONS[primary]
    text = str(orig).lower()
    for needle, reason in _MESSAGES:
        if needle in text:
            return reason
    return None


def storage_error(exc: BaseException, path: Path | str) -> StorageError | None:
    """``exc`` as a ``StorageError`` about ``path``, or None when it is a bug."""
    reason = reason_of(exc)
    if reason is None:
        return None
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    return StorageError(message(reason, path, str(orig)), reason)


def damage_mark(path: Path | str) -> Path:
    """The file that says "this replica was seen damaged": the next open checks it."""
    return Path(f"{path}.damaged")


def mark_damaged(path: Path | str, why: str) -> None:
    """Remember that SQLite reported ``path`` damaged while in use, so the next open checks
    the whole file and, if it is, sets it aside (``app.recovery``). Best effort."""
    with suppress(OSError):
        damage_mark(path).write_text(why + "\n", encoding="utf-8")


@contextmanager
def storage_errors(path: Path | str) -> Iterator[None]:
    """Raise storage failures of the block as ``StorageError``; bugs go up unchanged."""
    try:
        yield
    except StorageError:
        raise
    except (sa_exc.DBAPIError, sqlite3.DatabaseError) as exc:
        converted = storage_error(exc, path)
        if converted is None:
            raise
        if converted.damaged:
            mark_damaged(path, str(exc))
        raise converted from exc


__all__ = ["damage_mark", "mark_damaged", "message", "reason_of", "storage_error",
           "storage_errors"]
