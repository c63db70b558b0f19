"""Starting the desk: one window per replica, the event loop, a clean end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app import gcpolicy
from app.db import Store
from ui.application import create_application
from ui.desk.context import DeskContext
from ui.desk.single import SingleInstance
from ui.desk.window import MainWindow

if TYPE_CHECKING:
    from app.recovery import Opened
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)


def claim_desk(data_dir: Path) -> SingleInstance | None:
    """Take this replica's one-desk lock (``data_dir`` is the replica's folder). None: a
    desk already runs on it and was asked to come forward. Called before the replica is
    opened, so a second start never migrates or rebuilds the file the first holds open."""
    create_application()
    single = SingleInstance(Path(data_dir))
    if not single.acquire():
        log.info("another desk runs on %s; brought it forward", data_dir)
        return None
    return single


def run_desk(store: Store, engine: SyncEngine | None, *,
             on_ready: Callable[[MainWindow], None] | None = None,
             single_instance: bool = True, single: SingleInstance | None = None,
             recovered: Opened | None = None) -> int:
    """Show the desk on ``store`` (syncing through ``engine`` when given) until it closes.

    ``single`` is the lock ``claim_desk`` took (``main.cmd_desk`` takes it before opening
    the replica); without it, and with ``single_instance``, the lock is taken here: a second
    desk on the same replica brings the first forward and returns 0 at once.
    ``recovered`` is how the replica was opened when it was rebuilt: the window says so.
    ``on_ready(window)`` runs once the window is shown (the smoke test, the screenshots).
    """
    app = create_application()
    if single is None and single_instance:
        single = claim_desk(Path(store.path).parent)
        if single is None:
            if engine is not None:
                engine.stop()
            return 0
    ctx = DeskContext(store, engine, recovered=recovered)
    window = MainWindow(ctx)
    if single is not None:
        single.activate.connect(window.bring_forward)
    window.show()
    ctx.start()
    # Started: what lives as long as the desk (modules, mappers, Qt objects) goes out of
    # the cycle collector's way, so its full passes stop stalling board repaints.
    gcpolicy.settle()
    if on_ready is not None:
        on_ready(window)
    try:
        code = app.exec()
    finally:
        ctx.shutdown(wait=True)  # no-op when the window already shut down
        if single is not None:
            single.release()
    return int(code)
