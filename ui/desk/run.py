"""Starting the desk: one window per replica, the event loop, a clean end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import Store
from ui.application import create_application
from ui.desk.context import DeskContext
from ui.desk.single import SingleInstance
from ui.desk.window import MainWindow

if TYPE_CHECKING:
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)


def run_desk(store: Store, engine: SyncEngine | None, *,
             on_ready: Callable[[MainWindow], None] | None = None,
             single_instance: bool = True) -> int:
    """Show the desk on ``store`` (syncing through ``engine`` when given) until it closes.

    A second desk on the same replica brings the first forward and returns 0 at once.
    ``on_ready(window)`` runs once the window is shown (the smoke test, the screenshots).
    """
    app = create_application()
    single = SingleInstance(Path(store.path).parent) if single_instance else None
    if single is not None and not single.acquire():
        log.info("another desk runs on %s; brought it forward", store.path.parent)
        if engine is not None:
            engine.stop()
        return 0
    ctx = DeskContext(store, engine)
    window = MainWindow(ctx)
    if single is not None:
        single.activate.connect(window.bring_forward)
    window.show()
    ctx.start()
    if on_ready is not None:
        on_ready(window)
    try:
        code = app.exec()
    finally:
        ctx.shutdown(wait=True)  # no-op when the window already shut down
        if single is not None:
            single.release()
    return int(code)
