"""The demo shop for the desk (and later the kiosk): the local demo server's lifecycle.

``start_demo(store)`` finds this computer's demo server or starts it (``sync.demo``), signs
the replica in as the demo clerk and returns the store with a ``SyncEngine`` that is not
started yet: the window shows first and the engine's first sync fills it. While the server
starts (the very first time it also creates the demo shop, some seconds) a small window
says what is happening, so a first start is never a blank wait; the work runs on a
helper thread and the GUI thread keeps answering.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from app.db import Store
from sync import demo
from sync.errors import SyncError
from ui.application import create_application, icon
from ui.qt import (
    QEventLoop,
    QLabel,
    QMessageBox,
    QObject,
    QProgressBar,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from sync.engine import SyncEngine
    from ui.desk.window import MainWindow

log = logging.getLogger(__name__)


class StartingWindow(QWidget):
    """"Starting the demo shop …" with a busy bar, shown while the demo server starts."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Dialog | Qt.WindowType.WindowTitleHint)
        self.setWindowTitle("Bayline")
        self.setWindowIcon(icon("bayline"))
        self.setObjectName("startingWindow")
        title = QLabel("<b>Opening the demo shop</b>", self)
        self.label = QLabel("Starting the demo shop's server …", self)
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(380)
        bar = QProgressBar(self)
        bar.setRange(0, 0)  # busy: the server's work has no useful percentage
        bar.setTextVisible(False)
        col = QVBoxLayout(self)
        col.setContentsMargins(20, 16, 20, 18)
        col.setSpacing(10)
        col.addWidget(title)
        col.addWidget(self.label)
        col.addWidget(bar)

    def say(self, text: str) -> None:
        self.label.setText(text)


class _Relay(QObject):
    progress = Signal(str)
    finished = Signal()


def ensure_with_progress(parent_text: str | None = None) -> demo.DemoServer:
    """``sync.demo.ensure_demo_server`` with the starting window while it works (GUI
    thread; the wait runs on a helper thread under a local event loop)."""
    running = demo.running_demo_server()
    if running is not None:
        return running
    create_application()
    window = StartingWindow()
    if parent_text:
        window.say(parent_text)
    relay = _Relay()
    relay.progress.connect(window.say, Qt.ConnectionType.QueuedConnection)
    loop = QEventLoop()
    relay.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["server"] = demo.ensure_demo_server(progress=relay.progress.emit)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            outcome["error"] = exc
        relay.finished.emit()

    window.show()
    thread = threading.Thread(target=work, name="bayline-demo-start", daemon=True)
    thread.start()
    loop.exec()
    thread.join()
    window.close()
    window.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    server: demo.DemoServer = outcome["server"]
    return server


def start_demo(store: Store) -> tuple[Store, SyncEngine | None]:
    """The demo replica signed in, with its (not yet started) engine; see the module
    docstring. When the demo server cannot be had, says why and returns the replica
    without sync (it keeps working on its own)."""
    try:
        server = ensure_with_progress()
        session = demo.join_demo(store, server)
    except SyncError as exc:
        log.warning("the demo server is not available: %s", exc.message)
        create_application()
        QMessageBox.warning(None, "Bayline — demo shop",
                            "The demo shop's server could not be started, so this window "
                            f"works on this computer only.\n\n{exc.message}")
        return store, None
    if session.set_aside is not None:
        log.info("an older replica was set aside as %s", session.set_aside)
    return session.store, session.engine()


def first_sync_notice(window: MainWindow) -> None:
    """The title says it is the demo shop; while a new demo replica fetches the shop, a
    note above the empty boards says so, and goes once the boards show jobs."""
    window.setWindowTitle(f"{window.windowTitle()} — demo shop")

    def show(state: Any) -> None:
        if state.cursor != 0:
            return
        window.notice.show_message("Fetching the demo shop from its server (first start: a "
                                   "few seconds). The boards fill in when it is here.",
                                   "info", seconds=120)

        def filled(data: Any) -> None:
            if data.total:
                window.notice.hide()
                window.boards_refreshed.disconnect(filled)

        window.boards_refreshed.connect(filled)

    window.ctx.worker.call(window.ctx.store.state, on_done=show)


__all__ = ["StartingWindow", "ensure_with_progress", "first_sync_notice", "start_demo"]
