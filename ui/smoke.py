"""``python main.py --smoke``: does this installation work, end to end, without a screen?

It does what a clerk's first start does, offscreen: find or start the demo server, sign a
replica in, build the main window with both boards, run the first sync, then move one job
through the window's own path (``MainWindow.move_job``, what drag and drop and the
keyboard call) and read it back from the server. One line of JSON on stdout and exit 0;
on any failure the reason on stderr and exit 1. It needs no keyring (the demo's session
stays in memory) and leaves no demo server running that it started itself.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.db import Store
from app.paths import replica_path
from sync import demo

log = logging.getLogger(__name__)

#: The whole run may take this long (a first start creates the demo shop and syncs it).
TIMEOUT = 300.0


class SmokeFailure(Exception):
    """A step that did not happen; the message says which."""


def _wait(app: Any, condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def run_smoke(data_dir: Path, *, started: float) -> int:
    """See the module docstring; ``started`` is ``time.perf_counter()`` at process start."""
    return with_demo_server(lambda server: _smoke(data_dir, server, started),
                            name="smoke", command="bayline --smoke")


def with_demo_server(smoke: Callable[[demo.DemoServer], dict[str, Any]], *, name: str,
                     command: str) -> int:
    """Runs ``smoke`` against the demo server (found, or started and stopped again): its
    result as one line of JSON on stdout and 0, or the reason on stderr and 1. ``name`` is
    the run's in the log, ``command`` what the person typed."""
    server: demo.DemoServer | None = None
    try:
        server = demo.ensure_demo_server(
            progress=lambda text: print(text, file=sys.stderr, flush=True))
        result = smoke(server)
    except Exception as exc:  # noqa: BLE001 - every failure is the smoke's answer
        log.exception("the %s run failed", name)
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        print(f"{command} failed: {reason}", file=sys.stderr, flush=True)
        return 1
    finally:
        if server is not None and server.started:
            demo.stop_demo_server(server.folder)
    print(json.dumps(result), flush=True)
    return 0


def _smoke(data_dir: Path, server: demo.DemoServer, started: float) -> dict[str, Any]:
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.desk.window import MainWindow
    from ui.qt import QSettings

    session = demo.join_demo(Store(replica_path(data_dir)), server)
    store = session.store
    engine = session.engine()
    app = create_application()
    settings = QSettings(str(data_dir / "smoke-settings.ini"), QSettings.Format.IniFormat)
    ctx = DeskContext(store, engine, settings=settings)
    window: MainWindow | None = None
    try:
        window = MainWindow(ctx)
        window.show()  # offscreen: laid out and painted, on no screen
        app.processEvents()
        ms_to_window = _ms(started)
        ctx.start()
        _wait(app, lambda: engine.status.last_sync_at is not None
              and engine.status.last_error is None, TIMEOUT, "the first sync")
        _wait(app, lambda: window.data is not None and window.data.total > 0, 30,
              "the boards to show the synced jobs")
        ms_to_synced = _ms(started)
        queue_jobs = sum(m.rowCount() for m in window.queue_board.models.values())
        technicians = len(window.tech_board.columns)
        if not queue_jobs or not technicians:
            raise SmokeFailure(f"the boards are empty ({queue_jobs} jobs, {technicians} "
                               "technicians)")
        job_id, to_status = _a_move(window)
        before = store.state().cursor
        window.move_job(job_id, to_status)
        _wait(app, lambda: store.pending_count() == 0 and _status(store, job_id) == to_status,
              30, "the move to be saved and sent")
        on_server = engine.submit(lambda: _server_status(engine, before, job_id)).result(30)
        if on_server != to_status:
            raise SmokeFailure(f"the server has the job as {on_server!r}, not {to_status!r}")
        return {"queue_jobs": queue_jobs, "technicians": technicians, "sync": "ok",
                "ms_to_window": ms_to_window, "ms_to_synced": ms_to_synced}
    finally:
        ctx.shutdown(wait=True)
        if window is not None:
            window.deleteLater()
        store.close()


def _a_move(window: Any) -> tuple[str, str]:
    """A queued job to start, else any card with an allowed move (never to on hold, which
    would ask for a reason)."""
    from app import rules

    assert window.data is not None
    for status in ("queued", "in_progress", "ready", "estimate"):
        for card in window.data.columns.get(status, ()):
            moves = [m for m in rules.allowed_moves(status) if m not in ("on_hold",)]
            if moves:
                return card.job_id, moves[0]
    raise SmokeFailure("no job on the queue board can be moved")


def _status(store: Store, job_id: str) -> str | None:
    from app.models import Job

    with store.read() as s:
        job = s.get(Job, job_id)
        return job.status if job is not None else None


def _server_status(engine: Any, cursor: int, job_id: str) -> str | None:
    """The job's status as the server serves it now (pulled after ``cursor``)."""
    api = engine.api
    if api is None:
        raise SmokeFailure("the sync engine has no connection")
    status = None
    while True:
        page = api.pull(cursor, 5000)
        for change in page.get("changes", ()):
            if change.get("entity") == "job" and change.get("row_id") == job_id:
                status = (change.get("row") or {}).get("status")
        cursor = int(page.get("cursor") or cursor)
        if not page.get("has_more"):
            return status
