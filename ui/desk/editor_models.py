"""Table models of the job editor: its lines, and the read-only tables beside the job
(status history, time per technician, declined lines of earlier visits, payments, the
vehicle's visits and its maintenance due). Plain rows (named tuples) in, plain text out.

A fresh read changes only the rows that differ (``dataChanged`` per row) when the rows
are the same ones in the same order, so a selection and an open editor survive a refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app import rules
from ui.desk.fields import money_text, number_text
from ui.qt import QAbstractTableModel, QBrush, QColor, QFont, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

#: The row (a named tuple) of an index.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: The row's id.
ID_ROLE = Qt.ItemDataRole.UserRole + 2

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    right: bool = False
    #: Its starting width in average characters (the view does not measure every cell).
    chars: int = 10


class RowTableModel(QAbstractTableModel):
    """Rows of named tuples shown through ``columns``; ``key(row)`` is a row's id."""

    def __init__(self, columns: Sequence[Column], key: Callable[[Any], Any],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._key = key
        self._rows: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if self.columns[section].right else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.right else _LEFT
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self._key(row)
        return self.style_data(row, index.column(), role)

    def style_data(self, row: Any, column: int, role: int) -> Any:
        """Colours and fonts of a subclass."""
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- rows ---------------------------------------------------------------------------
    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, n: int) -> Any:
        return self._rows[n] if 0 <= n < len(self._rows) else None

    def ids(self) -> list[Any]:
        return [self._key(r) for r in self._rows]

    def row_of(self, key: Any) -> int:
        for n, r in enumerate(self._rows):
            if self._key(r) == key:
                return n
        return -1

    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = list(rows)
        if [self._key(r) for r in rows] == self.ids():
            last = len(self.columns) - 1
            for n, row in enumerate(rows):
                if row != self._rows[n]:
                    self._rows[n] = row
                    self.dataChanged.emit(self.index(n, 0), self.index(n, last))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


KIND_LABELS = {"labor": "Labor", "part": "Part", "fee": "Fee"}
APPROVAL_LABELS = {"approved": "Approved", "declined": "Declined", "pending": "Pending"}
_APPROVAL_COLOURS = {"approved": "#2e7d32", "declined": "#c62828", "pending": "#b26a00"}


def _qty(line: Any) -> str:
    suffix = " h" if line.kind == "labor" else ""
    return number_text(line.quantity) + suffix


def _price(line: Any) -> str:
    suffix = "/h" if line.kind == "labor" else ""
    return money_text(line.unit_price_cents) + suffix


def _part(line: Any) -> str:
    if line.kind != "part":
        return ""
    status = (line.part_status or "").capitalize()
    return " · ".join(x for x in (line.part_number, status) if x)


class LinesModel(RowTableModel):
    """The job's lines (``app.queries.editor.EditorLine``): declined ones greyed and
    struck through (they do not count in the totals), approval in its colour."""

    APPROVAL_COLUMN = 5

    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column("Kind", lambda ln: KIND_LABELS.get(ln.kind, ln.kind), chars=6),
            Column("Description", lambda ln: ln.description, chars=30),
            Column("Part no. · status", _part, chars=18),
            Column("Qty / hours", _qty, right=True, chars=9),
            Column("Price / rate", _price, right=True, chars=11),
            Column("Approval", lambda ln: APPROVAL_LABELS.get(ln.approval, ln.approval), chars=9),
            Column("Amount", lambda ln: money_text(ln.total_cents), right=True, chars=10),
        ], key=lambda ln: ln.line_id, parent=parent)

    def style_data(self, row: Any, column: int, role: int) -> Any:
        declined = row.approval == "declined"
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.APPROVAL_COLUMN:
                return QBrush(QColor(_APPROVAL_COLOURS.get(row.approval, "#1c2733")))
            if declined:
                return QBrush(QColor("#8a96a6"))
        if role == Qt.ItemDataRole.FontRole and (declined or column == self.APPROVAL_COLUMN):
            font = QFont()
            if column == self.APPROVAL_COLUMN:
                font.setBold(True)
            elif declined:
                font.setStrikeOut(True)
            return font
        return None


def _when(at: Any) -> str:
    return at.astimezone().strftime("%d %b %Y %H:%M") if at is not None else ""


def _day(at: Any) -> str:
    return at.astimezone().strftime("%d %b %Y") if at is not None else ""


def _duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min"


def history_model(parent: Any = None) -> RowTableModel:
    """Status history (``DetailEvent``), oldest first."""
    return RowTableModel([
        Column("When", lambda e: _when(e.at), chars=17),
        Column("From", lambda e: rules.STATUS_LABELS.get(e.from_status or "", "New"), chars=11),
        Column("To", lambda e: rules.STATUS_LABELS.get(e.to_status, e.to_status), chars=11),
        Column("By", lambda e: e.by or ""),
    ], key=lambda e: (e.at, e.to_status), parent=parent)


def clocked_model(parent: Any = None) -> RowTableModel:
    """Time clocked on the job per technician (``ClockedTime``)."""
    return RowTableModel([
        Column("Technician", lambda c: c.technician + ("  (clocked on now)" if c.running else "")),
        Column("Time", lambda c: _duration(c.seconds), right=True, chars=12),
    ], key=lambda c: c.technician_id, parent=parent)


def declined_model(parent: Any = None) -> RowTableModel:
    """Lines declined on the vehicle's earlier visits (``DeclinedLine``)."""
    return RowTableModel([
        Column("Visit", lambda d: f"{_day(d.visit_at)} · {d.job_number}", chars=21),
        Column("Declined work", lambda d: d.description
               + (f" ({d.part_number})" if d.part_number else "")),
        Column("Amount", lambda d: money_text(d.total_cents), right=True),
    ], key=lambda d: d.line_id, parent=parent)


def payments_model(parent: Any = None) -> RowTableModel:
    return RowTableModel([
        Column("Taken", lambda p: _when(p.taken_at), chars=17),
        Column("Method", lambda p: p.method.capitalize()),
        Column("Amount", lambda p: money_text(p.amount_cents), right=True),
    ], key=lambda p: p.payment_id, parent=parent)


def visits_model(parent: Any = None) -> RowTableModel:
    """The vehicle's earlier jobs (``app.queries.history.HistoryJob``), newest first."""
    return RowTableModel([
        Column("Opened", lambda j: _day(j.opened_at), chars=11),
        Column("Job", lambda j: j.number, chars=7),
        Column("Work", lambda j: "; ".join(ln.description for ln in j.lines
                                           if ln.approval != "declined") or j.concern),
        Column("Odometer", lambda j: f"{j.odometer_in:,}" if j.odometer_in else "", right=True,
               chars=9),
        Column("Total", lambda j: money_text(j.totals.total_cents), right=True, chars=9),
    ], key=lambda j: j.job_id, parent=parent)


def _due(item: Any) -> str:
    parts = []
    if item.next_due_at is not None:
        parts.append(item.next_due_at.astimezone().strftime("%b %Y"))
    if item.next_due_odometer is not None:
        parts.append(f"{item.next_due_odometer:,} {item.unit}")
    return " or ".join(parts) or "No record here"


def _due_state(item: Any) -> str:
    if item.overdue:
        return "Overdue"
    if item.due_soon:
        return "Due soon"
    return "" if item.last_done_at is not None else "Never done here"


class MaintenanceModel(RowTableModel):
    """The vehicle's maintenance due (``MaintenanceItem``): overdue in red."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__([
            Column("Service", lambda m: m.label, chars=22),
            Column("Next due", _due, chars=22),
            Column("", _due_state, chars=15),
        ], key=lambda m: m.service_code, parent=parent)

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            if row.overdue:
                return QBrush(QColor("#c62828"))
            if row.due_soon:
                return QBrush(QColor("#b26a00"))
            return QBrush(QColor("#5b6775"))
        return None
