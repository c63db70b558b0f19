"""The boards' rows of a few jobs, read by id: what a live repaint re-queries when a
``Changes`` names a handful of jobs, instead of re-reading both whole boards.

``board_rows_by_id`` gives, for the jobs asked about, the queue card, the job's
technician and bay, and its entry on the technician board, built exactly as
``app.queries.boards`` builds them (a test holds the two together). A job asked about that
is missing from ``cards`` has left the boards (closed, cancelled, deleted). The order keys
say where such a row goes in a column, the same order as the full read's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app import rules
from app.queries.boards import AssignedJob, QueueCard, parts_waiting, queue_card
from app.queries.common import stored_time, vehicle_label
from app.queries.desk import Assignment


class JobLabel(NamedTuple):
    """What a technician's "clocked on" line says of a job (any status)."""

    number: str
    vehicle: str


@dataclass(frozen=True)
class BoardRows:
    """The boards' rows of the jobs in ``job_ids`` (see the module docstring)."""

    at: datetime
    #: Every job asked about (job ids given, and the jobs of the line ids given).
    job_ids: frozenset[str]
    #: Open jobs among them: their queue card.
    cards: dict[str, QueueCard]
    #: Open jobs among them: their technician and bay.
    assignments: dict[str, Assignment]
    #: Open jobs among them with a technician: (technician id, technician board entry).
    technician_entries: dict[str, tuple[str, AssignedJob]]
    #: Every job asked about that exists (any status): number and vehicle.
    labels: dict[str, JobLabel]


_JOB_SQL = text(
    "SELECT job.id, job.number, job.status, job.hold_reason, job.priority, "
    "job.customer_waiting, job.promised_at, job.technician_id, job.bay_id, "
    "vehicle.make, vehicle.model, vehicle.year, vehicle.plate, customer.name, "
    "technician.name "
    "FROM job "
    "LEFT OUTER JOIN vehicle ON vehicle.id = job.vehicle_id "
    "LEFT OUTER JOIN customer ON customer.id = job.customer_id "
    "LEFT OUTER JOIN technician ON technician.id = job.technician_id "
    "WHERE job.id IN :ids AND job.deleted_at IS NULL"
).bindparams(bindparam("ids", expanding=True))

_LINE_JOBS_SQL = text(
    "SELECT DISTINCT job_id FROM job_line WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))

def board_rows_by_id(session: Session, job_ids: Collection[str], now: datetime, *,
                     line_ids: Collection[str] = ()) -> BoardRows:
    """The boards' rows of ``job_ids`` and of the jobs of ``line_ids`` (a changed line
    changes its job's parts badge), as of ``now`` (the overdue flags)."""
    conn = session.connection()
    asked = set(job_ids)
    if line_ids:
        asked.update(j for (j,) in conn.execute(_LINE_JOBS_SQL, {"ids": list(line_ids)}))
    cards: dict[str, QueueCard] = {}
    assignments: dict[str, Assignment] = {}
    entries: dict[str, tuple[str, AssignedJob]] = {}
    labels: dict[str, JobLabel] = {}
    if not asked:
        return BoardRows(now, frozenset(), cards, assignments, entries, labels)
    ids = sorted(asked)
    parts = parts_waiting(session, ids)
    for (job_id, number, status, hold, priority, waiting, promised_text, tech_id, bay_id,
         make, model, year, plate, customer, tech_name) in conn.execute(_JOB_SQL, {"ids": ids}):
        label = vehicle_label(make, model, year)
        labels[job_id] = JobLabel(number, label)
        if status not in rules.OPEN_STATUSES:
            continue
        card = cards[job_id] = queue_card(
            job_id, number, status, label, plate, customer, tech_name if tech_id else None,
            stored_time(promised_text), hold, waiting, priority, parts.get(job_id, 0), now)
        assignments[job_id] = Assignment(tech_id, bay_id)
        if tech_id:
            entries[job_id] = (tech_id, AssignedJob(job_id, number, status, label,
                                                    card.promised_at, card.overdue))
    return BoardRows(now, frozenset(asked), cards, assignments, entries, labels)


def queue_order(card: QueueCard) -> tuple[int, bool, bool, datetime | str, str]:
    """Where a card stands in its column: the order of ``boards.QUEUE_SQL`` (priority,
    customers waiting, the earliest promise, no promise last, then the number)."""
    promised = card.promised_at
    return (-card.priority, not card.customer_waiting, promised is None,
            promised if promised is not None else "", card.number)


def assigned_order(job: AssignedJob) -> tuple[int, float, str]:
    """Where a job stands in a technician's column: the order of
    ``boards.technician_board`` (status, the earliest promise, the number)."""
    return (rules.OPEN_STATUSES.index(job.status),
            job.promised_at.timestamp() if job.promised_at else float("inf"), job.number)
