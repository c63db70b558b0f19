"""The database worker: writes on one thread, reads on another, results on the GUI thread
by signal, stale reads dropped; and the GUI thread never runs SQL (real threaded worker)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text

from app.db import Store
from app.errors import NotFound
from app.models import Job
from app.ops import jobs
from tests.ui.helpers import Shop, drag_and_drop
from ui.hub import ChangeHub
from ui.worker import DbWorker


class SqlThreads:
    """Every SQL statement's thread, recorded by SQLAlchemy's ``before_cursor_execute``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.on_gui: list[str] = []
        self.threads: set[str] = set()
        event.listen(store.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.threads.add(threading.current_thread().name)
        if threading.current_thread() is threading.main_thread():
            self.on_gui.append(statement.split("\n")[0][:80])

    def close(self) -> None:
        event.remove(self.store.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def sql_threads(store: Store) -> Iterator[SqlThreads]:
    watch = SqlThreads(store)
    yield watch
    watch.close()


def test_the_watch_sees_sql_on_the_gui_thread(store: Store, sql_threads: SqlThreads) -> None:
    """The check below can fail: SQL run here (the GUI thread) is caught."""
    with store.read() as s:
        s.execute(text("SELECT 1"))
    assert "SELECT 1" in sql_threads.on_gui


def test_the_gui_thread_never_runs_sql(make_desk: Any, shop: Shop, store: Store,
                                       sql_threads: SqlThreads, qtbot: Any) -> None:
    window = make_desk(synchronous=False)
    board = window.queue_board
    with qtbot.waitSignal(window.boards_refreshed, timeout=10_000):
        drag_and_drop(board.views["queued"], shop.jobs["queued2"], board.views["in_progress"])
    with qtbot.waitSignal(window.refused, timeout=10_000):
        drag_and_drop(board.views["queued"], shop.jobs["queued"], board.views["ready"])
    with qtbot.waitSignal(window.boards_refreshed, timeout=10_000):
        drag_and_drop(board.views["estimate"], shop.jobs["estimate"],
                      window.tech_board.column(shop.techs["Linus Torvalds"]).view)
    with qtbot.waitSignal(window.detail.loaded, timeout=10_000):
        window.open_job(shop.jobs["in_progress"])
    dialog = window.show_sync_details()
    qtbot.waitUntil(lambda: dialog.fields["changes_waiting"].text() != "…", timeout=10_000)
    window.show_board(1)
    window.close()
    qtbot.waitUntil(lambda: window.ctx.worker.pending_writes == 0 and window.isHidden())
    assert sql_threads.on_gui == []
    assert {"bayline-db-write_0", "bayline-db-read_0"} <= sql_threads.threads


def test_writes_run_on_one_thread_and_reads_on_another(store: Store, shop: Shop,
                                                       qtbot: Any) -> None:
    hub = ChangeHub()
    got: list[Any] = []
    hub.subscribe(got.append)
    nudged: list[str] = []
    worker = DbWorker(store, hub, nudge=lambda c: nudged.append(threading.current_thread().name))
    try:
        done: list[Any] = []
        with qtbot.waitSignal(hub.delivered):
            worker.write(jobs.move_status, shop.jobs["queued2"], "in_progress",
                         on_done=lambda c: done.append(threading.current_thread()))
        assert done == [threading.main_thread()]  # results arrive on the GUI thread
        assert got and got[0].touches("job") and nudged == ["bayline-db-write_0"]
        read_on: list[str] = []

        def read(session: Any) -> str:
            read_on.append(threading.current_thread().name)
            return str(session.scalar(select(Job.status).where(Job.id == shop.jobs["queued2"])))

        result: list[str] = []
        worker.read(read, on_done=result.append)
        qtbot.waitUntil(lambda: bool(result))
        assert result == ["in_progress"] and read_on == ["bayline-db-read_0"]
        errors: list[BaseException] = []
        worker.write(jobs.move_status, "no-such-job", "queued", on_error=errors.append)
        qtbot.waitUntil(lambda: bool(errors))
        assert isinstance(errors[0], NotFound)
    finally:
        worker.close()


def test_a_newer_read_with_the_same_key_drops_the_older_result(store: Store,
                                                               qtbot: Any) -> None:
    worker = DbWorker(store, ChangeHub())
    gate = threading.Event()
    shown: list[str] = []
    try:
        worker.call(lambda: gate.wait(5) and "old", on_done=shown.append, key="search")
        worker.call(lambda: "new", on_done=shown.append, key="search")
        gate.set()
        qtbot.waitUntil(lambda: shown == ["new"])
        qtbot.wait(50)
        assert shown == ["new"]
    finally:
        worker.close()


def test_a_read_for_a_view_destroyed_meanwhile_is_dropped(store: Store, qtbot: Any) -> None:
    """A window closed while its read was on the worker: the result is not handed to the
    dead widget (which would raise "Internal C++ object already deleted")."""
    import shiboken6

    from ui.qt import QLabel, QWidget

    class View(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.label = QLabel(self)  # a child: destroyed with its view

        def show_data(self, text: str) -> None:
            self.label.setText(text)  # raises if the C++ side is gone

    worker = DbWorker(store, ChangeHub())
    gate = threading.Event()
    alive = View()
    doomed = View()
    shown: list[str] = []
    try:
        worker.call(lambda: gate.wait(5) and "late", on_done=doomed.show_data)
        worker.call(lambda: gate.wait(5) and "kept", on_done=lambda t: shown.append(t))
        worker.call(lambda: "live", on_done=alive.show_data)
        shiboken6.delete(doomed)
        assert not shiboken6.isValid(doomed)
        gate.set()
        qtbot.waitUntil(lambda: shown == ["kept"] and alive.label.text() == "live")
    finally:
        worker.close()


def test_close_finishes_queued_writes(store: Store, shop: Shop) -> None:
    worker = DbWorker(store, ChangeHub())
    for key in ("queued", "queued2"):
        worker.write(jobs.move_status, shop.jobs[key], "in_progress")
    worker.close()
    with store.read() as s:
        statuses = {s.get(Job, shop.jobs[k]).status for k in ("queued", "queued2")}  # type: ignore[union-attr]
    assert statuses == {"in_progress"}


def test_the_desk_starts_sync_at_once_without_sql_on_the_gui_thread(
        store: Store, sql_threads: SqlThreads, qtbot: Any) -> None:
    """``SyncEngine.start`` is cheap: the window calls it directly, not through the read
    thread (its quarantine retry, a write, runs on the engine's own thread)."""
    from sync.engine import SyncEngine
    from ui.desk.context import DeskContext

    engine = SyncEngine(store, live=False)
    ctx = DeskContext(store, engine, synchronous=False)
    try:
        ctx.start()
        assert engine._thread is not None and engine._thread.is_alive()  # started already
        qtbot.waitUntil(lambda: "bayline-sync" in sql_threads.threads, timeout=10_000)
        assert sql_threads.on_gui == []
    finally:
        ctx.shutdown(wait=True)
