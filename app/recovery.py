"""Opening the replica, and rebuilding it when the file is not a database or is damaged.

A damaged replica is never deleted and never blocks the shop: the file (with its ``-wal``
and ``-shm``) is set aside under a new name, the person is told, and a fresh replica is
started **under the same client id** (kept beside the replica, ``app.identity``) so the
sync engine fills it from the server. Whatever can still be read of the old outbox is
carried over with its mutation ids; the fresh replica is marked ``recovered_from`` until its
first pull tells the server's last mutation id for this client, and then every carried
entry at or below it is dropped (``sync.replica.settle_recovered``): nothing is applied
twice, and nothing the server lacks is lost if it could be read.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app import identity
from app.db import Store
from app.errors import StorageError
from app.fsutil import set_aside_file
from app.models import Outbox
from app.storage import damage_mark, message
from app.timeutil import utcnow

log = logging.getLogger(__name__)

#: Outbox columns carried over from a damaged replica: every column of today's outbox that
#: the old file has too (an older file lacks the newer ones: they take their defaults).
_OUTBOX_COLUMNS: tuple[str, ...] = tuple(c.name for c in Outbox.__table__.columns)


@dataclass(frozen=True)
class Opened:
    """An open replica, and what happened on the way if it had to be rebuilt."""

    store: Store
    #: Where the damaged file was set aside (None: it opened normally).
    set_aside: Path | None = None
    #: Outbox entries read from the damaged file and carried over.
    salvaged: int = 0
    #: What to tell the person (None: nothing happened).
    notice: str | None = None
    #: The server the damaged replica was bound to (None: it never synced, so its data is
    #: in the set-aside file only).
    server_url: str | None = None


@dataclass
class _Salvage:
    entries: list[dict[str, Any]]
    acked: int = 0
    ident: identity.Identity | None = None


def open_replica(path: Path | str, *, sleep: Callable[[float], None] = time.sleep,
                 attempts: int | None = None) -> Opened:
    """``Store(path)``; a file that is not a database or is damaged is set aside and a
    fresh replica made in its place (see the module docstring). Other storage failures
    (busy, full, permission) go up as ``StorageError``: they are not the file's fault."""
    path = Path(path)
    try:
        store = Store(path)
    except StorageError as exc:
        if not exc.damaged:
            raise
        damage = exc
    else:
        found_damage = _check_if_reported(store)
        if found_damage is None:
            return Opened(store)
        store.close()
        damage = found_damage
    log.info("%s Setting it aside and starting a fresh replica.", damage.message)
    kept = identity.read(path)
    aside = set_aside_file(path, utcnow().strftime("%Y%m%dT%H%M%SZ"), sleep=sleep,
                           attempts=attempts)
    found = salvage(aside)
    ident = kept or found.ident
    if kept is not None and found.ident is not None and kept.client_id != found.ident.client_id:
        log.warning("the identity file and the damaged replica disagree on the client id; "
                    "using the identity file's")
    entries = found.entries if ident is not None and ident.server_url else []
    damage_mark(path).unlink(missing_ok=True)
    store = Store(path, adopt=ident)
    if ident is not None and ident.server_url:
        with store.write_session() as s:
            for row in entries:
                if int(row["id"]) > found.acked:  # as stored: raw values, no conversion
                    names = ", ".join(f'"{c}"' for c in row)  # names from our own model
                    params = ", ".join(f":{c}" for c in row)
                    s.execute(text(f"INSERT INTO outbox ({names}) VALUES ({params})"),  # noqa: S608
                              row)
            s.execute(text("UPDATE sync_state SET recovered_from = :p, acked_mutation_id = :a "
                           "WHERE id = 1"), {"p": aside.name, "a": found.acked})
    carried = sum(1 for row in entries if int(row["id"]) > found.acked)
    notice = (f"{damage.message} It was set aside as {aside.name} (nothing was deleted), and "
              "a fresh replica was started")
    if ident is not None and ident.server_url:
        notice += f" that fills itself from {ident.server_url} under the same identity"
        notice += (f"; {carried} change(s) not yet sent were recovered from it and will be "
                   "sent (those the server already has are skipped)." if carried else
                   "; no unsent changes could be read from it.")
    else:
        notice += (". It was never connected to a server, so its data stays in the set-aside "
                   "file only.")
    log.warning(notice, extra={"console": False})  # the caller tells the person
    return Opened(store, aside, carried, notice,
                  ident.server_url if ident is not None and ident.server_url else None)


def _check_if_reported(store: Store) -> StorageError | None:
    """When damage was seen while the replica was in use (``app.storage.mark_damaged``),
    check the whole file once (``PRAGMA quick_check``): the damage, or None (the mark is
    removed)."""
    mark = damage_mark(store.path)
    if not mark.exists():
        return None
    try:
        with store.read() as s:
            verdict = [str(r[0]) for r in s.execute(text("PRAGMA quick_check")).fetchmany(5)]
    except StorageError as exc:
        return exc
    if verdict == ["ok"]:
        log.info("the replica was reported damaged, but its check finds nothing wrong")
        mark.unlink(missing_ok=True)
        return None
    return StorageError(f"{message('damaged', store.path)} ({'; '.join(verdict)})", "damaged")


def salvage(path: Path) -> _Salvage:
    """Whatever can be read of a damaged replica's outbox and identity (read-only, row by
    row, stopping at the first unreadable part)."""
    found = _Salvage([])
    try:
        # as_uri() percent-encodes '%', '#', '?', spaces and letters beyond ASCII, and
        # writes a Windows drive as file:///C:/...
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.info("nothing can be read from %s: %s", path, exc)
        return found
    try:
        # Read past a damaged schema entry (an index, another table): it does not
        # concern the rows read here. Read-only: nothing is ever written to that file.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA writable_schema=ON")
        try:
            row = conn.execute("SELECT client_id, device_code, shop_id, server_url, username, "
                               "acked_mutation_id FROM sync_state WHERE id = 1").fetchone()
            if row is not None:
                found.ident = identity.Identity(*(str(v) if v is not None else None
                                                  for v in row[:5]))  # type: ignore[arg-type]
                found.acked = int(row[5] or 0)
        except (sqlite3.Error, ValueError, TypeError) as exc:
            log.info("the sync state of %s cannot be read: %s", path, exc)
        try:
            have = {str(r[1]) for r in conn.execute("PRAGMA table_info(outbox)")}
            names = [c for c in _OUTBOX_COLUMNS if c in have]
            quoted = ", ".join(f'"{c}"' for c in names)  # names from our own model
            cursor = conn.execute(f"SELECT {quoted} FROM outbox ORDER BY id")  # noqa: S608
            while True:
                got = cursor.fetchone()
                if got is None:
                    break
                found.entries.append(dict(zip(names, got, strict=True)))
        except sqlite3.Error as exc:
            log.info("read %d outbox entries of %s before: %s", len(found.entries), path, exc)
    finally:
        conn.close()
    return found


__all__ = ["Opened", "open_replica", "salvage"]
