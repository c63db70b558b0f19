"""The day schedule (Ctrl+3): create by dragging across a lane, move and resize by drag and
by keyboard, a double booking refused with the clash named, arrival opening the job, the
day picker and "Today", and the days the clocks change (Europe/Berlin: 23 and 25 hours)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qt_compat import qt_api
from sqlalchemy import select

from app.db import Store
from app.models import Appointment, Job
from app.ops import appointments, customers
from app.ops import settings as shop_settings_ops
from app.queries.schedule import wall_time
from tests.ui.helpers import Shop
from ui.desk.appointment_dialog import AppointmentDialog
from ui.desk.context import DeskContext
from ui.desk.schedule import ScheduleBoard
from ui.desk.schedule_view import LANE_W, PX_PER_HOUR, ScheduleView
from ui.qt import QApplication, QPoint, QPointF, QSettings, Qt, QWheelEvent

QTest = qt_api.QtTest.QTest

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
SPRING = date(2026, 3, 29)  # 02:00 -> 03:00: 23 hours
AUTUMN = date(2026, 10, 25)  # 03:00 -> 02:00: 25 hours


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return wall_time(day, time(hour, minute), BERLIN)


@pytest.fixture
def make_board(qtbot: Any, store: Store, settings: QSettings
               ) -> Iterator[Callable[..., ScheduleBoard]]:
    """``make_board(today)``: a shown schedule in Berlin whose clock says 10:00 on ``today``
    (synchronous worker: each write and read is done when the call returns)."""
    made: list[DeskContext] = []

    def make(today: date = MONDAY, *, zone: ZoneInfo | None = BERLIN,
             now: Callable[[], datetime] | None = None) -> ScheduleBoard:
        ctx = DeskContext(store, None, synchronous=True, settings=settings)
        made.append(ctx)
        board = ScheduleBoard(ctx, zone=zone, now=now or (lambda: at(today, 10)))
        board.qtbot = qtbot  # type: ignore[attr-defined]  # for settle()
        qtbot.addWidget(board)
        board.resize(1366, 700)
        board.show()
        qtbot.waitUntil(lambda: board.data is not None and board.data.day == today)
        return board

    yield make
    for ctx in made:
        ctx.shutdown(wait=True)


def book(store: Store, start: datetime, end: datetime, *, bay: str | None = None,
         tech: str | None = None, customer: str | None = None, **kw: Any) -> str:
    appt: str = store.run(appointments.book, starts_at=start, ends_at=end, bay_id=bay,
                          technician_id=tech, customer_id=customer, tz=BERLIN, **kw).result
    return appt


def stored(store: Store, appt_id: str) -> Appointment:
    with store.read() as s:
        row = s.get(Appointment, appt_id)
        assert row is not None
        s.expunge(row)
        return row


def mouse(view: ScheduleView, kind: str, pos: QPoint | QPointF) -> None:
    """One mouse event on the drawing, sent by ``QTest``."""
    point = QPointF(pos).toPoint()
    viewport = view.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    if kind == "press":
        QTest.mousePress(viewport, left, none, point)
    elif kind == "move":
        QTest.mouseMove(viewport, point)
    elif kind == "release":
        QTest.mouseRelease(viewport, left, none, point)
    else:
        QTest.mouseDClick(viewport, left, none, point)


def drag(view: ScheduleView, start: QPoint | QPointF, end: QPoint | QPointF) -> None:
    """Press at ``start``, move to ``end`` in steps, release there."""
    a, b = QPointF(start), QPointF(end)
    mouse(view, "press", a)
    for n in range(1, 6):
        mouse(view, "move", a + (b - a) * (n / 5))
    mouse(view, "release", b)
    board = view.parent()
    assert isinstance(board, ScheduleBoard)
    settle(board)


def settle(board: ScheduleBoard) -> None:
    """Let the change hub's re-read of the day land (it is queued, as after any write)."""
    board.qtbot.waitUntil(lambda: not board.reload_pending)  # type: ignore[attr-defined]


def block_rect(board: ScheduleBoard, appt_id: str) -> Any:
    block = board.view.block_of(appt_id)
    assert block is not None, "the appointment is not drawn"
    return board.view.block_rect(block)


def lane_of(board: ScheduleBoard, appt_id: str) -> str:
    block = board.view.block_of(appt_id)
    assert block is not None
    return board.view.lanes[block.lane].lane.name


def open_dialog(board: ScheduleBoard) -> AppointmentDialog:
    dialog = board.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def choose_customer(dialog: AppointmentDialog, text: str) -> None:
    """Type into the search and press Enter: the first hit is taken."""
    QTest.keyClicks(dialog.search, text)
    assert dialog.results.count() > 0
    QTest.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.choice is not None


# --- the window -----------------------------------------------------------------------------

def test_ctrl_3_menu_and_toolbar_show_the_schedule(make_desk: Any, shop: Shop,
                                                   qtbot: Any) -> None:
    window = make_desk()
    assert window.act_schedule.shortcut().toString() == "Ctrl+3"
    assert window.act_schedule in window.toolbar.actions()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.act_schedule in view_menu.actions()
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.schedule
    qtbot.waitUntil(lambda: window.schedule.data is not None)
    lanes = [box.lane.name for box in window.schedule.view.lanes]
    assert lanes == ["Bay 1", "Bay 2", "No bay"]
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.queue_board


# --- create -----------------------------------------------------------------------------

def test_create_by_dragging_across_a_lane(make_board: Any, shop: Shop, store: Store) -> None:
    board = make_board()
    view = board.view
    drag(view, view.slot_point(at(MONDAY, 9), shop.bays["Bay 2"]),
         view.slot_point(at(MONDAY, 10, 30), shop.bays["Bay 2"]))
    dialog = open_dialog(board)
    assert (dialog.starts.time().hour(), dialog.starts.time().minute()) == (9, 0)
    assert (dialog.ends.time().hour(), dialog.ends.time().minute()) == (10, 30)
    assert dialog.bay.currentText() == "Bay 2"
    choose_customer(dialog, "Lovelace")
    QTest.keyClicks(dialog.notes, "brakes squeal")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(board)
    assert board.dialog is None  # closed after the write went through
    with store.read() as s:
        row = s.scalars(select(Appointment)).one()
        assert (row.starts_at, row.ends_at) == (at(MONDAY, 9), at(MONDAY, 10, 30))
        assert (row.bay_id, row.customer_id, row.vehicle_id, row.notes) == (
            shop.bays["Bay 2"], shop.customer_id, shop.vehicle_id, "brakes squeal")
    # the hub's re-read drew it, in its lane, at 09:00
    assert lane_of(board, row.id) == "Bay 2"
    assert block_rect(board, row.id).left() == pytest.approx(view.x_of(at(MONDAY, 9)) + 1)
    assert board.view.selected_id == row.id


def test_a_drag_snaps_to_quarter_hours_and_a_click_books_nothing(make_board: Any, shop: Shop
                                                                  ) -> None:
    board = make_board()
    view = board.view
    a = view.slot_point(at(MONDAY, 9, 7), shop.bays["Bay 1"])  # nearest quarter: 09:00
    b = view.slot_point(at(MONDAY, 9, 55), shop.bays["Bay 1"])  # 10:00
    mouse(view, "press", a)
    mouse(view, "release", a)
    assert board.dialog is None
    drag(view, a, b)
    dialog = open_dialog(board)
    assert dialog.starts.time().toString("HH:mm") == "09:00"
    assert dialog.ends.time().toString("HH:mm") == "10:00"
    dialog.reject()


# --- move and resize --------------------------------------------------------------------------

def test_move_by_drag_to_a_later_time_and_another_bay(make_board: Any, shop: Shop,
                                                      store: Store) -> None:
    appt = book(store, at(MONDAY, 9), at(MONDAY, 10), bay=shop.bays["Bay 1"],
                customer=shop.customer_id)
    board = make_board()
    rect = block_rect(board, appt)
    target = board.view.slot_point(at(MONDAY, 11, 30), shop.bays["Bay 2"])
    start = rect.center()
    drag(board.view, start, QPointF(start.x() + 1.5 * PX_PER_HOUR, target.y()))
    row = stored(store, appt)
    assert (row.starts_at, row.ends_at, row.bay_id) == (at(MONDAY, 10, 30), at(MONDAY, 11, 30),
                                                         shop.bays["Bay 2"])
    assert lane_of(board, appt) == "Bay 2"
    assert board.view.pending is None


def test_resize_by_dragging_either_end(make_board: Any, shop: Shop, store: Store) -> None:
    appt = book(store, at(MONDAY, 9), at(MONDAY, 10), bay=shop.bays["Bay 1"])
    board = make_board()
    rect = block_rect(board, appt)
    end_edge = QPointF(rect.right() - 2, rect.center().y())
    drag(board.view, end_edge, QPointF(board.view.x_of(at(MONDAY, 11, 30)), end_edge.y()))
    row = stored(store, appt)
    assert (row.starts_at, row.ends_at) == (at(MONDAY, 9), at(MONDAY, 11, 30))
    rect = block_rect(board, appt)
    start_edge = QPointF(rect.left() + 2, rect.center().y())
    drag(board.view, start_edge, QPointF(board.view.x_of(at(MONDAY, 8, 15)), start_edge.y()))
    row = stored(store, appt)
    assert (row.starts_at, row.ends_at) == (at(MONDAY, 8, 15), at(MONDAY, 11, 30))
    # never shorter than a quarter hour, whatever the drag
    rect = block_rect(board, appt)
    drag(board.view, QPointF(rect.right() - 2, rect.center().y()),
         QPointF(rect.left() - 50, rect.center().y()))
    row = stored(store, appt)
    assert row.ends_at - row.starts_at == timedelta(minutes=15)


def test_the_keyboard_and_the_menu_move_and_resize_too(make_board: Any, shop: Shop,
                                                       store: Store) -> None:
    appt = book(store, at(MONDAY, 9), at(MONDAY, 10), bay=shop.bays["Bay 1"])
    board = make_board()
    view = board.view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Right)  # nothing selected: the first block
    assert view.selected_id == appt
    alt = Qt.KeyboardModifier.AltModifier
    QTest.keyClick(view, Qt.Key.Key_Right, alt)
    assert stored(store, appt).starts_at == at(MONDAY, 9, 15)
    QTest.keyClick(view, Qt.Key.Key_Right, alt | Qt.KeyboardModifier.ShiftModifier)
    settle(board)
    assert stored(store, appt).ends_at == at(MONDAY, 10, 30)
    QTest.keyClick(view, Qt.Key.Key_Down, alt)
    assert stored(store, appt).bay_id == shop.bays["Bay 2"]
    assert view.selected_id == appt  # it stays selected in its new lane
    menu = board.build_menu(appt, None, None)
    later = next(a for a in menu.actions() if a.text() == "15 min &later")
    later.trigger()
    settle(board)
    row = stored(store, appt)
    assert (row.starts_at, row.ends_at) == (at(MONDAY, 9, 30), at(MONDAY, 10, 45))
    move_to = next(a.menu() for a in menu.actions() if a.text() == "&Move to")
    next(a for a in move_to.actions() if a.text() == "No bay").trigger()
    settle(board)
    assert stored(store, appt).bay_id is None
    QTest.keyClick(view, Qt.Key.Key_Return)
    dialog = open_dialog(board)
    assert dialog.draft.appointment_id == appt and dialog.bay.currentText() == "No bay"
    dialog.reject()


def test_technician_lanes_assign_by_drag(make_board: Any, shop: Shop, store: Store) -> None:
    appt = book(store, at(MONDAY, 9), at(MONDAY, 10), tech=shop.techs["Grace Hopper"])
    board = make_board()
    board.by_tech.click()
    settle(board)
    assert [b.lane.name for b in board.view.lanes] == ["Grace Hopper", "Linus Torvalds",
                                                      "Unassigned"]
    rect = block_rect(board, appt)
    target = board.view.slot_point(at(MONDAY, 9), shop.techs["Linus Torvalds"])
    drag(board.view, rect.center(), QPointF(rect.center().x(), target.y()))
    row = stored(store, appt)
    assert row.technician_id == shop.techs["Linus Torvalds"] and row.starts_at == at(MONDAY, 9)


# --- double booking ---------------------------------------------------------------------------

def test_a_double_booking_is_refused_with_the_clash_named(make_board: Any, shop: Shop,
                                                          store: Store) -> None:
    first = book(store, at(MONDAY, 9), at(MONDAY, 10), bay=shop.bays["Bay 1"],
                 customer=shop.customer_id)
    other = store.run(customers.create_customer, name="Alan Turing").result
    second = book(store, at(MONDAY, 11), at(MONDAY, 12), bay=shop.bays["Bay 1"],
                  customer=other)
    board = make_board()
    rect = block_rect(board, second)
    refused: list[str] = []
    board.refused.connect(refused.append)
    drag(board.view, rect.center(), rect.center() - QPointF(1.5 * PX_PER_HOUR, 0))
    clash = "Bay 1 is already booked Mon 23 Nov 09:00–10:00 (Ada Lovelace)."
    assert refused and clash in refused[0]
    assert board.message.isVisible() and clash in board.message.text()
    row = stored(store, second)
    assert (row.starts_at, row.ends_at) == (at(MONDAY, 11), at(MONDAY, 12))  # unchanged
    assert board.view.pending is None  # the block is back where it is
    assert block_rect(board, second).left() == pytest.approx(board.view.x_of(at(MONDAY, 11)) + 1)
    assert stored(store, first).starts_at == at(MONDAY, 9)

    # a new booking drawn over it: the dialog stays open, the clash beside the bay
    view = board.view
    drag(view, view.slot_point(at(MONDAY, 10, 30), shop.bays["Bay 1"]),
         view.slot_point(at(MONDAY, 11, 30), shop.bays["Bay 1"]))
    dialog = open_dialog(board)
    choose_customer(dialog, "Lovelace")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(board)
    assert dialog.isVisible()
    assert dialog.bay_error.isVisibleTo(dialog)
    assert dialog.bay_error.text() == ("Bay 1 is already booked Mon 23 Nov 11:00–12:00 "
                                       "(Alan Turing).")
    with store.read() as s:
        assert len(s.scalars(select(Appointment.id)).all()) == 2
    # moved to Bay 2 in the dialog, it books
    dialog.bay.setCurrentIndex(dialog.bay.findText("Bay 2"))
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(board)
    assert board.dialog is None
    with store.read() as s:
        assert len(s.scalars(select(Appointment.id)).all()) == 3


def test_a_time_the_clocks_skip_is_refused_in_the_dialog(make_board: Any, shop: Shop) -> None:
    board = make_board(SPRING)
    view = board.view
    drag(view, view.slot_point(at(SPRING, 9), shop.bays["Bay 1"]),
         view.slot_point(at(SPRING, 10), shop.bays["Bay 1"]))
    dialog = open_dialog(board)
    choose_customer(dialog, "Lovelace")
    dialog.starts.setTime(dialog.starts.time().fromString("02:30", "HH:mm"))
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(board)
    assert dialog.isVisible()
    assert "02:30 does not exist" in dialog.time_error.text()
    dialog.reject()


# --- arrival ---------------------------------------------------------------------------------

def test_arrival_checks_in_and_opens_the_job(make_desk: Any, shop: Shop, store: Store,
                                             qtbot: Any) -> None:
    start = wall_time(datetime.now(UTC).astimezone().date(), time(12))  # noon today
    appt = store.run(appointments.book, starts_at=start, ends_at=start + timedelta(hours=1),
                     customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                     bay_id=shop.bays["Bay 2"], notes="winter tyres on").result
    window = make_desk()
    window.show_schedule()
    board = window.schedule
    board.qtbot = qtbot  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: board.view.block_of(appt) is not None)
    board.view.select(appt)
    assert board.arrived_button.isEnabled()
    QTest.mouseClick(board.arrived_button, Qt.MouseButton.LeftButton)
    settle(board)
    with store.read() as s:
        row = s.get(Appointment, appt)
        assert row is not None and row.status == "arrived" and row.job_id is not None
        job = s.get(Job, row.job_id)
        assert job is not None
        assert (job.status, job.concern, job.bay_id) == ("queued", "winter tyres on",
                                                         shop.bays["Bay 2"])
        job_id, number = job.id, job.number
    # the job opens in the detail panel, and the queue board has it
    assert window.detail_dock.isVisible()
    qtbot.waitUntil(lambda: window.detail.job_id == job_id)
    qtbot.waitUntil(lambda: window.data is not None and any(
        c.card.job_id == job_id for c in window.data.columns.get("queued", ())))
    shown = board.view.block_of(appt)
    assert shown is not None and shown.item.status == "arrived"
    assert shown.item.job_number == number
    assert not board.arrived_button.isEnabled()
    # twice is refused in words, and makes nothing
    board.check_in(appt)
    settle(board)
    assert "already checked in" in board.message.text()


# --- days ------------------------------------------------------------------------------------

def test_day_picker_arrows_and_today(make_board: Any, shop: Shop, store: Store) -> None:
    tomorrow = MONDAY + timedelta(days=1)
    later = book(store, at(tomorrow, 9), at(tomorrow, 10), bay=shop.bays["Bay 1"])
    board = make_board()
    assert board.day == MONDAY and board.title.text() == "Today · 0 appointments"
    assert not board.today_button.isEnabled()
    assert board.view.block_of(later) is None
    QTest.mouseClick(board.next_day, Qt.MouseButton.LeftButton)
    settle(board)
    assert board.day == tomorrow and board.title.text() == "Tomorrow · 1 appointment"
    assert board.view.block_of(later) is not None
    assert board.picker.date().toString("yyyy-MM-dd") == "2026-11-24"
    board.picker.setDate(board.picker.date().addDays(10))
    settle(board)
    assert board.day == date(2026, 12, 4) and board.data is not None
    assert board.data.day == date(2026, 12, 4) and board.title.text() == "0 appointments"
    assert board.today_button.isEnabled()
    QTest.mouseClick(board.today_button, Qt.MouseButton.LeftButton)
    settle(board)
    assert board.day == MONDAY and board.data is not None and board.data.day == MONDAY
    board.view.setFocus()
    QTest.keyClick(board.view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier)
    settle(board)
    assert board.day == MONDAY - timedelta(days=1) and board.title.text().startswith("Yesterday")


def test_a_booking_made_elsewhere_appears_by_the_change_hub(make_board: Any, shop: Shop,
                                                            store: Store) -> None:
    board = make_board()
    # another view's write through the worker: the hub tells the schedule
    board.ctx.worker.write(appointments.book, starts_at=at(MONDAY, 14),
                           ends_at=at(MONDAY, 15), bay_id=shop.bays["Bay 1"])
    settle(board)
    assert [b.item.starts_at for b in board.view.blocks] == [at(MONDAY, 14)]
    # a synced row: the engine's changes reach the hub the same way
    appt = book(store, at(MONDAY, 16), at(MONDAY, 17), bay=shop.bays["Bay 2"])
    board.ctx.hub.publish(store.run(appointments.set_status, appt, "confirmed"))
    settle(board)
    assert board.view.block_of(appt) is not None


# --- the days the clocks change --------------------------------------------------------------

def mark_x(board: ScheduleBoard, label: str, nth: int = 0) -> float:
    marks = [m for m in board.view.marks if m.label == label]
    return board.view.x_of(marks[nth].at)


def test_the_spring_day_has_23_hours_and_blocks_at_their_wall_clock_time(
        make_board: Any, shop: Shop, store: Store) -> None:
    appt = book(store, at(SPRING, 10), at(SPRING, 11), bay=shop.bays["Bay 1"])
    board = make_board(SPRING)
    view = board.view
    labels = [m.label for m in view.marks]
    assert len(labels) == 23 and labels[:3] == ["00:00", "01:00", "03:00"]
    assert "02:00" not in labels
    assert view.content_size().width() == LANE_W + 23 * PX_PER_HOUR
    assert "forward" in board.clock_note.text() and "23 hours" in board.clock_note.text()
    rect = block_rect(board, appt)
    assert rect.left() == pytest.approx(mark_x(board, "10:00") + 1)
    assert rect.right() == pytest.approx(mark_x(board, "11:00") - 1)
    block = view.block_of(appt)
    assert block is not None and view.describe(block.item).startswith("10:00–11:00")
    # drawing from the 13:00 mark to the 14:00 mark books 13:00–14:00 on the shop's clock
    lane_y = view.slot_point(at(SPRING, 13), shop.bays["Bay 2"]).y()
    drag(view, QPointF(mark_x(board, "13:00") + 2, lane_y),
         QPointF(mark_x(board, "14:00") + 2, lane_y))
    dialog = open_dialog(board)
    assert dialog.starts.time().toString("HH:mm") == "13:00"
    choose_customer(dialog, "Lovelace")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(board)
    with store.read() as s:
        made = s.scalars(select(Appointment).where(Appointment.id != appt)).one()
        assert (made.starts_at, made.ends_at) == (datetime(2026, 3, 29, 11, 0, tzinfo=UTC),
                                                  datetime(2026, 3, 29, 12, 0, tzinfo=UTC))


def test_the_zone_comes_from_the_shop_settings_and_follows_their_change(
        make_board: Any, shop: Shop, store: Store) -> None:
    """No zone given: the board reads the shop settings' (New York, whose clocks go forward
    on 8 March 2026, three weeks before Berlin's and unlike this computer's) and re-reads it
    when a manager changes it."""
    new_york = ZoneInfo("America/New_York")
    us_spring = date(2026, 3, 8)
    store.run(shop_settings_ops.update_shop_settings, time_zone="America/New_York")
    appt: str = store.run(appointments.book, starts_at=wall_time(us_spring, time(10), new_york),
                          ends_at=wall_time(us_spring, time(11), new_york),
                          bay_id=shop.bays["Bay 1"], tz=new_york).result
    board = make_board(us_spring, zone=None,
                       now=lambda: wall_time(us_spring, time(10), new_york))
    view = board.view
    assert str(board.zone) == "America/New_York"
    labels = [m.label for m in view.marks]
    assert len(labels) == 23 and labels[:3] == ["00:00", "01:00", "03:00"]
    assert "forward" in board.clock_note.text() and "23 hours" in board.clock_note.text()
    rect = block_rect(board, appt)
    assert rect.left() == pytest.approx(mark_x(board, "10:00") + 1)
    assert rect.right() == pytest.approx(mark_x(board, "11:00") - 1)
    # the manager sets Berlin: the same day is drawn again on Berlin's clock (24 hours there;
    # 10:00 in New York is 15:00 in Berlin)
    board.ctx.worker.write(shop_settings_ops.update_shop_settings, time_zone="Europe/Berlin")
    board.qtbot.waitUntil(lambda: str(board.zone) == "Europe/Berlin")  # type: ignore[attr-defined]
    settle(board)
    assert len(view.marks) == 24 and board.clock_note.text() == ""
    rect = block_rect(board, appt)
    assert rect.left() == pytest.approx(mark_x(board, "15:00") + 1)


def test_the_autumn_day_has_25_hours_and_two_2_oclocks(make_board: Any, shop: Shop,
                                                       store: Store) -> None:
    appt = book(store, at(AUTUMN, 10), at(AUTUMN, 12), bay=shop.bays["Bay 1"])
    early = book(store, datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # the second 02:00 (CET)
                 datetime(2026, 10, 25, 1, 30, tzinfo=UTC), bay=shop.bays["Bay 2"])
    board = make_board(AUTUMN)
    view = board.view
    labels = [m.label for m in view.marks]
    assert len(labels) == 25 and labels[:5] == ["00:00", "01:00", "02:00", "02:00", "03:00"]
    assert [m.zone for m in view.marks if m.changed] == ["CET"]
    assert view.content_size().width() == LANE_W + 25 * PX_PER_HOUR
    assert "back" in board.clock_note.text() and "25 hours" in board.clock_note.text()
    rect = block_rect(board, appt)
    assert rect.left() == pytest.approx(mark_x(board, "10:00") + 1)
    assert rect.width() == pytest.approx(2 * PX_PER_HOUR - 2)
    assert block_rect(board, early).left() == pytest.approx(mark_x(board, "02:00", 1) + 1)
    block = view.block_of(early)
    assert block is not None and view.describe(block.item).startswith("02:00–02:30")
    # the keyboard moves by real quarter hours across the repeated hour too
    view.select(appt)
    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(board)
    assert stored(store, appt).starts_at == at(AUTUMN, 9, 45)


def test_the_header_and_blocks_paint(make_board: Any, shop: Shop, store: Store) -> None:
    """Painting a busy autumn day runs (every branch of the painter: the now line, the
    changed-hour header, faded and dashed blocks, the ghost)."""
    book(store, at(AUTUMN, 9), at(AUTUMN, 10), bay=shop.bays["Bay 1"],
         customer=shop.customer_id)
    gone = book(store, at(AUTUMN, 10), at(AUTUMN, 11), bay=shop.bays["Bay 1"])
    store.run(appointments.set_status, gone, "no_show")
    board = make_board(AUTUMN)
    board.view.scroll_to_time(at(AUTUMN, 0))
    mouse(board.view, "press", board.view.slot_point(at(AUTUMN, 13), shop.bays["Bay 2"]))
    mouse(board.view, "move", board.view.slot_point(at(AUTUMN, 15), shop.bays["Bay 2"]))
    assert board.view.ghost is not None
    image = board.grab().toImage()
    assert not image.isNull()
    mouse(board.view, "release", board.view.slot_point(at(AUTUMN, 15), shop.bays["Bay 2"]))
    assert board.dialog is not None
    board.dialog.reject()


def test_a_hidden_schedule_reads_when_it_shows_again(make_desk: Any, shop: Shop,
                                                     store: Store, qtbot: Any) -> None:
    window = make_desk()
    window.show_schedule()
    board = window.schedule
    qtbot.waitUntil(lambda: board.data is not None)
    window.show_board(0)  # the queue board in front
    assert board.day is not None
    start = wall_time(board.day, time(12), board.zone)  # noon today, on the shop's clock
    reads: list[Any] = []
    board.refreshed.connect(reads.append)
    window.ctx.worker.write(appointments.book, starts_at=start,
                            ends_at=start + timedelta(hours=1), bay_id=shop.bays["Bay 1"])
    qtbot.wait(20)
    assert reads == [] and not board.view.blocks  # nobody looks: nothing read
    with qtbot.waitSignal(board.refreshed):
        QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert [b.item.starts_at for b in board.view.blocks] == [start]


def test_booking_by_keyboard_alone(make_board: Any, shop: Shop, store: Store) -> None:
    """Insert, the customer's name, Enter (takes the hit), Enter (books): no mouse."""
    board = make_board()
    board.view.setFocus()
    QTest.keyClick(board.view, Qt.Key.Key_Insert)
    dialog = open_dialog(board)
    # the clock says 10:00: from then, for an hour
    assert (dialog.starts.time().toString("HH:mm"), dialog.ends.time().toString("HH:mm")) == (
        "10:00", "11:00")
    assert dialog.search.hasFocus() or dialog.focusWidget() is dialog.search
    QTest.keyClicks(dialog.search, "cafe 123")  # the plate
    QTest.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.choice is not None and dialog.isVisible()  # Enter chose, did not book
    QTest.keyClick(dialog.notes, Qt.Key.Key_Return)
    settle(board)
    assert board.dialog is None
    with store.read() as s:
        row = s.scalars(select(Appointment)).one()
        assert (row.starts_at, row.vehicle_id) == (at(MONDAY, 10), shop.vehicle_id)


def test_the_menu_key_and_an_empty_slot_have_menus(make_board: Any, shop: Shop, store: Store,
                                                   qtbot: Any) -> None:
    appt = book(store, at(MONDAY, 9), at(MONDAY, 10), bay=shop.bays["Bay 1"],
                customer=shop.customer_id)
    board = make_board()
    board.view.menu_requested.disconnect(board._menu)  # a real menu would wait for a click
    board.view.select(appt)
    board.view.setFocus()
    with qtbot.waitSignal(board.view.menu_requested) as shown:
        QTest.keyClick(board.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert shown.args[0] == appt
    texts = [a.text() for a in board.build_menu(*shown.args[:3]).actions()]
    assert {"Customer &arrived — check in", "&Edit…", "15 min &earlier", "&No-show",
            "&Cancel appointment"} <= set(texts)
    # no-show from the menu: the block stays, faded, and can no longer be checked in
    menu = board.build_menu(appt, None, None)
    next(a for a in menu.actions() if a.text() == "&No-show").trigger()
    settle(board)
    assert stored(store, appt).status == "no_show"
    assert not board.arrived_button.isEnabled()
    # an empty slot offers a booking there
    slot = board.build_menu("", at(MONDAY, 14), shop.bays["Bay 2"])
    [new] = slot.actions()
    assert new.text() == "New appointment at 14:00…"
    new.trigger()
    dialog = open_dialog(board)
    assert dialog.bay.currentText() == "Bay 2"
    assert dialog.starts.time().toString("HH:mm") == "14:00"
    dialog.reject()


def test_the_wheel_runs_along_the_day_when_the_lanes_fit(make_board: Any, shop: Shop) -> None:
    board = make_board()
    view = board.view
    assert view.verticalScrollBar().maximum() == 0  # three lanes fit
    bar = view.horizontalScrollBar()
    before = bar.value()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())),
                        QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert bar.value() == before + PX_PER_HOUR // 2  # one notch on: half an hour later
