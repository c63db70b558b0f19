"""One running desk per replica: a lock file in the data folder, and a local socket a
second start uses to bring the first window forward (then it exits).

``QLockFile`` removes a stale lock left by a crashed desk (its process is gone);
``QLocalServer`` is a named pipe on Windows and a socket file elsewhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ui.qt import QLocalServer, QLocalSocket, QLockFile, QObject, Signal

LOCK_NAME = "desk.lock"


def server_name(data_dir: Path) -> str:
    """A per-replica, per-user name for the local socket (no path characters)."""
    digest = hashlib.sha256(str(Path(data_dir).resolve()).lower().encode("utf-8")).hexdigest()
    return f"bayline-desk-{digest[:20]}"


class SingleInstance(QObject):
    """Call ``acquire()``: True for the first desk on ``data_dir`` (it then listens for
    later starts and emits ``activate``); False when another desk runs (it was asked to
    come forward)."""

    activate = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(self.data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # stale only when its process is gone
        self.name = server_name(self.data_dir)
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self.lock.tryLock(100):
            self._wake_other()
            return False
        QLocalServer.removeServer(self.name)  # a crashed desk's leftover socket file
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)
        self.server.listen(self.name)
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.lock.isLocked():
            self.lock.unlock()

    def _wake_other(self) -> None:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(1000):
            socket.write(b"activate\n")
            socket.waitForBytesWritten(1000)
            socket.disconnectFromServer()

    def _on_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.disconnected.connect(conn.deleteLater)
            self.activate.emit()
