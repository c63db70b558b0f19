"""Reads of the technician kiosk: the sign-in tiles (and, below them, the work screens')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Job, Technician, TechnicianPin, TimeEntry
from app.timeclock import is_effective


@dataclass(frozen=True)
class TechnicianTile:
    """One active technician on the kiosk's sign-in screen."""

    technician_id: str
    name: str
    initials: str
    color: str
    #: Clocked on to a job now, or on shift.
    clocked_on: bool
    on_shift: bool
    #: The job number they are clocked on to ("" when none).
    job_number: str
    #: When the open job (or shift) entry began.
    since: datetime | None
    #: This kiosk holds a PIN verifier of theirs (so it can check their PIN offline).
    has_pin: bool


def initials(name: str) -> str:
    """``"Marco Rossi"`` → ``"MR"``; ``"Cher"`` → ``"CH"``; at most two letters."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


def technician_tiles(session: Session, now: datetime) -> list[TechnicianTile]:
    """The shop's active technicians by name, with whether each is clocked on now.

    ``now`` is the read's time: an entry that starts after it (another device's clock runs
    ahead) does not count as open yet.
    """
    techs = session.execute(
        select(Technician.id, Technician.name, Technician.color)
        .where(Technician.deleted_at.is_(None), Technician.active.is_(True))
        .order_by(Technician.name, Technician.id)).all()
    open_rows = session.execute(
        select(TimeEntry.technician_id, TimeEntry.kind, TimeEntry.started_at, Job.number)
        .outerjoin(Job, Job.id == TimeEntry.job_id)
        .where(TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None),
               TimeEntry.kind.in_(("job", "shift")), TimeEntry.started_at <= now,
               is_effective(TimeEntry))
        .order_by(TimeEntry.started_at)).all()
    jobs: dict[str, tuple[str, datetime]] = {}
    shifts: dict[str, datetime] = {}
    for tech_id, kind, started, number in open_rows:
        if kind == "job":
            jobs[tech_id] = (number or "", started)  # the latest open one wins
        else:
            shifts[tech_id] = started
    pins = set(session.scalars(
        select(TechnicianPin.technician_id).where(TechnicianPin.deleted_at.is_(None),
                                                  TechnicianPin.verifier.is_not(None))))
    tiles = []
    for tech_id, name, color in techs:
        job = jobs.get(tech_id)
        tiles.append(TechnicianTile(
            technician_id=tech_id, name=name, initials=initials(name), color=color or "#607d8b",
            clocked_on=job is not None, on_shift=tech_id in shifts,
            job_number=job[0] if job else "",
            since=job[1] if job else shifts.get(tech_id), has_pin=tech_id in pins))
    return tiles
