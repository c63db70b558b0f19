"""The manager's administration (menu "Administration", managers and admins only).

Five tabs: technicians (name, skills, capacity, colour, active, and their kiosk PIN),
bays, users and their roles, time-entry corrections with a reason, and the shop settings.

Where each lives:
- technicians, bays, time entries and the shop settings are replica rows: read with
  ``app.queries.admin`` / ``app.queries.settings`` and written with the domain operations
  (``app.ops.customers``, ``app.ops.clock.correct``, ``app.ops.settings``) on the database
  worker. They work offline and go up with the next push.
- users and PINs are the server's (``/api/v1/users``, ``/api/v1/technicians/{id}/pin``):
  called through the sync engine's client on the engine's thread (``SyncEngine.call_api``),
  never on the GUI thread, and only when the server answers; the tab says so otherwise.

Every field is checked with the domain's own rule (``app.validators``,
``app.shopsettings``) and a refusal is shown beside its field. What the signed-in role may
not do is disabled with the reason (``ui.desk.permissions``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

from app import roles, rules, shopsettings, validators
from app.changes import Changes
from app.errors import BaylineError, ValidationError
from app.ops import clock, customers
from app.ops.settings import update_shop_settings
from app.queries import admin as admin_q
from app.queries.settings import ShopSettingsView, replica_settings
from sync.status import Connection
from ui.desk.context import DeskContext
from ui.desk.permissions import Permissions
from ui.models.table import RowTableModel
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTime,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)

log = logging.getLogger(__name__)

TABS = ("technicians", "bays", "users", "time", "settings")
ERROR_STYLE = "color: #b71c1c;"
#: Time entries shown for correction: this many days back.
TIME_DAYS = 14

SERVER_NEEDED = ("Users and kiosk PINs are kept on the server, so changing them needs it. "
                 "Technicians, bays, time entries and the shop settings work offline and are "
                 "sent when it is back.")


class EngineRelay(QObject):
    """A future of the sync engine's thread, delivered to a callback on the GUI thread."""

    _done = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def watch(self, future: Future[Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        def done(f: Future[Any]) -> None:
            with contextlib.suppress(RuntimeError):  # the screen that asked is gone
                self._done.emit(f, on_done, on_error)
        future.add_done_callback(done)

    @staticmethod
    def _deliver(future: Future[Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None]) -> None:
        exc = future.exception()
        if exc is not None:
            on_error(exc)
        else:
            on_done(future.result())


def words(exc: BaseException) -> str:
    return exc.message if isinstance(exc, BaylineError) else f"Something went wrong: {exc}"


class Form(QFormLayout):
    """A form whose fields each have a message line under them (``show``/``clear``)."""

    def __init__(self, owner: QWidget, prefix: str) -> None:
        super().__init__()
        self.owner = owner
        self.prefix = prefix
        self.fields: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def add(self, name: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        widget.setObjectName(f"{self.prefix}_{name}")
        box = QWidget(self.owner)
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(widget)
        message = QLabel("", box)
        message.setObjectName(f"{self.prefix}_{name}_message")
        message.setStyleSheet(ERROR_STYLE)
        message.setWordWrap(True)
        message.hide()
        col.addWidget(message)
        if hint:
            widget.setToolTip(hint)
        caption = QLabel(label, self.owner)
        caption.setBuddy(widget)
        self.addRow(caption, box)
        self.fields[name] = widget
        self.messages[name] = message
        return widget

    def show(self, name: str | None, text: str) -> bool:
        """Show ``text`` under field ``name``; False when the form has no such field."""
        label = self.messages.get(name or "")
        if label is None:
            return False
        label.setText(text)
        label.setAccessibleName(text)
        label.show()
        return True

    def clear(self) -> None:
        for label in self.messages.values():
            label.clear()
            label.hide()

    def message(self, name: str) -> str:
        label = self.messages[name]
        return label.text() if not label.isHidden() else ""


def _table(parent: QWidget, model: RowTableModel, name: str, stretch: int = 1) -> QTableView:
    """A read-only list of rows; columns fit their contents, column ``stretch`` takes the
    rest of the width."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.setWordWrap(False)
    return view


def _status_line(parent: QWidget, name: str) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def _whole(text: str) -> int | None:
    try:
        return int(text.strip().replace(",", ""))
    except ValueError:
        return None


class _Tab(QWidget):
    """What every tab has: the context, the permissions, a status line."""

    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.ctx: DeskContext = dialog.ctx
        self.perms: Permissions = dialog.perms
        self.status = _status_line(self, f"{type(self).__name__}Status")

    def say(self, text: str, bad: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if bad else "")
        self.status.setText(text)

    def reload(self) -> None:  # pragma: no cover - each tab has its own
        pass


def _fill_technicians(combo: QComboBox, first: str,
                      rows: tuple[admin_q.TechnicianRow, ...]) -> None:
    """``first`` (no technician) and then ``rows``; the technician chosen before stays."""
    keep = combo.currentData()
    combo.clear()
    combo.addItem(first, None)
    for r in rows:
        combo.addItem(r.name, r.id)
    if keep is not None and (n := combo.findData(keep)) >= 0:
        combo.setCurrentIndex(n)


def _add(box: QVBoxLayout, part: Any) -> None:
    if isinstance(part, tuple):
        box.addWidget(*part)
    elif isinstance(part, QWidget):
        box.addWidget(part)
    else:
        box.addLayout(part)


class _ListTab(_Tab):
    """A tab with its rows in a table on the left and the chosen row's form on the right
    (technicians, bays, users, time entries)."""

    form: Form
    save_button: QPushButton
    new_button: QPushButton

    def _list(self, model: RowTableModel, name: str, stretch: int = 1) -> None:
        """The table of ``model`` (object name ``name``); choosing a row shows it."""
        self.model = model
        self.view = _table(self, model, name, stretch)
        self.view.selectionModel().currentRowChanged.connect(self._picked)
        self.current: Any = None

    def _save_and_new(self, noun: str, entity: str | None = None) -> None:
        """"Save <noun>" and "New <noun>" buttons (objects save<Noun>/new<Noun>); the new
        one bound to the permission to create ``entity`` when given."""
        self.save_button = QPushButton(f"&Save {noun}", self)
        self.save_button.setObjectName(f"save{noun.capitalize()}")
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton(f"&New {noun}", self)
        self.new_button.setObjectName(f"new{noun.capitalize()}")
        self.new_button.clicked.connect(self.start_new)
        if entity is not None:
            self.perms.bind(self.new_button, entity, "create")

    def _button_row(self, *more: QWidget) -> QHBoxLayout:
        """New (and ``more``) on the left, Save on the right."""
        buttons = QHBoxLayout()
        for button in (self.new_button, *more):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        return buttons

    def _lay_out(self, right: list[Any], above: tuple[Any, ...] = ()) -> None:
        """The table beside the ``right`` column, ``above`` over both, the status line under
        them. A part is a widget, a layout, or (widget, stretch, alignment)."""
        column = QVBoxLayout()
        for part in right:
            _add(column, part)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 3)
        row.addLayout(column, 2)
        col = QVBoxLayout(self)
        for part in above:
            _add(col, part)
        col.addLayout(row, 1)
        col.addWidget(self.status)

    def _keep_row(self, rows: Any, keep: str | None) -> int:
        """Shows ``rows``, the row ``keep`` still chosen; its row number (-1 when gone)."""
        self.model.set_rows(rows)
        n = self.model.row_of(keep) if keep is not None else -1
        if n >= 0:
            self.view.selectRow(n)
        return n

    def _picked(self, current: Any, _previous: Any = None) -> None:
        if current.isValid():
            self.select(self.model.row(current.row()))

    def select(self, row: Any) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError

    def start_new(self) -> None:  # pragma: no cover - each tab that makes rows has its own
        raise NotImplementedError

    def save(self) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError

    def select_id(self, row_id: str) -> bool:
        """Chooses the row ``row_id``; False when it is not in the table."""
        n = self.model.row_of(row_id)
        if n < 0:
            return False
        self.view.selectRow(n)
        self.select(self.model.row(n))
        return True

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and self.form.show(exc.field, exc.message):
            return
        self.say(words(exc), bad=True)


# --- technicians ------------------------------------------------------------------------

class TechniciansTab(_ListTab):
    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        self._list(RowTableModel([
            ("Name", lambda r: r.name),
            ("Skills", lambda r: ", ".join(r.skills)),
            ("Capacity a day", lambda r: f"{r.daily_capacity_minutes // 60} h "
                                         f"{r.daily_capacity_minutes % 60:02d} min"),
            ("Active", lambda r: "Yes" if r.active else "No"),
        ], key=lambda r: r.id, parent=self), "technicianTable")

        self.form = Form(self, "tech")
        self.name = self.form.add("name", "&Name", QLineEdit(self))
        self.skills = self.form.add("skills", "S&kills", QLineEdit(self),
                                    "Comma-separated, e.g. brakes, diagnostics")
        self.capacity = self.form.add("daily_capacity_minutes", "Daily &capacity (minutes)",
                                      QLineEdit(self), "Minutes of work a day, 0 to 1,440")
        self.color = self.form.add("color", "Co&lour", QLineEdit(self), "#rrggbb")
        self.active = self.form.add("active", "", QCheckBox("&Active (can be assigned and "
                                                            "clock on)", self))
        self._save_and_new("technician", "technician")

        pins = QGroupBox("Kiosk PIN", self)
        self.pin = QLineEdit(pins)
        self.pin.setObjectName("pinField")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(validators.PIN_MESSAGE)
        self.pin.setMaxLength(8)
        self.set_pin_button = QPushButton("Set &PIN", pins)
        self.set_pin_button.setObjectName("setPin")
        self.set_pin_button.clicked.connect(self.set_pin)
        self.reset_pin_button = QPushButton("&Remove PIN", pins)
        self.reset_pin_button.setObjectName("resetPin")
        self.reset_pin_button.setToolTip("The technician cannot sign in on a kiosk until a "
                                         "new PIN is set")
        self.reset_pin_button.clicked.connect(self.reset_pin)
        self.pin_message = QLabel("", pins)
        self.pin_message.setObjectName("pinMessage")
        self.pin_message.setWordWrap(True)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin, 1)
        pin_row.addWidget(self.set_pin_button)
        pin_row.addWidget(self.reset_pin_button)
        pin_col = QVBoxLayout(pins)
        pin_col.addLayout(pin_row)
        pin_col.addWidget(self.pin_message)

        self._lay_out([self.form, self._button_row(), pins])
        self.start_new()

    def reload(self) -> None:
        self.ctx.worker.read(admin_q.technicians, key="admin-technicians",
                             on_done=self._show)

    def _show(self, rows: tuple[admin_q.TechnicianRow, ...]) -> None:
        n = self._keep_row(rows, self.current.id if self.current is not None else None)
        if n >= 0:
            self.current = self.model.row(n)

    def select(self, row: admin_q.TechnicianRow) -> None:
        self.current = row
        self.form.clear()
        self.name.setText(row.name)
        self.skills.setText(", ".join(row.skills))
        self.capacity.setText(str(row.daily_capacity_minutes))
        self.color.setText(row.color)
        self.active.setChecked(row.active)
        self.pin.clear()
        self.pin_message.clear()
        self._buttons()

    def start_new(self) -> None:
        self.current = None
        self.view.clearSelection()
        self.form.clear()
        for w in (self.name, self.skills, self.color):
            w.clear()
        self.capacity.setText("480")
        self.color.setText("#607d8b")
        self.active.setChecked(True)
        self.name.setFocus()
        self._buttons()

    def _buttons(self) -> None:
        action = "create" if self.current is None else "update"
        ok, why = self.perms.allowed("technician", action)
        self.save_button.setEnabled(ok)
        self.save_button.setToolTip("" if ok else why)
        self.save_button.setText("&Add technician" if self.current is None
                                 else "&Save technician")
        self.dialog.refresh_server_parts()

    def values(self) -> dict[str, Any] | None:
        """The form's values checked by the domain's rules; None (messages shown) if not."""
        self.form.clear()
        capacity = _whole(self.capacity.text())
        raw = {"name": self.name.text(),
               "skills": [s.strip() for s in self.skills.text().split(",") if s.strip()],
               "daily_capacity_minutes": capacity, "color": self.color.text().strip(),
               "active": self.active.isChecked()}
        ok = True
        if capacity is None:
            self.form.show("daily_capacity_minutes", "Type whole minutes, e.g. 480.")
            ok = False
        clean: dict[str, Any] = {}
        for name, value in raw.items():
            if value is None:
                continue
            try:
                clean[name] = validators.validate_field("technician", name, value)
            except ValidationError as exc:
                self.form.show(exc.field or name, exc.message)
                ok = False
        return clean if ok else None

    def save(self) -> None:
        values = self.values()
        if values is None:
            return
        if self.current is None:
            self.ctx.worker.write(customers.create_technician, **values,
                                  on_done=self._created, on_error=self._refused)
        else:
            row = self.current
            changed = {k: v for k, v in values.items()
                       if v != (list(row.skills) if k == "skills" else getattr(row, k))}
            if not changed:
                self.say("Nothing changed.")
                return
            self.ctx.worker.write(customers.update_technician, row.id, **changed,
                                  on_done=lambda _c: self.say(f"{values['name']} is saved."),
                                  on_error=self._refused)

    def _created(self, changes: Changes) -> None:
        self.say(f"{self.name.text().strip()} is added.")
        new_id = str(changes.result)
        self.current = admin_q.TechnicianRow(new_id, self.name.text(), (), "", 0, True)
        self._buttons()

    # --- PINs (the server's) ------------------------------------------------------------
    def set_pin(self) -> None:
        if self.current is None:
            return
        pin = self.pin.text()
        problem = validators.pin_problem(pin)
        if problem is not None:
            self._pin_said(problem, bad=True)
            return
        tech_id, name = self.current.id, self.current.name
        self._pin_said("Setting the PIN…")
        self.dialog.call_server(lambda api: api.set_pin(tech_id, pin),
                                lambda _r: self._pin_said(f"{name}'s new PIN is set; kiosks "
                                                          "take it with their next sync."),
                                lambda exc: self._pin_said(words(exc), bad=True))
        self.pin.clear()

    def reset_pin(self) -> None:
        if self.current is None:
            return
        tech_id, name = self.current.id, self.current.name
        self._pin_said("Removing the PIN…")
        self.dialog.call_server(lambda api: api.reset_pin(tech_id),
                                lambda _r: self._pin_said(f"{name} has no PIN now: they cannot "
                                                          "sign in on a kiosk until a new one "
                                                          "is set."),
                                lambda exc: self._pin_said(words(exc), bad=True))

    def _pin_said(self, text: str, bad: bool = False) -> None:
        self.pin_message.setStyleSheet(ERROR_STYLE if bad else "")
        self.pin_message.setText(text)

    def server_parts(self, why_not: str | None) -> None:
        """Enable the PIN buttons when the server may be asked (``why_not`` None)."""
        pins = self.perms.pins()
        reason = why_not or (None if pins else pins.reason)
        if reason is None and self.current is None:
            reason = "Choose a technician first."
        for button in (self.set_pin_button, self.reset_pin_button):
            button.setEnabled(reason is None)
        self.pin.setEnabled(reason is None)
        self.set_pin_button.setToolTip(reason or "Kiosks take the new PIN with their next sync")
        if why_not and not self.pin_message.text():
            self._pin_said(why_not)


# --- bays -----------------------------------------------------------------------------

class BaysTab(_ListTab):
    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        self._list(RowTableModel([("Bay", lambda r: r.name), ("Kind", lambda r: r.kind)],
                                 key=lambda r: r.id, parent=self), "bayTable", 0)
        self.form = Form(self, "bay")
        self.name = self.form.add("name", "&Name", QLineEdit(self))
        self.kind = self.form.add("kind", "&Kind", QLineEdit(self),
                                  "general, alignment, lift, wash…")
        self._save_and_new("bay", "bay")
        self._lay_out([self.form, self._button_row()])
        self.start_new()

    def reload(self) -> None:
        self.ctx.worker.read(admin_q.bays, key="admin-bays", on_done=self._show)

    def _show(self, rows: tuple[admin_q.BayRow, ...]) -> None:
        self._keep_row(rows, self.current.id if self.current is not None else None)

    def select(self, row: admin_q.BayRow) -> None:
        self.current = row
        self.form.clear()
        self.name.setText(row.name)
        self.kind.setText(row.kind)
        self._buttons()

    def start_new(self) -> None:
        self.current = None
        self.view.clearSelection()
        self.form.clear()
        self.name.clear()
        self.kind.setText("general")
        self._buttons()

    def _buttons(self) -> None:
        ok, why = self.perms.allowed("bay", "create" if self.current is None else "update")
        self.save_button.setEnabled(ok)
        self.save_button.setToolTip("" if ok else why)
        self.save_button.setText("&Add bay" if self.current is None else "&Save bay")

    def save(self) -> None:
        self.form.clear()
        values: dict[str, Any] = {}
        for name, widget in (("name", self.name), ("kind", self.kind)):
            try:
                values[name] = validators.validate_field("bay", name, widget.text())
            except ValidationError as exc:
                self.form.show(exc.field or name, exc.message)
        if len(values) < 2:
            return
        if self.current is None:
            self.ctx.worker.write(customers.create_bay, **values,
                                  on_done=lambda _c: self.say(f"{values['name']} is added."),
                                  on_error=self._refused)
            self.start_new()
        else:
            self.ctx.worker.write(customers.update_bay, self.current.id, **values,
                                  on_done=lambda _c: self.say(f"{values['name']} is saved."),
                                  on_error=self._refused)


# --- users (the server's) ---------------------------------------------------------------

#: The roles a person account takes (a kiosk's device account is made with the server's
#: command line, with the kiosk).
USER_ROLES = (roles.CLERK, roles.MANAGER, roles.TECHNICIAN, roles.ADMIN)


class UsersTab(_ListTab):
    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        self.technicians: dict[str, str] = {}
        self._list(RowTableModel([
            ("User name", lambda r: r["username"]),
            ("Name", lambda r: r.get("display_name") or ""),
            ("Role", lambda r: str(r["role"]).capitalize()),
            ("Technician", lambda r: self.technicians.get(r.get("technician_id") or "", "")),
            ("Active", lambda r: "Yes" if r.get("active", True) else "No"),
        ], key=lambda r: str(r["id"]), parent=self), "userTable", 1)
        self.form = Form(self, "user")
        self.username = self.form.add("username", "&User name", QLineEdit(self))
        self.display_name = self.form.add("display_name", "&Name", QLineEdit(self))
        self.role = self.form.add("role", "&Role", QComboBox(self))
        for r in USER_ROLES:
            self.role.addItem(r.capitalize(), r)
        self.technician = self.form.add("technician_id", "&Technician", QComboBox(self),
                                        "The technician this person signs in as")
        self.password = self.form.add("password", "&Password", QLineEdit(self))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.active = self.form.add("active", "", QCheckBox("&Active (may sign in)", self))
        self._save_and_new("user")
        self.refresh_button = QPushButton("Re&fresh", self)
        self.refresh_button.clicked.connect(self.reload)
        self.notice = _status_line(self, "usersNotice")
        self.notice.setStyleSheet("background: #fff4e5; color: #663c00; padding: 6px;")
        self._lay_out([self.form, self._button_row(self.refresh_button)], above=(self.notice,))
        self.role.currentIndexChanged.connect(lambda _=0: self._role_changed())
        self.start_new()

    def set_technicians(self, rows: tuple[admin_q.TechnicianRow, ...]) -> None:
        self.technicians = {r.id: r.name for r in rows}
        _fill_technicians(self.technician, "—", rows)

    def reload(self) -> None:
        if self.dialog.server_reason() is not None or not self.perms.users():
            return
        self.say("Reading the users from the server…")
        self.dialog.call_server(lambda api: api.list_users(), self._show,
                                lambda exc: self.say(words(exc), bad=True))

    def _show(self, users: list[dict[str, Any]]) -> None:
        keep = str(self.current["id"]) if self.current is not None else None
        self._keep_row(users, keep)
        self.say(f"{len(users)} users.")

    def select(self, user: dict[str, Any]) -> None:
        self.current = user
        self.form.clear()
        self.username.setText(str(user["username"]))
        self.username.setReadOnly(True)
        self.display_name.setText(str(user.get("display_name") or ""))
        self.role.setCurrentIndex(max(0, self.role.findData(user["role"])))
        tech = self.technician.findData(user.get("technician_id"))
        self.technician.setCurrentIndex(max(0, tech))
        self.password.clear()
        self.password.setPlaceholderText("Leave empty to keep the password")
        self.active.setChecked(bool(user.get("active", True)))
        self.save_button.setText("&Save user")

    def start_new(self) -> None:
        self.current = None
        self.view.clearSelection()
        self.form.clear()
        self.username.clear()
        self.username.setReadOnly(False)
        self.display_name.clear()
        self.role.setCurrentIndex(0)
        self.technician.setCurrentIndex(0)
        self.password.clear()
        self.password.setPlaceholderText(f"At least {validators.MIN_PASSWORD_LENGTH} "
                                         "characters")
        self.active.setChecked(True)
        self.save_button.setText("&Add user")

    def _role_changed(self) -> None:
        self.technician.setEnabled(self.role.currentData() == roles.TECHNICIAN)

    def save(self) -> None:
        self.form.clear()
        password = self.password.text()
        username = self.username.text().strip()
        role = str(self.role.currentData())
        tech = self.technician.currentData() if role == roles.TECHNICIAN else None
        ok = True
        if self.current is None and not username:
            self.form.show("username", "A user needs a user name.")
            ok = False
        if password or self.current is None:
            problem = validators.password_problem(password)
            if problem is not None:
                self.form.show("password", problem)
                ok = False
        if role == roles.TECHNICIAN and tech is None and self.current is None:
            self.form.show("technician_id", "Choose the technician this person signs in as.")
            ok = False
        if not ok:
            return
        name = self.display_name.text().strip() or None
        if self.current is None:
            def call(api: Any) -> Any:
                return api.create_user(username=username, password=password, role=role,
                                       display_name=name, technician_id=tech)
            done = f"{username} is added."
        else:
            user = self.current
            fields: dict[str, Any] = {}
            if (name or "") != (user.get("display_name") or ""):
                fields["display_name"] = name or ""
            if role != user["role"]:
                fields["role"] = role
            if password:
                fields["password"] = password
            if self.active.isChecked() != bool(user.get("active", True)):
                fields["active"] = self.active.isChecked()
            if not fields:
                self.say("Nothing changed.")
                return
            user_id = str(user["id"])

            def call(api: Any) -> Any:
                return api.update_user(user_id, **fields)
            done = f"{user['username']} is saved."
        self.password.clear()
        self.say("Saving on the server…")
        self.dialog.call_server(call, lambda user: self._saved(user, done), self._refused)

    def _saved(self, user: dict[str, Any], done: str) -> None:
        self.current = user
        self.username.setReadOnly(True)
        self.save_button.setText("&Save user")
        self.say(done)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        text = words(exc)
        code = getattr(exc, "code", None)
        target = {"username_taken": "username", "not_a_technician": "role"}.get(code or "")
        if target is not None and self.form.show(target, text):
            self.say("Not saved.", bad=True)
            return
        if "password" in text.lower():
            self.form.show("password", text)
        self.say(text, bad=True)

    def server_parts(self, why_not: str | None) -> None:
        users = self.perms.users()
        reason = (None if users else users.reason) or why_not
        self.notice.setVisible(reason is not None)
        self.notice.setText(reason or "")
        for w in (self.save_button, self.new_button, self.refresh_button, self.view,
                  *self.form.fields.values()):
            w.setEnabled(reason is None)
            if isinstance(w, QPushButton):
                w.setToolTip(reason or "")
        if reason is None:
            self._role_changed()


# --- time entries -----------------------------------------------------------------------

def _local(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %H:%M") if at is not None else "open"


def _ended(row: admin_q.TimeEntryRow) -> str:
    """The end; its time alone when it is on the day the entry started."""
    if row.ended_at is None:
        return "still open"
    end, start = row.ended_at.astimezone(), row.started_at.astimezone()
    return end.strftime("%H:%M") if end.date() == start.date() else _local(row.ended_at)


def _hours(row: admin_q.TimeEntryRow) -> str:
    seconds = ((row.ended_at or datetime.now(UTC)) - row.started_at).total_seconds()
    return f"{seconds / 3600:.2f}"


def _to_qt(at: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(at.timestamp()))


def _from_qt(at: QDateTime) -> datetime:
    return datetime.fromtimestamp(at.toSecsSinceEpoch(), UTC)


class TimeTab(_ListTab):
    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        model = RowTableModel([
            ("Technician", lambda r: r.technician),
            ("Job", lambda r: r.job_number or ""),
            ("Kind", lambda r: r.kind.capitalize()),
            ("Started", lambda r: _local(r.started_at)),
            ("Ended", _ended),
            ("Hours", _hours),
            ("Correction", lambda r: f"Corrected: {r.reason}" if r.corrected else ""),
        ], key=lambda r: r.id, parent=self)
        self.who = QComboBox(self)
        self.who.setObjectName("timeTechnician")
        self.who.addItem("All technicians", None)
        self.who.currentIndexChanged.connect(lambda _=0: self.reload())
        self._list(model, "timeTable", 6)
        self.form = Form(self, "time")
        self.started = self.form.add("started_at", "&Start", QDateTimeEdit(self))
        self.ended = self.form.add("ended_at", "&End", QDateTimeEdit(self))
        for edit in (self.started, self.ended):
            edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
            edit.setCalendarPopup(True)
        self.still_open = self.form.add("open", "", QCheckBox("Still &open (only the entry "
                                                              "running now)", self))
        self.still_open.toggled.connect(lambda on: self.ended.setEnabled(not on))
        self.reason = self.form.add("reason", "&Reason", QLineEdit(self),
                                    "Why the time is corrected (kept with the correction)")
        self.save_button = QPushButton("Record &correction", self)
        self.save_button.setObjectName("recordCorrection")
        self.save_button.clicked.connect(self.save)
        self.perms.bind(self.save_button, "time_entry", "create")
        explain = QLabel("A correction is a new entry with its reason; the original stays "
                         "for the audit.", self)
        explain.setWordWrap(True)
        explain.setObjectName("hint")
        top = QHBoxLayout()
        top.addWidget(QLabel(f"Entries of the last {TIME_DAYS} days for", self))
        top.addWidget(self.who)
        top.addStretch(1)
        self._lay_out([explain, self.form, (self.save_button, 0, Qt.AlignmentFlag.AlignRight)],
                      above=(top,))
        self._enable_form(False)

    def set_technicians(self, rows: tuple[admin_q.TechnicianRow, ...]) -> None:
        self.who.blockSignals(True)
        _fill_technicians(self.who, "All technicians", rows)
        self.who.blockSignals(False)

    def reload(self) -> None:
        since = datetime.now(UTC) - timedelta(days=TIME_DAYS)
        self.ctx.worker.read(admin_q.time_entries, since, technician_id=self.who.currentData(),
                             key="admin-time", on_done=self._show)

    def _show(self, rows: tuple[admin_q.TimeEntryRow, ...]) -> None:
        self.model.set_rows(rows)

    def select(self, row: admin_q.TimeEntryRow) -> None:
        self.current = row
        self.form.clear()
        self.started.setDateTime(_to_qt(row.started_at))
        self.ended.setDateTime(_to_qt(row.ended_at or datetime.now(UTC)))
        self.still_open.setChecked(row.ended_at is None)
        self.reason.clear()
        self._enable_form(True)

    def _enable_form(self, on: bool) -> None:
        for w in (self.started, self.ended, self.still_open, self.reason):
            w.setEnabled(on)
        if on:
            self.ended.setEnabled(not self.still_open.isChecked())

    def save(self) -> None:
        self.form.clear()
        if self.current is None:
            self.say("Choose the entry to correct.", bad=True)
            return
        reason = self.reason.text()
        if not reason.strip():
            # the domain's own words (app.validators' row rule of a correction)
            try:
                validators.validate_row("time_entry", {"corrects_id": self.current.id,
                                                       "reason": reason})
            except ValidationError as exc:
                self.form.show("reason", exc.message)
                return
        started = _from_qt(self.started.dateTime())
        ended = None if self.still_open.isChecked() else _from_qt(self.ended.dateTime())
        entry = self.current
        self.ctx.worker.write(clock.correct, entry.id, started_at=started, ended_at=ended,
                              reason=reason, on_done=lambda _c: self._corrected(entry),
                              on_error=self._refused)

    def _corrected(self, entry: admin_q.TimeEntryRow) -> None:
        self.say(f"{entry.technician}'s {entry.kind} entry is corrected.")
        self.current = None
        self.reason.clear()
        self._enable_form(False)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            field = "reason" if exc.field in ("corrects_id", "reason") else exc.field
            if self.form.show(field, exc.message):
                return
        self.say(words(exc), bad=True)


# --- shop settings ----------------------------------------------------------------------

class SettingsTab(_Tab):
    def __init__(self, dialog: AdminDialog) -> None:
        super().__init__(dialog)
        self.loaded: ShopSettingsView | None = None
        self.form = Form(self, "settings")
        self.header_name = self.form.add("header_name", "Shop &name", QLineEdit(self),
                                         "Printed at the top of repair orders and invoices")
        self.header_address = self.form.add("header_address", "&Address",
                                            QPlainTextEdit(self))
        self.header_address.setFixedHeight(64)
        self.header_phone = self.form.add("header_phone", "&Phone", QLineEdit(self))
        self.header_tax_number = self.form.add("header_tax_number", "Ta&x number",
                                               QLineEdit(self))
        self.tax_rate = self.form.add("tax_rate_bp", "&Tax rate (%)", QLineEdit(self),
                                      "For example 8.25")
        kinds = QWidget(self)
        row = QHBoxLayout(kinds)
        row.setContentsMargins(0, 0, 0, 0)
        self.taxable: dict[str, QCheckBox] = {}
        for kind in rules.LINE_KINDS:
            box = QCheckBox(kind.capitalize(), kinds)
            box.setObjectName(f"taxable_{kind}")
            self.taxable[kind] = box
            row.addWidget(box)
        row.addStretch(1)
        self.form.add("taxable_kinds", "Ta&xed lines", kinds)
        self.rounding = self.form.add("rounding_cents", "&Round lines to", QComboBox(self))
        for step in shopsettings.ROUNDING_STEPS:
            self.rounding.addItem("the cent" if step == 1 else f"{step} cents", step)
        self.approval = self.form.add("approval_notice_minutes",
                                      "Approval &wait before a notice (minutes)",
                                      QLineEdit(self))
        self.kiosk_timeout = self.form.add("kiosk_timeout_seconds",
                                           "&Kiosk signs out after (seconds)", QLineEdit(self))
        zone = QComboBox(self)
        zone.setEditable(True)
        zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        zone.setMaxVisibleItems(20)
        zone.addItem("")  # this computer's zone
        zone.addItems(list(shopsettings.zone_names()))
        edit = zone.lineEdit()
        assert edit is not None  # an editable combo box has one
        edit.setPlaceholderText("This computer's zone")
        zones = QCompleter(list(shopsettings.zone_names()), zone)
        zones.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        zones.setFilterMode(Qt.MatchFlag.MatchContains)  # "berlin" finds Europe/Berlin
        zone.setCompleter(zones)
        edit.editingFinished.connect(self._check_zone)
        self.time_zone = zone
        self.form.add("time_zone", "Time &zone", zone,
                      "The shop's clock for the schedule and every \"today\", for example "
                      "Europe/Berlin; empty: each computer's own zone")
        self.save_button = QPushButton("&Save settings", self)
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.perms.bind(self.save_button, "shop_settings", "update")
        self.revert_button = QPushButton("Re&vert", self)
        self.revert_button.clicked.connect(lambda: self.reload())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        inner = QWidget(self)
        inner_col = QVBoxLayout(inner)
        inner_col.addLayout(self.form)
        inner_col.addLayout(buttons)
        inner.setMaximumWidth(720)
        col = QVBoxLayout(self)
        col.addWidget(inner)
        col.addStretch(1)
        col.addWidget(self.status)

    def reload(self) -> None:
        self.ctx.worker.read(replica_settings, key="admin-settings", on_done=self._show)

    def _show(self, s: ShopSettingsView) -> None:
        self.loaded = s
        self.form.clear()
        self.header_name.setText(s.header_name)
        self.header_address.setPlainText(s.header_address)
        self.header_phone.setText(s.header_phone)
        self.header_tax_number.setText(s.header_tax_number)
        self.tax_rate.setText(f"{s.tax_rate_bp / 100:g}")
        for kind, box in self.taxable.items():
            box.setChecked(kind in s.taxable_kinds)
        self.rounding.setCurrentIndex(max(0, self.rounding.findData(s.rounding_cents)))
        self.approval.setText(str(s.approval_notice_minutes))
        self.kiosk_timeout.setText(str(s.kiosk_timeout_seconds))
        self.time_zone.setCurrentText(s.time_zone)

    def _check_zone(self) -> None:
        """The zone typed is checked as the field is left (the rule: ``app.shopsettings``)."""
        label = self.form.messages["time_zone"]
        try:
            shopsettings.check_setting("time_zone", self.time_zone.currentText())
        except ValidationError as exc:
            self.form.show("time_zone", exc.message)
        else:
            label.clear()
            label.hide()

    def values(self) -> dict[str, Any] | None:
        """The form's settings checked by ``app.shopsettings``; None (messages shown) if
        any is refused."""
        self.form.clear()
        ok = True
        raw: dict[str, Any] = {
            "header_name": self.header_name.text(),
            "header_address": self.header_address.toPlainText(),
            "header_phone": self.header_phone.text(),
            "header_tax_number": self.header_tax_number.text(),
            "taxable_kinds": [k for k, box in self.taxable.items() if box.isChecked()],
            "rounding_cents": self.rounding.currentData(),
            "time_zone": self.time_zone.currentText(),
        }
        try:
            raw["tax_rate_bp"] = round(float(self.tax_rate.text().strip().rstrip("%")
                                             .replace(",", ".")) * 100)
        except ValueError:
            self.form.show("tax_rate_bp", "Type the rate as a number, for example 8.25.")
            ok = False
        for name, widget in (("approval_notice_minutes", self.approval),
                             ("kiosk_timeout_seconds", self.kiosk_timeout)):
            value = _whole(widget.text())
            if value is None:
                self.form.show(name, "Type a whole number.")
                ok = False
            else:
                raw[name] = value
        clean: dict[str, Any] = {}
        for name, value in raw.items():
            try:
                clean[name] = shopsettings.check_setting(name, value)
            except ValidationError as exc:
                text = exc.message
                if name == "tax_rate_bp":
                    text = (f"The tax rate is between 0 and "
                            f"{shopsettings.MAX_TAX_RATE_BP / 100:g} %.")
                self.form.show(exc.field or name, text)
                ok = False
        return clean if ok else None

    def save(self) -> None:
        values = self.values()
        if values is None:
            self.say("Not saved: see the messages above.", bad=True)
            return
        before = self.loaded
        if before is not None:
            values = {k: v for k, v in values.items()
                      if (list(getattr(before, k)) if k == "taxable_kinds"
                          else getattr(before, k)) != v}
        if not values:
            self.say("Nothing changed.")
            return
        self.ctx.worker.write(update_shop_settings, **values,
                              on_done=lambda _c: self.say("The shop settings are saved."),
                              on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and self.form.show(exc.field, exc.message):
            return
        self.say(words(exc), bad=True)


# --- the dialog -------------------------------------------------------------------------

class AdminDialog(QDialog):
    """The administration window; ``show_tab(name)`` with a name of ``TABS``."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.perms: Permissions = ctx.permissions
        self.relay = EngineRelay(self)
        self.setObjectName("adminDialog")
        self.setWindowTitle("Administration — Bayline")
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.technicians = TechniciansTab(self)
        self.bays = BaysTab(self)
        self.users = UsersTab(self)
        self.time = TimeTab(self)
        self.settings = SettingsTab(self)
        for tab, title in ((self.technicians, "&Technicians"), (self.bays, "&Bays"),
                           (self.users, "&Users and roles"), (self.time, "Time &entries"),
                           (self.settings, "Shop &settings")):
            self.tabs.addTab(tab, title)
        self.who = QLabel("", self)
        self.who.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.who, 1)
        bottom.addWidget(buttons)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        col = QVBoxLayout(self)
        col.addWidget(self.tabs, 1)
        col.addWidget(line)
        col.addLayout(bottom)
        self.resize(1180, 660)
        ctx.hub.subscribe(self._on_changes)
        ctx.sync.status_changed.connect(self._status_changed)  # bound: gone with us
        self.perms.changed.connect(self._who_changed)
        self.finished.connect(lambda _r: ctx.hub.unsubscribe(self._on_changes))
        self._who_changed()
        self.reload()

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(name))

    def reload(self) -> None:
        self.ctx.worker.read(admin_q.technicians, key="admin-technician-pickers",
                             on_done=self._technicians)
        for tab in (self.technicians, self.bays, self.time, self.settings):
            tab.reload()
        self.users.reload()

    def _technicians(self, rows: tuple[admin_q.TechnicianRow, ...]) -> None:
        self.users.set_technicians(rows)
        self.time.set_technicians(rows)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("technician"):
            self.technicians.reload()
            self.ctx.worker.read(admin_q.technicians, key="admin-technician-pickers",
                                 on_done=self._technicians)
        if changes.touches("bay"):
            self.bays.reload()
        if changes.touches("time_entry", "technician", "job"):
            self.time.reload()
        if changes.touches("shop_settings") and changes.source != "local":
            self.settings.reload()

    def _status_changed(self, _status: object) -> None:
        self.refresh_server_parts()

    def _who_changed(self) -> None:
        who = self.perms.who
        self.who.setText(f"Signed in as {who.username} ({who.role})" if who.username
                         else "Demo shop: every right, no server")
        self.refresh_server_parts()

    # --- the server's parts ---------------------------------------------------------------
    def server_reason(self) -> str | None:
        """Why users and PINs cannot be changed now (None: the server may be asked)."""
        if self.ctx.engine is None or not self.perms.has_server:
            return ("This desk is not connected to a server (a demo, or not signed in): "
                    "users and kiosk PINs are kept on a server.")
        status = self.ctx.sync.status
        if status is not None and status.connection in (Connection.OFFLINE,
                                                        Connection.SIGNED_OUT):
            return "The server cannot be reached now. " + SERVER_NEEDED
        return None

    def refresh_server_parts(self) -> None:
        if not hasattr(self, "users"):
            return  # still being built
        reason = self.server_reason()
        self.technicians.server_parts(reason)
        was_shown = self.users.notice.isVisible()
        self.users.server_parts(reason)
        if was_shown and reason is None and self.users.model.rowCount() == 0:
            self.users.reload()

    def call_server(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
                    on_error: Callable[[BaseException], None]) -> None:
        """``fn(api)`` on the sync engine's thread; the answer back on the GUI thread."""
        engine = self.ctx.engine
        if engine is None:
            on_error(BaylineError(self.server_reason() or SERVER_NEEDED))
            return
        self.relay.watch(engine.call_api(fn), on_done, on_error)
