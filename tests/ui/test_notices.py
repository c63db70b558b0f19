"""The shop's news on the desk: each kind shows as a card in the corner that never takes the
keyboard, a switched-off kind shows nothing, the desk's own change shows nothing, and a
flood after an outage is one summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from app.changes import Changes
from app.db import Store
from app.models import StatusEvent
from app.ops import appointments, jobs, settings
from tests.ui.helpers import FakeEngine, Shop
from ui.desk.notices import NotificationCenter, Toast
from ui.qt import QApplication, QSystemTrayIcon


def from_another_device(store: Store, op: Any, *args: Any, **kwargs: Any) -> Changes:
    """Run ``op`` as if another device had made it and sync had applied it here: its status
    events name that device, and its ``Changes`` come from sync."""
    changes = store.run(op, *args, **kwargs)
    events = changes.rows.get("status_event", frozenset())
    if events:
        with store.write_session() as s:
            s.execute(update(StatusEvent).where(StatusEvent.id.in_(events))
                      .values(device_id="kiosk-in-the-shop"))
    return Changes(changes.rows, source="sync")


def center_of(window: Any) -> NotificationCenter:
    center = window.notifications
    assert isinstance(center, NotificationCenter)
    return center


def news_cards(window: Any) -> list[Toast]:
    return [t for t in window.notice_stack.visible_toasts() if t.property("kind") != "refusal"]


def test_a_job_moved_to_ready_elsewhere_shows_a_card_and_the_keyboard_stays(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    center = center_of(window)
    search = window.queue_board.search
    search.setFocus()
    qtbot.keyClicks(search, "Hon")
    qtbot.waitUntil(search.hasFocus)
    window.ctx.hub.publish(from_another_device(store, jobs.move_status,
                                               shop.jobs["in_progress"], "ready"))
    [shown] = center.flush()
    assert shown.kind == "ready" and shown.job_id == shop.jobs["in_progress"]
    [card] = news_cards(window)
    assert card.isVisible() and card.title.text().endswith(" is ready")
    assert "Ada Lovelace" in card.text.text()
    # the clerk's typing goes on where it was: nothing took the focus
    assert QApplication.focusWidget() is search and search.hasFocus()
    qtbot.keyClicks(search, "da")
    assert search.text() == "Honda"
    # the card sits in the window's bottom-right corner, over the boards, inside the window
    stack = window.notice_stack
    host = stack.parentWidget()
    assert stack.geometry().right() <= host.width() and stack.geometry().bottom() <= host.height()
    assert stack.geometry().left() > host.width() // 2
    # "Open job" shows it in the detail panel
    [open_job] = card.buttons
    open_job.click()
    assert window.detail_dock.isVisible()


def test_a_part_received_and_a_customer_arrived_show_cards(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    line = store.run(jobs.add_line, shop.jobs["on_hold"], kind="part",
                     description="Timing belt kit", part_status="ordered").result
    soon = datetime.now(UTC) + timedelta(hours=1)
    appt = store.run(appointments.book, starts_at=soon, ends_at=soon + timedelta(hours=1),
                     customer_id=shop.customer_id, vehicle_id=shop.vehicle_id).result
    window = make_desk()
    center = center_of(window)
    window.ctx.hub.publish(from_another_device(store, jobs.update_line, line,
                                               part_status="received"))
    window.ctx.hub.publish(from_another_device(store, appointments.set_status, appt, "arrived"))
    shown = center.flush()
    assert [n.kind for n in shown] == ["part_received", "arrived"]
    titles = [c.title.text() for c in news_cards(window)]
    assert titles[0].startswith("Part received for Job ")
    assert titles[1] == "Ada Lovelace has arrived"


def test_a_job_waiting_on_approval_too_long_shows_once(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    store.run(settings.update_shop_settings, approval_notice_minutes=30)
    store.run(jobs.move_status, shop.jobs["queued2"], "on_hold", hold_reason="approval")
    window = make_desk()
    center = center_of(window)
    assert center.flush() == []  # not yet 30 minutes
    center.now = lambda: datetime.now(UTC) + timedelta(minutes=31)
    center.check_approvals()
    [shown] = center.flush()
    assert shown.kind == "approval_wait" and shown.job_id == shop.jobs["queued2"]
    assert "(the shop allows 30 min)" in shown.text
    center.check_approvals()  # a minute later: the same wait is not told twice
    assert center.flush() == []


def test_a_kind_switched_off_in_the_settings_shows_nothing(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    center = center_of(window)
    menu = next(a.menu() for a in window.menuBar().actions()
                if a.text().replace("&", "") == "Settings")
    notifications = next(a.menu() for a in menu.actions() if a.menu() is not None)
    ready = next(a for a in notifications.actions() if a.objectName() == "notify_ready")
    assert ready.isCheckable() and ready.isChecked()
    ready.trigger()  # the clerk unticks "A job moved to Ready"
    assert not ready.isChecked() and not center.enabled("ready")
    assert window.ctx.settings.value("notifications/ready") in (False, "false")
    window.ctx.hub.publish(from_another_device(store, jobs.move_status,
                                               shop.jobs["in_progress"], "ready"))
    assert center.flush() == [] and news_cards(window) == []
    ready.trigger()  # on again: the next one shows
    window.ctx.hub.publish(from_another_device(store, jobs.move_status,
                                               shop.jobs["queued"], "in_progress"))
    window.ctx.hub.publish(from_another_device(store, jobs.move_status,
                                               shop.jobs["queued"], "ready"))
    assert [n.kind for n in center.flush()] == ["ready"]


def test_the_desks_own_change_shows_nothing_even_when_sync_brings_it_back(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    line = store.run(jobs.add_line, shop.jobs["on_hold"], kind="part", description="Belt",
                     part_status="ordered").result
    window = make_desk()
    center = center_of(window)
    done: list[Changes] = []
    window.ctx.worker.write(jobs.move_status, shop.jobs["in_progress"], "ready",
                            on_done=done.append)
    window.ctx.worker.write(jobs.update_line, line, part_status="received", on_done=done.append)
    assert len(done) == 2 and all(c.source == "local" for c in done)
    # the server sends the same rows back with the next pull
    for changes in done:
        window.ctx.hub.publish(Changes(changes.rows, source="sync"))
    assert center.flush() == [] and news_cards(window) == []


def test_a_flood_after_an_outage_is_one_summary(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    engine = FakeEngine()
    window = make_desk(engine)
    center = center_of(window)
    assert center.away  # the first sync after start is news from while the desk was away
    moved = Changes()
    for label in ("queued", "queued2", "on_hold"):
        moved = moved.merged(from_another_device(store, jobs.move_status, shop.jobs[label],
                                                 "in_progress"))
    for label in ("queued", "queued2", "on_hold", "in_progress"):
        moved = moved.merged(from_another_device(store, jobs.move_status, shop.jobs[label],
                                                 "ready"))
    window.ctx.hub.publish(Changes(moved.rows, source="sync"))
    [summary] = center.flush()
    assert summary.kind == "summary"
    assert summary.title == "4 updates while you were offline"
    assert summary.text == "4 jobs ready."
    [card] = news_cards(window)
    assert card.title.text() == "4 updates while you were offline"


def test_no_tray_offscreen_and_its_switch_says_so(make_desk: Any, shop: Shop) -> None:
    window = make_desk()
    center = center_of(window)
    assert QSystemTrayIcon.isSystemTrayAvailable() is (center.tray is not None)
    if center.tray is None:
        menu = next(a.menu() for a in window.menuBar().actions()
                    if a.text().replace("&", "") == "Settings")
        notifications = next(a.menu() for a in menu.actions() if a.menu() is not None)
        tray = next(a for a in notifications.actions() if a.objectName() == "notify_tray")
        assert not tray.isEnabled() and "no system tray" in tray.toolTip()
