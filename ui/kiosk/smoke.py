"""``python main.py --kiosk --smoke``: does the kiosk work, end to end, without a screen?

Offscreen, like ``ui.smoke`` for the desk: find or start the demo server, sign a kiosk
replica in as the demo's kiosk device, build the kiosk window, run the first sync, tap a
demo technician's tile and their PIN on the pad (checked by the server), clock them on to a
job as the acting technician, and read the time entry back from the server. One line of
JSON on stdout and exit 0; on any failure the reason on stderr and exit 1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app import demo as demo_data
from app.db import Store
from app.paths import replica_path
from sync import demo
from ui.smoke import TIMEOUT, SmokeFailure, _ms, _wait, with_demo_server


def run_kiosk_smoke(data_dir: Path, *, started: float) -> int:
    """See the module docstring; ``started`` is ``time.perf_counter()`` at process start."""
    return with_demo_server(lambda server: _smoke(Path(data_dir), server, started),
                            name="kiosk smoke", command="bayline --kiosk --smoke")


def _work_factory() -> Any:
    """The real work screen when it is there; else a bare stand-in (the smoke clocks on
    through the database worker, as the work screen does)."""
    try:
        from ui.kiosk.work import WorkScreen  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from ui.qt import QLabel

        class Stand(QLabel):
            def show_technician(self, user: dict[str, Any]) -> None:
                self.setText(f"Signed in: {user.get('display_name')}")

        return lambda ctx, parent: Stand(parent)
    return lambda ctx, parent: WorkScreen(ctx, parent)


def _smoke(data_dir: Path, server: demo.DemoServer, started: float) -> dict[str, Any]:
    from app.ops.clock import clock_on
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.kiosk.run import kiosk_dir
    from ui.kiosk.window import KioskWindow
    from ui.qt import QSettings

    folder = kiosk_dir(data_dir)
    session = demo.join_demo(Store(replica_path(folder)), server, role="kiosk")
    store = session.store
    engine = session.engine()
    app = create_application(mode="kiosk")
    settings = QSettings(str(folder / "smoke-settings.ini"), QSettings.Format.IniFormat)
    ctx = DeskContext(store, engine, settings=settings)
    window: KioskWindow | None = None
    try:
        window = KioskWindow(ctx, kiosk_dir=folder, work_factory=_work_factory())
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        ms_to_window = _ms(started)
        ctx.start()
        _wait(app, lambda: engine.status.last_sync_at is not None
              and engine.status.last_error is None, TIMEOUT, "the first sync")
        number, name, pin = 1, *demo_data.demo_technician_accounts()[0][1:]
        _wait(app, lambda: any(t.name == name and t.has_pin for t in window.tiles), 30,
              f"{name}'s tile with a PIN on this kiosk")
        ms_to_synced = _ms(started)
        tile = next(t for t in window.tiles if t.name == name)
        window.tiles_screen.buttons[tile.technician_id].click()
        if window.screen_name != "pin":
            raise SmokeFailure("tapping a tile did not open the PIN pad")
        signed: list[dict[str, Any]] = []
        window.signed_in.connect(signed.append)
        tapped = time.perf_counter()
        for digit in pin:
            window.pin_pad.keys[digit].click()
        window.pin_pad.keys["OK"].click()
        _wait(app, lambda: bool(signed) or bool(window.pin_pad.message.text()
                                                and not window.pin_pad._busy), 30,
              "the PIN to be checked")
        if not signed:
            raise SmokeFailure(f"the PIN of demo technician {number} was refused: "
                               f"{window.pin_pad.message.text()}")
        ms_pin = _ms(tapped)
        user = signed[0]
        job_id, job_number = _a_job(store, tile.technician_id)
        failed: list[BaseException] = []
        done: list[Any] = []
        before = store.state().cursor
        ctx.worker.write(clock_on, tile.technician_id, job_id, acting_user_id=user["id"],
                         on_done=done.append, on_error=failed.append)
        _wait(app, lambda: bool(done or failed), 30, "the clock on to be saved")
        if failed:
            raise SmokeFailure(f"clocking on failed: {failed[0]}")
        _wait(app, lambda: store.pending_count() == 0, 30, "the clock on to be sent")
        on_server = engine.submit(
            lambda: _open_entry_on_server(engine, before, tile.technician_id, job_id)).result(30)
        if not on_server:
            raise SmokeFailure("the server has no open time entry of the clock on")
        window.show_tiles("done")
        return {"technicians": len(window.tiles), "signed_in": user.get("display_name"),
                "pin": "offline" if user.get("offline") else "online",
                "clocked_on_job": job_number, "on_server": True, "sync": "ok",
                "ms_to_window": ms_to_window, "ms_to_synced": ms_to_synced,
                "ms_pin_to_work": ms_pin}
    finally:
        if window is not None:
            window.close_for_good()
            window.deleteLater()
        ctx.shutdown(wait=True)
        store.close()


def _a_job(store: Store, technician_id: str) -> tuple[str, str]:
    """An open job the technician can clock on to (queued or in progress, not the one
    their clock runs on)."""
    from sqlalchemy import select

    from app.models import Job, TimeEntry

    with store.read() as s:
        current = s.scalar(select(TimeEntry.job_id).where(
            TimeEntry.technician_id == technician_id, TimeEntry.kind == "job",
            TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None)))
        row = s.execute(select(Job.id, Job.number).where(
            Job.status.in_(("queued", "in_progress")), Job.deleted_at.is_(None),
            Job.id != (current or "")).order_by(Job.number).limit(1)).first()
    if row is None:
        raise SmokeFailure("the demo shop has no job to clock on to")
    return str(row[0]), str(row[1])


def _open_entry_on_server(engine: Any, cursor: int, technician_id: str, job_id: str) -> bool:
    """True when the server serves (after ``cursor``) an open job entry of the technician
    on ``job_id``."""
    api = engine.api
    if api is None:
        raise SmokeFailure("the sync engine has no connection")
    found = False
    while True:
        page = api.pull(cursor, 5000)
        for change in page.get("changes", ()):
            row = change.get("row") or {}
            if (change.get("entity") == "time_entry" and row.get("technician_id") == technician_id
                    and row.get("job_id") == job_id and row.get("kind") == "job"):
                found = row.get("ended_at") is None
        cursor = int(page.get("cursor") or cursor)
        if not page.get("has_more"):
            return found
