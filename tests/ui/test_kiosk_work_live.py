"""The kiosk's work screen against the real server on loopback (PostgreSQL), with the
threaded database worker and sync engine: a job assigned at the desk appears on the
kiosk; two technicians work on the kiosk during one outage, through its buttons and its
keyboard, and once it is pushed the server holds each edit as the technician's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.models import Job, Technician, TechnicianPin
from app.ops import jobs
from tests.live_server import LiveServer, ShopSeed, seed_shop
from tests.pg import database_fixture
from tests.sync.helpers import new_job, outcomes
from tests.sync.liveutil import wait_until
from tests.sync.test_kiosk_live import _second_technician
from tests.sync.test_live import Device, _has_job, assert_converged
from tests.ui.test_kiosk_work import Finger, open_entries
from ui.desk.context import DeskContext
from ui.kiosk.work import PAGE_HOLD, PAGE_NOTE, PAGE_WORK, WorkScreen
from ui.qt import QAbstractButton, QSettings

pytestmark = pytest.mark.postgres

pg_database = database_fixture("bl_kiosk_work", migrate=True)


@pytest.fixture(autouse=True)
def _plain_keyring(test_keyring: Any) -> None:
    """Every test here runs on ``test_keyring`` (tests/conftest.py)."""


@pytest.fixture
def seed(live_server: LiveServer, pg_database: str) -> ShopSeed:
    return seed_shop(pg_database, "Kiosk Garage", migrate=False)


@pytest.fixture
def devices(tmp_path: Path, live_server: LiveServer, seed: ShopSeed) -> Iterator[dict[str, Device]]:
    made = {"desk": Device(tmp_path / "desk", live_server, seed, role="manager"),
            "kiosk": Device(tmp_path / "kiosk", live_server, seed, role="kiosk")}
    yield made
    for d in made.values():
        d.close()


@pytest.fixture
def kiosk_screen(qtbot: Any, devices: dict[str, Device], tmp_path: Path) -> Iterator[WorkScreen]:
    kiosk = devices["kiosk"]
    settings = QSettings(str(tmp_path / "kiosk.ini"), QSettings.Format.IniFormat)
    ctx = DeskContext(kiosk.store, kiosk.engine, synchronous=False, settings=settings)
    screen = WorkScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    yield screen
    ctx.shutdown(wait=True)


def _job(store: Any, job_id: str) -> Job | None:
    with store.read() as s:
        return s.get(Job, job_id)


def _server_rows(pg: str, model: type, **where: str) -> list[Any]:
    engine = create_engine(pg)
    try:
        with Session(engine) as s:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return list(s.scalars(query))
    finally:
        engine.dispose()


def _sign_in(screen: WorkScreen, user: dict[str, Any], qtbot: Any, job_id: str) -> None:
    screen.show_technician(user)
    qtbot.waitUntil(lambda: job_id in screen._job_buttons, timeout=10_000)


def _type(finger: Finger, screen: WorkScreen, text: str) -> None:
    for ch in text:
        finger.tap(screen.keyboard.keys["[Space]" if ch == " " else ch])


def test_a_job_assigned_at_the_desk_appears_on_the_kiosk(
        devices: dict[str, Device], kiosk_screen: WorkScreen, seed: ShopSeed,
        qtbot: Any) -> None:
    desk, kiosk = devices["desk"], devices["kiosk"]
    tech = seed.technician_id
    job_id, changes = new_job(desk.store, "brakes")
    desk.engine.nudge(changes)
    wait_until(lambda: _has_job(kiosk.store, job_id), timeout=20, what="the job on the kiosk")
    user = kiosk.engine.pin_login(tech, seed.users["technician"].pin or "").result(10)
    screen = kiosk_screen
    screen.show_technician(user)
    qtbot.waitUntil(lambda: screen.view is not None, timeout=10_000)
    qtbot.waitUntil(lambda: job_id in screen.claim_buttons, timeout=10_000)
    assert job_id not in screen._job_buttons
    # the desk gives it to the technician: it moves from the claim list to "My jobs"
    desk.engine.nudge(desk.store.run(jobs.assign, job_id, technician_id=tech))
    qtbot.waitUntil(lambda: job_id in screen._job_buttons, timeout=10_000)
    qtbot.waitUntil(lambda: job_id not in screen.claim_buttons, timeout=10_000)
    # and the technician clocks on to it in two taps; the desk sees the job started
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[job_id])
    finger.tap(screen.clock_on_button)
    qtbot.waitUntil(lambda: screen.clock_off_button.isVisible(), timeout=10_000)
    wait_until(lambda: (_job(desk.store, job_id) or Job()).status == "in_progress",
               timeout=20, what="the start on the desk")


def test_two_technicians_work_on_the_kiosk_during_an_outage_and_it_is_theirs_on_the_server(
        devices: dict[str, Device], kiosk_screen: WorkScreen, seed: ShopSeed,
        pg_database: str, qtbot: Any) -> None:
    from server.models import Note, StatusEvent, TimeEntry

    desk, kiosk = devices["desk"], devices["kiosk"]
    user_b, tech_b, pin_b = _second_technician(seed)
    tech_a, user_a = seed.technician_id, seed.users["technician"].user_id
    pin_a = seed.users["technician"].pin or ""

    def desk_knows_b() -> bool:  # made on the server after the desk's first pull
        with desk.store.read() as s:
            return s.get(Technician, tech_b) is not None
    wait_until(desk_knows_b, timeout=20, what="the second technician on the desk")
    job_a, changes = new_job(desk.store, "brakes")
    desk.engine.nudge(changes)
    job_b, changes = new_job(desk.store, "noise")
    desk.engine.nudge(changes)
    desk.engine.nudge(desk.store.run(jobs.assign, job_a, technician_id=tech_a))
    desk.engine.nudge(desk.store.run(jobs.assign, job_b, technician_id=tech_b))

    def ready() -> bool:
        with kiosk.store.read() as s:
            pins = s.scalars(select(TechnicianPin)).all()
        found = _job(kiosk.store, job_b)
        return len(pins) == 2 and _has_job(kiosk.store, job_a) and found is not None \
            and found.technician_id == tech_b
    wait_until(ready, timeout=20, what="jobs and PIN verifiers on the kiosk")

    kiosk.cable.up = False  # the outage
    screen = kiosk_screen
    finger = Finger(qtbot)
    signed_out: list[int] = []
    screen.sign_out.connect(lambda: signed_out.append(1))

    first = kiosk.engine.pin_login(tech_a, pin_a).result(10)
    assert first["offline"] is True and first["id"] == user_a
    _sign_in(screen, first, qtbot, job_a)
    finger.tap(screen._job_buttons[job_a])
    finger.tap(screen.clock_on_button)  # starts the job and the clock
    qtbot.waitUntil(lambda: len(open_entries(kiosk.store, tech_a)) == 1, timeout=10_000)
    finger.tap(screen.move_buttons["on_hold"])
    assert screen.pages.currentIndex() == PAGE_HOLD
    finger.tap(screen.hold_buttons["parts"])
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == PAGE_WORK, timeout=10_000)
    qtbot.waitUntil(lambda: not screen.clock_off_button.isVisible(), timeout=10_000)
    finger.tap(screen.note_button)
    assert screen.pages.currentIndex() == PAGE_NOTE
    _type(finger, screen, "pads 2 mm")
    finger.tap(screen.findChild(QAbstractButton, "saveNote"))
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == PAGE_WORK, timeout=10_000)
    finger.tap(screen.done_button)
    assert signed_out == [1]
    kiosk.engine.end_pin_session()

    second = kiosk.engine.pin_login(tech_b, pin_b).result(10)
    assert second["offline"] is True and second["id"] == user_b
    _sign_in(screen, second, qtbot, job_b)
    assert job_a not in screen._job_buttons  # A's job is not on B's screen
    finger.tap(screen._job_buttons[job_b])
    finger.tap(screen.clock_on_button)
    qtbot.waitUntil(lambda: len(open_entries(kiosk.store, tech_b)) == 1, timeout=10_000)
    finger.tap(screen.note_button)
    finger.tap(screen.kind_buttons["note"])
    _type(finger, screen, "belt squeals")
    finger.tap(screen.findChild(QAbstractButton, "saveNote"))
    qtbot.waitUntil(lambda: screen.pages.currentIndex() == PAGE_WORK, timeout=10_000)
    finger.tap(screen.move_buttons["ready"])
    qtbot.waitUntil(lambda: (_job(kiosk.store, job_b) or Job()).status == "ready",
                    timeout=10_000)
    assert open_entries(kiosk.store, tech_b) == []  # ready stopped B's clock
    finger.tap(screen.done_button)
    assert signed_out == [1, 1]
    time.sleep(1.0)
    assert kiosk.engine.status.pending >= 8  # nothing went up during the outage

    kiosk.cable.up = True  # later, as far as the server knows
    kiosk.engine.sync_now()
    assert_converged([desk, kiosk], pg_database, seed.shop_id, timeout=30)
    assert outcomes(kiosk.store) == []  # every edit was allowed to its technician
    for tech, job_id, moves, note in (
            (tech_a, job_a, ["in_progress", "on_hold"], ("finding", "pads 2 mm")),
            (tech_b, job_b, ["in_progress", "ready"], ("note", "belt squeals"))):
        events = sorted(_server_rows(pg_database, StatusEvent, job_id=job_id),
                        key=lambda e: e.at)
        kiosk_moves = [e for e in events if e.by_id is not None]
        assert [(e.to_status, e.by_id) for e in kiosk_moves] == [(m, tech) for m in moves]
        notes = _server_rows(pg_database, Note, job_id=job_id)
        assert [(n.kind, n.body, n.author_id) for n in notes] == [(*note, tech)]
        entries = _server_rows(pg_database, TimeEntry, job_id=job_id)
        assert [e.technician_id for e in entries] == [tech]
        assert all(e.ended_at is not None for e in entries)
    job = _job(desk.store, job_a)
    assert job is not None and (job.status, job.hold_reason) == ("on_hold", "parts")
