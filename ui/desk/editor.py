"""The job editor: one repair order, edited in place with no Save button.

The customer and vehicle, the concern, promised time, customer waiting, priority, the
technician and bay; the lines (labor in hours at a rate, parts with part number and part
status, fees) with approval per line and the totals with tax by the shop's rule; the
lines the customer declined on the vehicle's earlier visits; notes and findings; the
status history; the time clocked per technician; and beside the job the vehicle's history
and its maintenance due. "Hand back…" records the payment and closes the job.

Every field commits on Enter or when it loses focus and reverts on Esc (``ui.desk.fields``);
each edit is one domain operation of ``app.ops`` on the database worker, and the editor,
like the boards, repaints from the change hub. Money is read, never computed, here: the
totals come from ``app.queries.editor.job_editor`` (``app.shopsettings.order_totals``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import Any

from app import rules, validators
from app.changes import Changes
from app.errors import BaylineError, ConfirmationRequired, ValidationError
from app.ops import jobs, notes
from app.queries.editor import (
    EditorData,
    EditorLine,
    VehicleSide,
    customer_vehicles,
    job_editor,
    vehicle_owner,
    vehicle_side,
)
from ui.desk.context import DeskContext
from ui.desk.editor_models import (
    APPROVAL_LABELS,
    ID_ROLE,
    KIND_LABELS,
    LinesModel,
    MaintenanceModel,
    RowTableModel,
    clocked_model,
    declined_model,
    history_model,
    payments_model,
    visits_model,
)
from ui.desk.fields import (
    CheckField,
    ChoiceField,
    DateTimeField,
    Field,
    TextField,
    money_text,
    number_text,
    parse_money,
    parse_number,
    parse_whole,
)
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSplitter,
    Qt,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    qt_object_alive,
)

#: A change to any of these may change what the editor shows.
EDITOR_ENTITIES = ("job", "job_line", "note", "status_event", "time_entry", "payment",
                   "technician", "bay", "customer", "vehicle", "shop_settings")
#: Changes that may change the vehicle's history and maintenance beside the job.
SIDE_ENTITIES = ("job", "job_line", "vehicle", "note")

PRIORITIES = ((0, "Normal"), (1, "Raised"), (2, "High"), (3, "Urgent"))
#: Per kind: what a line's quantity and unit price are called.
LINE_WORDS = {"labor": ("Hours", "Rate"), "part": ("Quantity", "Price"),
              "fee": ("Quantity", "Amount")}


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, BaylineError) else \
        "That change could not be saved; see the log."


def _table(model: RowTableModel, parent: QWidget, *, stretch: int = 1,
           name: str = "") -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    # Widths from the columns' declarations, not from measuring every cell (which reads
    # every row's data on each refresh); the person can still drag them.
    metrics = view.fontMetrics()
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(metrics.height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for n, column in enumerate(model.columns):
        header.resizeSection(n, metrics.averageCharWidth() * column.chars + 16)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class JobEditor(QWidget):
    """See the module docstring. One per open job (``open_editor``)."""

    #: The editor was filled from a fresh read (``EditorData``, or None when the job is gone).
    loaded = Signal(object)
    #: The vehicle's history and maintenance were filled (``VehicleSide``).
    side_loaded = Signal(object)

    def __init__(self, ctx: DeskContext, job_id: str | None, *,
                 parent: QWidget | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("jobEditor")
        self.ctx = ctx
        self.job_id = job_id or ""
        self.now = now
        self.data: EditorData | None = None
        self.side: VehicleSide | None = None
        self._line_id: str | None = None
        self._reload_queued = False
        self._side_vehicle: str | None = None
        self._select_when_shown: str | None = None
        self.handback_dialog: Any = None
        self._subscribed = False
        self.setWindowTitle("Job")
        self.resize(1366, 768)
        self._built = False
        self._early: list[EditorData | None] = []
        if job_id:
            self.reload()  # the read runs on the worker while the widgets are made
        self._build()
        self._built = True
        if job_id:
            self._subscribe()
        if self._early:
            self._show(self._early.pop())
        self.destroyed.connect(lambda *_: ctx.hub.unsubscribe(self.on_changes))
        close = QShortcut(QKeySequence("Ctrl+W"), self)
        close.activated.connect(self.close)

    def bind(self, job_id: str) -> None:
        """Show job ``job_id`` in this (already built) editor: opening a job then costs
        its read and filling, not the making of every widget (``open_editor`` keeps a
        closed editor for the next job)."""
        self.job_id = job_id
        self.data = self.side = None
        self._line_id = self._side_vehicle = self._select_when_shown = None
        self._reload_queued = False
        self.handback_dialog = None
        self.notice.hide()
        for field in (*self.job_fields.values(), *self.line_fields.values()):
            field.reset()
        for model in (self.lines, self.declined, self.history, self.clocked, self.payments,
                      self.visits, self.maintenance):
            model.set_rows(())
        self.line_form.setEnabled(False)
        self.line_title.setText("Select a line to edit it")
        self.add_description.clear()
        self.add_message.hide()
        self.note_text.clear()
        self.note_message.hide()
        self.side_tabs.setCurrentIndex(0)
        self._subscribe()
        self.reload()

    def _subscribe(self) -> None:
        if not self._subscribed:
            self.ctx.hub.subscribe(self.on_changes)
            self._subscribed = True

    def _unsubscribe(self) -> None:
        self.ctx.hub.unsubscribe(self.on_changes)
        self._subscribed = False

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        self.notice = QLabel(self)
        self.notice.setObjectName("editorNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        scroll = QScrollArea(split)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        body.setObjectName("editorBody")
        col = QVBoxLayout(body)
        col.setContentsMargins(12, 8, 8, 8)
        col.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self._build_customer_box(body), 1)
        top.addWidget(self._build_job_box(body), 1)
        col.addLayout(top)
        col.addWidget(self._build_lines_box(body), 1)
        scroll.setWidget(body)
        split.addWidget(scroll)
        split.addWidget(self._build_side(split))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([880, 480])
        outer.addWidget(split, 1)
        self.job_fields: dict[str, Field] = {}
        for field in (self.f_vehicle, self.f_odometer, self.f_promised, self.f_concern,
                      self.f_priority, self.f_waiting, self.f_technician, self.f_bay):
            self.job_fields[field.name] = field
            field.commit_requested.connect(self._commit_job_field)
        self.line_fields: dict[str, Field] = {}
        for field in (self.l_description, self.l_quantity, self.l_price, self.l_part_number,
                      self.l_part_status, self.l_approval):
            self.line_fields[field.name] = field
            field.commit_requested.connect(self._commit_line_field)

    def _build_header(self) -> QWidget:
        bar = QFrame(self)
        bar.setObjectName("editorHeader")
        row = QHBoxLayout(bar)
        row.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel("Job …", bar)
        self.title.setObjectName("editorTitle")
        self.status = QLabel(bar)
        self.status.setObjectName("editorStatus")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(self.title)
        row.addSpacing(12)
        row.addWidget(self.status, 1)
        self.handback_button = QPushButton("Hand back…", bar)
        self.handback_button.setObjectName("handBack")
        self.handback_button.setToolTip("Take the payment and close the job (only a ready job "
                                        "is handed back)")
        self.handback_button.clicked.connect(self.hand_back)
        row.addWidget(self.handback_button)
        self.print_button = QPushButton("Print…", bar)
        self.print_button.setObjectName("printOrder")
        self.print_button.setToolTip("Print the repair order or save it as PDF (Ctrl+P)")
        self.print_button.clicked.connect(self.print_order)
        row.addWidget(self.print_button)
        printing = QShortcut(QKeySequence("Ctrl+P"), self)
        printing.activated.connect(self.print_order)
        done = QPushButton("Close", bar)
        done.setToolTip("Close the editor (Ctrl+W); every change is already saved")
        done.clicked.connect(self.close)
        row.addWidget(done)
        return bar

    def _build_customer_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Customer and vehicle", parent)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        who = QWidget(box)
        row = QHBoxLayout(who)
        row.setContentsMargins(0, 0, 0, 0)
        self.customer_label = QLabel("—", who)
        self.customer_label.setObjectName("customerName")
        self.customer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change_customer = QPushButton("Change…", who)
        self.change_customer.setToolTip("Pick another customer or vehicle (search by name, "
                                        "phone, plate or VIN)")
        self.change_customer.clicked.connect(self.pick_customer)
        row.addWidget(self.customer_label, 1)
        row.addWidget(self.change_customer)
        form.addRow("Customer", who)
        self.f_vehicle = ChoiceField("vehicle_id", (), entity="job", parent=box)
        form.addRow("Vehicle", self.f_vehicle)
        self.vin_label = QLabel("", box)
        self.vin_label.setObjectName("hint")
        self.vin_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("", self.vin_label)
        self.f_odometer = TextField("odometer_in", entity="job", parse=parse_whole,
                                    text=lambda v: "" if v is None else f"{v:,}",
                                    placeholder="Odometer at check-in", parent=box)
        form.addRow("Odometer in", self.f_odometer)
        self.f_promised = DateTimeField("promised_at", entity="job", parent=box)
        form.addRow("Promised", self.f_promised)
        return box

    def _build_job_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Job", parent)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.f_concern = TextField("concern", entity="job", placeholder="What the customer says",
                                   parent=box)
        form.addRow("Concern", self.f_concern)
        pair = QWidget(box)
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        self.f_priority = ChoiceField("priority", PRIORITIES, entity="job", parent=pair)
        self.f_waiting = CheckField("customer_waiting", "Customer waiting", entity="job",
                                    parent=pair)
        row.addWidget(self.f_priority, 1)
        row.addWidget(self.f_waiting)
        form.addRow("Priority", pair)
        self.f_technician = ChoiceField("technician_id", (), entity="job", parent=box)
        form.addRow("Technician", self.f_technician)
        self.f_bay = ChoiceField("bay_id", (), entity="job", parent=box)
        form.addRow("Bay", self.f_bay)
        return box

    def _build_lines_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Lines", parent)
        col = QVBoxLayout(box)
        self.lines = LinesModel(self)
        self.lines_view = _table(self.lines, box, name="linesView")
        self.lines_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.lines_view.setMinimumHeight(self.lines_view.verticalHeader().defaultSectionSize()
                                         * 8 + 4)
        self.lines_view.selectionModel().selectionChanged.connect(self._line_selected)
        col.addWidget(self.lines_view, 1)
        # approval of the selected lines, and delete
        actions = QHBoxLayout()
        self.approval_buttons: dict[str, QPushButton] = {}
        for approval, text, tip in (("approved", "Approve", "The customer approved it (A)"),
                                    ("declined", "Decline", "The customer declined it: listed"
                                     " again on the vehicle's next visit (D)"),
                                    ("pending", "Pending", "Not asked yet (P)")):
            button = QPushButton(text, box)
            button.setObjectName(f"set_{approval}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, a=approval: self.set_approval(a))
            actions.addWidget(button)
            self.approval_buttons[approval] = button
        for key, approval in (("A", "approved"), ("D", "declined"), ("P", "pending")):
            sc = QShortcut(QKeySequence(key), self.lines_view)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda a=approval: self.set_approval(a))
        self.delete_button = QPushButton("Delete line", box)
        self.delete_button.setObjectName("deleteLine")
        self.delete_button.clicked.connect(self.delete_lines)
        actions.addWidget(self.delete_button)
        actions.addStretch(1)
        self.totals_label = QLabel(box)
        self.totals_label.setObjectName("totals")
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)
        self.totals_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        actions.addWidget(self.totals_label)
        col.addLayout(actions)
        col.addWidget(self._build_line_form(box))
        col.addWidget(self._build_add_line(box))
        return box

    def _build_line_form(self, parent: QWidget) -> QWidget:
        form = QFrame(parent)
        form.setObjectName("lineForm")
        grid = QGridLayout(form)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.line_title = QLabel("Select a line to edit it", form)
        self.line_title.setObjectName("sectionTitle")
        grid.addWidget(self.line_title, 0, 0, 1, 6)
        self.line_title.setTextFormat(Qt.TextFormat.PlainText)
        self.l_description = TextField("description", entity="job_line", parent=form)
        self.l_quantity = TextField("quantity", entity="job_line", parse=parse_number,
                                    text=number_text, parent=form)
        self.l_price = TextField("unit_price_cents", entity="job_line", parse=parse_money,
                                 text=money_text, parent=form)
        self.l_part_number = TextField("part_number", entity="job_line",
                                       placeholder="e.g. BP-1234", parent=form)
        self.l_part_status = ChoiceField("part_status", [(None, "—")] + [
            (s, s.capitalize()) for s in rules.PART_STATUSES], entity="job_line", parent=form)
        self.l_approval = ChoiceField("approval", [(a, APPROVAL_LABELS[a]) for a in
                                                   rules.APPROVALS], entity="job_line",
                                      parent=form)
        self.line_labels: dict[str, QLabel] = {}
        cells = (("description", "Description", self.l_description, 3),
                 ("quantity", "Hours", self.l_quantity, 1),
                 ("unit_price_cents", "Rate", self.l_price, 1),
                 ("part_number", "Part number", self.l_part_number, 2),
                 ("part_status", "Part status", self.l_part_status, 1),
                 ("approval", "Approval", self.l_approval, 1))
        for column, (name, text, field, stretch) in enumerate(cells):
            label = QLabel(text, form)
            label.setBuddy(field.widget)
            self.line_labels[name] = label
            grid.addWidget(label, 1, column)
            grid.addWidget(field, 2, column, Qt.AlignmentFlag.AlignTop)
            grid.setColumnStretch(column, stretch)
        self.line_form = form
        form.setEnabled(False)
        return form

    def _build_add_line(self, parent: QWidget) -> QWidget:
        strip = QWidget(parent)
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_kind = QComboBox(strip)
        self.add_kind.setObjectName("addKind")
        for kind in rules.LINE_KINDS:
            self.add_kind.addItem(KIND_LABELS[kind], kind)
        self.add_description = QLineEdit(strip)
        self.add_description.setObjectName("addDescription")
        self.add_description.setPlaceholderText("New line: describe the work, part or fee, "
                                                "then Enter")
        self.add_description.returnPressed.connect(self.add_line)
        self.add_button = QPushButton("Add line", strip)
        self.add_button.setObjectName("addLine")
        self.add_button.clicked.connect(self.add_line)
        self.add_message = QLabel(strip)
        self.add_message.setObjectName("fieldMessage")
        self.add_message.hide()
        row.addWidget(self.add_kind)
        row.addWidget(self.add_description, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.add_message)
        return strip

    def _build_declined_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Declined on earlier visits", parent)
        box.setObjectName("declinedBox")
        col = QVBoxLayout(box)
        self.declined = declined_model(self)
        self.declined_view = _table(self.declined, box, name="declinedView")
        self.declined_view.setMaximumHeight(
            self.declined_view.verticalHeader().defaultSectionSize() * 4 + 28)
        col.addWidget(self.declined_view)
        row = QHBoxLayout()
        hint = QLabel("Offer them again: the customer said no last time.", box)
        hint.setObjectName("hint")
        self.readd_button = QPushButton("Add to this job", box)
        self.readd_button.setObjectName("readdDeclined")
        self.readd_button.clicked.connect(self.add_declined_again)
        row.addWidget(hint, 1)
        row.addWidget(self.readd_button)
        col.addLayout(row)
        box.hide()
        self.declined_box = box
        return box

    def _build_side(self, parent: QWidget) -> QTabWidget:
        tabs = QTabWidget(parent)
        tabs.setObjectName("editorSide")
        tabs.setDocumentMode(True)
        # the vehicle: its maintenance due and its visits
        vehicle = QWidget(tabs)
        col = QVBoxLayout(vehicle)
        col.setContentsMargins(8, 8, 8, 8)
        due_title = QLabel("Maintenance due", vehicle)
        due_title.setObjectName("sectionTitle")
        self.maintenance = MaintenanceModel(self)
        self.maintenance_view = _table(self.maintenance, vehicle, stretch=1,
                                       name="maintenanceView")
        visits_title = QLabel("Earlier visits", vehicle)
        visits_title.setObjectName("sectionTitle")
        self.visits = visits_model(self)
        self.visits_view = _table(self.visits, vehicle, stretch=2, name="visitsView")
        col.addWidget(self._build_declined_box(vehicle))
        col.addWidget(due_title)
        col.addWidget(self.maintenance_view, 3)
        col.addWidget(visits_title)
        col.addWidget(self.visits_view, 2)
        tabs.addTab(vehicle, "Vehicle")
        # notes and findings
        notes_tab = QWidget(tabs)
        col = QVBoxLayout(notes_tab)
        col.setContentsMargins(8, 8, 8, 8)
        self.notes_view = QTextBrowser(notes_tab)
        self.notes_view.setObjectName("notesView")
        col.addWidget(self.notes_view, 1)
        row = QHBoxLayout()
        self.note_kind = QComboBox(notes_tab)
        for kind in rules.NOTE_KINDS:
            self.note_kind.addItem(kind.capitalize(), kind)
        self.note_text = QLineEdit(notes_tab)
        self.note_text.setObjectName("noteText")
        self.note_text.setPlaceholderText("Add a note, then Enter")
        self.note_text.returnPressed.connect(self.add_note)
        row.addWidget(self.note_kind)
        row.addWidget(self.note_text, 1)
        col.addLayout(row)
        self.note_message = QLabel(notes_tab)
        self.note_message.setObjectName("fieldMessage")
        self.note_message.setWordWrap(True)
        self.note_message.hide()
        col.addWidget(self.note_message)
        tabs.addTab(notes_tab, "Notes and findings")
        # status history
        self.history = history_model(self)
        tabs.addTab(_table(self.history, tabs, stretch=3, name="historyView"), "Status history")
        # time per technician
        time_tab = QWidget(tabs)
        col = QVBoxLayout(time_tab)
        col.setContentsMargins(8, 8, 8, 8)
        self.clocked = clocked_model(self)
        col.addWidget(_table(self.clocked, time_tab, stretch=0, name="clockedView"), 1)
        self.clocked_total = QLabel(time_tab)
        self.clocked_total.setObjectName("hint")
        col.addWidget(self.clocked_total)
        tabs.addTab(time_tab, "Time")
        # payments
        self.payments = payments_model(self)
        tabs.addTab(_table(self.payments, tabs, stretch=0, name="paymentsView"), "Payments")
        self.side_tabs = tabs
        return tabs

    # --- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        self.ctx.worker.read(job_editor, self.job_id, self.now(), key=f"editor:{id(self)}",
                             on_done=self._show)

    def on_changes(self, changes: Changes) -> None:
        if not changes.touches(*EDITOR_ENTITIES) or self._reload_queued:
            return
        self._reload_queued = True
        side = changes.touches(*SIDE_ENTITIES)
        QTimer.singleShot(0, lambda: self._reload_after_change(side))

    def _reload_after_change(self, side: bool) -> None:
        self._reload_queued = False
        self.reload()
        if side and self._side_vehicle is not None:
            self._read_side(self._side_vehicle)

    def _read_side(self, vehicle_id: str) -> None:
        self._side_vehicle = vehicle_id
        self.ctx.worker.read(vehicle_side, vehicle_id, self.now(),
                             key=f"editor-side:{id(self)}", on_done=self._show_side)

    def _show(self, data: EditorData | None) -> None:
        if not self._built:  # a synchronous worker answers before the widgets exist
            self._early.append(data)
            return
        if data is not None and data.job_id != self.job_id:
            return  # read for the job this editor showed before (it was reused)
        self.data = data
        if data is None:
            self.title.setText("Job not found")
            self.status.setText("That job no longer exists.")
            for w in (self.line_form, self.lines_view, self.change_customer, self.add_button,
                      self.add_description, self.handback_button):
                w.setEnabled(False)
            for field in self.job_fields.values():
                field.setEnabled(False)
            self.loaded.emit(None)
            return
        self.setWindowTitle(f"Job {data.number} — {data.customer or 'no customer'}")
        self.title.setText(f"Job {data.number}")
        self.status.setText(self._status_html(data))
        self.customer_label.setText(data.customer + (f"  ·  {data.customer_phone}"
                                                     if data.customer_phone else "")
                                    if data.customer else "No customer")
        self.vin_label.setText("  ·  ".join(x for x in (f"VIN {data.vin}" if data.vin else "",
                                                        data.plate) if x))
        vehicles = [(v.id, v.name) for v in data.vehicles]
        if data.vehicle_id and data.vehicle_id not in {v for v, _ in vehicles}:
            vehicles.append((data.vehicle_id, " · ".join(x for x in (data.vehicle, data.plate)
                                                          if x)))
        self.f_vehicle.set_choices([(None, "No vehicle")] + vehicles)
        techs = [(None, "Unassigned")] + [(t.id, t.name + ("" if t.active else " (inactive)"))
                                          for t in data.pickers.technicians]
        self.f_technician.set_choices(techs, disabled=[t.id for t in data.pickers.technicians
                                                       if not t.active])
        self.f_bay.set_choices([(None, "No bay")] + [(b.id, b.name) for b in data.pickers.bays])
        for name, value in (("vehicle_id", data.vehicle_id), ("odometer_in", data.odometer_in),
                            ("promised_at", data.promised_at), ("concern", data.concern),
                            ("priority", data.priority),
                            ("customer_waiting", data.customer_waiting),
                            ("technician_id", data.technician_id), ("bay_id", data.bay_id)):
            self.job_fields[name].set_stored(value)
        editable = data.editable
        for field in self.job_fields.values():
            field.setEnabled(editable)
        for w in (self.change_customer, self.add_button, self.add_description, self.add_kind,
                  self.delete_button, self.readd_button, *self.approval_buttons.values()):
            w.setEnabled(editable)
        self.handback_button.setEnabled(rules.can_move(data.status, "closed"))
        self._show_lines(data)
        self._show_totals(data)
        self.declined.set_rows(data.declined_earlier)
        self.declined_box.setVisible(bool(data.declined_earlier))
        self.declined_box.setTitle(f"Declined on earlier visits ({len(data.declined_earlier)})")
        self.history.set_rows(data.history)
        self.clocked.set_rows(data.clocked)
        total = sum(c.seconds for c in data.clocked)
        self.clocked_total.setText(f"In all: {total // 3600} h {total % 3600 // 60:02d} min"
                                   if data.clocked else "Nobody has clocked on to this job.")
        self.payments.set_rows(data.payments)
        self._show_notes(data)
        if data.vehicle_id != self._side_vehicle:
            if data.vehicle_id:
                # after this paint: the job first, its vehicle's history a moment later
                self._side_vehicle = data.vehicle_id
                QTimer.singleShot(0, lambda v=data.vehicle_id: self._read_side(v))
            else:
                self._side_vehicle = None
                self.visits.set_rows(())
                self.maintenance.set_rows(())
        self._select_added()
        self.loaded.emit(data)

    def _select_added(self) -> None:
        """A line just added is selected, with its quantity ready to type."""
        line_id = self._select_when_shown
        row = self.lines.row_of(line_id) if line_id is not None else -1
        if row < 0:
            return
        self._select_when_shown = None
        self.lines_view.selectRow(row)
        self.l_quantity.edit.setFocus()
        self.l_quantity.edit.selectAll()

    def _status_html(self, d: EditorData) -> str:
        parts = [f"<b>{escape(rules.STATUS_LABELS.get(d.status, d.status))}</b>"
                 + (f" ({escape(d.hold_reason)})" if d.hold_reason else "")]
        if d.customer_waiting:
            parts.append("<span style='color:#7b3fe4'><b>customer waiting</b></span>")
        parts.append(f"opened {d.opened_at.astimezone():%d %b %H:%M}")
        if not d.editable:
            parts.append("<i>kept as it was: a closed or cancelled job is not changed</i>")
        return " · ".join(parts)

    def _show_lines(self, data: EditorData) -> None:
        self.lines.set_rows(data.lines)
        line = next((ln for ln in data.lines if ln.line_id == self._line_id), None)
        if line is None and self._line_id is not None:
            self._bind_line(None)
        elif line is not None:
            self._update_line_form(line, fresh=False)
            row = self.lines.row_of(line.line_id)
            if not self.lines_view.selectionModel().isRowSelected(row):
                self.lines_view.selectRow(row)

    def _show_totals(self, data: EditorData) -> None:
        t = data.totals  # app.shopsettings.order_totals, read with the job
        rows = [("Subtotal", money_text(t.subtotal_cents))]
        if data.tax_rate_bp:
            rows.append((f"Tax {data.tax_rate_bp / 100:g} %", money_text(t.tax_cents)))
        rows.append(("<b>Total</b>", f"<b>{money_text(t.total_cents)}</b>"))
        if data.payments:
            rows.append(("Paid", money_text(data.paid_cents)))
            rows.append(("Balance", money_text(data.balance_cents)))
        html = "".join(f"<tr><td align='right' style='padding-right:12px'>{label}</td>"
                       f"<td align='right'>{value}</td></tr>" for label, value in rows)
        declined = sum(1 for ln in data.lines if ln.approval == "declined")
        note = (f"<tr><td colspan='2' align='right' style='color:#5b6775'>{declined} declined "
                f"line{'s' if declined != 1 else ''} not counted</td></tr>" if declined else "")
        self.totals_label.setText(f"<table cellspacing='0'>{html}{note}</table>")

    def _show_notes(self, data: EditorData) -> None:
        if not data.notes:
            self.notes_view.setHtml("<p><i>No notes yet.</i></p>")
            return
        out = []
        for n in data.notes:
            who = f" · {escape(n.author)}" if n.author else ""
            kind = "<b style='color:#b26a00'>Finding</b>" if n.kind == "finding" else "Note"
            out.append(f"<p><small style='color:#5b6775'>{n.at.astimezone():%d %b %H:%M} · "
                       f"{kind}{who}</small><br>{escape(n.body)}</p>")
        self.notes_view.setHtml("".join(out))

    def _show_side(self, side: VehicleSide) -> None:
        if side.history is not None and side.history.vehicle_id != self._side_vehicle:
            return  # the vehicle of the job shown before
        self.side = side
        jobs_before = tuple(j for j in (side.history.jobs if side.history else ())
                            if j.job_id != self.job_id)
        self.visits.set_rows(jobs_before)
        self.maintenance.set_rows(side.due)
        self.side_loaded.emit(side)

    # --- the selected line --------------------------------------------------------------------
    def _line_selected(self, *_: Any) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if len(rows) != 1:
            self._bind_line(None if not rows else self._line_id)
            return
        line_id = rows[0].data(ID_ROLE)
        if line_id != self._line_id:
            self._bind_line(line_id)

    def _bind_line(self, line_id: str | None) -> None:
        # the field being typed in belongs to the line it was opened for: commit it first
        for field in self.line_fields.values():
            if field.editing():
                field.commit()
        self._line_id = line_id
        line = next((ln for ln in self.lines.rows() if ln.line_id == line_id), None)
        if line is None:
            self._line_id = None
            self.line_title.setText("Select a line to edit it")
            self.line_form.setEnabled(False)
            return
        self._update_line_form(line, fresh=True)

    def _update_line_form(self, line: EditorLine, *, fresh: bool) -> None:
        qty, price = LINE_WORDS.get(line.kind, ("Quantity", "Price"))
        self.line_labels["quantity"].setText(qty)
        self.line_labels["unit_price_cents"].setText(price)
        self.line_title.setText(f"{KIND_LABELS.get(line.kind, line.kind)} line: "
                                f"{line.description}")
        values = {"description": line.description, "quantity": line.quantity,
                  "unit_price_cents": line.unit_price_cents, "part_number": line.part_number,
                  "part_status": line.part_status, "approval": line.approval}
        for name, value in values.items():
            field = self.line_fields[name]
            if fresh:
                field.load(value)
            else:
                field.set_stored(value)
        is_part = line.kind == "part"
        for name in ("part_number", "part_status"):
            self.line_fields[name].setEnabled(is_part)
            self.line_labels[name].setEnabled(is_part)
        self.line_form.setEnabled(self.data is None or self.data.editable)

    def selected_line_ids(self) -> list[str]:
        return [i.data(ID_ROLE) for i in self.lines_view.selectionModel().selectedRows()]

    # --- writing --------------------------------------------------------------------------------
    def _write(self, op: Callable[..., Any], *args: Any, field: Field | None = None,
               on_done: Callable[[Any], None] | None = None, **kwargs: Any) -> None:
        def refused(exc: BaseException) -> None:
            self._refused(exc, field, op, args, kwargs)

        self.ctx.worker.write(op, *args, on_done=on_done, on_error=refused, **kwargs)

    def _refused(self, exc: BaseException, field: Field | None, op: Callable[..., Any],
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if isinstance(exc, ConfirmationRequired) and "confirm_odometer" not in kwargs:
            answer = QMessageBox.question(self, "Odometer", f"{exc.message}\n\nKeep it?")
            if answer == QMessageBox.StandardButton.Yes:
                self._write(op, *args, field=field, confirm_odometer=True, **kwargs)
                return
        message = _message(exc)
        target = field
        name = exc.field if isinstance(exc, ValidationError) else None
        if name is not None:
            target = (self.job_fields.get(name) if field is None or field in
                      self.job_fields.values() else self.line_fields.get(name)) or field
        if target is not None:
            target.failed(message)
        else:
            self.show_notice(message)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()
        QTimer.singleShot(15_000, self.notice.hide)

    def _commit_job_field(self, name: str, value: Any) -> None:
        field = self.job_fields[name]
        if name in ("technician_id", "bay_id"):
            self._write(jobs.assign, self.job_id, field=field, **{name: value})
        elif name == "vehicle_id":
            customer = self.data.customer_id if self.data else None
            self._write(jobs.update_job, self.job_id, field=field, vehicle_id=value,
                        **({"customer_id": customer} if customer else {}))
        else:
            self._write(jobs.update_job, self.job_id, field=field, **{name: value})

    def _commit_line_field(self, name: str, value: Any) -> None:
        if self._line_id is None:
            return
        self._write(jobs.update_line, self._line_id, field=self.line_fields[name],
                    **{name: value})

    def set_approval(self, approval: str) -> None:
        for line_id in self.selected_line_ids():
            self._write(jobs.set_approval, line_id, approval)

    def delete_lines(self) -> None:
        for line_id in self.selected_line_ids():
            self._write(jobs.delete_line, line_id)

    def add_line(self) -> None:
        kind = self.add_kind.currentData()
        text = self.add_description.text()
        try:
            validators.validate_field("job_line", "description", text)
        except ValidationError as exc:
            self._add_failed(exc)
            return
        self.add_message.hide()

        def added(changes: Changes) -> None:
            self.add_description.clear()
            self._select_when_shown = str(changes.result)

        self._write(jobs.add_line, self.job_id, kind=kind, description=text, on_done=added)

    def _add_failed(self, exc: BaseException) -> None:
        self.add_message.setText(_message(exc))
        self.add_message.show()

    def add_declined_again(self) -> None:
        rows = self.declined_view.selectionModel().selectedRows()
        picked = [self.declined.row_at(i.row()) for i in rows] or self.declined.rows()[:1]
        for d in picked:
            self._write(jobs.add_line, self.job_id, kind=d.kind, description=d.description,
                        quantity=d.quantity, unit_price_cents=d.unit_price_cents,
                        part_number=d.part_number if d.kind == "part" else "")

    def add_note(self) -> None:
        body = self.note_text.text()
        kind = self.note_kind.currentData()

        def done(_changes: Changes) -> None:
            self.note_text.clear()
            self.note_message.hide()

        def refused(exc: BaseException) -> None:
            self.note_message.setText(_message(exc))
            self.note_message.show()

        self.ctx.worker.write(notes.add_note, self.job_id, body, kind=kind, on_done=done,
                              on_error=refused)

    # --- customer and vehicle ---------------------------------------------------------------------
    def pick_customer(self) -> None:
        from ui.desk.pickers import CustomerPicker

        picker = CustomerPicker(self.ctx, self)
        picker.picked.connect(self.change_customer_to)
        picker.open()

    def change_customer_to(self, kind: str, row_id: str) -> None:
        """A search hit was picked: a customer (their first vehicle, or none) or a vehicle
        (with its owner)."""
        if kind == "vehicle":
            self.ctx.worker.read(vehicle_owner, row_id,
                                 on_done=lambda owner: self._write(
                                     jobs.update_job, self.job_id, vehicle_id=row_id,
                                     **({"customer_id": owner} if owner else {})))
            return

        def chosen(vehicles: tuple[Any, ...]) -> None:
            current = self.data.vehicle_id if self.data else None
            keep = current if current in {v.id for v in vehicles} else None
            vehicle = keep or (vehicles[0].id if vehicles else None)
            self._write(jobs.update_job, self.job_id, customer_id=row_id, vehicle_id=vehicle)

        self.ctx.worker.read(customer_vehicles, row_id, on_done=chosen)

    # --- hand-back -------------------------------------------------------------------------------
    def hand_back(self) -> Any:
        from ui.desk.handback import HandBackDialog

        if self.data is None:
            return None
        self.commit_pending()
        dialog = HandBackDialog(self.ctx, self.data, self)
        dialog.open()
        self.handback_dialog = dialog
        return dialog

    def print_order(self) -> Any:
        """The repair order of this job to print or save as PDF (the print feature's)."""
        try:
            from ui.desk.printing import print_job
        except ImportError:
            self.show_notice("Printing comes with the print feature.")
            return None
        self.commit_pending()
        return print_job(self, self.ctx, self.job_id, "order")

    # --- closing ---------------------------------------------------------------------------------
    def commit_pending(self) -> None:
        """Commit what is typed but not yet committed (closing the editor keeps it)."""
        for field in (*self.job_fields.values(), *self.line_fields.values()):
            if field.isEnabled() and field.editing():
                field.commit()

    #: The editor was closed (its job id): ``open_editor`` keeps it for the next job.
    closed = Signal(str)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.commit_pending()
        self._unsubscribe()
        super().closeEvent(event)
        self.closed.emit(self.job_id)


def open_editor(window: QWidget, ctx: DeskContext, job_id: str) -> JobEditor:
    """The editor of ``job_id`` over ``window``: the open one raised, else a closed one
    reused (``JobEditor.bind``), else a new one. One closed editor is kept per window."""
    editors: dict[str, JobEditor] = window.__dict__.setdefault("job_editors", {})
    editor = editors.get(job_id)
    if editor is not None and qt_object_alive(editor):
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor
    spare: JobEditor | None = window.__dict__.pop("spare_editor", None)
    if spare is not None and qt_object_alive(spare):
        editor = spare
        editor.bind(job_id)
    else:
        editor = JobEditor(ctx, job_id, parent=window)

        def closed(closed_id: str, e: JobEditor = editor) -> None:
            if editors.get(closed_id) is e:
                del editors[closed_id]
            kept = window.__dict__.get("spare_editor")
            if kept is None or not qt_object_alive(kept):
                window.__dict__["spare_editor"] = e
            else:
                e.deleteLater()

        editor.closed.connect(closed)
        editor.setGeometry(window.geometry())
    editors[job_id] = editor
    editor.show()
    editor.raise_()
    editor.activateWindow()
    return editor


__all__ = ["EDITOR_ENTITIES", "JobEditor", "open_editor"]
