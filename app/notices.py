"""What is worth a notice on the desk: the decision, over plain rows, with no Qt.

Four kinds of news reach the front desk while it works (each can be switched off there):

- ``ready`` — a job was moved to Ready on another device (its ``status_event``);
- ``part_received`` — a job line's part became ``received``;
- ``approval_wait`` — a job has waited on the customer's approval (on hold for
  ``approval``) longer than the shop settings' ``approval_notice_minutes``;
- ``arrived`` — an appointment's customer arrived (the appointment became ``arrived``).

Only changes that came from others count: the desk hands over the ``Changes`` that sync
applied, never its own (``Changes.source == "local"``), and a status move this replica made
itself (its ``device_id``) is skipped even when the server sends it back. A line or an
appointment is news only when it was *waiting* before (``Waiting``: a part needed or
ordered, an appointment scheduled or confirmed) and is received / arrived after: the desk
keeps the ``Waiting`` it last read and advances it with every change, its own included, so
an echo of its own change is never news.

After a first sync or an outage many notices arrive at once: ``summarize`` turns more than
``SUMMARY_LIMIT`` of them into one ("12 updates while you were offline: ..."). A ready move
older than ``MAX_AGE`` is history, not news (a first sync brings every move ever made).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Appointment, Customer, Job, JobLine, StatusEvent, SyncState, Vehicle
from app.queries.labels import vehicle_words
from app.queries.settings import replica_settings

#: Kind → what the desk's settings call it.
KINDS: dict[str, str] = {
    "ready": "A job moved to Ready",
    "part_received": "A part was received",
    "approval_wait": "A job waits on approval longer than the shop allows",
    "arrived": "A customer arrived for an appointment",
}
#: More notices than this gathered together become one summary.
SUMMARY_LIMIT = 3
#: How long the desk gathers notices before it shows them (one sync round's pages).
GATHER_SECONDS = 2.0
#: A ready move older than this is history (a first sync or a long outage), not news.
MAX_AGE = timedelta(hours=8)
#: A change naming more rows than this (a first sync) is read by what waited, not row by row.
BULK_ROWS = 2_000
#: Ids per IN (SQLite allows 32,766 variables in one statement).
ID_CHUNK = 500

WAITING_PARTS = ("needed", "ordered")
WAITING_APPOINTMENTS = ("scheduled", "confirmed")

#: Kind → (one, many) for the summary.
_COUNT_WORDS = {"ready": ("job ready", "jobs ready"),
                "part_received": ("part received", "parts received"),
                "approval_wait": ("job waiting on approval", "jobs waiting on approval"),
                "arrived": ("customer arrived", "customers arrived")}


@dataclass(frozen=True)
class Notice:
    kind: str
    #: What makes it the same notice again (shown once per key).
    key: str
    title: str
    text: str
    job_id: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Waiting:
    """The rows that may still become news (the "before")."""

    lines: frozenset[str] = frozenset()
    appointments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class JobFacts:
    number: str
    customer: str
    vehicle: str

    @property
    def label(self) -> str:
        return f"Job {self.number}"

    @property
    def who(self) -> str:
        return ", ".join(p for p in (self.customer, self.vehicle) if p)


@dataclass(frozen=True)
class LineRow:
    id: str
    job_id: str
    description: str
    part_status: str | None
    live: bool


@dataclass(frozen=True)
class AppointmentRow:
    id: str
    status: str
    customer: str
    vehicle: str
    starts_at: datetime
    live: bool


@dataclass(frozen=True)
class EventRow:
    id: str
    job_id: str
    to_status: str
    device_id: str | None
    at: datetime


@dataclass(frozen=True)
class Changed:
    """The "after": plain rows of what a change touched, and the words for their jobs."""

    lines: tuple[LineRow, ...] = ()
    appointments: tuple[AppointmentRow, ...] = ()
    events: tuple[EventRow, ...] = ()
    jobs: Mapping[str, JobFacts] = field(default_factory=dict)


# --- reading plain rows -------------------------------------------------------------------

def waiting_rows(session: Session) -> Waiting:
    """Every line waiting for its part and every appointment not yet arrived (at start)."""
    lines = session.scalars(select(JobLine.id).where(
        JobLine.part_status.in_(WAITING_PARTS), JobLine.deleted_at.is_(None)))
    appts = session.scalars(select(Appointment.id).where(
        Appointment.status.in_(WAITING_APPOINTMENTS), Appointment.deleted_at.is_(None)))
    return Waiting(frozenset(lines), frozenset(appts))


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    """Ids in groups small enough for one IN (SQLite caps the variables of a statement)."""
    seq = list(ids)
    for i in range(0, len(seq), ID_CHUNK):
        yield seq[i:i + ID_CHUNK]


def _job_facts(session: Session, job_ids: Collection[str]) -> dict[str, JobFacts]:
    out: dict[str, JobFacts] = {}
    for chunk in _chunks(job_ids):
        rows = session.execute(
            select(Job.id, Job.number, Customer.name, Vehicle)
            .outerjoin(Customer, Customer.id == Job.customer_id)
            .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
            .where(Job.id.in_(chunk)))
        for job_id, number, customer, vehicle in rows:
            out[job_id] = JobFacts(number, customer or "",
                                   vehicle_words(vehicle) if vehicle is not None else "")
    return out


def read_changed(session: Session, rows: Mapping[str, Collection[str]], *,
                 ready_since: datetime | None = None) -> Changed:
    """The plain rows of a ``Changes``'s job lines, appointments and status events (only
    the moves to Ready, and with ``ready_since`` only those since then: nothing else of an
    event is ever news)."""
    lines: list[LineRow] = []
    for chunk in _chunks(rows.get("job_line", ())):
        lines.extend(LineRow(ln.id, ln.job_id, ln.description, ln.part_status,
                             ln.deleted_at is None)
                     for ln in session.scalars(select(JobLine).where(JobLine.id.in_(chunk))))
    appts: list[AppointmentRow] = []
    for chunk in _chunks(rows.get("appointment", ())):
        for a, customer, vehicle in session.execute(
                select(Appointment, Customer.name, Vehicle)
                .outerjoin(Customer, Customer.id == Appointment.customer_id)
                .outerjoin(Vehicle, Vehicle.id == Appointment.vehicle_id)
                .where(Appointment.id.in_(chunk))):
            appts.append(AppointmentRow(a.id, a.status, customer or "",
                                        vehicle_words(vehicle) if vehicle is not None else "",
                                        a.starts_at, a.deleted_at is None))
    events: list[EventRow] = []
    for chunk in _chunks(rows.get("status_event", ())):
        query = select(StatusEvent).where(StatusEvent.id.in_(chunk),
                                          StatusEvent.to_status == "ready",
                                          StatusEvent.deleted_at.is_(None))
        if ready_since is not None:
            query = query.where(StatusEvent.at >= ready_since)
        events.extend(EventRow(e.id, e.job_id, e.to_status, e.device_id, e.at)
                      for e in session.scalars(query))
    job_ids = {ln.job_id for ln in lines} | {e.job_id for e in events}
    return Changed(tuple(lines), tuple(appts), tuple(events), _job_facts(session, job_ids))


# --- the decision ---------------------------------------------------------------------------

def advance(before: Waiting, changed: Changed) -> Waiting:
    """``before`` with the changed rows' new state: what waits after this change."""
    lines = set(before.lines)
    for ln in changed.lines:
        if ln.live and ln.part_status in WAITING_PARTS:
            lines.add(ln.id)
        else:
            lines.discard(ln.id)
    appts = set(before.appointments)
    for a in changed.appointments:
        if a.live and a.status in WAITING_APPOINTMENTS:
            appts.add(a.id)
        else:
            appts.discard(a.id)
    return Waiting(frozenset(lines), frozenset(appts))


def decide(before: Waiting, changed: Changed, *, device_id: str | None, now: datetime,
           max_age: timedelta = MAX_AGE) -> list[Notice]:
    """The notices a change from others brings (see the module docstring)."""
    out: list[Notice] = []
    seen_ready: set[str] = set()
    for e in sorted(changed.events, key=lambda e: e.at):
        if e.to_status != "ready" or e.device_id == device_id or e.at < now - max_age:
            continue
        if e.job_id in seen_ready:
            continue
        seen_ready.add(e.job_id)
        job = changed.jobs.get(e.job_id)
        label = job.label if job else "A job"
        out.append(Notice("ready", f"ready:{e.id}", f"{label} is ready",
                          job.who if job and job.who else "It can be handed back.",
                          e.job_id, e.at))
    for ln in changed.lines:
        if ln.id in before.lines and ln.live and ln.part_status == "received":
            job = changed.jobs.get(ln.job_id)
            label = job.label if job else "a job"
            part = ln.description.strip() or "A part"
            out.append(Notice("part_received", f"part:{ln.id}", f"Part received for {label}",
                              f"{part}" + (f" — {job.who}" if job and job.who else ""),
                              ln.job_id, now))
    for a in changed.appointments:
        if a.id in before.appointments and a.live and a.status == "arrived":
            who = a.customer or "A customer"
            out.append(Notice("arrived", f"arrived:{a.id}", f"{who} has arrived",
                              f"For the appointment with {a.vehicle}" if a.vehicle
                              else "For their appointment", None, now))
    return out


def notices_for_changes(session: Session, rows: Mapping[str, Collection[str]],
                        before: Waiting, *, now: datetime, from_others: bool,
                        device_id: str | None = None) -> tuple[list[Notice], Waiting]:
    """One read for the desk's worker: the notices of a change (none when it is this
    desk's own, ``from_others=False``) and what waits after it. ``device_id``: this
    replica's (read from its sync state when not given)."""
    if device_id is None:
        state = session.get(SyncState, 1)
        device_id = state.client_id if state is not None else None
    lines, appts = set(rows.get("job_line", ())), set(rows.get("appointment", ()))
    if len(lines) + len(appts) + len(rows.get("status_event", ())) > BULK_ROWS:
        # A first sync or a long outage: only a row that waited can be news, and what
        # waits now is read whole (one indexed query) rather than row by row.
        changed = read_changed(session, {"job_line": lines & before.lines,
                                         "appointment": appts & before.appointments,
                                         "status_event": rows.get("status_event", ())},
                               ready_since=now - MAX_AGE)
        after = waiting_rows(session)
    else:
        changed = read_changed(session, rows, ready_since=now - MAX_AGE)
        after = advance(before, changed)
    found = decide(before, changed, device_id=device_id, now=now) if from_others else []
    return found, after


def approval_waits(session: Session, now: datetime) -> list[Notice]:
    """Jobs on hold for the customer's approval longer than the shop allows
    (``approval_notice_minutes``), counted from their move to on hold. One notice per
    job and wait (its key names when the wait began)."""
    allowed = replica_settings(session).approval_notice_minutes
    held = session.execute(select(Job.id, Job.updated_at).where(
        Job.status == "on_hold", Job.hold_reason == "approval", Job.deleted_at.is_(None))).all()
    if not held:
        return []
    ids = [j.id for j in held]
    since: dict[str, datetime] = dict(session.execute(
        select(StatusEvent.job_id, func.max(StatusEvent.at))
        .where(StatusEvent.job_id.in_(ids), StatusEvent.to_status == "on_hold",
               StatusEvent.deleted_at.is_(None))
        .group_by(StatusEvent.job_id)).all())
    facts = _job_facts(session, ids)
    out = []
    for job_id, updated_at in held:
        began = since.get(job_id) or updated_at
        waited = now - began
        if waited < timedelta(minutes=allowed):
            continue
        job = facts.get(job_id)
        label = job.label if job else "A job"
        minutes = int(waited.total_seconds() // 60)
        out.append(Notice("approval_wait", f"approval:{job_id}:{began.isoformat()}",
                          f"{label} is waiting on approval",
                          f"Waiting {_duration(minutes)} (the shop allows {_duration(allowed)})"
                          + (f" — {job.who}" if job and job.who else ""), job_id, now))
    return out


def _duration(minutes: int) -> str:
    """``45 min``, ``1 h 15 min``, ``2 days 3 h``."""
    if minutes < 60:
        return f"{minutes} min"
    h, m = divmod(minutes, 60)
    if h >= 24:
        d, h = divmod(h, 24)
        days = f"{d} day{'s' if d != 1 else ''}"
        return f"{days} {h} h" if h else days
    return f"{h} h {m} min" if m else f"{h} h"


def summarize(notices: Iterable[Notice], *, offline: bool,
              limit: int = SUMMARY_LIMIT) -> list[Notice]:
    """The notices as they are shown: as they are up to ``limit``, else one summary
    ("12 updates while you were offline: 7 jobs ready, 3 parts received, ...")."""
    found = list(notices)
    if len(found) <= limit:
        return found
    counts: dict[str, int] = {}
    for n in found:
        counts[n.kind] = counts.get(n.kind, 0) + 1
    parts = []
    for kind in KINDS:
        if kind in counts:
            one, many = _COUNT_WORDS[kind]
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    when = "while you were offline" if offline else "from the shop"
    return [Notice("summary", "summary:" + ",".join(sorted(n.key for n in found)),
                   f"{len(found)} updates {when}", ", ".join(parts).capitalize() + ".")]
