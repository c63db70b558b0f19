"""WAL checkpoints off the write path.

SQLite's own automatic checkpoint runs inside the commit that pushes the WAL past 1,000
pages: every 100-odd status moves, one of them waited several milliseconds while pages
were copied back into the database file and the file was synced (the status move's p99).
The replica's connections turn it off (``PRAGMA wal_autocheckpoint=0`` in ``app.db``) and
this module does the work instead, always as a PASSIVE checkpoint (it never waits for a
reader or blocks a writer):

- on a thread of its own, once a moment passes without commits (``IDLE_SECONDS``), or as
  soon as the WAL passes ``CHECKPOINT_BYTES`` during a stream of writes — a desk with no
  sync engine at all keeps a small WAL too;
- synchronously, from the sync engine, after each pull round and at housekeeping, and after
  each applied page when the WAL passes the size (``maybe_checkpoint``), so a first sync of
  100,000 rows does not grow the WAL without bound.

A checkpoint that copied everything lets the next writer start the WAL over, and
``PRAGMA journal_size_limit`` (``app.db``) then truncates the file, so its size stays
bounded after a large apply.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine

log = logging.getLogger(__name__)

#: Checkpoint once the WAL is this large (SQLite's own default is 1,000 pages of 4 KiB).
CHECKPOINT_BYTES = 4 * 1024 * 1024
#: ...or once no commit has come for this long.
IDLE_SECONDS = 1.0
#: The longest a TRUNCATE checkpoint waits for a writer or reader before giving up (it
#: blocks new writers meanwhile; it is tried again at the next size check).
TRUNCATE_WAIT_MS = 20
#: A WAL this large gets a TRUNCATE after its PASSIVE checkpoint.
LIMIT_BYTES = 64 * 1024 * 1024
#: During a stream of commits, a size check (and maybe a checkpoint) at most this often.
MIN_INTERVAL = 0.25
#: The replica's usual busy timeout (``app.db.PRAGMAS``), restored after a TRUNCATE.
BUSY_TIMEOUT_MS = 10_000


class WalKeeper:
    """Checkpoints the WAL of one replica file; ``committed()`` after each write."""

    def __init__(self, engine: Engine, path: Path, *, idle_seconds: float = IDLE_SECONDS,
                 checkpoint_bytes: int = CHECKPOINT_BYTES, limit_bytes: int = LIMIT_BYTES,
                 min_interval: float = MIN_INTERVAL) -> None:
        self.engine = engine
        self.wal_path = Path(f"{path}-wal")
        self.idle_seconds = idle_seconds
        self.checkpoint_bytes = checkpoint_bytes
        self.limit_bytes = limit_bytes
        self.min_interval = min_interval
        #: Checkpoints run (all kinds), and those run because the writes paused.
        self.checkpoints = 0
        self.idle_checkpoints = 0
        self._lock = threading.Lock()  # one checkpoint at a time from this process
        self._wake = threading.Condition()
        self._commits = 0
        self._closed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wal_bytes(self) -> int:
        try:
            return os.path.getsize(self.wal_path)
        except OSError:
            return 0

    def checkpoint(self, mode: str = "PASSIVE", *, wait_ms: int = 0) -> bool:
        """A checkpoint now; True when it copied every frame of the WAL.

        PASSIVE never waits for anyone. TRUNCATE (only after a PASSIVE one has copied the
        bulk, so little is left) waits at most ``wait_ms`` for the writer and the readers of
        the moment, then empties the WAL file: the one way to bound the WAL under a stream
        of writes that never pauses, since the WAL starts over only when a writer finds it
        wholly copied.
        """
        with self._lock:
            try:
                raw = self.engine.raw_connection()
            except Exception as exc:  # noqa: BLE001 - a checkpoint is best effort
                log.info("WAL checkpoint skipped: %s", exc)
                return False
            try:
                cur = raw.cursor()
                if mode != "PASSIVE":
                    cur.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
                try:
                    busy, frames, copied = cur.execute(
                        f"PRAGMA wal_checkpoint({mode})").fetchone()
                finally:
                    if mode != "PASSIVE":
                        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                cur.close()
            except sqlite3.Error as exc:
                log.info("WAL checkpoint skipped: %s", exc)
                return False
            finally:
                raw.close()
            self.checkpoints += 1
            return bool(not busy and frames == copied)

    def maybe_checkpoint(self) -> bool:
        """A PASSIVE checkpoint if the WAL has passed its size; past ``limit_bytes`` (a
        stream of writes that never paused long enough for the WAL to start over) also a
        TRUNCATE, which waits a moment for the few frames written meanwhile. True when a
        checkpoint ran."""
        size = self.wal_bytes()
        if size < self.checkpoint_bytes:
            return False
        if self.checkpoint() and size >= self.limit_bytes:
            self.checkpoint("TRUNCATE", wait_ms=TRUNCATE_WAIT_MS)
        return True

    def committed(self) -> None:
        """A write transaction committed: the thread checkpoints soon (cheap to call)."""
        with self._wake:
            if self._closed:
                return
            self._commits += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="bayline-wal",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._stop.set()
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        seen = 0
        while True:
            with self._wake:
                while self._commits == seen and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                seen = self._commits
            # Commits are coming: look every ``min_interval`` (a size check, maybe a
            # checkpoint) until they pause for ``idle_seconds`` (then a checkpoint).
            quiet = 0.0
            while True:
                if self._stop.wait(self.min_interval):
                    return
                commits = self._commits
                if commits != seen:
                    seen, quiet = commits, 0.0
                    self.maybe_checkpoint()
                    continue
                quiet += self.min_interval
                if quiet >= self.idle_seconds:
                    self.checkpoint()
                    self.idle_checkpoints += 1
                    break
