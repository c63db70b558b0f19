"""The technician board: a column per active technician — the job they are clocked on with
its elapsed time (ticking, without a re-query), their assigned open jobs, and today's
clocked time against capacity — and the unassigned open jobs beside them. Dropping a card on
a technician assigns it (``assign_requested``); on "Unassigned", unassigns it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.queries.boards import TechnicianRow
from ui.application import color
from ui.boards.common import BoardColumn, CardListView
from ui.models.queue import DeskData, column_model
from ui.models.rows import RowListModel
from ui.qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

COLUMN_WIDTH = 250


def hm(minutes: int) -> str:
    """``3 h 05 min``; ``45 min``."""
    h, m = divmod(max(0, int(minutes)), 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def clock_hm(minutes: int) -> str:
    """``6:47``."""
    h, m = divmod(max(0, int(minutes)), 60)
    return f"{h}:{m:02d}"


def hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def technician_model(on_drop: object, parent: QWidget | None = None) -> RowListModel:
    from ui.boards.cards import card_text

    return RowListModel(lambda r: r.job_id, card_text, on_drop=on_drop,  # type: ignore[arg-type]
                        parent=parent)


class TechnicianColumn(QFrame):
    """One technician: a header (clock, today's time) over their assigned jobs."""

    def __init__(self, row: TechnicianRow, board: TechnicianBoardView) -> None:
        super().__init__(board)
        self.technician_id = row.technician_id
        self.row = row
        self.at = datetime.now(UTC)
        header = QFrame(self)
        header.setObjectName("techHeader")
        self.name = QLabel(header)
        self.name.setObjectName("techName")
        self.clock = QLabel(header)
        self.clock.setObjectName("techClock")
        self.clock.setWordWrap(True)
        self.today = QLabel(header)
        self.today.setObjectName("hint")
        for label in (self.name, self.clock, self.today):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.load = QProgressBar(header)
        self.load.setTextVisible(False)
        self.load.setFixedHeight(6)
        self.load.setRange(0, 100)
        box = QVBoxLayout(header)
        box.setContentsMargins(8, 6, 8, 6)
        box.setSpacing(2)
        box.addWidget(self.name)
        box.addWidget(self.clock)
        box.addWidget(self.today)
        box.addWidget(self.load)
        self.model = technician_model(
            lambda ids: board.assign_requested.emit(ids, self.technician_id), self)
        self.view = CardListView(self, compact=True)
        self.view.setModel(self.model)
        self.view.open_requested.connect(board.open_requested)
        self.view.setAccessibleName(f"Jobs of {row.name}")
        self.view.empty_text = "No jobs — drop a card here to assign it"
        self.column = BoardColumn("", self.view, self, header=header)
        self.column.title.hide()
        self.column.count.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.column)
        # as wide as the window allows (all technicians in view), scrolling only below this
        self.setMinimumWidth(COLUMN_WIDTH - 60)
        self.setMaximumWidth(COLUMN_WIDTH + 90)
        self.set_row(row, datetime.now(UTC))

    def set_row(self, row: TechnicianRow, at: datetime) -> None:
        self.row, self.at = row, at
        self.name.setText(f"<span style='color:{row.color}'>●</span> {row.name}")
        self.name.setToolTip(f"{row.name}: {len(row.assigned)} open jobs assigned")
        self.name.setAccessibleName(f"{row.name}, {len(row.assigned)} jobs assigned")
        self.model.set_rows(row.assigned)
        self.tick(datetime.now(UTC))

    def tick(self, now: datetime) -> None:
        """Elapsed time and today's time from the last read, advanced to ``now``."""
        row = self.row
        jobs = f"{len(row.assigned)} job{'' if len(row.assigned) == 1 else 's'}"
        if row.clocked is not None:
            c = row.clocked
            self.clock.setText(f"<b>On {c.number}</b> · "
                               f"<b>{hms((now - c.since).total_seconds())}</b><br>{c.vehicle}")
        elif row.shift_since is not None:
            self.clock.setText(f"{jobs} · <i>on shift, not on a job</i>")
        else:
            self.clock.setText(f"{jobs} · <i>not on shift</i>")
        extra = (now - self.at).total_seconds() / 60 if row.clocked is not None else 0
        minutes = row.minutes_today + max(0.0, extra)
        cap = row.capacity_minutes
        self.today.setText(f"Today {clock_hm(round(minutes))} of {clock_hm(cap)} h")
        self.today.setToolTip(f"Clocked on jobs today: {hm(round(minutes))} of a capacity "
                              f"of {hm(cap)}")
        self.load.setValue(min(100, round(100 * minutes / cap)) if cap else 0)
        over = bool(cap) and minutes > cap
        if over != self.load.property("over"):  # past capacity: the bar turns red
            self.load.setProperty("over", over)
            self.load.setStyleSheet(
                f"QProgressBar::chunk {{ background: {color('danger').name()}; }}" if over
                else "")


class TechnicianBoardView(QWidget):
    """See the module docstring."""

    assign_requested = Signal(list, object)
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("technicianBoard")
        self.unassigned_model = column_model(
            lambda ids: self.assign_requested.emit(ids, None), self)
        self.unassigned_view = CardListView(self, technician_line=False)  # no "Unassigned"
        self.unassigned_view.setModel(self.unassigned_model)
        self.unassigned_view.setAccessibleName("Unassigned jobs")
        self.unassigned_view.open_requested.connect(self.open_requested)
        self.unassigned = BoardColumn("Unassigned", self.unassigned_view, self)
        self.unassigned.setFixedWidth(COLUMN_WIDTH + 20)
        self.columns: dict[str, TechnicianColumn] = {}
        self._strip = QWidget()
        self._strip_layout = QHBoxLayout(self._strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self._strip_layout.setSpacing(8)
        self._strip_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self._strip)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty = QLabel("No active technicians. Add them in the shop's settings.", self)
        self.empty.setObjectName("hint")
        self.empty.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 8, 8, 8)
        row.setSpacing(8)
        row.addWidget(self.unassigned)
        row.addWidget(self.scroll, 1)
        row.addWidget(self.empty, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def set_data(self, data: DeskData) -> None:
        unassigned = data.unassigned
        self.unassigned_model.set_rows(unassigned)
        self.unassigned.set_count(len(unassigned))
        rows = data.technicians.rows
        wanted = [r.technician_id for r in rows]
        if list(self.columns) != wanted:
            self._rebuild(rows, data.technicians.at)
        else:
            for r in rows:
                self.columns[r.technician_id].set_row(r, data.technicians.at)
        self.empty.setVisible(not rows)
        self.scroll.setVisible(bool(rows))

    def _rebuild(self, rows: tuple[TechnicianRow, ...], at: datetime) -> None:
        old = self.columns
        self.columns = {}
        for r in rows:
            col = old.pop(r.technician_id, None)
            if col is None:
                col = TechnicianColumn(r, self)
            else:
                col.set_row(r, at)
            self.columns[r.technician_id] = col
        for col in old.values():
            col.setParent(None)
            col.deleteLater()
        while self._strip_layout.count():
            self._strip_layout.takeAt(0)
        previous = self.unassigned_view
        for col in self.columns.values():
            self._strip_layout.addWidget(col)
            self.setTabOrder(previous, col.view)
            previous = col.view
        self._strip_layout.addStretch(1)

    def column(self, technician_id: str) -> TechnicianColumn:
        return self.columns[technician_id]

    def tick(self) -> None:
        now = datetime.now(UTC)
        for col in self.columns.values():
            col.tick(now)
