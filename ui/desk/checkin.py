"""Check-in: a customer's vehicle becomes a queued job, in as few actions as the counter
allows.

Opened from a search hit (a vehicle, or a customer: their only vehicle chosen), the focus
is in the concern, the odometer holds the last reading and the promise the shop's default
(``app.queries.checkin``): typing the concern and Enter make the job. A promise preset is
one click that leaves the focus in the concern.

For someone new, the customer and the vehicle are typed in the same dialog, each field
checked as it is typed by ``app.validators`` with the domain's own words beside it (the
VIN by the rule of PROTOCOL.md: a refusal, or only a warning for a European check digit).
A customer with the same phone or name is offered before a new one is made. The job, and
the new customer and vehicle, are one operation (``app.ops.checkin.check_in``) on the
worker; a reading below the last one asks for confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from app import rules, validators
from app.changes import Changes
from app.errors import BaylineError, ConfirmationRequired, ValidationError
from app.ops.checkin import check_in
from app.queries.checkin import (
    CheckinStart,
    CustomerMatch,
    checkin_start,
    default_promised_at,
    likely_duplicates,
    promise_choices,
)
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDateTime,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: The vehicle picker's last entry.
NEW_VEHICLE = "__new__"
#: Where a domain message about a field goes: (entity of the rule, section).
CUSTOMER_FIELDS = ("name", "phone", "email")
VEHICLE_FIELDS = ("vin", "plate", "make", "model", "year")
JOB_FIELDS = ("concern", "odometer_in", "promised_at")

STYLE = """
QDialog#checkIn QLabel#sectionTitle { font-weight: 700; font-size: 11pt; padding-top: 4px; }
QDialog#checkIn QLabel#dialogTitle { font-weight: 700; font-size: 14pt; padding-bottom: 4px; }
QDialog#checkIn QLabel#hint { color: #5b6775; }
QLabel#fieldMessage[state="error"] { color: #b3261e; font-weight: 600; }
QLabel#fieldMessage[state="warning"] { color: #8a5300; font-weight: 600; }
QLabel#fieldMessage[state="hint"] { color: #5b6775; }
QLabel#fieldMessage[state="ok"] { color: #2e7d32; }
QLabel#card { background: #ffffff; border: 1px solid #d3d9e1; border-radius: 6px;
              padding: 8px 10px; }
QFrame#duplicates { background: #fff4ce; border: 1px solid #e8d48a; border-radius: 6px; }
QFrame#duplicates QLabel { color: #5c4400; }
QPushButton#preset { padding: 3px 10px; }
"""


def parse_whole(text: str) -> int | None | str:
    """A whole number as typed ("121,500", "121 500"); None when empty; the text itself
    when it is not a number (the caller says so beside the field)."""
    cleaned = "".join(ch for ch in text if ch not in " ,._'\u00a0\u202f")
    if not cleaned:
        return None
    if cleaned.isdigit() or (cleaned[0] == "-" and cleaned[1:].isdigit()):
        return int(cleaned)
    return text


def guess_prefill(text: str) -> dict[str, str]:
    """Where the words typed in the search go when nobody was found: a phone number, a
    VIN (17 letters and digits), a plate (short, with a digit) or a name."""
    text = " ".join(text.split())
    if not text:
        return {}
    bare = "".join(ch for ch in text if ch not in " -")
    if all(ch.isdigit() or ch in "+()./- " for ch in text) and sum(c.isdigit() for c in text) >= 4:
        return {"phone": text}
    if len(bare) == 17 and bare.isalnum():
        return {"vin": text}
    if len(bare) <= 10 and any(ch.isdigit() for ch in bare):
        return {"plate": text}
    return {"name": text}


class WrapLabel(QLabel):
    """A word-wrapped label that asks its layout for the height its text takes at its
    width (a wrapped label in nested layouts otherwise keeps one line's height and cuts
    the rest off)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._fit()

    def _fit(self) -> None:
        old = self.minimumHeight()
        self.setMinimumHeight(0)  # QLabel's height for a width counts its minimum in
        needed = self.heightForWidth(self.width()) if self.text() else 0
        self.setMinimumHeight(max(0, needed) if needed != old else old)


class FieldMessage(WrapLabel):
    """The message beside a field: an error, a warning, a hint or a good sign."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldMessage")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = ""
        self.hide()

    def say(self, text: str, state: str) -> None:
        self.state = state if text else ""
        self.setProperty("state", self.state)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.say("", "")


class CheckInDialog(QDialog):
    """See the module docstring. ``created(job_id, changes)`` when the job is made."""

    created = Signal(str, object)
    #: The customer and vehicle were read (or there were none to read).
    loaded = Signal()
    #: The likely duplicates shown changed: (matches,).
    duplicates_shown = Signal(object)

    def __init__(self, ctx: Any, parent: QWidget | None = None, *,
                 vehicle_id: str | None = None, customer_id: str | None = None,
                 prefill: dict[str, str] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.now = now
        self.setObjectName("checkIn")
        self.setWindowTitle("Check in")
        self.setStyleSheet(STYLE)
        self.start_data: CheckinStart | None = None
        self.customer_id: str | None = None
        self.ready = False
        self.confirm_odometer = False
        self.new_customer_anyway = False
        self.duplicates: tuple[CustomerMatch, ...] = ()
        self._duplicate_widgets: list[QWidget] = []
        self.use_buttons: list[QPushButton] = []
        self.anyway_button: QPushButton | None = None
        self._submit_when_ready = False
        self._writing = False
        self.messages: dict[str, FieldMessage] = {}
        self.fields: dict[str, QWidget] = {}
        self._build()
        self.promised.setDateTime(_qt_time(default_promised_at(self.now())))
        if vehicle_id or customer_id:
            ctx.worker.read(checkin_start, vehicle_id=vehicle_id, customer_id=customer_id,
                            key="checkin-start", on_done=self._loaded)
        else:
            self._loaded(None, prefill=prefill or {})

    # --- building ---------------------------------------------------------------------
    def _message(self, name: str) -> FieldMessage:
        msg = self.messages[name] = FieldMessage(self)
        return msg

    def _line(self, name: str, label: str, form: QFormLayout, *, placeholder: str = "",
              width: int | None = None) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"field_{name}")
        edit.setAccessibleName(label.replace("&", ""))
        if placeholder:
            edit.setPlaceholderText(placeholder)
        if width:
            edit.setMaximumWidth(width)
        caption = QLabel(label, self)
        caption.setBuddy(edit)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(edit)
        box.addWidget(self._message(name))
        form.addRow(caption, box)
        self.fields[name] = edit
        edit.textEdited.connect(lambda _t, n=name: self._edited(n))
        return edit

    def _section(self, title: str, layout: QVBoxLayout) -> None:
        label = QLabel(title, self)
        label.setObjectName("sectionTitle")
        layout.addWidget(label)

    def _build(self) -> None:
        left, right = QVBoxLayout(), QVBoxLayout()
        # --- customer
        self._section("Customer", left)
        self.customer_card = WrapLabel(self)
        self.customer_card.setMinimumWidth(360)
        self.customer_card.setObjectName("card")
        self.customer_card.setTextFormat(Qt.TextFormat.RichText)
        left.addWidget(self.customer_card)
        left.addWidget(self._message("customer_id"))
        self.new_customer = QWidget(self)
        form = QFormLayout(self.new_customer)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = self._line("name", "&Name", form, placeholder="First and last name")
        self.phone = self._line("phone", "&Phone", form, placeholder="416 555 0142")
        self.email = self._line("email", "E-&mail", form, placeholder="optional")
        left.addWidget(self.new_customer)
        self.duplicates_box = QFrame(self)
        self.duplicates_box.setObjectName("duplicates")
        self.duplicates_layout = QVBoxLayout(self.duplicates_box)
        self.duplicates_layout.setContentsMargins(10, 8, 10, 8)
        left.addWidget(self.duplicates_box)
        self.duplicates_box.hide()
        # --- vehicle
        self._section("Vehicle", left)
        self.vehicle_pick = QComboBox(self)
        self.vehicle_pick.setAccessibleName("Vehicle")
        self.vehicle_pick.currentIndexChanged.connect(self._vehicle_chosen)
        left.addWidget(self.vehicle_pick)
        self.vehicle_card = WrapLabel(self)
        self.vehicle_card.setMinimumWidth(360)
        self.vehicle_card.setObjectName("card")
        self.vehicle_card.setTextFormat(Qt.TextFormat.RichText)
        left.addWidget(self.vehicle_card)
        left.addWidget(self._message("vehicle_id"))
        self.new_vehicle = QWidget(self)
        vform = QFormLayout(self.new_vehicle)
        vform.setContentsMargins(0, 0, 0, 0)
        self.vin = self._line("vin", "&VIN", vform, placeholder="17 characters, or empty "
                              "before 1981")
        self.plate = self._line("plate", "P&late", vform, width=160)
        self.make = self._line("make", "Ma&ke", vform, placeholder="Toyota")
        self.model = self._line("model", "Mo&del", vform, placeholder="Corolla")
        self.year = self._line("year", "&Year", vform, width=90)
        left.addWidget(self.new_vehicle)
        left.addStretch(1)
        # --- the visit
        self._section("This visit", right)
        jform = QFormLayout()
        self.concern = self._line("concern", "&Concern", jform,
                                  placeholder="What the customer says is wrong")
        self.concern.setMinimumWidth(320)
        odo_row = QHBoxLayout()
        self.odometer = QLineEdit(self)
        self.odometer.setObjectName("field_odometer_in")
        self.odometer.setAccessibleName("Odometer")
        self.odometer.setMaximumWidth(140)
        self.odometer.textEdited.connect(lambda _t: self._edited("odometer_in"))
        self.fields["odometer_in"] = self.odometer
        self.unit = QLabel("km", self)
        odo_row.addWidget(self.odometer)
        odo_row.addWidget(self.unit)
        odo_row.addStretch(1)
        odo_box = QVBoxLayout()
        odo_box.setSpacing(2)
        odo_box.addLayout(odo_row)
        odo_box.addWidget(self._message("odometer_in"))
        self.confirm_button = QPushButton("Yes, this reading is right", self)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self._confirm_reading)
        self.confirm_button.hide()
        odo_box.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        odo_label = QLabel("&Odometer", self)
        odo_label.setBuddy(self.odometer)
        jform.addRow(odo_label, odo_box)
        self.promised = QDateTimeEdit(self)
        self.promised.setObjectName("field_promised_at")
        self.promised.setAccessibleName("Promised")
        self.promised.setCalendarPopup(True)
        self.promised.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.presets = QHBoxLayout()
        self.preset_buttons: dict[str, QPushButton] = {}
        self.preset_times: dict[str, datetime] = {}
        for label, at in promise_choices(self.now()):
            button = QPushButton(label, self)
            button.setObjectName("preset")
            button.setAutoDefault(False)
            # a click sets the promise and leaves the focus where the clerk types
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, t=at: self.promised.setDateTime(_qt_time(t)))
            self.presets.addWidget(button)
            self.preset_buttons[label] = button
            self.preset_times[label] = at
        self.presets.addStretch(1)
        promised_box = QVBoxLayout()
        promised_box.setSpacing(4)
        promised_box.addWidget(self.promised)
        promised_box.addLayout(self.presets)
        promised_box.addWidget(self._message("promised_at"))
        promised_label = QLabel("&Promised", self)
        promised_label.setBuddy(self.promised)
        jform.addRow(promised_label, promised_box)
        self.waiting = QCheckBox("Customer &waiting", self)
        jform.addRow("", self.waiting)
        right.addLayout(jform)
        right.addStretch(1)
        self.general = FieldMessage(self)
        right.addWidget(self.general)
        buttons = QHBoxLayout()
        enter = QLabel("Enter makes the job, queued", self)
        enter.setObjectName("hint")
        buttons.addWidget(enter)
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.create_button = QPushButton("Create job", self)
        self.create_button.setObjectName("createJob")
        self.create_button.setDefault(True)
        self.create_button.setToolTip("Make the job, queued (Enter)")
        self.create_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        right.addLayout(buttons)

        grid = QGridLayout(self)
        grid.setContentsMargins(16, 12, 16, 14)
        grid.setHorizontalSpacing(24)
        grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with the offer
        self.title = QLabel("Check in: a new job", self)
        self.title.setObjectName("dialogTitle")
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addLayout(left, 1, 0)
        grid.addLayout(right, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.setMinimumWidth(860)
        self.customer_card.hide()
        self.vehicle_pick.hide()
        self.vehicle_card.hide()

    # --- what was read --------------------------------------------------------------------
    def _loaded(self, start: CheckinStart | None, *, prefill: dict[str, str] | None = None
                ) -> None:
        self.start_data = start
        known = start is not None and start.customer is not None
        self.customer_id = start.customer.id if start is not None and start.customer else None
        self.new_customer.setVisible(not known)
        self.customer_card.setVisible(known)
        if start is not None and start.customer is not None:
            c = start.customer
            extra = " · ".join(escape(p) for p in (c.phone, c.email) if p)
            self.customer_card.setText(f"<b>{escape(c.name)}</b>"
                                       + (f"<br><span style='color:#5b6775'>{extra}</span>"
                                          if extra else ""))
        self._fill_vehicles(start)
        self.title.setText(f"Check in: {start.customer.name}" if start is not None
                           and start.customer is not None else "Check in: a new customer")
        for name, value in (prefill or {}).items():
            edit = self.fields.get(name)
            if isinstance(edit, QLineEdit):
                edit.setText(value)
                self._edited(name)
        self.ready = True
        self._focus_first()
        self.loaded.emit()
        if self._submit_when_ready:
            self._submit_when_ready = False
            self.submit()

    def _fill_vehicles(self, start: CheckinStart | None) -> None:
        cars = start.vehicles if start is not None else ()
        self.vehicle_pick.blockSignals(True)
        self.vehicle_pick.clear()
        if start is not None and (start.customer is not None or cars):
            if start.vehicle_id is None:
                self.vehicle_pick.addItem("Choose the vehicle…", None)
            for v in cars:
                self.vehicle_pick.addItem(v.title, v.id)
            if start.customer is not None:
                self.vehicle_pick.addItem("New vehicle…", NEW_VEHICLE)
            chosen = start.vehicle_id or (NEW_VEHICLE if not cars else None)
            self.vehicle_pick.setCurrentIndex(max(0, self.vehicle_pick.findData(chosen)))
        self.vehicle_pick.blockSignals(False)
        self.vehicle_pick.setVisible(self.vehicle_pick.count() > 1)
        self._vehicle_chosen()

    def chosen_vehicle(self) -> str | None:
        """The vehicle id chosen, ``NEW_VEHICLE``, or None (none chosen yet)."""
        if self.vehicle_pick.count() == 0:
            return NEW_VEHICLE
        data = self.vehicle_pick.currentData()
        return str(data) if data else None

    def _vehicle_chosen(self, *_: Any) -> None:
        chosen = self.chosen_vehicle()
        self.new_vehicle.setVisible(chosen == NEW_VEHICLE)
        facts = None
        if self.start_data is not None and chosen not in (None, NEW_VEHICLE):
            facts = next((v for v in self.start_data.vehicles if v.id == chosen), None)
        self.vehicle_card.setVisible(facts is not None)
        self.messages["vehicle_id"].clear_message()
        if facts is not None:
            rows = [f"<b>{escape(facts.title)}</b>"]
            if facts.vin:
                rows.append(f"VIN {escape(facts.vin)}")
            rows.append(f"Last reading {facts.odometer:,} {escape(facts.odometer_unit)}"
                        if facts.odometer is not None else "No odometer reading yet")
            if facts.open_jobs:
                shown = ", ".join(facts.open_jobs[:3]) + (
                    f" and {len(facts.open_jobs) - 3} more" if len(facts.open_jobs) > 3 else "")
                rows.append(f"<span style='color:#8a5300'><b>Already open: "
                            f"{escape(shown)}</b></span>")
            self.vehicle_card.setText("<br>".join(rows))
            self.unit.setText(facts.odometer_unit)
            self.odometer.setText(f"{facts.odometer:,}" if facts.odometer is not None else "")
        else:
            self.unit.setText("km")
            self.odometer.clear()
        self._reading_changed()

    def _focus_first(self) -> None:
        if _shown(self.new_customer):
            target: QWidget = next((e for e in (self.name, self.phone) if not e.text()),
                                   self.concern)
        elif self.chosen_vehicle() is None:
            target = self.vehicle_pick
        elif _shown(self.new_vehicle):
            target = self.vin
        else:
            target = self.concern
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- checking as it is typed ------------------------------------------------------
    def _edited(self, name: str) -> None:
        self.general.clear_message()
        if name == "odometer_in":
            self._reading_changed()
        self.check_field(name, typing=True)
        if name in ("name", "phone") and _shown(self.new_customer):
            self.new_customer_anyway = False
            self.ctx.worker.read(likely_duplicates, self.name.text(), self.phone.text(),
                                 key="checkin-duplicates", on_done=self._show_duplicates)

    def _reading_changed(self) -> None:
        self.confirm_odometer = False
        self.confirm_button.hide()

    def value_of(self, name: str) -> Any:
        """The field's value as the domain takes it (raises ``ValidationError`` with the
        domain's message, or ours when the text is not a number at all)."""
        if name == "promised_at":
            return _py_time(self.promised.dateTime())
        edit = self.fields[name]
        assert isinstance(edit, QLineEdit)
        text = edit.text()
        if name in ("year", "odometer_in"):
            number = parse_whole(text)
            if isinstance(number, str):
                what = "year" if name == "year" else f"reading in whole {self.unit.text()}"
                raise ValidationError(f"Type the {what} in digits.", field=name)
            text = number  # type: ignore[assignment]
        entity = ("customer" if name in CUSTOMER_FIELDS else
                  "vehicle" if name in VEHICLE_FIELDS else "job")
        warnings: list[str] = []
        value = validators.validate_field(entity, name, text, warnings)
        if warnings:
            self.messages[name].say(warnings[0], "warning")
        return value

    def check_field(self, name: str, *, typing: bool = False) -> bool:
        """Check one field and say what is wrong beside it; True when it may be saved."""
        message = self.messages[name]
        message.clear_message()
        try:
            value = self.value_of(name)
        except ValidationError as exc:
            vin_short = (name == "vin" and typing
                         and len(rules.normalize_vin(self.vin.text())) < 17
                         and "17 characters" in exc.message)
            message.say(exc.message, "hint" if vin_short else "error")
            return False
        if name == "vin" and value and message.state != "warning":
            message.say("✓ A valid VIN", "ok")
        if name == "promised_at" and value is not None and value < self.now():
            message.say("This time has passed.", "warning")
        return True

    def _show_duplicates(self, matches: tuple[CustomerMatch, ...], *,
                         asking: bool = False) -> None:
        self.duplicates = matches
        for old in self._duplicate_widgets:
            old.hide()
            old.deleteLater()
        self._duplicate_widgets = []
        self.use_buttons = []
        while self.duplicates_layout.count():
            self.duplicates_layout.takeAt(0)
        self.duplicates_box.setVisible(bool(matches) and _shown(self.new_customer))
        if not matches:
            self.duplicates_shown.emit(matches)
            return
        made = self._duplicate_widgets
        head = QLabel(("<b>Is it one of these customers?</b> Choose them, or make a new "
                       "customer." if asking else "<b>Already a customer?</b>"),
                      self.duplicates_box)
        head.setWordWrap(True)
        self.duplicates_layout.addWidget(head)
        made.append(head)
        for m in matches[:3]:
            row = QHBoxLayout()
            why = "same phone" if m.why == "phone" else "same name"
            text = QLabel(f"<b>{escape(m.name)}</b> · {escape(m.phone or 'no phone')}<br>"
                          f"<i>{why}</i> · {escape(m.vehicles or 'no vehicle')}",
                          self.duplicates_box)
            text.setToolTip(f"{m.name} · {m.phone} · {m.email}\n{m.vehicles}")
            use = QPushButton(f"Use {m.name}", self.duplicates_box)
            use.setObjectName("useCustomer")
            use.setAutoDefault(False)
            use.clicked.connect(lambda _=False, cid=m.id: self.use_customer(cid))
            row.addWidget(text, 1)
            row.addWidget(use)
            self.duplicates_layout.addLayout(row)
            made += [text, use]
            self.use_buttons.append(use)
        self.anyway_button = QPushButton("No, a new customer", self.duplicates_box)
        self.anyway_button.setObjectName("newCustomerAnyway")
        self.anyway_button.setAutoDefault(False)
        self.anyway_button.clicked.connect(self._new_anyway)
        self.duplicates_layout.addWidget(self.anyway_button, 0, Qt.AlignmentFlag.AlignRight)
        made.append(self.anyway_button)
        for widget in made:
            widget.show()  # now, not when the layout next runs: the focus may go to one
        self.duplicates_shown.emit(matches)

    def use_customer(self, customer_id: str) -> None:
        """The clerk chose an existing customer over a new one: their vehicles are offered
        (what was typed of a new vehicle and of the visit stays)."""
        typed_vehicle = any(e.text() for e in (self.vin, self.plate, self.make, self.model))
        self.duplicates_box.hide()

        def loaded(start: CheckinStart | None) -> None:
            if start is None:
                return
            if typed_vehicle:
                start = CheckinStart(start.customer, start.vehicles, None)
            reading = self.odometer.text()
            self._loaded(start)
            if typed_vehicle:
                self.vehicle_pick.setCurrentIndex(self.vehicle_pick.findData(NEW_VEHICLE))
                self.odometer.setText(reading)
                self.concern.setFocus()

        self.ctx.worker.read(checkin_start, customer_id=customer_id, key="checkin-start",
                             on_done=loaded)

    def _new_anyway(self) -> None:
        self.new_customer_anyway = True
        self.duplicates_box.hide()
        self.submit()

    def _confirm_reading(self) -> None:
        self.confirm_odometer = True
        self.confirm_button.hide()
        self.submit()

    # --- making the job ---------------------------------------------------------------
    def _fields_to_check(self) -> list[str]:
        names: list[str] = []
        if _shown(self.new_customer):
            names += CUSTOMER_FIELDS
        if self.chosen_vehicle() == NEW_VEHICLE:
            names += VEHICLE_FIELDS
        return [*names, *JOB_FIELDS]

    def submit(self) -> None:
        """Enter or "Create job": check every field, offer a likely duplicate customer
        once, then write the job (and the new customer and vehicle) in one operation."""
        if self._writing:
            return
        if not self.ready:
            self._submit_when_ready = True
            return
        self.general.clear_message()
        bad = [n for n in self._fields_to_check() if not self.check_field(n)]
        if self.chosen_vehicle() is None:
            self.messages["vehicle_id"].say("Choose the vehicle, or add a new one.", "error")
            bad.append("vehicle_id")
        if bad:
            widget = self.fields.get(bad[0], self.vehicle_pick)
            widget.setFocus()
            return
        if _shown(self.new_customer) and not self.new_customer_anyway:
            self.ctx.worker.read(likely_duplicates, self.name.text(), self.phone.text(),
                                 key="checkin-duplicates", on_done=self._asked_duplicates)
            return
        self._write()

    def _asked_duplicates(self, matches: tuple[CustomerMatch, ...]) -> None:
        if matches:
            self._show_duplicates(matches, asking=True)
            if self.use_buttons:
                self.use_buttons[0].setFocus()
            return
        self.new_customer_anyway = True
        self._write()

    def arguments(self) -> dict[str, Any]:
        """What ``check_in`` is given for what is on screen."""
        args: dict[str, Any] = dict(
            concern=self.concern.text(), odometer_in=self.value_of("odometer_in"),
            promised_at=self.value_of("promised_at"), customer_waiting=self.waiting.isChecked(),
            confirm_odometer=self.confirm_odometer)
        if _shown(self.new_customer):
            args["new_customer"] = {"name": self.name.text(), "phone": self.phone.text(),
                                    "email": self.email.text()}
        else:
            args["customer_id"] = self.customer_id
        chosen = self.chosen_vehicle()
        if chosen == NEW_VEHICLE:
            args["new_vehicle"] = {"vin": self.vin.text(), "plate": self.plate.text(),
                                   "make": self.make.text(), "model": self.model.text(),
                                   "year": self.value_of("year")}
        else:
            args["vehicle_id"] = chosen
        return args

    def _write(self) -> None:
        self._writing = True
        self.create_button.setEnabled(False)
        self.ctx.worker.write(check_in, on_done=self._created, on_error=self._refused,
                              **self.arguments())

    def _created(self, changes: Changes) -> None:
        self._writing = False
        self.created.emit(str(changes.result), changes)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._writing = False
        self.create_button.setEnabled(True)
        if not isinstance(exc, BaylineError):
            self.general.say(f"The job could not be made: {exc}", "error")
            return
        field = getattr(exc, "field", None)
        message = self.messages.get(field or "")
        if message is None or not message.parentWidget() or not self._visible_field(field):
            self.general.say(exc.message, "error")
        else:
            message.say(exc.message, "error")
            widget = self.fields.get(field or "")
            if widget is not None:
                widget.setFocus()
        if isinstance(exc, ConfirmationRequired) and field == "odometer_in":
            self.confirm_button.setText(f"Yes, {self.odometer.text()} {self.unit.text()} "
                                        "is right: save it")
            self.confirm_button.show()
            self.confirm_button.setFocus()

    def _visible_field(self, field: str | None) -> bool:
        if field in CUSTOMER_FIELDS:
            return _shown(self.new_customer)
        if field in VEHICLE_FIELDS:
            return self.chosen_vehicle() == NEW_VEHICLE
        return field in (*JOB_FIELDS, "vehicle_id", "customer_id")


def _shown(widget: QWidget) -> bool:
    """Shown in the dialog (whether or not the dialog itself is on screen yet)."""
    return not widget.isHidden()


def _qt_time(at: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(at.timestamp()))


def _py_time(at: QDateTime) -> datetime:
    return datetime.fromtimestamp(at.toSecsSinceEpoch(), UTC)
