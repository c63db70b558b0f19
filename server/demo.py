"""The demo shop's own server: one per computer, on 127.0.0.1, run by Bayline's executable.

``python main.py demo-server`` (or the frozen ``Bayline demo-server``) calls ``serve``:

1. It takes the folder's lock (``server.lock``); a second demo server on the computer
   sees the lock and leaves at once (exit 0), so the first window that needs it starts it
   and later ones join it.
2. The first time, it creates the demo shop (``create_demo_database``): the deterministic
   demo of ``app.demo`` written straight into the server's tables with one seq per row, so
   a replica's first pull delivers it like any shop, plus the demo accounts of
   ``app.demo.DEMO_ACCOUNTS``. The file is built under a temporary name and moved into
   place complete, so an interrupted first start never leaves half a shop.
3. It serves the API (uvicorn, 127.0.0.1 only: no firewall prompt) on the port it had last
   time if that is free (so running replicas find it again after a restart), else on a
   free one, and writes the port to ``server.json``, where ``sync.demo`` finds it.
4. With no request for ``idle_exit`` seconds and no live stream open it stops by itself
   (every running replica pulls at least once a minute), so a closed demo leaves nothing
   running for long.

The folder (``app.paths.demo_server_dir()``) holds ``server.sqlite``, ``server.json``,
``server.lock`` and ``logs/``. Nothing secret is written there: the demo accounts'
passwords are public constants, and the token signing key lives in the database as for
any embedded server.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from types import FrameType
from typing import IO, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app import demo as demo_data
from app.paths import demo_server_dir
from app.timeutil import utcnow
from server import admin
from server.db import make_engine, migrate
from server.models import ENTITIES, Job, RowIndex, ServerBase, Shop

log = logging.getLogger(__name__)

DATABASE_NAME = "server.sqlite"
STATE_NAME = "server.json"
LOCK_NAME = "server.lock"
#: Seconds without a request (and no live stream open) before the demo server stops.
DEFAULT_IDLE_EXIT = 15 * 60.0
#: Exit code when another demo server already holds the folder.
ALREADY_RUNNING = 0


# --- the folder's lock ---------------------------------------------------------------------

class FolderLock:
    """An exclusive lock on a file, held while the process lives (released by the OS when
    it dies, so a crash never leaves a stale lock). ``msvcrt`` on Windows, ``fcntl``
    elsewhere."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()


# --- the state file ----------------------------------------------------------------------

def write_state(folder: Path, **state: Any) -> None:
    """Replace ``server.json`` in one step (readers never see half a file)."""
    path = folder / STATE_NAME
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def read_state(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- creating the demo shop ----------------------------------------------------------------

@dataclass(frozen=True)
class DemoShop:
    shop_id: str
    rows: int
    seconds: float


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder / DATABASE_NAME}"


def create_demo_database(path: Path, *, seed: int = demo_data.DEFAULT_SEED,
                         now: datetime | None = None, tz: tzinfo | None = None,
                         history_days: int = 730, open_jobs: int = 40) -> DemoShop:
    """Make the demo server's SQLite file at ``path`` (which must not exist): the schema,
    the demo shop with every row indexed under its own seq, and the demo accounts."""
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    migrate(url)
    engine = make_engine(url)
    try:
        shop_id = str(uuid.uuid4())
        rows = demo_data.generate_rows(shop_id, seed=seed, now=now, tz=tz,
                                       history_days=history_days, open_jobs=open_jobs)
        total = _bulk_load(engine, shop_id, rows)
        for account in demo_data.DEMO_ACCOUNTS.values():
            admin.create_user(engine, shop_id=shop_id, username=account.username,
                              password=account.password, role=account.role,
                              display_name=account.display_name)
        add_demo_technician_accounts(engine, shop_id)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with engine.connect() as conn:  # everything into the main file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    Path(f"{partial}-shm").unlink(missing_ok=True)
    if Path(f"{partial}-wal").exists():
        os.replace(f"{partial}-wal", f"{path}-wal")
    os.replace(partial, path)
    return DemoShop(shop_id, total, time.perf_counter() - started)


def add_demo_technician_accounts(engine: Any, shop_id: str) -> int:
    """Give each demo technician without one a sign-in and a kiosk PIN
    (``app.demo.demo_technician_accounts``); how many were added. Idempotent, so a demo
    server made by an older version gets them at its next start."""
    from server.models import Technician, User

    with Session(engine) as session:
        have = set(session.scalars(select(User.username).where(User.shop_id == shop_id)))
        techs = dict(session.execute(select(Technician.name, Technician.id).where(
            Technician.shop_id == shop_id, Technician.active.is_(True))).all())
    added = 0
    for username, name, pin in demo_data.demo_technician_accounts():
        if username in have or name not in techs:
            continue
        admin.create_user(engine, shop_id=shop_id, username=username,
                          password=demo_data.DEMO_TECHNICIAN_PASSWORD, role="technician",
                          display_name=name, technician_id=techs[name], pin=pin)
        added += 1
    return added


def _bulk_load(engine: Any, shop_id: str, rows: dict[str, list[dict[str, Any]]]) -> int:
    """Insert ``rows`` and their row index in ONE transaction: seqs 1..N in the order of
    ``app.demo.INSERT_ORDER`` (technicians and bays first, so a first pull meets parents
    before children), the shop's head at N and its next job number past the demo's."""
    order = [model.__tablename__ for model in demo_data.INSERT_ORDER]
    total = sum(len(rows[name]) for name in order)
    last_number = max((int(j["number"]) for j in rows["job"]), default=0)
    with Session(engine) as session, session.begin():
        conn = session.connection(execution_options={"bayline_write": True})
        conn.execute(insert(Shop).values(id=shop_id, name=demo_data.DEMO_SHOP_NAME,
                                         head=total, purged_seq=0,
                                         next_job_number=last_number + 1,
                                         created_at=utcnow()))
        index_sql = str(insert(RowIndex).compile(dialect=conn.dialect))
        seq = 0
        for name in order:
            model: type[ServerBase] = ENTITIES[name]
            table: Any = model.__table__
            driver = demo_data.driver_rows(table, rows[name])
            conn.exec_driver_sql(str(insert(model).compile(dialect=conn.dialect)), driver)
            id_at = [c.name for c in table.columns].index("id")
            index = []
            for row in driver:
                seq += 1
                index.append(_index_row(RowIndex.__table__, shop_id, name, row[id_at], seq))
            conn.exec_driver_sql(index_sql, index)
    return total


def _index_row(table: Any, shop_id: str, entity: str, row_id: str,
               seq: int) -> tuple[Any, ...]:
    values = {"shop_id": shop_id, "entity": entity, "row_id": row_id, "seq": seq,
              "deleted": 0}
    return tuple(values[c.name] for c in table.columns)


def demo_shop_id(url: str) -> str | None:
    """The demo shop's id in the database at ``url`` (None: there is none)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(select(Shop.id).where(Shop.name == demo_data.DEMO_SHOP_NAME)
                                  .order_by(Shop.created_at).limit(1))
    finally:
        engine.dispose()


def open_jobs_on_server(url: str, shop_id: str) -> int:
    """How many jobs of the shop are open (for checks and the smoke run)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return int(session.scalar(
                select(func.count()).select_from(Job).where(
                    Job.shop_id == shop_id, Job.deleted_at.is_(None),
                    Job.status.not_in(("closed", "cancelled")))) or 0)
    finally:
        engine.dispose()


# --- serving -----------------------------------------------------------------------------

class _Activity:
    """ASGI middleware that keeps the time of the last request and the requests (live
    streams among them) still open, for the idle exit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last = time.monotonic()
        self.open = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.open += 1
        self.last = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.open -= 1
            self.last = time.monotonic()

    def idle_for(self) -> float:
        return 0.0 if self.open else time.monotonic() - self.last


def _bind(port: int | None) -> socket.socket:
    """A listening-ready socket on 127.0.0.1: ``port`` if it is free, else any free port."""
    for candidate in ((port, 0) if port else (0,)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if sys.platform == "win32":
            # Without this Windows lets another process bind the same port over ours.
            sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", -5), 1)
        else:
            # The previous run's connections may linger in TIME_WAIT: the port is ours again.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", candidate))
        except OSError:
            sock.close()
            continue
        return sock
    raise OSError("no free port on 127.0.0.1")


def serve(folder: Path | None = None, *, port: int | None = None,
          idle_exit: float | None = DEFAULT_IDLE_EXIT,
          on_phase: Callable[[str], None] | None = None) -> int:
    """Run this computer's demo server until stopped (or idle); see the module docstring.

    Returns 0 when it ran (or another demo server already holds ``folder``).
    """
    import uvicorn

    from server.app import create_app
    from server.config import Settings

    folder = folder or demo_server_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(folder / LOCK_NAME)
    if not lock.acquire():
        log.info("a demo server already runs for %s", folder)
        return ALREADY_RUNNING
    try:
        previous = read_state(folder)
        pid = os.getpid()

        def phase(name: str, **extra: Any) -> None:
            write_state(folder, pid=pid, phase=name, **extra)
            if on_phase is not None:
                on_phase(name)

        db_path = folder / DATABASE_NAME
        url = database_url(folder)
        if not db_path.exists():
            phase("creating")
            made = create_demo_database(db_path)
            log.info("created the demo shop: %d rows in %.1f s", made.rows, made.seconds)
        else:
            phase("starting")
        migrate(url)  # a newer Bayline upgrades the demo server's schema too
        shop_id = demo_shop_id(url)
        if shop_id is not None:
            made_engine = make_engine(url)
            try:
                add_demo_technician_accounts(made_engine, shop_id)
            finally:
                made_engine.dispose()
        sock = _bind(port or _int(previous.get("port")))
        bound = int(sock.getsockname()[1])
        app = create_app(Settings(database_url=url))
        activity = _Activity(app)
        config = uvicorn.Config(activity, log_config=None, access_log=False,
                                timeout_graceful_shutdown=2, lifespan="on")
        server = _uvicorn_server_class()(config)
        if idle_exit:
            _watch_idle(server, activity, idle_exit)
        phase("ready", port=bound, shop_id=shop_id, url=f"http://127.0.0.1:{bound}")
        log.info("demo server on http://127.0.0.1:%d (pid %d)", bound, pid)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            # Keep the port for the next start (replicas that are still running find it).
            write_state(folder, pid=None, phase="stopped", port=bound, shop_id=shop_id)
            log.info("demo server stopped")
        return 0
    finally:
        lock.release()


def _uvicorn_server_class() -> type[Any]:
    import uvicorn

    class DemoUvicorn(uvicorn.Server):
        """Stops gracefully on SIGTERM/SIGINT and returns from ``run()``: uvicorn's own
        handler raises the signal again after shutting down, which would end the process
        before ``serve`` writes that it stopped."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            else:
                self.should_exit = True

    return DemoUvicorn


def _int(value: Any) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _watch_idle(server: Any, activity: _Activity, idle_exit: float) -> None:
    def watch() -> None:
        while not server.should_exit:
            time.sleep(min(5.0, idle_exit / 4))
            if activity.idle_for() >= idle_exit:
                log.info("no replica used the demo server for %.0f s: stopping", idle_exit)
                server.should_exit = True

    threading.Thread(target=watch, name="bayline-demo-idle", daemon=True).start()


__all__ = ["DATABASE_NAME", "DemoShop", "FolderLock", "LOCK_NAME", "STATE_NAME",
           "create_demo_database", "database_url", "demo_shop_id", "read_state", "serve",
           "write_state"]
