"""Screenshots of the front desk on the demo shop, for the README and for looking at.

    python tools/screenshots.py              # all sizes into docs/screenshots/
    python tools/screenshots.py --out DIR --sizes 1366x768
    python tools/screenshots.py --groups kiosk-work   # the kiosk's work screens, 1280x800

What it does, so that anyone can run it again and get the same kind of pictures:

1. A demo server of its own in a temporary folder (the real one of ``server.demo``, with
   today's demo shop), and a replica that joins it and syncs, as a first start does.
2. For each size, a process of its own (offscreen; Qt's scale factor is fixed per process)
   opens the desk window at that size in logical pixels, waits for the boards and the sync
   state, and grabs the queue board and the technician board. ``1280x720`` is taken at a
   scale of 1.5: what a 1920x1080 screen at 150 % shows (the picture is 1920x1080 pixels).
   Then the day schedule (Ctrl+3) on the busiest day of the coming week, by bay and by
   technician.
3. Then a second replica makes a job move the first one has not seen, and the first moves
   the same job elsewhere: the server refuses the second move (a conflict). The sync
   details panel is grabbed over the window, with that refused change listed.
4. The same refused change as the card in the window's corner (``conflict-notice``), and
   a piece of news (``notification``): the second replica moves a job to Ready, and the
   desk, live, shows the card "Job … is ready".

It needs no display (Qt's offscreen platform) and no keyring; it leaves nothing running.
Fonts are the system's: on Windows the desk uses Segoe UI 9 pt, elsewhere the sans serif
at 10 pt, so pictures made on Linux are a little wider-set than a Windows clerk's screen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: (width, height, scale): logical size of the window and Qt's scale factor.
SIZES: dict[str, tuple[int, int, float]] = {
    "1366x768": (1366, 768, 1.0),
    "1280x720": (1280, 720, 1.5),
    "1920x1080": (1920, 1080, 1.0),
}


# --- the parent: a demo server, a synced replica, a process per size --------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--only", default="",
                        help="comma-separated desk scenes to make, of: board (queue and "
                             "technicians), schedule, sync-details, checkin (search and check-in), "
                             "reports, admin (the manager's screens, at 1366x768), notices "
                             "(a refused change's card, the shop's news), editor (the job "
                             "editor)")
    parser.add_argument("--shoot", help=argparse.SUPPRESS)  # the child's JSON job
    parser.add_argument("--groups", default="desk,kiosk,kiosk-work",
                        help="comma-separated, of desk, kiosk, kiosk-work (the kiosk and "
                             "its work screens: 1280x800)")
    args = parser.parse_args(argv)
    if args.shoot:
        return shoot(json.loads(args.shoot))
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")
    if "kiosk-work" in {g.strip() for g in args.groups.split(",")}:
        kiosk_work(args.out)  # a local demo replica: no server needed
        if not {g.strip() for g in args.groups.split(",")} & {"desk", "kiosk"}:
            return 0
    with tempfile.TemporaryDirectory(prefix="bayline-shots-",
                                     ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        os.environ["BAYLINE_DEMO_DIR"] = str(folder / "demo-server")
        from sync import demo

        server = demo.ensure_demo_server(progress=lambda t: print(t, flush=True))
        try:
            groups = {g.strip() for g in args.groups.split(",")}
            if "kiosk" in groups:
                _kiosk_shots(folder / "kiosk-data", args.out)
            if "desk" not in groups:
                return 0
            replica = folder / "desk"
            print("first sync of the desk's replica ...", flush=True)
            _sync(replica)
            only = {s.strip() for s in args.only.split(",") if s.strip()}
            for size in sizes if not only or "board" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["queue", "technicians"]})
            for size in sizes if not only or "schedule" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["schedule"]})
            for size in sizes if not only or "checkin" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["search", "checkin", "checkin-new"]})
            if not only or {"sync-details", "notices"} & only:
                print("making a refused change for the sync details ...", flush=True)
                _refused_change(replica, folder / "kiosk")
            for size in sizes if not only or "sync-details" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["sync-details"]})
            # the refused change as the clerk meets it, and the news (before the manager's
            # screens switch the desk to another person: a refusal is its maker's)
            for size in sizes if not only or "notices" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["conflict-notice", "notification"],
                        "other_dir": str(folder / "kiosk")})
            # the reports window at the window's size; the PDF once
            for size in sizes if not only or "reports" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["reports-efficiency", "reports-maintenance"]
                        + (["order-pdf"] if size == sizes[0] else [])})
            if "1366x768" in sizes and (not only or "admin" in only):
                # the manager's screens, at the clerk PC's size
                _child({"size": "1366x768", "data_dir": str(replica), "out": str(args.out),
                        "views": ["admin-technicians", "admin-time", "admin-settings",
                                  "admin-users", "lock"]})
            if not only or "editor" in only:
                print("a sales tax for the job editor's totals ...", flush=True)
                _shop_tax(folder / "manager")
            for size in sizes if not only or "editor" in only else ():
                _child({"size": size, "data_dir": str(replica), "out": str(args.out),
                        "views": ["editor"]})
        finally:
            demo.stop_demo_server(server.folder)
    for png in sorted(args.out.glob("*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
    return 0


def _child(job: dict[str, Any]) -> None:
    width, height, scale = SIZES[job["size"]]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": str(scale),
           "PYTHONUTF8": "1"}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--shoot", json.dumps(job)],
                   check=True, env=env, cwd=ROOT)


def _session(data_dir: Path) -> Any:
    from app.db import Store
    from app.paths import replica_path
    from sync import demo

    return demo.join_demo(Store(replica_path(data_dir)), demo.ensure_demo_server())


def _sync(data_dir: Path) -> None:
    from sync import account
    from sync.syncer import Syncer

    session = _session(data_dir)
    api = account.client_for(session.store, token_store=session.token_store)
    try:
        Syncer(session.store, api).round()
    finally:
        api.close()
        session.store.close()


def _refused_change(desk_dir: Path, other_dir: Path) -> None:
    """Another replica starts a queued job; the desk, not having pulled it yet, cancels
    it: the server keeps "in progress" and refuses the cancel as a conflict."""
    from sqlalchemy import select

    from app.models import Job
    from app.ops.jobs import move_status
    from sync import account
    from sync.syncer import Syncer

    _sync(other_dir)
    desk, other = _session(desk_dir), _session(other_dir)
    try:
        with other.store.read() as s:
            job_id = s.scalar(select(Job.id).where(Job.status == "queued")
                              .order_by(Job.number.desc()).limit(1))
        assert job_id is not None
        other.store.run(move_status, job_id, "in_progress")
        desk.store.run(move_status, job_id, "cancelled")
        for session in (other, desk):
            api = account.client_for(session.store, token_store=session.token_store)
            try:
                syncer = Syncer(session.store, api)
                syncer.push_all()
            finally:
                api.close()
    finally:
        desk.store.close()
        other.store.close()


def _ready_elsewhere(other_dir: Path) -> None:
    """The second replica (a technician's kiosk) finishes a job in progress: Ready."""
    from sqlalchemy import select

    from app.models import Job
    from app.ops.jobs import move_status
    from sync import account
    from sync.syncer import Syncer

    other = _session(other_dir)
    api = account.client_for(other.store, token_store=other.token_store)
    try:
        Syncer(other.store, api).round()
        with other.store.read() as s:
            job_id = s.scalar(select(Job.id).where(Job.status == "in_progress")
                              .order_by(Job.number).limit(1))
        assert job_id is not None
        other.store.run(move_status, job_id, "ready")
        Syncer(other.store, api).push_all()
    finally:
        api.close()
        other.store.close()


def _shop_tax(manager_dir: Path) -> None:
    """The demo manager sets a sales tax (8.25 % on labor and parts), so the job editor's
    totals show one; the desk pulls it like any change."""
    from app.db import Store
    from app.demo import DEMO_ACCOUNTS
    from app.ops.settings import update_shop_settings
    from app.paths import replica_path
    from sync import account, demo
    from sync.syncer import Syncer

    server = demo.ensure_demo_server()
    tokens = demo.MemoryTokenStore()
    manager = DEMO_ACCOUNTS["manager"]
    outcome = account.login(Store(replica_path(manager_dir)), server.url, manager.username,
                            manager.password, fresh=True, token_store=tokens)
    store = outcome.store
    api = account.client_for(store, token_store=tokens)
    try:
        Syncer(store, api).round()
        store.run(update_shop_settings, tax_rate_bp=825, taxable_kinds=["labor", "part"])
        Syncer(store, api).push_all()
    finally:
        api.close()
        store.close()


def _editor_job(store: Any) -> str:
    """An open job of the demo with several lines, one of them declined (the most lines
    first), for the job editor's picture."""
    from sqlalchemy import func, select

    from app import rules
    from app.models import Job, JobLine

    with store.read() as s:
        declined = (select(JobLine.job_id).where(JobLine.approval == "declined",
                                                 JobLine.deleted_at.is_(None)))
        job_id = s.scalar(
            select(Job.id).join(JobLine, JobLine.job_id == Job.id)
            .where(Job.status.in_(rules.OPEN_STATUSES), Job.deleted_at.is_(None),
                   Job.id.in_(declined), JobLine.deleted_at.is_(None))
            .group_by(Job.id).having(func.count(JobLine.id).between(5, 9))
            .order_by(func.count(JobLine.id).desc(), Job.number).limit(1))
    assert job_id is not None, "no open job with a declined line in the demo"
    return str(job_id)


# --- the child: one size, offscreen --------------------------------------------------------

def _over_window(window: Any, dialog: Any, width: int, height: int) -> Any:
    """The window's picture with ``dialog`` drawn centred over it, the window dimmed and
    a hint of a shadow under the dialog (offscreen, a dialog is a window of its own)."""
    from ui.qt import QColor, QPainter, QPoint, QRect

    shot = window.grab()
    panel = dialog.grab()
    painter = QPainter(shot)
    dpr = shot.devicePixelRatio()
    w, h = panel.width() / dpr, panel.height() / dpr
    at = QPoint(int((width - w) / 2), int((height - h) / 2))
    painter.fillRect(QRect(0, 0, width, height), QColor(20, 30, 40, 60))
    painter.fillRect(QRect(at.x() + 4, at.y() + 4, int(w), int(h)), QColor(0, 0, 0, 60))
    painter.drawPixmap(at, panel)
    painter.end()
    return shot


def _waiters(app: Any) -> tuple[Any, Any]:
    """``wait(condition, timeout, what)`` (the events run meanwhile; a timeout ends the run
    with what it waited for) and ``settle(seconds=0.4)``, for a scene of ``app``."""

    def wait(condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: timed out waiting for {what}")
            app.processEvents()
            time.sleep(0.01)

    def settle(seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    return wait, settle


def shoot(job: dict[str, Any]) -> int:
    if job.get("kind") == "kiosk":
        return shoot_kiosk(job)
    if job.get("kind") == "kiosk-work":
        return shoot_kiosk_work(job)
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.desk.window import QUEUE_TAB, TECH_TAB, MainWindow
    from ui.qt import QApplication, QPixmap, QSettings

    width, height, _scale = SIZES[job["size"]]
    out = Path(job["out"])
    data_dir = Path(job["data_dir"])
    session = _session(data_dir)
    engine = session.engine()
    app = create_application()
    settings = QSettings(str(data_dir / f"shots-{job['size']}.ini"), QSettings.Format.IniFormat)
    from app.notices import KINDS

    news = "notification" in job["views"]
    for kind in KINDS:  # the shop's news only in its own picture, so the others are steady
        settings.setValue(f"notifications/{kind}", news)
    ctx = DeskContext(session.store, engine, settings=settings)
    window = MainWindow(ctx)
    window.resize(width, height)
    window.show()
    ctx.start()

    wait, settle = _waiters(app)

    wait(lambda: engine.status.last_sync_at is not None and engine.status.connection.value
         == "online", 120, "the window to be in sync")
    wait(lambda: window.data is not None and window.data.total > 0, 30, "the boards")
    settle()

    def save(pixmap: QPixmap, name: str) -> None:
        path = out / f"desk-{name}-{job['size']}.png"
        pixmap.save(str(path), "PNG")
        print(f"  {path.name}: {pixmap.width()}x{pixmap.height()} px", flush=True)

    for view in job["views"]:
        if view == "queue":
            window.show_board(QUEUE_TAB)
            settle()
            save(window.grab(), "queue")
        elif view == "technicians":
            window.show_board(TECH_TAB)
            settle()
            save(window.grab(), "technicians")
        elif view == "editor":
            from app.models import ShopSettings

            def taxed() -> bool:
                with session.store.read() as s:
                    return any(r.tax_rate_bp for r in s.query(ShopSettings))

            wait(taxed, 60, "the shop's tax to arrive")
            job_id = _editor_job(session.store)
            window.open_job(job_id)
            editor = window.job_editors[job_id]
            editor.resize(width, height)
            wait(lambda e=editor: e.data is not None and e.side is not None, 20, "the editor")
            parts = [n for n, ln in enumerate(editor.lines.rows()) if ln.kind == "part"]
            editor.lines_view.selectRow(parts[0] if parts else 0)
            settle()
            save(editor.grab(), "job-editor")
            editor.close()
        elif view == "schedule":
            _shoot_schedule(window, session.store, wait, settle, save)
        elif view in ("search", "checkin", "checkin-new"):
            _shoot_checkin(view, window, session.store, save, wait, settle, width, height)
        elif view == "sync-details":
            window.show_board(QUEUE_TAB)
            dialog = window.show_sync_details()
            wait(lambda d=dialog: bool(d.cards), 20, "the refused change in the panel")
            settle()
            shot = _over_window(window, dialog, width, height)
            save(shot, "sync-details")
            dialog.close()
        elif view in ("reports-efficiency", "reports-maintenance"):
            _shoot_report(window, view, width, height, wait, settle, save)
        elif view == "order-pdf":
            _shoot_order(ctx, out, wait)
        elif view.startswith("admin-") or view == "lock":
            _manager_view(window, view, width, height, wait, settle, save)
        elif view == "conflict-notice":
            window.show_board(QUEUE_TAB)
            stack = window.notice_stack  # type: ignore[attr-defined]
            wait(lambda st=stack: bool(st.visible_toasts()), 20, "the refused change's card")
            settle()
            save(window.grab(), "conflict-notice")
        elif view == "notification":
            stack = window.notice_stack  # type: ignore[attr-defined]
            for toast in list(stack.visible_toasts()):
                toast.dismiss()  # closed, not settled: it stays in the sync details
            shown: list[Any] = []
            window.notifications.shown.connect(shown.append)  # type: ignore[attr-defined]
            _ready_elsewhere(Path(job["other_dir"]))
            wait(lambda got=shown: any(n.kind == "ready" for n in got), 60,
                 "the news of a ready job")
            settle()
            save(window.grab(), "notification")
    ctx.shutdown(wait=True)
    window.deleteLater()
    session.store.close()
    QApplication.processEvents()
    return 0


def _busiest_day(store: Any) -> Any:
    """The day of the coming week with the most appointments (the shop's clock)."""
    from collections import Counter
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from app.models import Appointment
    from app.queries.common import local_day

    now = datetime.now(UTC)
    with store.read() as s:
        starts = s.scalars(select(Appointment.starts_at).where(
            Appointment.starts_at >= now - timedelta(days=1),
            Appointment.starts_at < now + timedelta(days=8),
            Appointment.status != "cancelled")).all()
    days = Counter(local_day(at) for at in starts)
    return max(days, key=lambda d: (days[d], -d.toordinal())) if days else local_day(now)


def _shoot_schedule(window: Any, store: Any, wait: Any, settle: Any, save: Any) -> None:
    """The schedule on the busiest day of the coming week, by bay and by technician."""
    board = window.schedule
    window.show_schedule()
    wait(lambda: board.data is not None, 30, "the schedule")
    board.show_day(_busiest_day(store))
    wait(lambda: not board.reload_pending and board.data is not None
         and board.data.day == board.day, 30, "the busy day")
    settle()
    save(window.grab(), "schedule")
    board.set_mode("technician")
    settle()
    save(window.grab(), "schedule-technicians")
    board.set_mode("bay")


def _shoot_report(window: Any, view: str, width: int, height: int, wait: Any, settle: Any,
                  save: Any) -> None:
    """The reports window at the window's size: last week's efficiency (a whole week of the
    demo shop's work), or the maintenance list to call."""
    from ui.desk.reports import EFFICIENCY_TAB, MAINTENANCE_TAB

    tab = EFFICIENCY_TAB if view == "reports-efficiency" else MAINTENANCE_TAB
    dialog = window.show_reports(tab)
    dialog.resize(width, height)
    if tab == EFFICIENCY_TAB:
        dialog.efficiency.set_preset("last_week")
        wait(lambda: dialog.efficiency.report is not None
             and dialog.efficiency.range()[0] == dialog.efficiency.report.first, 30,
             "the efficiency report")
    else:
        wait(lambda: dialog.maintenance.model.rowCount() > 0, 30, "the maintenance list")
    settle()
    save(dialog.grab(), view)
    dialog.close()


def _shoot_order(ctx: Any, out: Path, wait: Any) -> None:
    """The first page of the repair order of the open job with the most lines, painted by
    the same render as its PDF (``ui.desk.printing.page_image``)."""
    from sqlalchemy import func, select

    from app import rules
    from app.models import Job, JobLine
    from app.queries.documents import job_document
    from ui.desk.printing import page_image

    def biggest(session: Any) -> Any:
        job_id = session.scalar(
            select(Job.id).join(JobLine, JobLine.job_id == Job.id)
            .where(Job.status.in_(rules.OPEN_STATUSES), Job.deleted_at.is_(None),
                   JobLine.deleted_at.is_(None))
            .group_by(Job.id).order_by(func.count(JobLine.id).desc(), Job.number).limit(1))
        return job_document(session, job_id) if job_id else None

    got: list[Any] = []
    ctx.worker.read(biggest, on_done=got.append)
    wait(lambda: bool(got), 30, "the job to print")
    if got[0] is None:
        print("  (no open job with lines: no order picture)", flush=True)
        return
    path = out / "desk-order-pdf-page1.png"
    image = page_image(got[0], "order", dpi=110)
    image.save(str(path), "PNG")
    print(f"  {path.name}: {image.width()}x{image.height()} px", flush=True)


# --- the kiosk (a group of its own) -------------------------------------------------------

#: The kiosk's sizes: a 10" touch panel, and a 1080p one.
KIOSK_SIZES: dict[str, tuple[int, int, float]] = {"1280x800": (1280, 800, 1.0)}


def _kiosk_shots(data_dir: Path, out: Path) -> None:
    """The kiosk's tiles, PIN pad (after a wrong PIN), offline banner and exit, signed in
    to the demo server as its kiosk device; a process per size, like the desk."""
    for size, (_w, _h, scale) in KIOSK_SIZES.items():
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": str(scale),
               "PYTHONUTF8": "1"}
        job = {"kind": "kiosk", "size": size, "data_dir": str(data_dir), "out": str(out)}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--shoot",
                        json.dumps(job)], check=True, env=env, cwd=ROOT)


def shoot_kiosk(job: dict[str, Any]) -> int:
    from app.db import Store
    from app.paths import replica_path
    from sync import demo
    from sync.status import Connection, SyncStatus
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.kiosk.smoke import _work_factory
    from ui.kiosk.window import KioskWindow
    from ui.qt import QApplication, QSettings

    width, height, _scale = KIOSK_SIZES[job["size"]]
    out = Path(job["out"])
    data_dir = Path(job["data_dir"])
    session = demo.join_demo(Store(replica_path(data_dir)), demo.ensure_demo_server(),
                             role="kiosk")
    engine = session.engine()
    app = create_application(mode="kiosk")
    ctx = DeskContext(session.store, engine,
                      settings=QSettings(str(data_dir / "shots.ini"), QSettings.Format.IniFormat))
    window = KioskWindow(ctx, kiosk_dir=data_dir, work_factory=_work_factory())
    window.resize(width, height)
    window.show()
    ctx.start()

    wait, settle = _waiters(app)

    def save(name: str) -> None:
        path = out / f"kiosk-{name}-{job['size']}.png"
        pixmap = window.grab()
        pixmap.save(str(path), "PNG")
        print(f"  {path.name}: {pixmap.width()}x{pixmap.height()} px", flush=True)

    wait(lambda: engine.status.last_sync_at is not None and engine.status.connection.value
         == "online", 120, "the kiosk to be in sync")
    wait(lambda: len(window.tiles) > 0 and all(t.has_pin for t in window.tiles), 30,
         "the tiles with their PINs")
    # one technician at work, clocked on at the kiosk with their PIN (as the smoke does)
    from app import demo as demo_data
    from app.ops.clock import clock_on
    from ui.kiosk.smoke import _a_job

    name, pin = demo_data.demo_technician_accounts()[0][1:]
    marco = next(t for t in window.tiles if t.name == name)
    user = engine.pin_login(marco.technician_id, pin).result(30)
    job_id, _number = _a_job(session.store, marco.technician_id)
    ctx.worker.write(clock_on, marco.technician_id, job_id, acting_user_id=user["id"])
    wait(lambda: any(t.clocked_on for t in window.tiles), 20, "the clock on")
    settle()
    save("tiles")
    first = window.tiles[0]
    window.show_pin(first)
    for digit in "1357":
        window.pin_pad.keys[digit].click()
    window.pin_pad.keys["OK"].click()  # not this technician's PIN: the pad says so
    wait(lambda: "tries left" in window.pin_pad.message.text(), 20, "the wrong PIN's answer")
    window.pin_pad.keys["1"].click()
    window.pin_pad.keys["1"].click()
    settle()
    save("pin")
    window.show_tiles("back")
    ctx.sync.stop()  # then, as the engine would say during an outage:
    ctx.sync.publish_status(SyncStatus(connection=Connection.OFFLINE, pending=3))
    settle()
    save("offline")
    window.show_exit("To close the kiosk, a manager signs in here.")
    settle()
    save("exit")
    window.close_for_good()
    ctx.shutdown(wait=True)
    window.deleteLater()
    session.store.close()
    QApplication.processEvents()
    return 0


def _shoot_checkin(view: str, window: Any, store: Any, save: Any, wait: Any, settle: Any,
                   width: int, height: int) -> None:
    """The search with its results; the check-in of a known car; a new customer's, with a
    European VIN's warning and a likely duplicate offered."""
    from sqlalchemy import select

    from app.models import Customer, Vehicle
    from ui.desk.window import QUEUE_TAB

    with store.read() as s:
        car, owner = s.execute(select(Vehicle.id, Customer.name)
                               .join(Customer, Customer.id == Vehicle.customer_id)
                               .where(Vehicle.vin != "").order_by(Vehicle.plate)
                               .limit(1)).one()
    window.show_board(QUEUE_TAB)
    if view == "search":
        window.start_search()
        text = owner.split()[-1][:4].lower()
        window.search.setText(text)
        wait(lambda: window.search.popup.isVisible(), 10, "the search results")
        window.search.popup.step(1)
        settle()
        save(window.grab(), "search")
        window.search.clear()
        window.search.close_results()
        return
    if view == "checkin":
        dialog = window.check_in(vehicle_id=car)
        wait(lambda: dialog.ready, 10, "the check-in")
        dialog.concern.setText("Grinding noise from the front left when braking")
    else:
        dialog = window.check_in(prefill={"name": owner})
        wait(lambda: dialog.ready, 10, "the check-in")
        dialog.phone.setText("416 555 0199")
        dialog.vin.setText("WVWZZZ1JZ3W386752")
        dialog.check_field("vin")
        for edit, text in ((dialog.plate, "CKLW 214"), (dialog.make, "Volkswagen"),
                           (dialog.model, "Golf"), (dialog.year, "2003"),
                           (dialog.concern, "Check engine light, runs rough when cold"),
                           (dialog.odometer, "184 300")):
            edit.setText(text)
        dialog._edited("name")
        wait(lambda: bool(dialog.duplicates), 10, "the likely duplicate")
    dialog.adjustSize()
    settle()
    shot = _over_window(window, dialog, width, height)
    save(shot, view)
    dialog.close()


def _manager_view(window: Any, view: str, width: int, height: int, wait: Any, settle: Any,
                  save: Any) -> None:
    """The manager's screens: the desk switches to the demo manager (File > Switch user,
    the same path as a person's), then each Administration tab over the window, and the
    lock screen."""
    from app.demo import DEMO_ACCOUNTS

    manager = DEMO_ACCOUNTS["manager"]
    lock = window.session_lock
    if window.ctx.permissions.username != manager.username:
        lock.switch_user()
        lock.screen.username.setText(manager.username)
        lock.screen.password.setText(manager.password)
        lock.screen.submit()
        wait(lambda: not lock.locked and window.ctx.permissions.username == manager.username,
             60, "the switch to the demo manager")
        settle()
    if view == "lock":
        window.show_board(0)
        lock.lock()
        settle()
        save(window.grab(), "lock")
        lock.screen.username.setText(manager.username)
        lock.screen.password.setText(manager.password)
        lock.screen.submit()
        wait(lambda: not lock.locked, 60, "the unlock")
        return
    tab = view.removeprefix("admin-")
    dialog = window.show_admin(tab)
    if tab == "technicians":
        wait(lambda: dialog.technicians.model.rowCount() > 0, 20, "the technicians")
        dialog.technicians.view.selectRow(0)
    elif tab == "time":
        wait(lambda: dialog.time.model.rowCount() > 0, 20, "the time entries")
        dialog.time.view.selectRow(0)
        dialog.time.reason.setText("Clocked on late: started at 8:00")
    elif tab == "settings":  # a refused value, with its message beside the field
        wait(lambda: dialog.settings.loaded is not None, 20, "the shop settings")
        dialog.settings.tax_rate.setText("825")
        dialog.settings.time_zone.setCurrentText("Europe/Berln")  # and a misspelt zone
        dialog.settings.save_button.click()
    settle(0.8)
    shot = _over_window(window, dialog, width, height)
    save(shot, f"admin-{tab}")
    dialog.close()


# --- the kiosk's work screens (--groups kiosk-work) -----------------------------------------

#: The kiosk's panel: 1280x800 at 100 %.
KIOSK_SIZE = (1280, 800)


def kiosk_work(out: Path) -> int:
    """The technician's job screen (clocked on, the time running), the hold reasons and
    the note keyboard, on a local demo replica (no server: these screens only read it)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bayline-kiosk-shots-",
                                     ignore_cleanup_errors=True) as tmp:
        from app.db import Store
        from app.demo import generate

        replica = Path(tmp) / "replica.sqlite"
        store = Store(replica)
        generate(store, history_days=14)
        store.close()
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "QT_SCALE_FACTOR": "1", "PYTHONUTF8": "1"}
        job = {"kind": "kiosk-work", "replica": str(replica), "out": str(out)}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--shoot",
                        json.dumps(job)], check=True, env=env, cwd=ROOT)
    return 0


def shoot_kiosk_work(job: dict[str, Any]) -> int:
    from datetime import timedelta

    from sqlalchemy import select

    from app.db import Store
    from app.models import Technician, TimeEntry
    from app.ops.clock import clock_on
    from app.ops.kiosk import start_work
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.kiosk.work import PAGE_HOLD, PAGE_NOTE, WorkScreen
    from ui.qt import QApplication, QSettings

    out = Path(job["out"])
    store = Store(job["replica"])
    app = create_application()
    settings = QSettings(str(Path(job["replica"]).with_suffix(".ini")),
                         QSettings.Format.IniFormat)
    ctx = DeskContext(store, None, synchronous=True, settings=settings)
    with store.read() as s:
        clocked = s.scalars(select(TimeEntry).where(TimeEntry.kind == "job",
                                                    TimeEntry.ended_at.is_(None))).first()
        techs = s.scalars(select(Technician).where(Technician.active.is_(True))
                          .order_by(Technician.name)).all()
    tech = next((t for t in techs if clocked is not None and t.id == clocked.technician_id),
                techs[0])
    screen = WorkScreen(ctx)
    screen.resize(*KIOSK_SIZE)
    screen.show()
    screen.show_technician({"id": tech.id, "technician_id": tech.id,
                            "display_name": tech.name, "offline": False})
    mine = screen.view.mine if screen.view is not None else None
    if mine is not None and mine.clocked is None:
        startable = [j for j in mine.jobs if j.clock_refusal is None]
        if startable:  # clocked on an hour and a quarter ago, so the time runs
            from app import db as appdb
            from app.timeutil import utcnow

            real = appdb.utcnow
            appdb.utcnow = lambda: utcnow() - timedelta(hours=1, minutes=17, seconds=42)
            try:
                store.run(start_work if startable[0].status != "estimate" else clock_on,
                          tech.id, startable[0].job_id)
            finally:
                appdb.utcnow = real
            screen.refresh()
            mine = screen.view.mine if screen.view is not None else None
    if mine is not None and mine.clocked is not None:
        screen.select(mine.clocked.job_id)

    def settle(seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(name: str) -> None:
        settle()
        pixmap = screen.grab()
        path = out / f"kiosk-work-{name}-{KIOSK_SIZE[0]}x{KIOSK_SIZE[1]}.png"
        pixmap.save(str(path), "PNG")
        print(f"  {path.name}: {pixmap.width()}x{pixmap.height()} px", flush=True)

    save("job")
    screen.move("on_hold")
    if screen.pages.currentIndex() == PAGE_HOLD:
        save("hold")
    screen.back()
    screen.open_note()
    if screen.pages.currentIndex() == PAGE_NOTE:
        screen.add_phrase("Brake pads worn")
        screen.keyboard.press(",")
        for key in " front 3 mm":
            screen.keyboard.press("[Space]" if key == " " else key)
        save("note")
    screen.back()
    screen.show_page(3)
    save("claim")
    ctx.shutdown(wait=True)
    screen.deleteLater()
    store.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
