"""The kiosk's work screens (``ui.kiosk.work.WorkScreen``), offscreen, on a small shop with
a synchronous database worker: clock on in two taps, one open job clock per technician,
status moves by tap (hold with its reason), a refused move says why, claiming, a note
through the in-app keyboard, live repaint from the hub, every page walked for targets
smaller than the touch rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.db import Store
from app.models import Job, Note, Outbox, StatusEvent, TimeEntry
from app.ops import jobs
from tests.ui.helpers import Shop
from ui.desk.context import DeskContext
from ui.kiosk.touch import MIN_GAP_PX, MIN_TEXT_PT, too_small
from ui.kiosk.work import PAGE_CLAIM, PAGE_HOLD, PAGE_NOTE, PAGE_WORK, WorkScreen
from ui.qt import QAbstractButton, QLabel, QPoint, QRect, QSettings, Qt, QWidget

GRACE_USER = "00000000-0000-4000-8000-00000000a001"
LINUS_USER = "00000000-0000-4000-8000-00000000a002"


def user_for(shop: Shop, name: str, user_id: str) -> dict[str, Any]:
    return {"id": user_id, "technician_id": shop.techs[name], "display_name": name,
            "offline": False}


@pytest.fixture
def make_work(qtbot: Any, store: Store, settings: QSettings) -> Iterator[Callable[..., WorkScreen]]:
    made: list[DeskContext] = []

    def make(size: tuple[int, int] = (1280, 800), *, on: Store | None = None,
             engine: Any = None, synchronous: bool = True) -> WorkScreen:
        ctx = DeskContext(on or store, engine, synchronous=synchronous, settings=settings)
        made.append(ctx)
        screen = WorkScreen(ctx)
        qtbot.addWidget(screen)
        screen.resize(*size)
        screen.show()
        qtbot.waitExposed(screen)
        return screen

    yield make
    for ctx in made:
        ctx.shutdown(wait=True)


class Finger:
    """Taps buttons as a finger does (a press and release at the centre), and counts them."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.taps = 0

    def tap(self, button: QAbstractButton) -> None:
        assert button.isVisible() and button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton,
                              pos=button.rect().center())
        self.taps += 1


def open_entries(store: Store, tech: str) -> list[TimeEntry]:
    with store.read() as s:
        return list(s.scalars(select(TimeEntry).where(
            TimeEntry.technician_id == tech, TimeEntry.kind == "job",
            TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None))))


def job_row(store: Store, job_id: str) -> Job:
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def acting_users(store: Store, entity: str) -> set[str | None]:
    with store.read() as s:
        return {o.acting_user_id for o in s.scalars(select(Outbox).where(Outbox.entity == entity))}


def signed_in(make_work: Callable[..., WorkScreen], shop: Shop, name: str = "Grace Hopper",
              user_id: str = GRACE_USER, **kw: Any) -> WorkScreen:
    screen = make_work(**kw)
    screen.show_technician(user_for(shop, name, user_id))
    return screen


# --- clocking -------------------------------------------------------------------------------

def test_clock_on_takes_two_taps_and_the_screen_shows_the_clock(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    grace = shop.techs["Grace Hopper"]
    job_id = shop.jobs["queued"]
    assert screen.page_name() == "work" and screen.view is not None
    assert screen.clocked_caption.text() == "NOT CLOCKED ON"
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[job_id])  # 1: the job
    finger.tap(screen.clock_on_button)  # 2: Clock on
    assert finger.taps == 2
    assert [e.job_id for e in open_entries(store, grace)] == [job_id]
    assert job_row(store, job_id).status == "in_progress"  # clocking on started it
    assert screen.clocked_caption.text() == "CLOCKED ON"
    number = job_row(store, job_id).number
    assert screen.clocked_job.text().startswith(f"Job {number}")
    assert screen.elapsed.text().startswith("0:00:")
    assert screen.clock_off_button.isVisible() and not screen.clock_on_button.isVisible()
    assert acting_users(store, "time_entry") >= {GRACE_USER}


def test_elapsed_time_ticks_without_reading_again(
        make_work: Any, shop: Shop, store: Store, qtbot: Any, monkeypatch: Any) -> None:
    from datetime import timedelta

    import ui.kiosk.work as work

    screen = signed_in(make_work, shop)
    Finger(qtbot).tap(screen._job_buttons[shop.jobs["queued"]])
    Finger(qtbot).tap(screen.clock_on_button)
    since = screen.view.mine.clocked.since  # type: ignore[union-attr]
    reads: list[Any] = []
    monkeypatch.setattr(screen.ctx.worker, "read", lambda *a, **k: reads.append(a))
    monkeypatch.setattr(work, "utcnow", lambda: since + timedelta(hours=1, minutes=2, seconds=3))
    screen.tick()
    assert screen.elapsed.text() == "1:02:03"
    assert "1 h 02 min" in screen.today.text()
    assert reads == []


def test_clocking_on_another_job_ends_the_previous_one(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    grace = shop.techs["Grace Hopper"]
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["queued"]])
    finger.tap(screen.clock_on_button)
    finger.tap(screen._job_buttons[shop.jobs["in_progress"]])
    finger.tap(screen.clock_on_button)
    assert [e.job_id for e in open_entries(store, grace)] == [shop.jobs["in_progress"]]
    with store.read() as s:
        ended = s.scalars(select(TimeEntry).where(TimeEntry.job_id == shop.jobs["queued"])).all()
    assert len(ended) == 1 and ended[0].ended_at is not None
    finger.tap(screen.clock_off_button)
    assert open_entries(store, grace) == []
    assert screen.clocked_caption.text() == "NOT CLOCKED ON"


def test_the_shop_may_sign_the_technician_out_after_each_clock_action(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    screen.sign_out_after_clock = True
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["queued"]])
    with qtbot.waitSignal(screen.sign_out, timeout=2000):
        finger.tap(screen.clock_on_button)
    assert screen.user is None


def test_every_tap_is_activity_and_done_signs_out(
        make_work: Any, shop: Shop, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    seen: list[int] = []
    screen.activity.connect(lambda: seen.append(1))
    finger = Finger(qtbot)
    for target in (lambda: screen._job_buttons[shop.jobs["queued"]],
                   lambda: screen.note_button, lambda: screen.keyboard.keys["a"],
                   lambda: screen.kind_buttons["note"], lambda: screen.phrase_buttons[0],
                   lambda: screen.findChild(QAbstractButton, "noteBack"),
                   lambda: screen.claim_button,
                   lambda: screen.findChild(QAbstractButton, "claimBack")):
        before = len(seen)
        finger.tap(target())
        assert len(seen) > before
    with qtbot.waitSignal(screen.sign_out, timeout=2000):
        finger.tap(screen.done_button)
    assert screen.user is None and screen.view is None


# --- status moves ---------------------------------------------------------------------------

def test_status_moves_by_tap_only_the_legal_ones_and_hold_asks_why(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    job_id = shop.jobs["in_progress"]
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[job_id])
    shown = {s for s, b in screen.move_buttons.items() if b.isVisible()}
    assert shown == {"on_hold", "ready", "queued"}  # in progress: no "Start"
    finger.tap(screen.move_buttons["on_hold"])
    assert screen.pages.currentIndex() == PAGE_HOLD
    assert set(screen.hold_buttons) == {"parts", "approval", "sublet", "other"}
    finger.tap(screen.hold_buttons["approval"])
    assert screen.pages.currentIndex() == PAGE_WORK
    job = job_row(store, job_id)
    assert (job.status, job.hold_reason) == ("on_hold", "approval")
    assert "approval" in screen.detail_status.text()
    shown = {s for s, b in screen.move_buttons.items() if b.isVisible()}
    assert shown == {"in_progress", "queued"}
    assert screen.move_buttons["in_progress"].text() == "Resume"
    finger.tap(screen.move_buttons["in_progress"])
    finger.tap(screen.move_buttons["ready"])
    assert job_row(store, job_id).status == "ready"
    assert {s for s, b in screen.move_buttons.items() if b.isVisible()} == {"in_progress"}
    with store.read() as s:
        events = s.scalars(select(StatusEvent).where(StatusEvent.job_id == job_id,
                                                     StatusEvent.by_id.is_not(None))).all()
    assert {e.by_id for e in events} == {shop.techs["Grace Hopper"]}
    assert [e.to_status for e in sorted(events, key=lambda e: e.at)] == [
        "on_hold", "in_progress", "ready"]
    assert acting_users(store, "status_event") >= {GRACE_USER}


def test_a_refused_move_says_why(make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    job_id = shop.jobs["in_progress"]
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[job_id])
    # meanwhile the desk moves the job to ready (not yet repainted here: no hub)
    store.run(jobs.move_status, job_id, "ready")
    with qtbot.waitSignal(screen.refused, timeout=2000) as refused:
        finger.tap(screen.move_buttons["queued"])
    text = refused.args[0]
    assert "cannot move from Ready to Queued" in text
    assert screen.message.text() == text and screen.message.isVisible()
    assert job_row(store, job_id).status == "ready"


def test_clock_on_a_ready_job_is_refused_with_the_reason(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop, "Linus Torvalds", LINUS_USER)
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["ready"]])
    finger.tap(screen.clock_on_button)
    assert "nobody can clock on" in screen.message.text()
    assert open_entries(store, shop.techs["Linus Torvalds"]) == []


# --- claim, notes ---------------------------------------------------------------------------

def test_claim_a_queued_job_nobody_has_taken(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop, "Linus Torvalds", LINUS_USER)
    free = shop.jobs["queued2"]
    assert free not in screen._job_buttons
    finger = Finger(qtbot)
    assert screen.claim_button.text() == "Jobs to claim (1)"
    finger.tap(screen.claim_button)
    assert screen.pages.currentIndex() == PAGE_CLAIM
    assert set(screen.claim_buttons) == {free}  # queued and unassigned only
    assert not screen.claim_refusal.isVisible()
    finger.tap(screen.claim_buttons[free])
    assert job_row(store, free).technician_id == shop.techs["Linus Torvalds"]
    assert screen.pages.currentIndex() == PAGE_WORK
    assert free in screen._job_buttons and screen.selected_id == free
    finger.tap(screen.clock_on_button)  # claimed, then one tap to work on it
    assert [e.job_id for e in open_entries(store, shop.techs["Linus Torvalds"])] == [free]
    assert acting_users(store, "job") >= {LINUS_USER}


def test_without_the_right_to_claim_the_buttons_are_absent_with_the_reason(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    from app.models import SyncState

    with store.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = "auditor"  # a role the table does not know may change nothing
    screen = signed_in(make_work, shop)
    Finger(qtbot).tap(screen.claim_button)
    assert screen.claim_buttons == {}
    assert screen.claim_refusal.isVisible()
    assert "cannot" in screen.claim_refusal.text()


def test_a_finding_typed_on_the_in_app_keyboard(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop)
    job_id = shop.jobs["queued"]
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[job_id])
    finger.tap(screen.note_button)
    assert screen.pages.currentIndex() == PAGE_NOTE
    finger.tap(screen.findChild(QAbstractButton, "saveNote"))  # empty: refused, beside it
    assert screen.note_message.text() == "The note is empty."
    finger.tap(screen.phrase_buttons[1])  # "Brake pads worn"
    keys = screen.keyboard.keys
    for key in [",", "[Space]", "[Shift]", "f", "r", "o", "n", "t", "[Space]", "2", "m", "m",
                "x", "[Backspace]"]:
        finger.tap(keys[key])
    assert screen.editor.toPlainText() == "Brake pads worn, Front 2mm"
    finger.tap(screen.findChild(QAbstractButton, "saveNote"))
    assert screen.pages.currentIndex() == PAGE_WORK
    with store.read() as s:
        found = s.scalars(select(Note).where(Note.job_id == job_id)).all()
    assert [(n.kind, n.body, n.author_id) for n in found] == [
        ("finding", "Brake pads worn, Front 2mm", shop.techs["Grace Hopper"])]
    assert acting_users(store, "note") == {GRACE_USER}
    assert "Brake pads worn" in screen.detail_notes.text()


# --- live -----------------------------------------------------------------------------------

def test_a_job_assigned_by_another_writer_appears_from_the_hub(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop, "Linus Torvalds", LINUS_USER)
    free = shop.jobs["queued2"]
    assert free not in screen._job_buttons
    changes = store.run(jobs.assign, free, technician_id=shop.techs["Linus Torvalds"])
    with qtbot.waitSignal(screen.refreshed, timeout=2000):
        screen.ctx.hub.post(changes)  # as the sync engine's apply posts what it pulled
    assert free in screen._job_buttons and screen._job_buttons[free].isVisible()
    assert free not in screen.claim_buttons


# --- touch rules ----------------------------------------------------------------------------

def _targets(root: QWidget) -> list[tuple[QWidget, QRect]]:
    from ui.kiosk.touch import INTERACTIVE

    found = []
    for w in root.findChildren(QWidget):
        if isinstance(w, INTERACTIVE) and w.isVisible() and not w.visibleRegion().isEmpty():
            found.append((w, QRect(w.mapTo(root, QPoint(0, 0)), w.size())))
    return found


def gaps_too_small(root: QWidget) -> list[str]:
    """Pairs of visible targets closer than ``MIN_GAP_PX`` (one inside the other, as a
    view's own scroll bar, is not a pair)."""
    targets = _targets(root)
    close = []
    for n, (a, ra) in enumerate(targets):
        for b, rb in targets[n + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            grown = ra.adjusted(-MIN_GAP_PX + 1, -MIN_GAP_PX + 1, MIN_GAP_PX - 1, MIN_GAP_PX - 1)
            if grown.intersects(rb):
                close.append(f"{a.objectName() or type(a).__name__} / "
                             f"{b.objectName() or type(b).__name__}")
    return close


def text_too_small(root: QWidget) -> list[str]:
    return [f"{w.objectName() or type(w).__name__} {w.font().pointSizeF()} pt"
            for w in root.findChildren(QWidget)
            if isinstance(w, QLabel | QAbstractButton) and w.isVisible()
            and w.font().pointSizeF() < MIN_TEXT_PT]


def _in_scroll_area(w: QWidget) -> bool:
    from ui.qt import QScrollArea

    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _every_page(screen: WorkScreen, shop: Shop, qtbot: Any) -> Iterator[str]:
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["queued"]])
    finger.tap(screen.clock_on_button)
    yield "work"
    finger.tap(screen.move_buttons["on_hold"])
    yield "hold"
    finger.tap(screen.findChild(QAbstractButton, "holdBack"))
    finger.tap(screen.note_button)
    yield "note"
    finger.tap(screen.findChild(QAbstractButton, "noteBack"))
    finger.tap(screen.claim_button)
    yield "claim"


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_every_page_keeps_the_touch_rules(
        make_work: Any, store: Store, qtbot: Any, size: tuple[int, int]) -> None:
    from tests.ui.helpers import make_shop

    shop = make_shop(store, extra_queued=12)
    for n in range(6):  # enough of Grace's jobs to need the scroll bar
        store.run(jobs.assign, shop.jobs[f"extra{n}"], technician_id=shop.techs["Grace Hopper"])
    screen = signed_in(make_work, shop, size=size)
    seen = []
    for page in _every_page(screen, shop, qtbot):
        qtbot.wait(10)
        seen.append(page)
        assert screen.page_name() == page
        assert len(_targets(screen)) >= 4, page  # the walker sees the page's targets
        assert too_small(screen) == [], page
        assert gaps_too_small(screen) == [], page
        assert text_too_small(screen) == [], page
        # nothing is cut off: every visible target outside a scroll area lies inside
        outside = [w.objectName() for w, r in _targets(screen)
                   if not screen.rect().contains(r) and not _in_scroll_area(w)]
        assert outside == [], page
    assert seen == ["work", "hold", "note", "claim"]


def test_the_shift_reminder_shows_when_still_clocked_on_after_the_shift(
        make_work: Any, shop: Shop, store: Store, qtbot: Any, monkeypatch: Any) -> None:
    from datetime import timedelta

    import ui.kiosk.work as work

    screen = signed_in(make_work, shop)
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["queued"]])
    finger.tap(screen.clock_on_button)
    assert not screen.reminder.isVisible()
    mine = screen.view.mine  # type: ignore[union-attr]
    assert mine is not None and mine.shift_ends_at is not None
    monkeypatch.setattr(work, "utcnow", lambda: mine.shift_ends_at + timedelta(minutes=1))
    screen.tick()
    assert screen.reminder.isVisible()
    assert "still clocked on" in screen.reminder_text.text()
    finger.tap(screen.findChild(QAbstractButton, "reminderClockOff"))
    assert open_entries(store, shop.techs["Grace Hopper"]) == []
    assert not screen.reminder.isVisible()


def test_an_answer_that_comes_after_the_technician_left_is_not_shown_to_the_next(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop, "Linus Torvalds", LINUS_USER, synchronous=False)
    qtbot.waitUntil(lambda: shop.jobs["ready"] in screen._job_buttons, timeout=10_000)
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["ready"]])
    refused: list[str] = []
    screen.refused.connect(refused.append)
    finger.tap(screen.clock_on_button)  # refused, but the answer is still on its way
    finger.tap(screen.done_button)
    screen.show_technician(user_for(shop, "Grace Hopper", GRACE_USER))
    qtbot.waitUntil(lambda: screen.view is not None, timeout=10_000)
    screen.ctx.worker.close()  # every queued write answered
    qtbot.wait(50)
    assert refused == [] and screen.message.text() == ""


def test_the_clock_shows_at_the_tap_and_a_refusal_puts_back_what_was(
        make_work: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    screen = signed_in(make_work, shop, synchronous=False)
    grace = shop.techs["Grace Hopper"]
    qtbot.waitUntil(lambda: shop.jobs["queued"] in screen._job_buttons, timeout=10_000)
    read: list[Any] = []
    screen.refreshed.connect(read.append)
    finger = Finger(qtbot)
    finger.tap(screen._job_buttons[shop.jobs["queued"]])
    finger.tap(screen.clock_on_button)
    # before the worker answered: the clock already runs on the screen, the job started
    assert read == [] and screen.clocked_caption.text() == "CLOCKED ON"
    assert screen.clock_off_button.isVisible()
    assert screen.detail_status.text() == "In progress"
    # then the replica's answer, read again, says the same
    qtbot.waitUntil(lambda: any(v.mine.clocked is not None
                                and v.mine.clocked.job_id == shop.jobs["queued"]
                                for v in read), timeout=10_000)
    assert len(open_entries(store, grace)) == 1
    # the desk moves the other job to ready; this screen has not seen it yet
    other = shop.jobs["in_progress"]
    finger.tap(screen._job_buttons[other])
    store.run(jobs.move_status, other, "ready")
    with qtbot.waitSignal(screen.refused, timeout=10_000):
        finger.tap(screen.clock_on_button)
        assert screen.clocked_job.text().startswith(  # shown at the tap ...
            f"Job {job_row(store, other).number}")
    # ... and put back: still clocked on to the first job, with the reason
    qtbot.waitUntil(lambda: screen.clocked_job.text().startswith(
        f"Job {job_row(store, shop.jobs['queued']).number}"), timeout=10_000)
    assert "nobody can clock on" in screen.message.text()
    assert [e.job_id for e in open_entries(store, grace)] == [shop.jobs["queued"]]


def test_inside_the_kiosk_window_every_page_keeps_the_touch_rules(
        qtbot: Any, store: Store, tmp_path: Any, qapp: Any) -> None:
    """The real work screen in the shell (its style sheet, its header and the offline
    banner above) at 1280x800: still finger-sized, spaced, legible, and 800 high."""
    from sync.status import Connection, SyncStatus
    from tests.ui.helpers import make_shop
    from tests.ui.kiosk.helpers import PinEngine
    from ui.application import resources_dir
    from ui.kiosk.window import KioskWindow

    shop = make_shop(store, extra_queued=12)
    for n in range(6):
        store.run(jobs.assign, shop.jobs[f"extra{n}"], technician_id=shop.techs["Grace Hopper"])
    qapp.setStyleSheet((resources_dir() / "kiosk.qss").read_text(encoding="utf-8"))
    ctx = DeskContext(store, PinEngine(), synchronous=True,
                      settings=QSettings(str(tmp_path / "k.ini"), QSettings.Format.IniFormat))
    try:
        window = KioskWindow(ctx, kiosk_dir=tmp_path / "kiosk")
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        ctx.sync.publish_status(SyncStatus(connection=Connection.OFFLINE, pending=2))
        window.show_work(user_for(shop, "Grace Hopper", GRACE_USER))
        screen = window.work
        assert isinstance(screen, WorkScreen) and window.screen_name == "work"
        for page in _every_page(screen, shop, qtbot):
            qtbot.wait(10)
            assert screen.page_name() == page
            assert too_small(window) == [], page
            assert gaps_too_small(screen) == [], page
            assert text_too_small(screen) == [], page
            outside = [w.objectName() for w, r in _targets(screen)
                       if not screen.rect().contains(r) and not _in_scroll_area(w)]
            assert outside == [], page
            assert window.height() == 800, page
        with qtbot.waitSignal(window.signed_out, timeout=2000):
            screen.back()
            Finger(qtbot).tap(screen.done_button)
        assert window.screen_name == "tiles"
    finally:
        ctx.shutdown(wait=True)
        qapp.setStyleSheet("")
