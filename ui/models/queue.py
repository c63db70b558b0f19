"""The queue board's models: one list model per open status over ``BoardCard`` rows, and a
filter (technician, bay, text) in front of each."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from app import rules
from app.queries import boards, desk
from app.queries.board_rows import BoardRows, assigned_order, queue_order
from app.queries.boards import ClockedJob, QueueCard, TechnicianBoard
from ui.boards.cards import card_text
from ui.models.rows import ROW_ROLE, RowListModel
from ui.qt import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

#: The technician filter's value for jobs nobody is assigned to.
UNASSIGNED = ""


class BoardCard(NamedTuple):
    """A queue card with the ids the desk filters on."""

    card: QueueCard
    technician_id: str | None
    bay_id: str | None

    @property
    def job_id(self) -> str:
        return self.card.job_id


@dataclass(frozen=True)
class DeskData:
    """One read of everything both boards show."""

    at: datetime
    columns: dict[str, tuple[BoardCard, ...]]
    technicians: TechnicianBoard
    pickers: desk.Pickers
    overdue: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(c) for c in self.columns.values())

    @property
    def unassigned(self) -> tuple[BoardCard, ...]:
        return tuple(c for status in rules.OPEN_STATUSES for c in self.columns[status]
                     if c.technician_id is None)


def load_desk(session: Session, now: datetime) -> DeskData:
    """Both boards in one read transaction (runs on the database worker)."""
    queue = boards.queue_board(session, now)
    where = desk.open_job_assignments(session)
    none = desk.Assignment(None, None)
    columns = {
        col.status: tuple(BoardCard(c, *where.get(c.job_id, none)) for c in col.cards)
        for col in queue.columns}
    return DeskData(now, columns, boards.technician_board(session, now),
                    desk.pickers(session), queue.overdue)


def patch_desk(data: DeskData, rows: BoardRows) -> DeskData:
    """``data`` with the rows of the jobs in ``rows`` replaced by their fresh read (a job no
    longer open leaves both boards; a new one takes its place in board order). The rest is
    ``data``'s own objects, so an unchanged column compares equal in one step and the
    technicians' minutes keep ticking from the last full read."""
    asked = rows.job_ids
    if not asked:
        return data
    columns: dict[str, tuple[BoardCard, ...]] = {}
    for status, cards in data.columns.items():
        new = [BoardCard(card, *rows.assignments[job_id])
               for job_id, card in rows.cards.items() if card.status == status]
        kept = [c for c in cards if c.card.job_id not in asked]
        if not new and len(kept) == len(cards):
            columns[status] = cards
            continue
        for card in new:
            bisect.insort(kept, card, key=lambda c: queue_order(c.card))
        columns[status] = tuple(kept)
    tech_rows = []
    for row in data.technicians.rows:
        mine = [e for tech, e in rows.technician_entries.values() if tech == row.technician_id]
        assigned = [a for a in row.assigned if a.job_id not in asked]
        clocked = row.clocked
        if clocked is not None and clocked.job_id in asked:
            label = rows.labels.get(clocked.job_id)
            clocked = ClockedJob(clocked.job_id, label.number if label else "?",
                                 label.vehicle if label else "", clocked.since)
        if not mine and len(assigned) == len(row.assigned) and clocked == row.clocked:
            tech_rows.append(row)
            continue
        for entry in mine:
            bisect.insort(assigned, entry, key=assigned_order)
        tech_rows.append(replace(row, assigned=tuple(assigned), clocked=clocked))
    overdue = sum(c.card.overdue for cards in columns.values() for c in cards)
    return replace(data, columns=columns,
                   technicians=replace(data.technicians, rows=tuple(tech_rows)),
                   overdue=overdue)


def column_model(on_drop: Callable[[list[str]], None] | None = None,
                 parent: Any = None) -> RowListModel:
    return RowListModel(lambda r: r.card.job_id, lambda r: card_text(r.card), on_drop=on_drop,
                        parent=parent)


class CardFilter(QSortFilterProxyModel):
    """Shows the cards of one technician (or the unassigned), of one bay, and matching a
    text (number, vehicle, plate, customer, technician); None means any."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.technician: str | None = None
        self.bay: str | None = None
        self.text = ""

    def set_filter(self, *, technician: str | None, bay: str | None, text: str) -> None:
        text = text.strip().casefold()
        if (technician, bay, text) != (self.technician, self.bay, self.text):
            self.beginFilterChange()
            self.technician, self.bay, self.text = technician, bay, text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def active(self) -> bool:
        return self.technician is not None or self.bay is not None or bool(self.text)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        row = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if row is None:
            return False
        if self.technician is not None and (row.technician_id or UNASSIGNED) != self.technician:
            return False
        if self.bay is not None and row.bay_id != self.bay:
            return False
        if self.text:
            c = row.card
            hay = " ".join((c.number, c.vehicle, c.plate, c.plate.replace(" ", ""), c.customer,
                            c.technician or "")).casefold()
            return all(word in hay for word in self.text.split())
        return True
