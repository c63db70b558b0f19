"""Reads of the technician kiosk: the sign-in tiles (and, below them, the work screens')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app import roles, rules
from app.models import (
    Customer,
    Job,
    Note,
    SyncState,
    Technician,
    TechnicianPin,
    TimeEntry,
    Vehicle,
)
from app.ops.kiosk import STARTED_BY_CLOCKING_ON
from app.queries.boards import is_overdue
from app.queries.common import clipped_seconds, day_bounds, local_day, vehicle_label
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


# --- the work screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class KioskJob:
    """One job as the kiosk shows it, with what the technician may do to it."""

    job_id: str
    number: str
    status: str
    hold_reason: str | None
    vehicle: str
    plate: str
    customer: str
    concern: str
    promised_at: datetime | None
    overdue: bool
    #: Statuses this technician may move it to (the table of moves, less the desk's).
    moves: tuple[str, ...]
    #: Why "Clock on" cannot work on it (None: it can; a queued or held job is started).
    clock_refusal: str | None


@dataclass(frozen=True)
class Clocked:
    """The job the technician is clocked on to, and since when."""

    job_id: str
    number: str
    vehicle: str
    plate: str
    since: datetime


@dataclass(frozen=True)
class MyWork:
    """The technician's side of the work screen, as of ``at``."""

    at: datetime
    technician_id: str
    name: str
    capacity_minutes: int
    clocked: Clocked | None
    #: When the open shift started (None: not on shift).
    shift_since: datetime | None
    #: The shift's end: its start plus the day's capacity (see ``shift_end``).
    shift_ends_at: datetime | None
    #: Job minutes clocked today up to ``at`` (corrections applied; the open entry counted).
    minutes_today: int
    #: Open jobs assigned to the technician, in board order.
    jobs: tuple[KioskJob, ...]

    def reminder_due(self, now: datetime) -> bool:
        """Still clocked on to a job after the shift's end."""
        return (self.clocked is not None and self.shift_ends_at is not None
                and now >= self.shift_ends_at)


@dataclass(frozen=True)
class Claimable:
    """Queued jobs nobody has taken; ``refusal`` says why this technician may not claim
    (then the screen shows the jobs without a claim button)."""

    jobs: tuple[KioskJob, ...]
    refusal: str | None


@dataclass(frozen=True)
class WorkView:
    """Everything the work screen shows, read in one transaction."""

    mine: MyWork | None
    claimable: Claimable


@dataclass(frozen=True)
class NoteRow:
    note_id: str
    kind: str
    body: str
    author: str
    created_at: datetime


def technician_moves(status: str) -> tuple[str, ...]:
    """The statuses a technician may move a job in ``status`` to: the table of moves
    (``app.rules``) less what only the desk does (``app.roles``)."""
    return tuple(s for s in rules.allowed_moves(status)
                 if roles.can(roles.TECHNICIAN, "job", "update", {"status": s}))


def shift_end(shift_since: datetime | None, capacity_minutes: int) -> datetime | None:
    """When a shift that started at ``shift_since`` ends: technicians have no rota, so a
    shift lasts the technician's daily capacity from its start (clocking on opens it)."""
    if shift_since is None:
        return None
    return shift_since + timedelta(minutes=capacity_minutes)


def _replica_role(session: Session) -> str | None:
    return session.scalar(select(SyncState.role).where(SyncState.id == 1))


def _kiosk_jobs(session: Session, where: ColumnElement[bool], now: datetime) -> list[KioskJob]:
    rows = session.execute(
        select(Job.id, Job.number, Job.status, Job.hold_reason, Job.concern, Job.promised_at,
               Job.priority, Job.customer_waiting, Vehicle.make, Vehicle.model, Vehicle.year,
               Vehicle.plate, Customer.name)
        .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
        .outerjoin(Customer, Customer.id == Job.customer_id)
        .where(where, Job.deleted_at.is_(None))).all()
    made = []
    for r in rows:
        after = "in_progress" if r.status in STARTED_BY_CLOCKING_ON else r.status
        made.append(KioskJob(
            r.id, r.number, r.status, r.hold_reason, vehicle_label(r.make, r.model, r.year),
            r.plate or "", r.name or "", r.concern or "", r.promised_at,
            is_overdue(r.promised_at, r.status, now), technician_moves(r.status),
            rules.clock_on_refusal(r.number, after)))
    return made


def _board_order(job: KioskJob) -> tuple[int, float, str]:
    return (rules.OPEN_STATUSES.index(job.status),
            job.promised_at.timestamp() if job.promised_at else float("inf"), job.number)


def my_work(session: Session, technician_id: str, now: datetime,
            tz: tzinfo | None = None) -> MyWork | None:
    """The technician's work screen: the clocked job, open assigned jobs, today's job
    minutes against the day's capacity and the shift's end. None for an unknown
    technician. "Today" is the shop's calendar day of ``now`` in ``tz``."""
    tech = session.execute(
        select(Technician.id, Technician.name, Technician.daily_capacity_minutes)
        .where(Technician.id == technician_id, Technician.deleted_at.is_(None))).first()
    if tech is None:
        return None
    day_start, day_end = day_bounds(local_day(now, tz), tz)
    columns = (TimeEntry.kind, TimeEntry.job_id, TimeEntry.started_at, TimeEntry.ended_at)
    live = (TimeEntry.deleted_at.is_(None), TimeEntry.kind.in_(("job", "shift")),
            is_effective(TimeEntry))
    # Two reads, each on its narrow index, instead of the technician's whole history: the
    # open entries (the partial index ix_time_entry_open), and those ended today
    # (ix_time_entry_ended_at; ``|| ''`` keeps SQLite off the technician_id index, which
    # would walk two years of the technician's entries).
    entries = [*session.execute(
        select(*columns).where(TimeEntry.technician_id == technician_id,
                               TimeEntry.ended_at.is_(None), *live)).all(),
        *session.execute(
        select(*columns).where(TimeEntry.technician_id.concat("") == technician_id,
                               TimeEntry.ended_at > day_start, TimeEntry.started_at < day_end,
                               *live)).all()]
    seconds = 0.0
    open_job: tuple[str, datetime] | None = None
    shift_since: datetime | None = None
    for kind, job_id, started, ended in entries:
        if kind == "shift":
            if ended is None and (shift_since is None or started > shift_since):
                shift_since = started
            continue
        seconds += clipped_seconds(started, ended, day_start, day_end, now)
        if ended is None and job_id and (open_job is None or started > open_job[1]):
            open_job = (job_id, started)
    clocked = None
    if open_job is not None:
        found = session.execute(
            select(Job.number, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate)
            .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
            .where(Job.id == open_job[0])).first()
        clocked = Clocked(open_job[0], found.number if found else "?",
                          vehicle_label(found.make, found.model, found.year) if found else "",
                          (found.plate or "") if found else "", open_job[1])
    mine = _kiosk_jobs(session, and_(Job.technician_id == technician_id,
                                     Job.status.in_(rules.OPEN_STATUSES)), now)
    return MyWork(now, tech.id, tech.name, tech.daily_capacity_minutes, clocked, shift_since,
                  shift_end(shift_since, tech.daily_capacity_minutes), round(seconds / 60),
                  tuple(sorted(mine, key=_board_order)))


def claimable_jobs(session: Session, technician_id: str, now: datetime) -> Claimable:
    """Queued jobs nobody has taken, most pressing first, and whether this technician may
    claim them: the role table (``app.roles.can``, for a technician and for the role this
    replica writes with) and the technician's claim rule (``technician_job_refusal``)."""
    queued = _kiosk_jobs(session, and_(Job.status == "queued", Job.technician_id.is_(None)),
                         now)
    waiting = {r.id: (r.priority, r.customer_waiting) for r in session.execute(
        select(Job.id, Job.priority, Job.customer_waiting)
        .where(Job.id.in_([j.job_id for j in queued])))}
    queued.sort(key=lambda j: (-(waiting[j.job_id][0] or 0), not waiting[j.job_id][1],
                               j.promised_at is None,
                               j.promised_at.timestamp() if j.promised_at else 0.0, j.number))
    change = {"technician_id": technician_id}
    refusal = (roles.can(roles.TECHNICIAN, "job", "update", change).reason
               or roles.can(roles.writing_role(_replica_role(session)), "job", "update",
                            change).reason)
    if refusal is None and queued:
        # the row rule, asked of a queued job nobody has taken (every job listed is one)
        probe = _Claim(None, "queued")
        refusal = roles.technician_job_refusal(probe, change, technician_id)
    return Claimable(tuple(queued), refusal)


@dataclass(frozen=True)
class _Claim:
    technician_id: str | None
    status: str


def job_notes(session: Session, job_id: str, limit: int = 20) -> tuple[NoteRow, ...]:
    """The newest notes and findings of a job, newest first, with their author's name."""
    rows = session.execute(
        select(Note.id, Note.kind, Note.body, Note.created_at, Technician.name)
        .outerjoin(Technician, Technician.id == Note.author_id)
        .where(Note.job_id == job_id, Note.deleted_at.is_(None))
        .order_by(Note.created_at.desc(), Note.id.desc()).limit(limit)).all()
    return tuple(NoteRow(r.id, r.kind, r.body, r.name or "", r.created_at) for r in rows)


def work_screen(session: Session, technician_id: str, now: datetime,
                tz: tzinfo | None = None) -> WorkView:
    """``my_work`` and ``claimable_jobs`` in one read: what one repaint of the work
    screen needs."""
    return WorkView(my_work(session, technician_id, now, tz),
                    claimable_jobs(session, technician_id, now))
