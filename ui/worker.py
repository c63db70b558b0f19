"""The database worker: the UI's only way to SQLite.

- Writes run one at a time on ONE worker thread through ``Store.run`` (a domain operation
  in one transaction with its outbox entries); their ``Changes`` go to the change hub and
  nudge the sync engine.
- Reads run on a second thread with its own pooled connection, so a board never waits
  behind a write or a sync apply (WAL readers do not block).
- Results and errors come back on the GUI thread by a queued signal; the GUI thread never
  touches SQLite and never waits on it.

``DbWorker(store, hub, synchronous=True)`` runs everything at once in the caller's thread
(tests, via a fixture); the test that the GUI thread runs no SQL uses the threaded one.
A read with a ``key`` is superseded by a newer read with the same key: an older result
is dropped, never shown over a newer one (search-as-you-type, board refreshes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import Store
from app.errors import BaylineError
from ui.hub import ChangeHub
from ui.qt import QObject, Qt, Signal, qt_object_alive

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class DbWorker(QObject):
    """See the module docstring."""

    #: An operation or read failed and its caller gave no ``on_error``: (exception,).
    failed = Signal(object)
    #: The number of writes queued or running changed.
    busy_changed = Signal(int)
    _deliver = Signal(object)

    def __init__(self, store: Store, hub: ChangeHub, *,
                 nudge: Callable[[Changes], None] | None = None,
                 synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.hub = hub
        self.nudge = nudge
        self.synchronous = synchronous
        self._writes: ThreadPoolExecutor | None = None
        self._reads: ThreadPoolExecutor | None = None
        if not synchronous:
            self._writes = ThreadPoolExecutor(1, thread_name_prefix="bayline-db-write")
            self._reads = ThreadPoolExecutor(1, thread_name_prefix="bayline-db-read")
        self._generation: dict[str, int] = {}
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self._deliver.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)

    # --- what views call --------------------------------------------------------------
    def write(self, op: Callable[..., Any], /, *args: Any, on_done: Done | None = None,
              on_error: Failed | None = None, **kwargs: Any) -> None:
        """Run the domain operation ``op(writer, *args, **kwargs)`` in one transaction.

        On success its ``Changes`` go to the hub (every view), then to ``on_done``.
        """
        if self._closed:
            raise RuntimeError("the database worker is closed")

        def work() -> Callable[[], None]:
            try:
                changes = self.store.run(op, *args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                return partial(self._finish_write, None, exc, on_done, on_error)
            if self.nudge is not None:
                try:
                    self.nudge(changes)  # thread-safe and cheap (SyncEngine.nudge)
                except Exception:  # noqa: BLE001
                    log.exception("nudging the sync engine failed")
            return partial(self._finish_write, changes, None, on_done, on_error)

        self._set_pending(+1)
        self._submit(self._writes, work)

    def read(self, fn: Callable[..., Any], /, *args: Any, on_done: Done | None = None,
             on_error: Failed | None = None, key: str | None = None, **kwargs: Any) -> None:
        """Run ``fn(session, *args, **kwargs)`` in a read transaction; its result to
        ``on_done``. With ``key``, a newer read of the same key drops this one's result."""
        self.call(lambda: self._in_session(fn, args, kwargs), on_done=on_done,
                  on_error=on_error, key=key)

    def call(self, fn: Callable[[], Any], /, *, on_done: Done | None = None,
             on_error: Failed | None = None, key: str | None = None) -> None:
        """Run ``fn()`` on the read thread (for reads that take the store, such as
        ``sync.outcomes.refused_changes``)."""
        if self._closed:
            return
        generation = None
        if key is not None:
            generation = self._generation[key] = self._generation.get(key, 0) + 1

        def current() -> bool:
            return key is None or self._generation.get(key) == generation

        def deliver(result: Any, exc: BaseException | None) -> None:
            if not current():
                return  # a newer read of the same key was asked for: drop this one
            if not (_alive(on_done) and _alive(on_error)):
                return  # the view that asked is gone (a window closed meanwhile)
            if exc is not None:
                self._fail(exc, on_error)
            elif on_done is not None:
                on_done(result)

        def work() -> Callable[[], None]:
            if not current():
                return lambda: None  # superseded before it started
            try:
                result = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                return partial(deliver, None, exc)
            return partial(deliver, result, None)

        self._submit(self._reads, work)

    @property
    def pending_writes(self) -> int:
        return self._pending

    def close(self, timeout: float | None = None) -> None:
        """Finish the queued writes, then stop both threads (call off the GUI thread when
        writes may be queued; ``ui.desk.context`` does)."""
        self._closed = True
        for pool in (self._writes, self._reads):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=pool is self._reads)

    # --- plumbing ---------------------------------------------------------------------
    def _in_session(self, fn: Callable[..., Any], args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        with self.store.read() as session:
            return fn(session, *args, **kwargs)

    def _submit(self, pool: ThreadPoolExecutor | None,
                work: Callable[[], Callable[[], None]]) -> None:
        if pool is None:
            work()()
            return
        future: Future[Callable[[], None]] = pool.submit(work)
        future.add_done_callback(self._relay)

    def _relay(self, future: Future[Callable[[], None]]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:  # work() catches everything; this is a bug in the plumbing
            log.error("database worker plumbing failed", exc_info=exc)
            return
        self._deliver.emit(future.result())

    def _run_on_gui(self, fn: Callable[[], None]) -> None:
        fn()

    def _finish_write(self, changes: Changes | None, exc: BaseException | None,
                      on_done: Done | None, on_error: Failed | None) -> None:
        self._set_pending(-1)
        if exc is not None:
            self._fail(exc, on_error)
            return
        assert changes is not None
        self.hub.publish(changes)
        if on_done is not None and _alive(on_done):
            on_done(changes)

    def _fail(self, exc: BaseException, on_error: Failed | None) -> None:
        if not isinstance(exc, BaylineError):
            log.error("a database task failed", exc_info=exc)
        if on_error is not None and not _alive(on_error):
            return  # the view that asked is gone; the log has it
        if on_error is not None:
            on_error(exc)
        else:
            self.failed.emit(exc)

    def _set_pending(self, delta: int) -> None:
        with self._lock:
            self._pending += delta
            value = self._pending
        self.busy_changed.emit(value)


__all__ = ["DbWorker", "Session"]


def _alive(callback: Callable[..., Any] | None) -> bool:
    """False when ``callback`` is a method of a Qt object that has been destroyed (a window
    closed while its read was on the worker): its result has nowhere to go."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or qt_object_alive(owner)
