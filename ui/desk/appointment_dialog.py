"""The small dialog of one appointment: whom it is for (a search of customers and vehicles
as you type), the day and times on the shop's clock, bay, technician and notes.

A drag across a lane opens it with the times and lane filled in; a double click or Enter
on a block opens it to change that appointment; "New appointment…" opens it empty for the
keyboard. Saving is one domain operation on the worker (``appointments.book`` or
``appointments.update``); the dialog closes when it succeeds and otherwise shows the
domain's message next to the field it names (a double booking names the clash).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from app.errors import BaylineError
from app.ops import appointments
from app.queries.schedule import BookingChoice, booking_choices, wall_time
from ui.desk.context import DeskContext
from ui.qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    Qt,
    QTime,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)

CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Draft:
    """What the dialog opens with."""

    starts_at: datetime
    ends_at: datetime
    bay_id: str | None = None
    technician_id: str | None = None
    choice: BookingChoice | None = None
    notes: str = ""
    appointment_id: str | None = None  # None: a new booking


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828; font-weight: 600;")
    label.hide()
    return label


class AppointmentDialog(QDialog):
    """See the module docstring. ``saved`` carries the appointment's id."""

    saved = Signal(str)

    def __init__(self, ctx: DeskContext, zone: tzinfo, draft: Draft,
                 bays: list[tuple[str, str]], technicians: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.zone = zone
        self.draft = draft
        self.choice: BookingChoice | None = draft.choice
        self.setObjectName("appointmentDialog")
        new = draft.appointment_id is None
        self.setWindowTitle("New appointment" if new else "Appointment")
        self.setMinimumWidth(520)

        self.search = QLineEdit(self)
        self.search.setObjectName("bookingSearch")
        self.search.setPlaceholderText("Name, phone, plate, VIN or job number")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setObjectName("bookingResults")
        self.results.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.results.hide()
        self.chosen = QLabel(self)
        self.chosen.setObjectName("bookingChosen")
        self.chosen.setWordWrap(True)
        self.who_error = _error_label(self)

        local_start = draft.starts_at.astimezone(zone)
        local_end = draft.ends_at.astimezone(zone)
        self.day = QDateEdit(QDate(local_start.year, local_start.month, local_start.day), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.starts = QTimeEdit(QTime(local_start.hour, local_start.minute), self)
        self.ends = QTimeEdit(QTime(local_end.hour, local_end.minute), self)
        for edit in (self.starts, self.ends):
            edit.setDisplayFormat("HH:mm")
        self.time_error = _error_label(self)
        times = QHBoxLayout()
        times.setContentsMargins(0, 0, 0, 0)
        times.addWidget(self.day, 1)
        times.addWidget(QLabel("from", self))
        times.addWidget(self.starts)
        times.addWidget(QLabel("to", self))
        times.addWidget(self.ends)

        self.bay = QComboBox(self)
        self.bay.setObjectName("bookingBay")
        self.bay.addItem("No bay", None)
        for bay_id, name in bays:
            self.bay.addItem(name, bay_id)
        self.bay.setCurrentIndex(max(0, self.bay.findData(draft.bay_id)))
        self.bay_error = _error_label(self)
        self.technician = QComboBox(self)
        self.technician.setObjectName("bookingTechnician")
        self.technician.addItem("Nobody yet", None)
        for tech_id, name in technicians:
            self.technician.addItem(name, tech_id)
        self.technician.setCurrentIndex(max(0, self.technician.findData(draft.technician_id)))
        self.tech_error = _error_label(self)
        self.notes = QLineEdit(draft.notes, self)
        self.notes.setObjectName("bookingNotes")
        self.notes.setPlaceholderText("What the customer asked for")
        self.error = _error_label(self)

        form = QFormLayout()
        form.addRow("&Customer:", self.search)
        form.addRow("", self.results)
        form.addRow("", self.chosen)
        form.addRow("", self.who_error)
        when = QLabel("&When:", self)
        when.setBuddy(self.day)
        form.addRow(when, times)
        form.addRow("", self.time_error)
        form.addRow("&Bay:", self.bay)
        form.addRow("", self.bay_error)
        form.addRow("&Technician:", self.technician)
        form.addRow("", self.tech_error)
        form.addRow("&Notes:", self.notes)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Book" if new else "&Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        col = QVBoxLayout(self)
        col.addLayout(form)
        col.addWidget(self.error)
        col.addWidget(self.buttons)

        self.search.textEdited.connect(self._search)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(self._take)
        self.results.itemClicked.connect(self._take)
        self._show_choice()
        self.search.setFocus()

    # --- whom it is for ---------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """In the search: Enter takes the highlighted hit (it does not book yet), Up and
        Down walk the hits."""
        if watched is self.search and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.isVisible():
                self._take_first()
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.results.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _search(self, text: str) -> None:
        if not text.strip():
            self._show_results(())
            return
        self.ctx.worker.read(booking_choices, text, key="booking-choices",
                             on_done=self._show_results)

    def _show_results(self, found: tuple[BookingChoice, ...]) -> None:
        self.results.clear()
        for choice in found:
            item = QListWidgetItem(choice.label)
            item.setData(CHOICE_ROLE, choice)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        elif self.search.text().strip():
            self.results.addItem(QListWidgetItem("Nobody found: check the spelling, or "
                                                 "check the customer in first"))
        # whole rows only (at most 5): a half-cut last hit reads as a mistake
        rows = min(max(self.results.count(), 1), 5)
        row_h = max(self.results.sizeHintForRow(0), self.results.fontMetrics().height())
        self.results.setFixedHeight(rows * (row_h + 1) + 2 * self.results.frameWidth() + 4)
        self.results.setVisible(bool(self.search.text().strip()))

    def _take_first(self) -> None:
        item = self.results.currentItem() or self.results.item(0)
        if item is not None:
            self._take(item)

    def _take(self, item: QListWidgetItem) -> None:
        choice = item.data(CHOICE_ROLE)
        if isinstance(choice, BookingChoice):
            self.choose(choice)

    def choose(self, choice: BookingChoice) -> None:
        self.choice = choice
        self.results.hide()
        self.search.clear()
        self._show_choice()
        self.notes.setFocus()

    def _show_choice(self) -> None:
        if self.choice is None:
            self.chosen.setText("<i>Nobody chosen yet: search above.</i>")
        else:
            self.chosen.setText(f"<b>{_escape(self.choice.label)}</b>")

    # --- saving -----------------------------------------------------------------------
    def _clear_errors(self) -> None:
        for label in (self.who_error, self.time_error, self.bay_error, self.tech_error,
                      self.error):
            label.hide()
            label.setText("")

    def show_error(self, text: str, field: str | None = None) -> None:
        """``text`` beside the field it is about (the whole dialog's otherwise)."""
        label = {"customer_id": self.who_error, "vehicle_id": self.who_error,
                 "starts_at": self.time_error, "ends_at": self.time_error,
                 "bay_id": self.bay_error, "technician_id": self.tech_error
                 }.get(field or "", self.error)
        label.setText(text)
        label.setAccessibleName(text)
        label.show()

    def values(self) -> dict[str, Any]:
        """The fields of the operation; ``ValueError`` for a time the clocks skip."""
        qd = self.day.date()
        day = date(qd.year(), qd.month(), qd.day())
        s, e = self.starts.time(), self.ends.time()
        starts = wall_time(day, time(s.hour(), s.minute()), self.zone)
        ends = wall_time(day, time(e.hour(), e.minute()), self.zone)
        return {"starts_at": starts, "ends_at": ends,
                "customer_id": self.choice.customer_id if self.choice else None,
                "vehicle_id": self.choice.vehicle_id if self.choice else None,
                "bay_id": self.bay.currentData(), "technician_id": self.technician.currentData(),
                "notes": self.notes.text()}

    def save(self) -> None:
        self._clear_errors()
        if self.choice is None and self.draft.appointment_id is None:
            self.show_error("Choose the customer first: search by name, phone or plate.",
                            "customer_id")
            self.search.setFocus()
            return
        try:
            fields = self.values()
        except ValueError as exc:
            self.show_error(str(exc), "starts_at")
            return
        self.save_button.setEnabled(False)
        if self.draft.appointment_id is None:
            self.ctx.worker.write(appointments.book, tz=self.zone, on_done=self._saved,
                                  on_error=self._refused, **fields)
        else:
            self.ctx.worker.write(appointments.update, self.draft.appointment_id, tz=self.zone,
                                  on_done=self._saved, on_error=self._refused, **fields)

    def _saved(self, changes: Any) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(str(changes.result))
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, BaylineError):
            self.show_error(exc.message, getattr(exc, "field", None))
        else:
            self.show_error(f"The appointment could not be saved: {exc}")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
