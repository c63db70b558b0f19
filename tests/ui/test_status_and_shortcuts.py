"""The status bar through online, offline, refused and back; the live banner; the sync
details panel; the sign-in dialog when the session ends; shortcuts; remembered settings;
one desk per replica."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from app.db import Store
from app.models import Conflict, Job, MutationOutcome
from sync.errors import ErrorKind
from sync.status import Connection, SyncStatus
from tests.ui.helpers import FakeEngine, Shop
from ui.desk.dialogs import KeyboardHelpDialog, SignInDialog
from ui.desk.single import SingleInstance
from ui.qt import QApplication, QDialog, Qt
from ui.syncbridge import status_words

NOW = datetime(2026, 12, 1, 14, 2, 30, tzinfo=UTC)


def test_status_words() -> None:
    assert status_words(None, NOW, has_engine=False).startswith("Working on this computer only")
    online = SyncStatus(Connection.ONLINE, last_sync_at=NOW - timedelta(seconds=12), live=True)
    assert status_words(online, NOW) == "Online · synced 12 s ago"
    offline = SyncStatus(Connection.OFFLINE, pending=37, retry_at=NOW + timedelta(seconds=8))
    assert status_words(offline, NOW) == "Offline · 37 changes waiting · retrying in 8 s"
    refused = SyncStatus(Connection.ONLINE, refused=2, last_sync_at=NOW)
    assert status_words(refused, NOW) == "Online · synced 0 s ago · 2 changes refused — review"
    # one refused click that is a conflict is one refusal, not "1 change refused and 1
    # conflict"; a conflict whose refusal was dismissed still asks for a choice
    one_click = SyncStatus(Connection.ONLINE, refused=1, open_conflicts=1, last_sync_at=NOW)
    assert status_words(one_click, NOW) == "Online · synced 0 s ago · 1 change refused — review"
    left = SyncStatus(Connection.ONLINE, open_conflicts=1, last_sync_at=NOW)
    assert status_words(left, NOW).endswith("1 conflict to settle — review")
    ended = SyncStatus(Connection.ERROR, error_kind=ErrorKind.AUTH, last_error="Your session "
                       "has ended.")
    assert status_words(ended, NOW).startswith("Session ended · sign in again")
    skewed = SyncStatus(Connection.ONLINE, last_sync_at=NOW, clock_skew=600.0)
    assert status_words(skewed, NOW).endswith("· this computer's clock is wrong")
    stuck = SyncStatus(Connection.ONLINE, last_sync_at=NOW, not_applied=2)
    assert status_words(stuck, NOW).endswith("2 changes from the server not applied — review")
    tokens_gone = SyncStatus(Connection.SIGNED_OUT, error_kind=ErrorKind.AUTH)
    assert status_words(tokens_gone, NOW).startswith("Session ended · sign in again")
    assert status_words(SyncStatus(Connection.ONLINE, pending=1), NOW) == \
        "Online · 1 change waiting"


def test_status_bar_through_online_offline_refused_and_back(make_desk: Any, shop: Shop,
                                                            store: Store, qtbot: Any) -> None:
    engine = FakeEngine()
    window = make_desk(engine)
    button, banner = window.sync_state, window.banner
    synced = datetime.now(UTC)

    def goes(status: SyncStatus) -> None:
        with qtbot.waitSignal(window.ctx.sync.status_changed):
            engine.emit(status)  # queued from the "engine thread" to the GUI thread

    goes(SyncStatus(Connection.ONLINE, last_sync_at=synced, live=True))
    assert button.text().startswith("Online · synced") and button.property("severity") == "ok"
    assert not banner.isVisible()

    goes(SyncStatus(Connection.OFFLINE, pending=3, last_sync_at=synced,
                    retry_at=datetime.now(UTC) + timedelta(seconds=30)))
    assert button.text().startswith("Offline · 3 changes waiting · retrying in ")
    assert button.property("severity") == "warn"
    assert banner.isVisible()
    assert f"as of {synced.astimezone():%H:%M}" in banner.label.text()

    goes(SyncStatus(Connection.ONLINE, pending=0, refused=1, last_sync_at=synced, live=True))
    assert "1 change refused — review" in button.text()
    assert button.property("severity") == "bad"
    assert not banner.isVisible()

    goes(SyncStatus(Connection.ONLINE, last_sync_at=synced, live=True))
    assert button.text().startswith("Online · synced") and button.property("severity") == "ok"


def test_details_panel_lists_each_refused_change_with_its_reason(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    job_id = shop.jobs["queued"]
    with store.read() as s:
        number = s.get(Job, job_id).number
    reason = ("A job cannot move from Closed to Queued. " * 6).strip()  # long: it wraps
    with store.write_session() as s:
        # one click: a status event and its job's move, refused together
        s.add(MutationOutcome(mutation_id=7, entity="status_event", row_id=str(uuid4()),
                              status="rejected", reason=reason, operation_id=7,
                              fields={"job_id": job_id, "from_status": "queued",
                                      "to_status": "on_hold"}, at=datetime.now(UTC)))
        s.add(MutationOutcome(mutation_id=8, entity="job", row_id=job_id, operation_id=7,
                              status="rejected", reason="Refused with mutation 7.",
                              refused_with=7, fields={"status": "on_hold"},
                              at=datetime.now(UTC)))
    engine = FakeEngine()
    window = make_desk(engine)
    with qtbot.waitSignal(window.ctx.sync.status_changed):
        engine.emit(SyncStatus(Connection.ONLINE, refused=1, last_sync_at=datetime.now(UTC)))
    qtbot.mouseClick(window.sync_state, Qt.MouseButton.LeftButton)
    dialog = window._dialogs["sync"]
    qtbot.waitUntil(lambda: len(dialog.cards) == 1)  # one click, one refusal
    card = dialog.cards[0]
    assert card.what.text() == f"Job {number} → On hold"
    assert card.why.text() == reason and card.why.wordWrap()
    assert job_id not in card.what.text() + card.values.text()
    qtbot.waitUntil(lambda: card.why.isVisible())
    # the reason is in view: inside the panel's width, no sideways scrolling
    right = card.why.mapTo(dialog, card.why.rect().topRight()).x()
    assert right <= dialog.width()
    assert not dialog.refusal_scroll.horizontalScrollBar().isVisible()
    assert dialog.fields["changes_waiting"].text().isdigit()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc closes dialogs
    assert not dialog.isVisible()


def test_session_ended_opens_the_sign_in_dialog_once(make_desk: Any, shop: Shop,
                                                     qtbot: Any) -> None:
    engine = FakeEngine()
    window = make_desk(engine)
    ended = SyncStatus(Connection.ERROR, error_kind=ErrorKind.AUTH,
                       last_error="Your session has ended.")
    with qtbot.waitSignal(window.ctx.sync.session_ended):
        engine.emit(ended)
    qtbot.waitUntil(lambda: "signin" in window._dialogs)
    dialog = window._dialogs["signin"]
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert "Your session has ended." in dialog.findChildren(type(dialog.message))[0].text()
    with qtbot.waitSignal(window.ctx.sync.status_changed):
        engine.emit(ended)  # the same state again: no second dialog
    assert len([w for w in QApplication.topLevelWidgets()
                if isinstance(w, SignInDialog) and w.isVisible()]) == 1
    dialog.reject()


def test_shortcuts(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    engine = FakeEngine()
    window = make_desk(engine)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.tech_board
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.queue_board
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert engine.calls.count("sync_now") == 1
    window.show_board(1)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search.hasFocus)  # the one search field (ui.desk.search)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.currentWidget() is window.queue_board
    qtbot.waitUntil(window.queue_board.search.hasFocus)  # the board's own filter
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.detail_dock.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_dialog = window._dialogs["help"]
    assert isinstance(help_dialog, KeyboardHelpDialog) and help_dialog.isVisible()
    qtbot.keyClick(help_dialog, Qt.Key.Key_Escape)
    assert not help_dialog.isVisible()
    assert window.findChild(type(window.act_sync), "syncNow").shortcut().toString() == "F5"


def test_tab_order_follows_the_screen(make_desk: Any, shop: Shop) -> None:
    window = make_desk()
    board = window.queue_board
    order = [board.search, board.technician, board.bay,
             *(board.views[s] for s in ("estimate", "queued", "in_progress", "on_hold",
                                        "ready"))]
    for a, b in zip(order, order[1:], strict=False):
        nxt = a.nextInFocusChain()
        while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus) or not nxt.isVisible():
            nxt = nxt.nextInFocusChain()
        assert nxt is b, (a.accessibleName(), nxt.accessibleName(), b.accessibleName())


def test_geometry_and_board_are_remembered(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    first = make_desk()
    first.show_board(1)
    first.open_job(shop.jobs["queued"])
    first.save_settings()
    assert first.ctx.settings.value("desk/geometry") == first.saveGeometry()
    second = make_desk(show=False)
    assert second.tabs.currentIndex() == 1
    second.show()
    assert second.detail_dock.isVisible()  # the window's state (docks) came back too


def test_closing_finishes_writes_and_stops_sync(make_desk: Any, shop: Shop, store: Store,
                                                qtbot: Any) -> None:
    engine = FakeEngine()
    window = make_desk(engine, synchronous=False)
    window.move_job(shop.jobs["queued2"], "in_progress")
    with qtbot.waitSignal(window.ctx.shut_down, timeout=10_000):
        window.close()
        assert window.isHidden()  # hidden at once; the work ends off the GUI thread
    assert "stop" in engine.calls
    from tests.ui.helpers import job_status

    assert job_status(store, shop.jobs["queued2"])[0] == "in_progress"


def test_one_desk_per_replica(tmp_path: Path, qtbot: Any) -> None:
    first = SingleInstance(tmp_path)
    assert first.acquire()
    try:
        second = SingleInstance(tmp_path)
        with qtbot.waitSignal(first.activate, timeout=5_000):
            assert not second.acquire()  # it asked the first to come forward
        other = SingleInstance(tmp_path / "other")
        assert other.acquire()
        other.release()
    finally:
        first.release()
    again = SingleInstance(tmp_path)
    assert again.acquire()
    again.release()


def test_dialogs_close_on_escape(qtbot: Any) -> None:
    dialog = KeyboardHelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()


def test_a_refused_conflict_offers_the_one_click_choice(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    from sync.outbox import sync_state

    job_id = shop.jobs["queued"]
    now = datetime.now(UTC)
    with store.write_session() as s:
        job = s.get(Job, job_id)
        state = sync_state(s)
        s.add(Conflict(id=str(uuid4()), shop_id=job.shop_id, created_at=now, updated_at=now,
                       entity="job", row_id=job_id, field="status", client_value="cancelled",
                       server_value="queued", client_id=state.client_id, mutation_id=9))
        s.add(MutationOutcome(mutation_id=9, entity="job", row_id=job_id, status="conflict",
                              reason="Someone else changed this job's status first.",
                              fields={"status": "cancelled"}, at=now))
    window = make_desk(FakeEngine())
    qtbot.mouseClick(window.sync_state, Qt.MouseButton.LeftButton)
    dialog = window._dialogs["sync"]
    qtbot.waitUntil(lambda: len(dialog.cards) == 1)
    card = dialog.cards[0]
    assert card.values.text() == "You wanted: Cancelled  ·  The shop has: Queued"
    assert [b.text() for b in card.choices] == ["Keep the shop's: Queued",
                                                "Use mine: Cancelled"]
    qtbot.mouseClick(card.choices[0], Qt.MouseButton.LeftButton)
    with store.read() as s:
        assert all(c.resolved_at is not None for c in s.query(Conflict))
    qtbot.waitUntil(lambda: not dialog.cards)  # settled: it leaves the list
