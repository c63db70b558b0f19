"""The day schedule board (Ctrl+3): a day picker and "Today", lanes by bay or by
technician, appointments as blocks (``ui.desk.schedule_view``), and the actions on them.

Every change is one domain operation on the worker: ``appointments.book`` (a drag across
a lane, then the small dialog), ``appointments.update`` (a drag, a resize, Alt+arrows, the
menu), ``appointments.check_in`` (the customer arrived: the job is opened) and
``appointments.set_status`` (no-show, cancel). The board re-reads the day from the change
hub whenever appointments (or what they show) change, never from the gesture; a refusal —
a double booking names the clashing appointment — is written above the lanes.

Reads: ``app.queries.schedule.day_schedule`` for the day and
``app.queries.settings.shop_time_zone`` for the shop's clock (the shop settings' zone, or
this computer's): once, and again when the shop settings change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from app.changes import Changes
from app.errors import BaylineError
from app.ops import appointments
from app.queries.schedule import (
    BookingChoice,
    DaySchedule,
    clock_change_note,
    day_schedule,
)
from app.queries.settings import shop_time_zone
from ui.desk.appointment_dialog import AppointmentDialog, Draft
from ui.desk.context import DeskContext
from ui.desk.schedule_paint import SNAP, STATUS_COLOURS, STATUS_WORDS
from ui.desk.schedule_view import ScheduleView
from ui.qt import (
    QButtonGroup,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPoint,
    QPushButton,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: A change to any of these may change what the schedule shows.
SCHEDULE_ENTITIES = ("appointment", "customer", "vehicle", "technician", "bay", "job")
#: The now line moves by itself: repaint this often (ms).
NOW_LINE_MS = 60_000


class ScheduleBoard(QWidget):
    """See the module docstring. ``view`` is the drawing, ``day`` the day shown."""

    #: A fresh read of the day is shown (tests wait on it).
    refreshed = Signal(object)
    #: A change was refused: (message,).
    refused = Signal(str)
    #: Open this job (after an arrival): (job id,).
    open_job_requested = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None, *,
                 zone: tzinfo | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleBoard")
        self.ctx = ctx
        self.now = now
        self.zone: tzinfo | None = zone
        #: The zone is the shop settings' (read, and re-read when they change), not given.
        self._zone_from_shop = zone is None
        self.day: date | None = None
        self.data: DaySchedule | None = None
        self.dialog: AppointmentDialog | None = None
        self._reload_queued = False
        self._stale = False

        self.prev_day = QToolButton(self)
        self.prev_day.setText("◀")
        self.prev_day.setToolTip("The day before (Alt+Page Up)")
        self.prev_day.setAccessibleName("Previous day")
        self.next_day = QToolButton(self)
        self.next_day.setText("▶")
        self.next_day.setToolTip("The day after (Alt+Page Down)")
        self.next_day.setAccessibleName("Next day")
        self.picker = QDateEdit(self)
        self.picker.setObjectName("scheduleDay")
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("ddd d MMM yyyy")
        self.picker.setAccessibleName("Day")
        self.today_button = QPushButton("&Today", self)
        self.today_button.setObjectName("scheduleToday")
        self.today_button.setToolTip("Show today (Alt+T)")
        self.title = QLabel(self)
        self.title.setObjectName("scheduleTitle")
        self.title.setStyleSheet("font-weight: 600;")
        self.clock_note = QLabel(self)
        self.clock_note.setObjectName("scheduleClockNote")
        self.clock_note.setStyleSheet("color: #b26a00; font-weight: 600;")
        self.legend = QLabel(legend_html(), self)
        self.legend.setObjectName("scheduleLegend")
        self.legend.setContentsMargins(8, 3, 8, 3)
        self.by_bay = QToolButton(self)
        self.by_bay.setText("By &bay")
        self.by_tech = QToolButton(self)
        self.by_tech.setText("By te&chnician")
        self.modes = QButtonGroup(self)
        for n, button in enumerate((self.by_bay, self.by_tech)):
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.modes.addButton(button, n)
        self.by_bay.setChecked(True)
        self.new_button = QPushButton("&New appointment…", self)
        self.new_button.setObjectName("scheduleNew")
        self.new_button.setToolTip("Book an appointment (Insert); or drag across a lane")
        self.arrived_button = QPushButton("Customer &arrived", self)
        self.arrived_button.setObjectName("scheduleArrived")
        self.arrived_button.setToolTip("Check the selected appointment in and open its job")
        self.arrived_button.setEnabled(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.setSpacing(6)
        for w in (self.prev_day, self.picker, self.next_day, self.today_button):
            bar.addWidget(w)
        bar.addSpacing(10)
        bar.addWidget(self.title)
        bar.addWidget(self.clock_note, 1)
        for w in (self.by_bay, self.by_tech):
            bar.addWidget(w)
        bar.addSpacing(10)
        bar.addWidget(self.new_button)
        bar.addWidget(self.arrived_button)

        self.message = QLabel(self)
        self.message.setObjectName("scheduleMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("QLabel#scheduleMessage { background: #fdecea; color: "
                                   "#8e1c1c; font-weight: 600; padding: 6px 12px; "
                                   "border-bottom: 1px solid #f0b4b0; }")
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message.hide)

        self.view = ScheduleView(self)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addLayout(bar)
        col.addWidget(self.message)
        col.addWidget(self.view, 1)
        col.addWidget(self.legend)

        self.prev_day.clicked.connect(lambda: self.step_day(-1))
        self.next_day.clicked.connect(lambda: self.step_day(+1))
        self.today_button.clicked.connect(self.go_today)
        self.picker.dateChanged.connect(self._picked)
        self.modes.idClicked.connect(lambda n: self.set_mode("bay" if n == 0 else "technician"))
        self.new_button.clicked.connect(self.new_appointment)
        self.arrived_button.clicked.connect(self._arrive_selected)
        self.view.create_requested.connect(self._create)
        self.view.change_requested.connect(self.change)
        self.view.edit_requested.connect(self.edit)
        self.view.menu_requested.connect(self._menu)
        self.view.selection_changed.connect(self._selected)
        ctx.hub.subscribe(self.on_changes)
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(NOW_LINE_MS)
        self._now_timer.timeout.connect(self._tick)
        self._now_timer.start()
        if self.zone is None:
            ctx.worker.read(shop_time_zone, on_done=self._have_zone)
        else:
            self.go_today()

    # --- the day ------------------------------------------------------------------------
    def _have_zone(self, zone: tzinfo) -> None:
        self.zone = zone
        self.go_today()

    def _zone_changed(self, zone: tzinfo) -> None:
        """The shop's zone after its settings changed: the same day, drawn on the new clock."""
        if self.zone is not None and str(zone) == str(self.zone):
            return
        self.zone = zone
        if self.day is None:
            self.go_today()
        else:
            self.show_day(self.day)

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def go_today(self) -> None:
        if self.zone is not None:
            self.show_day(self.today())

    def step_day(self, days: int) -> None:
        if self.day is not None:
            self.show_day(self.day + timedelta(days=days))

    def _picked(self, qd: QDate) -> None:
        picked = date(qd.year(), qd.month(), qd.day())
        if picked != self.day:
            self.show_day(picked)

    def show_day(self, day: date) -> None:
        """Show ``day`` (read on the worker)."""
        self.day = day
        qd = QDate(day.year, day.month, day.day)
        if self.picker.date() != qd:
            self.picker.blockSignals(True)
            self.picker.setDate(qd)
            self.picker.blockSignals(False)
        today = self.today() if self.zone is not None else None
        self.title.setText(self._day_words())
        self.today_button.setEnabled(day != today)
        self.clock_note.setText(clock_change_note(day, self.zone))
        self.reload()

    def _day_words(self) -> str:
        today = self.today() if self.zone is not None else None
        if self.day is None or today is None:
            return ""
        return {0: "Today", 1: "Tomorrow", -1: "Yesterday"}.get((self.day - today).days, "")

    def _show_title(self) -> None:
        """``Today · 14 appointments``: the day in words and what is booked on it."""
        if self.data is None:
            return
        booked = {i.id for lane in self.data.by_bay for i in lane.items
                  if i.kind == "appointment"}
        count = f"{len(booked)} appointment{'s' if len(booked) != 1 else ''}"
        words = self._day_words()
        self.title.setText(f"{words} · {count}" if words else count)

    def reload(self) -> None:
        """Re-read the day shown (coalesced: one read per burst of changes). Hidden (another
        tab is in front), the board only notes it is stale and reads when it shows again:
        the boards' by-id repaints do not pay for a schedule nobody looks at."""
        if self._reload_queued or self.ctx.closing or self.day is None:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._reload_queued = True
        QTimer.singleShot(0, self._read)

    @property
    def reload_pending(self) -> bool:
        """A re-read is asked for and not yet shown (tests wait on it)."""
        return self._reload_queued

    def _read(self) -> None:
        self._reload_queued = False
        if self.day is None or self.zone is None or self.ctx.closing:
            return
        self.ctx.worker.read(day_schedule, self.day, self.zone, key="schedule-day",
                             on_done=self._show)

    def _show(self, data: DaySchedule) -> None:
        assert self.zone is not None
        if data.day != self.day:
            return
        self.data = data
        self.view.set_schedule(data, self.zone, now=self.now())
        self._show_title()
        self._selected(self.view.selected_id or "")
        self.refreshed.emit(data)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.touches(*SCHEDULE_ENTITIES):
            self.reload()
        if self._zone_from_shop and changes.touches("shop_settings"):
            self.ctx.worker.read(shop_time_zone, key="schedule-zone", on_done=self._zone_changed)

    def _tick(self) -> None:
        if self.data is not None and self.zone is not None:
            self.view.now = self.now()
            self.view.viewport().update()

    def set_mode(self, mode: str) -> None:
        """Lanes by ``"bay"`` or by ``"technician"``."""
        (self.by_bay if mode == "bay" else self.by_tech).setChecked(True)
        self.view.set_mode(mode)

    # --- messages -----------------------------------------------------------------------
    def show_message(self, text: str, *, seconds: float = 20) -> None:
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()
        self._message_timer.start(int(seconds * 1000))

    def _refuse(self, exc: BaseException, what: str = "The appointment was not changed") -> None:
        self.view.cancel_pending()
        text = f"{what}: {exc.message}" if isinstance(exc, BaylineError) else f"{what}: {exc}"
        self.show_message(text)
        self.refused.emit(text)

    def _done(self, _changes: Any) -> None:
        self.message.hide()

    # --- the actions (mouse, keyboard and menu all come here) ----------------------------
    def _lane_field(self) -> str:
        return "bay_id" if self.view.mode == "bay" else "technician_id"

    def change(self, appointment_id: str, starts_at: datetime, ends_at: datetime,
               lane_id: str | None) -> None:
        """Move or resize an appointment, and put it in ``lane_id`` (a bay or a technician
        by the lanes shown): ``appointments.update``, checked for double booking."""
        self.ctx.worker.write(appointments.update, appointment_id, tz=self.zone,
                              starts_at=starts_at, ends_at=ends_at,
                              **{self._lane_field(): lane_id},
                              on_done=self._done, on_error=self._refuse)

    def check_in(self, appointment_id: str) -> None:
        """The customer arrived: check in and open the new job."""
        def opened(changes: Changes) -> None:
            self.message.hide()
            self.open_job_requested.emit(str(changes.result))

        self.ctx.worker.write(appointments.check_in, appointment_id, on_done=opened,
                              on_error=lambda exc: self._refuse(exc, "Not checked in"))

    def set_status(self, appointment_id: str, status: str) -> None:
        self.ctx.worker.write(appointments.set_status, appointment_id, status,
                              on_done=self._done, on_error=self._refuse)

    def _arrive_selected(self) -> None:
        item = self.view.selected_item()
        if item is not None:
            self.check_in(item.id)

    def _selected(self, item_id: str) -> None:
        item = self.view.selected_item() if item_id else None
        self.arrived_button.setEnabled(item is not None
                                       and item.status in appointments.ARRIVABLE_STATUSES)

    def _choices(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        if self.data is None:
            return [], []
        bays = [(lane.id, lane.name) for lane in self.data.by_bay if lane.id is not None]
        techs = [(lane.id, lane.name) for lane in self.data.by_technician
                 if lane.id is not None]
        return bays, techs

    def _open_dialog(self, draft: Draft) -> AppointmentDialog:
        assert self.zone is not None
        if self.dialog is not None:
            self.dialog.close()
        bays, techs = self._choices()
        dialog = AppointmentDialog(self.ctx, self.zone, draft, bays, techs, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._booked)
        dialog.finished.connect(lambda _=0: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _booked(self, appointment_id: str) -> None:
        self.message.hide()
        self.view.select(appointment_id)

    def _create(self, starts_at: datetime, ends_at: datetime, lane_id: str | None) -> None:
        field = self._lane_field()
        self._open_dialog(Draft(starts_at, ends_at,
                                bay_id=lane_id if field == "bay_id" else None,
                                technician_id=lane_id if field == "technician_id" else None))

    def new_appointment(self) -> AppointmentDialog | None:
        """The keyboard's way in: an hour from the next quarter hour (or the day's
        morning), in the selected appointment's lane; every field can be changed."""
        if self.data is None:
            return None
        now = self.now()
        if self.data.starts_at <= now < self.data.ends_at:
            start = self.view.snap(now, up=True)
        else:
            start = self.view.snap(self.view.time_at(
                self.view.viewport().width() / 2))
        end = min(start + timedelta(hours=1), self.data.ends_at)
        item = self.view.selected_item()
        return self._open_dialog(Draft(start, end,
                                       bay_id=item.bay_id if item else None,
                                       technician_id=item.technician_id if item else None))

    def edit(self, appointment_id: str) -> AppointmentDialog | None:
        block = self.view.block_of(appointment_id)
        if block is None:
            return None
        item = block.item
        assert item.starts_at is not None and item.ends_at is not None
        choice = (BookingChoice(item.customer_id, item.customer, item.vehicle_id, item.vehicle,
                                item.plate)
                  if item.customer_id or item.vehicle_id else None)
        return self._open_dialog(Draft(item.starts_at, item.ends_at, bay_id=item.bay_id,
                                       technician_id=item.technician_id, choice=choice,
                                       notes=item.notes, appointment_id=item.id))

    # --- the context menu ---------------------------------------------------------------
    def build_menu(self, appointment_id: str, at: datetime | None,
                   lane_id: str | None) -> QMenu:
        """The menu of an appointment (or of an empty slot when ``appointment_id`` is
        empty): every drag has its entry here."""
        menu = QMenu(self)
        block = self.view.block_of(appointment_id) if appointment_id else None
        if block is None:
            if at is not None and self.data is not None:
                end = min(at + timedelta(hours=1), self.data.ends_at)
                field = self._lane_field()
                label = f"New appointment at {self.view.clock(at)}…"
                menu.addAction(label, lambda: self._open_dialog(Draft(
                    at, end, bay_id=lane_id if field == "bay_id" else None,
                    technician_id=lane_id if field == "technician_id" else None)))
            return menu
        item = block.item
        assert item.starts_at is not None and item.ends_at is not None
        menu.addSection(f"{self.view.span(item.starts_at, item.ends_at)} "
                        f"{item.customer or 'No customer'}")
        arrive = menu.addAction("Customer &arrived — check in", lambda: self.check_in(item.id))
        arrive.setEnabled(item.status in appointments.ARRIVABLE_STATUSES)
        if item.job_id:
            menu.addAction(f"Open job {item.job_number or ''}".strip(),
                           lambda: self.open_job_requested.emit(item.job_id or ""))
        menu.addAction("&Edit…", lambda: self.edit(item.id))
        menu.addSeparator()
        movable = item.status in ("scheduled", "confirmed", "arrived")
        s, e = item.starts_at, item.ends_at
        lane = self.view.lanes[block.lane].lane.id
        for text, start, end in (("15 min &earlier", s - SNAP, e - SNAP),
                                 ("15 min &later", s + SNAP, e + SNAP),
                                 ("15 min &shorter", s, max(e - SNAP, s + SNAP)),
                                 ("15 min lon&ger", s, e + SNAP)):
            act = menu.addAction(text, lambda a=start, b=end: self.change(item.id, a, b, lane))
            act.setEnabled(movable and (start, end) != (s, e))
        move_to = menu.addMenu("&Move to")
        move_to.setEnabled(movable)
        for box in self.view.lanes:
            if box.lane.id != lane:
                move_to.addAction(box.lane.name,
                                  lambda to=box.lane.id: self.change(item.id, s, e, to))
        menu.addSeparator()
        if item.status == "scheduled":
            menu.addAction("Con&firmed by the customer",
                           lambda: self.set_status(item.id, "confirmed"))
        no_show = menu.addAction("&No-show", lambda: self.set_status(item.id, "no_show"))
        no_show.setEnabled(item.status in appointments.ARRIVABLE_STATUSES)
        cancel = menu.addAction("&Cancel appointment",
                                lambda: self.set_status(item.id, "cancelled"))
        cancel.setEnabled(item.status in appointments.ARRIVABLE_STATUSES)
        return menu

    def _menu(self, appointment_id: str, at: datetime | None, lane_id: str | None,
              pos: QPoint) -> None:
        menu = self.build_menu(appointment_id, at, lane_id)
        if menu.actions():
            menu.exec(pos)
        menu.deleteLater()

    # --- keys of the board --------------------------------------------------------------
    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_Insert:
            self.new_appointment()
        elif alt and key == Qt.Key.Key_PageUp:
            self.step_day(-1)
        elif alt and key == Qt.Key.Key_PageDown:
            self.step_day(+1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focus_lanes(self) -> None:
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_down(self) -> None:
        self.ctx.hub.unsubscribe(self.on_changes)
        self._now_timer.stop()



def legend_html() -> str:
    """What the blocks' colours mean, in the board's bar."""
    keys = []
    for status in ("scheduled", "confirmed", "arrived", "no_show"):
        fill, edge = STATUS_COLOURS[status]
        keys.append(f'<span style="background:{fill}; color:{edge};">&nbsp;&#9632;&nbsp;'
                    f'</span>&nbsp;{STATUS_WORDS[status]}')
    hint = ("Drag across a lane to book · drag a block to move it, its ends to resize · "
            "Alt+arrows by keyboard · right-click for more")
    return "&nbsp;&nbsp;".join(keys) + f'&nbsp;&nbsp;&nbsp;<span style="color:#5b6775;">{hint}</span>'

