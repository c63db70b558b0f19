"""Names a person knows rows by, for messages that would otherwise show an id.

``row_labels(session, refs)`` gives each ``(entity, row_id)`` the words a clerk uses for it:
a job is "Job 1042", a technician, bay or customer is their name, a vehicle is "2019 Toyota
RAV4 (ABC 123)", and a row that belongs to a job (a line, a note, a status event, a time
entry) is named by its job. A row this replica does not hold has no entry: the caller says
so in its own words rather than show the id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Bay,
    Customer,
    Job,
    JobLine,
    Note,
    StatusEvent,
    Technician,
    TimeEntry,
    Vehicle,
)

#: Rows named by the job they belong to.
_OF_A_JOB: dict[str, Any] = {"job_line": JobLine, "note": Note, "status_event": StatusEvent,
             "time_entry": TimeEntry}
_NAMED: dict[str, Any] = {"technician": Technician, "bay": Bay, "customer": Customer}


def vehicle_words(v: Vehicle) -> str:
    car = " ".join(str(p) for p in (v.year, v.make, v.model) if p)
    return f"{car} ({v.plate})" if car and v.plate else car or v.plate or "a vehicle"


def row_labels(session: Session, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``(entity, row_id)`` → a label for each row this replica holds (see the module)."""
    wanted: dict[str, set[str]] = {}
    for entity, row_id in refs:
        wanted.setdefault(entity, set()).add(row_id)
    out: dict[tuple[str, str], str] = {}
    job_of: dict[tuple[str, str], str] = {}
    for entity, model in _OF_A_JOB.items():
        ids = wanted.get(entity)
        if ids:
            for row_id, job_id in session.execute(
                    select(model.id, model.job_id).where(model.id.in_(ids))):
                job_of[(entity, row_id)] = job_id
    job_ids = wanted.get("job", set()) | set(job_of.values())
    numbers: dict[str, str] = {}
    if job_ids:
        for job_id, number in session.execute(
                select(Job.id, Job.number).where(Job.id.in_(job_ids))):
            numbers[job_id] = number
    for row_id in wanted.get("job", ()):
        if row_id in numbers:
            out[("job", row_id)] = f"Job {numbers[row_id]}"
    for ref, job_id in job_of.items():
        if job_id in numbers:
            out[ref] = f"Job {numbers[job_id]}"
    for entity, named in _NAMED.items():
        ids = wanted.get(entity)
        if ids:
            for row_id, name in session.execute(
                    select(named.id, named.name).where(named.id.in_(ids))):
                out[(entity, row_id)] = name
    if wanted.get("vehicle"):
        for v in session.scalars(select(Vehicle).where(Vehicle.id.in_(wanted["vehicle"]))):
            out[("vehicle", v.id)] = vehicle_words(v)
    return out
