"""The manager's reports: technician efficiency and productivity over a range of days (a
table and a bar chart painted with ``QPainter``), and the vehicles due for maintenance, to
call their owners (with a CSV export Excel opens right).

The figures are ``app.queries.efficiency``'s and ``app.queries.reminders``'s, read on the
database worker; the formulas are stated on screen in words. The CSV rule (BOM, the
locale's separator) is ``app.csvexport``'s; the preset ranges are ``app.dateranges``'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app import csvexport
from app.changes import Changes
from app.dateranges import PRESETS, preset_range
from app.queries.efficiency import EfficiencyReport, TechnicianEfficiency, technician_efficiency
from app.queries.reminders import CSV_HEADER, ReminderRow, reminder_list
from ui.desk.context import DeskContext
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QBrush,
    QColor,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFont,
    QFontMetrics,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLocale,
    QModelIndex,
    QPainter,
    QPaintEvent,
    QPen,
    QPersistentModelIndex,
    QPointF,
    QPushButton,
    QRectF,
    QSplitter,
    QStandardPaths,
    Qt,
    QTableView,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

EFFICIENCY_TAB, MAINTENANCE_TAB = 0, 1
#: A change to any of these may change a report.
EFFICIENCY_ENTITIES = ("job", "job_line", "time_entry", "technician")
MAINTENANCE_ENTITIES = ("job", "job_line", "vehicle", "customer")
#: The formulas of ``app.queries.efficiency``, as the manager reads them.
FORMULAS = (
    "<b>Efficiency</b> = billed hours ÷ clocked hours. Billed hours are the approved labour "
    "lines of the jobs closed in the range (counted to the line's technician, else the "
    "job's); clocked hours are the time clocked on jobs in the range. 120 % means 12 hours "
    "billed for every 10 hours on the clock.<br>"
    "<b>Productivity</b> = clocked hours ÷ shift hours: the share of the time at work spent "
    "on jobs. Corrected time entries count as corrected; a clock still running counts up to "
    "now. No hours on the clock or no shift: no figure (—).")
EFFICIENCY_COLOUR = QColor("#1f6feb")
PRODUCTIVITY_COLOUR = QColor("#2e9e5b")
Index = QModelIndex | QPersistentModelIndex


# --- a table model over plain rows --------------------------------------------------------

@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    number: bool = False
    tip: Callable[[Any], str] | None = None
    colour: Callable[[Any], str | None] | None = None


class RowTableModel(QAbstractTableModel):
    """Plain rows under fixed columns; ``bold_row`` marks a summary row (the whole shop)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None,
                 bold_row: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: tuple[Any, ...] = ()
        self._bold_row = bold_row
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            h = Qt.AlignmentFlag.AlignRight if col.number else Qt.AlignmentFlag.AlignLeft
            return int(h | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            return col.tip(row)
        if role == Qt.ItemDataRole.FontRole and self._bold_row is not None \
                and self._bold_row(row):
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and col.colour is not None:
            colour = col.colour(row)
            return QBrush(QColor(colour)) if colour else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.rows):
            return str(section + 1)
        return None


def _hours(value: float) -> str:
    return QLocale().toString(value, "f", 1)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{QLocale().toString(value * 100, 'f', 0)} %"


def efficiency_model(parent: Any = None) -> RowTableModel:
    """Technicians, then the whole shop in bold."""
    return RowTableModel((
        Column("Technician", lambda r: r.name + ("" if r.active else " (inactive)")),
        Column("Billed h", lambda r: _hours(r.billed_hours), number=True,
               tip=lambda r: "Approved labour hours on jobs closed in the range"),
        Column("Clocked h", lambda r: _hours(r.clocked_hours), number=True,
               tip=lambda r: "Hours clocked on jobs in the range"),
        Column("Shift h", lambda r: _hours(r.shift_hours), number=True,
               tip=lambda r: "Hours clocked in on shifts in the range"),
        Column("Efficiency", lambda r: _ratio(r.efficiency), number=True,
               tip=lambda r: f"{_hours(r.billed_hours)} billed h ÷ {_hours(r.clocked_hours)}"
                             " clocked h"),
        Column("Productivity", lambda r: _ratio(r.productivity), number=True,
               tip=lambda r: f"{_hours(r.clocked_hours)} clocked h ÷ {_hours(r.shift_hours)}"
                             " shift h"),
    ), parent, bold_row=lambda r: r.technician_id == "")


def maintenance_model(parent: Any = None) -> RowTableModel:
    def due(r: ReminderRow) -> str:
        return QLocale().toString(QDate(r.due_on), QLocale.FormatType.ShortFormat) \
            if r.due_on else ""

    def distance(r: ReminderRow) -> str:
        if r.distance_left is None:
            return ""
        left = r.distance_left
        return f"{abs(left):,} {r.unit}" + (" over" if left <= 0 else "")

    return RowTableModel((
        Column("Customer", lambda r: r.customer or "—"),
        Column("Phone", lambda r: r.phone),
        Column("Vehicle", lambda r: r.vehicle),
        Column("Plate", lambda r: r.plate),
        Column("Status", lambda r: r.status_words,
               colour=lambda r: "#b3261e" if r.status == "overdue" else "#8a5a00"),
        Column("Due date", due, number=True),
        Column("Distance left", distance, number=True),
        Column("Services due", lambda r: ", ".join(r.labels),
               tip=lambda r: "\n".join(r.services)),
    ), parent)


# --- the bar chart ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    group: str
    measure: str  # "efficiency" | "productivity"
    value: float


class EfficiencyChart(QWidget):
    """Efficiency and productivity per technician as grouped bars (percent), with the
    100 % line; painted with ``QPainter``. ``bars`` are the bars it draws."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("efficiencyChart")
        self.setMinimumHeight(220)
        self.groups: tuple[TechnicianEfficiency, ...] = ()
        self.bars: tuple[Bar, ...] = ()
        self.setAccessibleName("Efficiency and productivity chart")

    def set_rows(self, rows: Sequence[TechnicianEfficiency]) -> None:
        self.groups = tuple(rows)
        bars = []
        for r in self.groups:
            if r.efficiency is not None:
                bars.append(Bar(r.name, "efficiency", r.efficiency))
            if r.productivity is not None:
                bars.append(Bar(r.name, "productivity", r.productivity))
        self.bars = tuple(bars)
        words = "; ".join(f"{r.name}: efficiency {_ratio(r.efficiency)}, productivity "
                          f"{_ratio(r.productivity)}" for r in self.groups)
        self.setAccessibleDescription(words)
        self.setToolTip(words.replace("; ", "\n"))
        self.update()

    def _top(self) -> float:
        """The axis' top: at least 150 %, and room above the tallest bar, by 25 %."""
        high = max((b.value for b in self.bars), default=1.0)
        steps = int(max(1.5, high * 1.08) / 0.25 + 0.999)
        return steps * 0.25

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        fm = QFontMetrics(self.font())
        text = self.palette().text().color()
        muted = QColor("#5b6775")
        if not self.bars:
            p.setPen(muted)
            p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter),
                       "No hours on the clock in this range.")
            p.end()
            return
        left, top, right, bottom = fm.horizontalAdvance("150 %") + 14, fm.height() * 2 + 8, \
            12, fm.height() * 2 + 8
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        axis_top = self._top()

        def y(v: float) -> float:
            return plot.bottom() - plot.height() * min(v, axis_top) / axis_top

        step = 0.25 if axis_top <= 2 else 0.5
        v = 0.0
        while v <= axis_top + 1e-9:
            p.setPen(QPen(QColor("#e1e6ec"), 1))
            p.drawLine(QPointF(plot.left(), y(v)), QPointF(plot.right(), y(v)))
            p.setPen(muted)
            p.drawText(QRectF(0, y(v) - fm.height() / 2, left - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       f"{v * 100:.0f} %")
            v += step
        groups = [g for g in self.groups if g.efficiency is not None or g.productivity
                  is not None]
        width = plot.width() / max(1, len(groups))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        bar_w = min(40.0, width * 0.32)
        for n, g in enumerate(groups):
            centre = plot.left() + width * (n + 0.5)
            for k, (value, colour) in enumerate(((g.efficiency, EFFICIENCY_COLOUR),
                                                 (g.productivity, PRODUCTIVITY_COLOUR))):
                x = centre - bar_w - 2 if k == 0 else centre + 2
                if value is None:
                    p.setPen(muted)
                    p.drawText(QRectF(x, plot.bottom() - fm.height(), bar_w, fm.height()),
                               int(Qt.AlignmentFlag.AlignCenter), "—")
                    continue
                rect = QRectF(x, y(value), bar_w, plot.bottom() - y(value))
                p.fillRect(rect, colour if g.technician_id else colour.darker(130))
                p.setPen(text)
                p.setFont(small)
                p.drawText(QRectF(x - 14, rect.top() - fm.height() - 1, bar_w + 28,
                                  fm.height()),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                           _ratio(value))
                p.setFont(self.font())
            # the name on up to two lines (first and last name), each elided to the group
            words = g.name.split(" ", 1)
            font = QFont(self.font())
            font.setBold(not g.technician_id)
            p.setFont(font)
            p.setPen(text)
            bold = QFontMetrics(font)
            for k, word in enumerate(words):
                shown = bold.elidedText(word, Qt.TextElideMode.ElideRight, int(width - 4))
                p.drawText(QRectF(centre - width / 2, plot.bottom() + 3 + k * fm.height(),
                                  width, fm.height()),
                           int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                           shown)
            p.setFont(self.font())
        p.setPen(QPen(QColor("#1c2733"), 1.2, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(plot.left(), y(1.0)), QPointF(plot.right(), y(1.0)))
        p.setPen(QPen(QColor("#8a96a6"), 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        x = plot.left()
        for label, colour in (("Efficiency", EFFICIENCY_COLOUR),
                              ("Productivity", PRODUCTIVITY_COLOUR)):
            p.fillRect(QRectF(x, 6, 12, 12), colour)
            p.setPen(text)
            p.drawText(QPointF(x + 17, 6 + fm.ascent() - 1), label)
            x += 17 + fm.horizontalAdvance(label) + 18
        p.setPen(muted)
        p.drawText(QPointF(x, 6 + fm.ascent() - 1), "- - -  100 %")
        p.end()


# --- the tabs -----------------------------------------------------------------------------------

def _export_path(parent: QWidget, name: str) -> str | None:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(parent, "Export to CSV", str(Path(folder) / name),
                                          "CSV for Excel (*.csv)")
    return path or None


def write_export(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """The export with this computer's locale: its decimal point picks Excel's separator."""
    return csvexport.write_csv(path, header, rows, decimal_point=QLocale().decimalPoint())


class EfficiencyTab(QWidget):
    """Range pickers with presets, the formulas in words, the table and the chart."""

    loaded = Signal(object)

    def __init__(self, ctx: DeskContext, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.now = ctx, now
        self.report: EfficiencyReport | None = None
        self.ask_path: Callable[[str], str | None] = lambda name: _export_path(self, name)
        self.preset = QComboBox(self)
        for key, words in PRESETS.items():
            self.preset.addItem(words, key)
        self.preset.addItem("Custom range", "")
        self.preset.setAccessibleName("Range")
        self.first = QDateEdit(self)
        self.last = QDateEdit(self)
        for edit, name in ((self.first, "From"), (self.last, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
            edit.setAccessibleName(name)
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.clicked.connect(self.export_csv)
        bar = QHBoxLayout()
        for label, widget in (("&Range", self.preset), ("&From", self.first), ("&To", self.last)):
            lab = QLabel(label, self)
            lab.setBuddy(widget)
            bar.addWidget(lab)
            bar.addWidget(widget)
        bar.addWidget(self.error, 1)
        bar.addWidget(self.export_button)
        self.formulas = QLabel(FORMULAS, self)
        self.formulas.setWordWrap(True)
        self.formulas.setObjectName("hint")
        self.formulas.setTextFormat(Qt.TextFormat.RichText)
        self.model = efficiency_model(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setObjectName("efficiencyTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.chart = EfficiencyChart(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.split = split
        col = QVBoxLayout(self)
        col.addLayout(bar)
        col.addWidget(self.formulas)
        col.addWidget(split, 1)
        self.set_preset("this_week")
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.first.dateChanged.connect(self._dates_typed)
        self.last.dateChanged.connect(self._dates_typed)

    def range(self) -> tuple[date, date]:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        return first, last

    def set_preset(self, key: str) -> None:
        today = self.now().astimezone().date()
        first_weekday = QLocale().firstDayOfWeek().value - 1  # Qt: Monday = 1
        first, last = preset_range(key, today, first_weekday)
        for edit, day in ((self.first, first), (self.last, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day))
            edit.blockSignals(False)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(key))
        self.preset.blockSignals(False)
        self.reload()

    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key:
            self.set_preset(key)

    def _dates_typed(self, *_: Any) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findData(""))
        self.preset.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        first, last = self.range()
        self.ctx.worker.read(technician_efficiency, first, last, self.now(),
                             key="report-efficiency", on_done=self._show,
                             on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        """The domain's own words (a range that ends before it starts) next to the dates."""
        self.error.setText(str(exc))
        self.report = None
        self.model.set_rows(())
        self.chart.set_rows(())
        self.export_button.setEnabled(False)

    def _show(self, report: EfficiencyReport) -> None:
        self.error.setText("")
        self.report = report
        rows = (*report.technicians, report.shop)
        self.model.set_rows(rows)
        self.chart.set_rows(rows)
        self.export_button.setEnabled(True)
        self._fit_table()
        self.loaded.emit(report)

    def _fit_table(self) -> None:
        """The table as wide as its columns; the chart has the rest of the width."""
        total = sum(self.split.sizes())
        want = self.table.horizontalHeader().length() + 2 * self.table.frameWidth() + \
            self.table.verticalScrollBar().sizeHint().width()
        if total > 0 and want < total * 0.6:
            self.split.setSizes([want, total - want])

    def export_csv(self) -> Path | None:
        if self.report is None:
            return None
        r = self.report
        chosen = self.ask_path(f"Technician efficiency {r.first.isoformat()} to "
                               f"{r.last.isoformat()}.csv")
        if not chosen:
            return None
        header = ("Technician", "Billed hours", "Clocked hours", "Shift hours",
                  "Efficiency %", "Productivity %")
        rows = [(t.name, t.billed_hours, t.clocked_hours, t.shift_hours,
                 None if t.efficiency is None else round(t.efficiency * 100, 2),
                 None if t.productivity is None else round(t.productivity * 100, 2))
                for t in (*r.technicians, r.shop)]
        path = Path(chosen)
        try:
            write_export(path, header, rows)
        except OSError as exc:
            self.error.setText(f"Not exported: {exc.strerror or exc}")
            return None
        return path


class MaintenanceTab(QWidget):
    """The vehicles with a service overdue or due soon, most overdue first, to call."""

    loaded = Signal(object)

    def __init__(self, ctx: DeskContext, now: Callable[[], datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.now = ctx, now
        self.rows: tuple[ReminderRow, ...] = ()
        #: The longest list read at once (the most overdue first).
        self.limit = 500
        self.ask_path: Callable[[str], str | None] = lambda name: _export_path(self, name)
        self.summary = QLabel("Reading…", self)
        self.summary.setObjectName("sectionTitle")
        self.outcome = QLabel("", self)
        self.outcome.setObjectName("hint")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export CSV for Excel…", self)
        self.export_button.clicked.connect(self.export_csv)
        self.export_button.setEnabled(False)
        refresh = QPushButton("Refresh", self)
        refresh.clicked.connect(self.reload)
        bar = QHBoxLayout()
        bar.addWidget(self.summary)
        bar.addWidget(self.outcome, 1)
        bar.addWidget(refresh)
        bar.addWidget(self.export_button)
        hint = QLabel("Services done here before that are overdue, or due within 30 days or "
                      "1,000 km, by the shop's intervals. Hover a row for how far each service is past due; "
                      "the CSV has it too.",
                      self)
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.model = maintenance_model(self)
        self.table = QTableView(self)
        self.table.setObjectName("maintenanceTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount() - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        col = QVBoxLayout(self)
        col.addLayout(bar)
        col.addWidget(hint)
        col.addWidget(self.table, 1)

    def reload(self) -> None:
        self.ctx.worker.read(reminder_list, self.now(), limit=self.limit,
                             key="report-maintenance", on_done=self._show)

    def _show(self, rows: tuple[ReminderRow, ...]) -> None:
        self.rows = rows
        self.model.set_rows(rows)
        overdue = sum(r.status == "overdue" for r in rows)
        what = (f"The {len(rows):,} most overdue vehicles (there are more)"
                if len(rows) >= self.limit else
                f"{len(rows):,} vehicle{'' if len(rows) == 1 else 's'} to call")
        self.summary.setText(f"{what}: {overdue:,} overdue, {len(rows) - overdue:,} due soon")
        self.export_button.setEnabled(bool(rows))
        self.loaded.emit(rows)

    def export_csv(self) -> Path | None:
        if not self.rows:
            return None
        today = self.now().astimezone().date().isoformat()
        chosen = self.ask_path(f"Maintenance due {today}.csv")
        if not chosen:
            return None
        path = Path(chosen)
        try:
            count = write_export(path, CSV_HEADER, [r.csv_cells() for r in self.rows])
        except OSError as exc:
            self.outcome.setText(f"Not exported: {exc.strerror or exc}")
            return None
        self.outcome.setText(f"{count:,} rows exported to {path}")
        return path


class ReportsWindow(QDialog):
    """The reports as tabs, in a window of their own beside the boards (non-modal)."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reportsWindow")
        self.setWindowTitle("Bayline — Reports")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowFlag(Qt.WindowType.WindowMinimizeButtonHint, True)
        self.resize(1100, 680)
        self.efficiency = EfficiencyTab(ctx, now, self)
        self.maintenance = MaintenanceTab(ctx, now, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.efficiency, "Technician &efficiency")
        self.tabs.addTab(self.maintenance, "&Maintenance due")
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 6, 6, 6)
        col.addWidget(self.tabs)
        self._stale = {EFFICIENCY_TAB: False, MAINTENANCE_TAB: True}
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(400)
        self._pending.timeout.connect(self._reload_current)
        self.tabs.currentChanged.connect(lambda _=0: self._reload_current())
        ctx.hub.subscribe(self.on_changes)
        self.finished.connect(lambda _=0: ctx.hub.unsubscribe(self.on_changes))

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self._reload_current()

    def _reload_current(self) -> None:
        index = self.tabs.currentIndex()
        if self._stale.get(index):
            self._stale[index] = False
            (self.efficiency if index == EFFICIENCY_TAB else self.maintenance).reload()

    def on_changes(self, changes: Changes) -> None:
        """A report re-reads after a burst of changes that may alter it (the one shown
        now; the other when it is shown)."""
        if changes.touches(*EFFICIENCY_ENTITIES):
            self._stale[EFFICIENCY_TAB] = True
        if changes.touches(*MAINTENANCE_ENTITIES):
            self._stale[MAINTENANCE_TAB] = True
        if self._stale.get(self.tabs.currentIndex()):
            self._pending.start()
