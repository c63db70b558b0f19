"""What every desk view stands on: the store, the database worker, the change hub and
the sync bridge — made once per window and handed down (never globals)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.db import Store
from ui.desk.permissions import Permissions
from ui.hub import ChangeHub
from ui.qt import QObject, QSettings, Qt, Signal
from ui.syncbridge import SyncBridge
from ui.worker import DbWorker

if TYPE_CHECKING:
    from app.recovery import Opened
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)


class DeskContext(QObject):
    """The store, ``DbWorker``, ``ChangeHub`` and ``SyncBridge`` of one desk window."""

    #: Queued writes are finished and sync is stopped (emitted on the GUI thread).
    shut_down = Signal()
    _finished = Signal()

    def __init__(self, store: Store, engine: SyncEngine | None = None, *,
                 synchronous: bool = False, settings: QSettings | None = None,
                 recovered: Opened | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        #: How the replica was opened at start when it had to be rebuilt (the window says so).
        self.recovered = recovered
        self.engine = engine
        self.hub = ChangeHub(self)
        self.sync = SyncBridge(engine, self.hub, self)
        self.worker = DbWorker(store, self.hub, nudge=self.sync.nudge, synchronous=synchronous,
                               parent=self)
        self.settings = settings if settings is not None else QSettings()
        #: What the signed-in person may do (``ui.desk.permissions``): every view asks it.
        self.permissions = Permissions(self.worker, store, self)
        self.permissions.reload()
        self._closing = False
        self._finished.connect(self.shut_down, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        """Start sync once the window shows. ``SyncEngine.start`` only starts the engine's
        thread (which does the reading and the quarantine retry), so it is called here."""
        self.sync.start()

    @property
    def closing(self) -> bool:
        return self._closing

    def shutdown(self, done: Callable[[], None] | None = None, *, wait: bool = False) -> None:
        """Finish queued writes and stop sync on a helper thread, so the window never stops
        answering; ``done`` runs on the GUI thread when both are finished. ``wait=True``
        blocks instead (tests, the end of ``run_desk``)."""
        if done is not None:
            self.shut_down.connect(done)
        if self._closing:
            return
        self._closing = True

        def finish() -> None:
            try:
                self.worker.close()
            except Exception:  # noqa: BLE001
                log.exception("finishing the queued writes failed")
            try:
                self.sync.stop()
            except Exception:  # noqa: BLE001
                log.exception("stopping sync failed")
            self._finished.emit()

        if wait:
            finish()
            return
        threading.Thread(target=finish, name="bayline-shutdown", daemon=False).start()
