"""Starting the kiosk: its own data folder, the demo shop as the kiosk device, full screen.

The kiosk keeps its replica in ``<data>/kiosk/`` (never the desk's file), so a desk and a
kiosk run side by side on one computer, each with its own replica, and stay in step
through the server. On the demo it joins this computer's demo server as the demo's kiosk
device account (``sync.demo.join_demo(role="kiosk")``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app import gcpolicy
from app.db import Store
from ui.application import create_application
from ui.desk.context import DeskContext
from ui.kiosk import awake
from ui.kiosk.window import KioskWindow
from ui.qt import QMessageBox, QSettings, Qt

if TYPE_CHECKING:
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)

#: The kiosk's folder inside a data folder.
KIOSK_FOLDER = "kiosk"


def kiosk_dir(data_dir: Path) -> Path:
    """``<data>/kiosk``: the kiosk's replica, settings and PIN lockouts."""
    return Path(data_dir) / KIOSK_FOLDER


def start_demo_kiosk(store: Store) -> tuple[Store, SyncEngine | None]:
    """The kiosk's replica signed in to the demo server as the demo kiosk device, with its
    (not started) engine; the replica alone when the demo server cannot be had."""
    from sync import demo
    from sync.errors import SyncError
    from ui.demo import ensure_with_progress

    try:
        server = ensure_with_progress()
        session = demo.join_demo(store, server, role="kiosk")
    except SyncError as exc:
        log.warning("the demo server is not available: %s", exc.message)
        create_application(mode="kiosk")
        QMessageBox.warning(None, "Bayline kiosk — demo shop",
                    "The demo shop's server could not be started, so the kiosk cannot "
                    f"check PINs.\n\n{exc.message}")
        return store, None
    return session.store, session.engine()


def run_kiosk(store: Store, engine: SyncEngine | None, *,
              on_ready: Callable[[KioskWindow], None] | None = None,
              full_screen: bool = True) -> int:
    """Show the kiosk on ``store`` (syncing through ``engine``) until a manager closes it.
    ``on_ready(window)`` runs once it is shown (the smoke run, screenshots)."""
    app = create_application(mode="kiosk")
    folder = Path(store.path).parent
    settings = QSettings(str(folder / "kiosk-settings.ini"), QSettings.Format.IniFormat)
    ctx = DeskContext(store, engine, settings=settings)
    window = KioskWindow(ctx, kiosk_dir=folder)
    if full_screen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    awake.keep_awake()
    ctx.start()
    gcpolicy.settle()
    if on_ready is not None:
        on_ready(window)
    try:
        code = app.exec()
    finally:
        awake.allow_sleep()
        ctx.shutdown(wait=True)
    return int(code)


__all__ = ["KIOSK_FOLDER", "kiosk_dir", "run_kiosk", "start_demo_kiosk"]
