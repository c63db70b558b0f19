"""Applying one mutation: role, shop, fields, guarded fields and the domain rules.

Each mutation is first turned into a ``Plan`` (rows to add, fields to set, changes to
record) without touching anything; only a complete plan is carried out. So a refusal in
the middle of a mutation leaves nothing of it behind. Database errors that slip past the
checks are handled one level up (``push``): the batch is redone with a savepoint per
mutation. Operations (the mutations one action wrote, which stand or fall together) are
also ``push``'s: a refusal here is one mutation's.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import roles, rules, validators
from app.entities import entity_label
from app.errors import ValidationError
from app.scheduling import INACTIVE_APPOINTMENT_STATUSES, find_clash
from app.shopsettings import check_settings
from app.timeclock import is_effective
from server.auth.roles import TECHNICIAN, Principal
from server.models import ENTITIES, Appointment, Bay, Conflict, ServerBase, Technician, TimeEntry
from server.sync import permissions as perm
from server.sync.acting import ActingUsers
from server.sync.changes import ShopLock, lock_shop
from server.sync.fields import (
    REFERENCES,
    Rejected,
    convert_fields,
    defaults,
    required,
    same,
    to_wire,
)

JOB_GUARDED = ("status", "technician_id")
APPOINTMENT_GUARDED = ("technician_id", "bay_id", "starts_at", "ends_at")
APPOINTMENT_SCHEDULE = (*APPOINTMENT_GUARDED, "status")


def _refuse(reason: str | None) -> None:
    if reason:
        raise Rejected(reason)


class DoubleBooked(Rejected):
    """The result would double-book a technician or a bay."""


@dataclass(frozen=True)
class MutationIn:
    id: int
    entity: str
    row_id: str
    op: str
    fields: dict[str, Any]
    base: dict[str, Any]
    #: The operation that wrote it (optional on the wire; see ``server.sync.push``).
    operation_id: int | None = None
    #: A kiosk's technician who made it (``server.sync.acting``).
    acting_user_id: str | None = None


#: Time entries of which a technician has at most one open at a time.
SINGLE_OPEN_KINDS = frozenset({"job", "shift"})


@dataclass
class Outcome:
    status: str
    reason: str | None = None
    #: Rows a refusal writes (a conflict's ``conflict`` rows): kept even when the rest of
    #: its operation is undone.
    kept: list[tuple[str, ServerBase]] = field(default_factory=list)
    #: Refused only because this mutation of its operation was.
    refused_with: int | None = None


@dataclass
class Plan:
    """What a mutation will do, decided before anything is done."""

    status: str = "applied"
    reason: str | None = None
    new_rows: list[tuple[str, ServerBase]] = field(default_factory=list)
    updates: list[tuple[str, ServerBase, dict[str, Any]]] = field(default_factory=list)
    deletes: list[tuple[str, ServerBase]] = field(default_factory=list)
    job_numbers: int = 0


class Batch:
    """The state of one push transaction: the shop lock, loaded rows and recorded changes."""

    def __init__(self, session: Session, principal: Principal, lock: ShopLock,
                 client_id: str, now: datetime) -> None:
        self.session = session
        self.principal = principal
        self.lock = lock
        self.client_id = client_id
        self.now = now
        self.cache: dict[tuple[str, str], Any] = {}
        self.changes: list[tuple[str, str, bool]] = []
        self.acting = ActingUsers(session, principal)
        #: The principal of the push (a kiosk's device account, say); ``principal`` is the
        #: one of the mutation being applied (its acting technician).
        self.pusher = principal

    # --- rows ---------------------------------------------------------------------------
    def preload(self, mutations: Iterable[MutationIn]) -> None:
        """Load every row the batch names, one query per entity. Rows the batch changes are
        locked (``FOR UPDATE``), entity by entity in name order and by id, so two batches
        never wait for each other in a circle; rows it only refers to are just read."""
        changed: dict[str, set[str]] = defaultdict(set)
        named: dict[str, set[str]] = defaultdict(set)
        for m in mutations:
            changed[m.entity].add(m.row_id)
            for name, value in m.fields.items():
                target = REFERENCES.get(name)
                if target and isinstance(value, str) and len(value) == 36:
                    named[target].add(value.lower())
        for entity in sorted(changed):
            self._load(entity, changed[entity], lock=True)
        for entity in sorted(named):
            self._load(entity, named[entity], lock=False)

    def _load(self, entity: str, ids: set[str], *, lock: bool) -> None:
        model: Any = ENTITIES[entity]
        id_list = sorted(i for i in ids if (entity, i) not in self.cache)
        for start in range(0, len(id_list), 1000):
            chunk = id_list[start:start + 1000]
            query = select(model).where(model.id.in_(chunk))
            if lock:
                query = query.order_by(model.id).with_for_update()
            for row in self.session.scalars(query):
                self.cache[(entity, row.id)] = row
            for row_id in chunk:
                self.cache.setdefault((entity, row_id), None)

    def need_shop(self) -> ShopLock:
        """Lock the shop row now (job numbers, double booking need a steady shop). Every
        row this batch changes is locked already, so locks are always taken rows first,
        shop second."""
        if not self.lock.locked:
            locked = lock_shop(self.session, self.principal.shop_id)
            if locked is None:
                raise Rejected("Your shop no longer exists.")
            self.lock = locked
        return self.lock

    def row(self, entity: str, row_id: str) -> Any:
        key = (entity, row_id)
        if key not in self.cache:
            self.cache[key] = self.session.get(ENTITIES[entity], row_id)
        return self.cache[key]

    # --- one mutation -------------------------------------------------------------------
    def apply(self, m: MutationIn) -> Outcome:
        try:
            self.principal = self.acting.principal_for(m.acting_user_id)
            plan = self.plan(m)
        except Rejected as exc:
            return Outcome("rejected", exc.reason)
        finally:
            self.principal = self.pusher
        self._carry_out(plan)
        if plan.status != "applied":
            return Outcome(plan.status, plan.reason, plan.new_rows)
        return Outcome(plan.status, plan.reason)

    def keep(self, rows: list[tuple[str, ServerBase]]) -> None:
        """Write again the rows of a refusal (``Outcome.kept``) whose operation was undone."""
        self._carry_out(Plan(new_rows=rows))

    def resend(self, m: MutationIn) -> None:
        """A refused mutation (``rejected`` or ``conflict``): give its row a new seq, so the
        client's next ordinary pull brings the server's state of it. A row of this shop is
        re-sent as it is (or as deleted); where the shop has no such row (a refused create,
        an edit of a row that never arrived, another shop's id) a delete marker goes into
        this shop's index, so every replica that made the row drops it. Of another shop's
        row nothing is read but its shop; its index entries stay untouched."""
        row = self.row(m.entity, m.row_id)
        if row is not None and row.shop_id == self.pusher.shop_id:
            self.changes.append((m.entity, row.id, row.deleted_at is not None))
        else:
            self.changes.append((m.entity, m.row_id, True))

    def _carry_out(self, plan: Plan) -> None:
        for entity, obj in plan.new_rows:
            self.session.add(obj)
            self.cache[(entity, obj.id)] = obj  # type: ignore[attr-defined]
            self.changes.append((entity, obj.id, False))  # type: ignore[attr-defined]
        for entity, obj, values in plan.updates:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.updated_at = self.now  # type: ignore[attr-defined]
            self.changes.append((entity, obj.id, False))  # type: ignore[attr-defined]
        for entity, obj in plan.deletes:
            obj.deleted_at = self.now  # type: ignore[attr-defined]
            obj.updated_at = self.now  # type: ignore[attr-defined]
            self.changes.append((entity, obj.id, True))  # type: ignore[attr-defined]
        self.lock.next_job_number += plan.job_numbers

    def plan(self, m: MutationIn) -> Plan:
        p = self.principal
        label = entity_label(m.entity)
        if m.op == "delete":
            decision = perm.can(p, m.entity, "delete")
            if not decision:
                raise Rejected(decision.reason or "")
        elif not perm.may_write(p, m.entity):
            raise Rejected(perm.refused(p, f"change {perm.plural(m.entity)}"))
        row = self.row(m.entity, m.row_id)
        if row is not None and row.shop_id != p.shop_id:
            raise Rejected(f"This {label} belongs to another shop.")
        if m.op == "delete":
            plan = Plan()
            if row is not None and row.deleted_at is None:
                plan.deletes.append((m.entity, row))
            return plan
        if row is not None and row.deleted_at is not None:
            raise Rejected(f"This {label} was deleted; it cannot be changed any more.")
        values = convert_fields(m.entity, m.row_id, p.shop_id, m.fields)
        if row is None:
            return self._create(m, values)
        return self._update(m, row, values)

    # --- create -------------------------------------------------------------------------
    def _create(self, m: MutationIn, values: dict[str, Any]) -> Plan:
        p = self.principal
        label = entity_label(m.entity)
        decision = perm.can(p, m.entity, "create", values)
        if not decision:
            raise Rejected(decision.reason or "")
        if m.entity == "shop_settings" and m.row_id != p.shop_id:
            raise Rejected("A shop has one settings row, whose id is the shop's id.")
        plan = Plan()
        full = defaults(m.entity)
        full.update(values)
        if m.entity == "job":
            # The client's provisional number ("P-ABCD-3") gives way to the shop's next one.
            full["number"] = str(self.need_shop().next_job_number)
            plan.job_numbers = 1
        missing = [f for f in required(m.entity) if full.get(f) is None]
        if missing:
            raise Rejected(f"A new {label} needs {', '.join(repr(f) for f in missing)}.")
        try:
            validators.validate_row(m.entity, full)
        except ValidationError as exc:
            raise Rejected(exc.message) from None
        self._check_references(m.entity, full)
        check = getattr(self, f"_check_new_{m.entity}", None)
        if check is not None:
            check(full)
        self._record_acting_user(m, full)
        if m.entity == "time_entry":
            self._one_open_clock(m.row_id, full, plan)
        model = ENTITIES[m.entity]
        obj = model(id=m.row_id, shop_id=p.shop_id, created_at=self.now, updated_at=self.now,
                    deleted_at=None, **full)
        plan.new_rows.append((m.entity, obj))
        return plan

    def _check_new_time_entry(self, v: dict[str, Any]) -> None:
        p = self.principal
        if p.role == TECHNICIAN:
            _refuse(roles.technician_time_entry_refusal(v["technician_id"], p.technician_id))

    def _check_new_note(self, v: dict[str, Any]) -> None:
        p = self.principal
        if p.role == TECHNICIAN:
            _refuse(roles.technician_author_refusal(v["author_id"], p.technician_id, p.user_id,
                                                    "write notes in their own name"))

    def _check_new_status_event(self, v: dict[str, Any]) -> None:
        p = self.principal
        job = self.row("job", v["job_id"])
        if p.role == TECHNICIAN:
            if job.technician_id != p.technician_id:
                raise Rejected("A technician can only record moves of jobs assigned to them.")
            _refuse(roles.technician_author_refusal(v["by_id"], p.technician_id, p.user_id,
                                                    "record their own moves"))

    def _check_new_appointment(self, v: dict[str, Any]) -> None:
        self._check_appointment(v, None)

    def _check_new_shop_settings(self, v: dict[str, Any]) -> None:
        self._check_shop_settings(v)

    def _check_shop_settings(self, changed: dict[str, Any]) -> None:
        try:
            changed.update(check_settings(changed))
        except ValidationError as exc:
            raise Rejected(f"{exc.message} ('{exc.field}')") from None

    def _record_acting_user(self, m: MutationIn, v: dict[str, Any]) -> None:
        """A kiosk's technician is recorded as the author of the notes and the mover of the
        status events made in their name (by technician id: the name every replica shows)."""
        if m.acting_user_id is None or self.principal is self.pusher:
            return
        name = {"status_event": "by_id", "note": "author_id"}.get(m.entity)
        if name is not None and v.get(name) in (None, self.principal.user_id):
            v[name] = self.principal.technician_id

    def _one_open_clock(self, row_id: str, v: dict[str, Any], plan: Plan) -> None:
        """A technician has at most one open job clock and one open shift, even when two
        offline devices clocked them on: the later start ends the earlier entry, at the
        later start. An open entry arriving with the earlier start is stored ended at the
        start of the one that is open (whichever device pushes first)."""
        if v["kind"] not in SINGLE_OPEN_KINDS or v["ended_at"] is not None \
                or v.get("corrects_id") is not None:
            return
        self.need_shop()  # no other push can open a clock between this look and the commit
        open_entries = self.session.scalars(
            select(TimeEntry).where(
                TimeEntry.shop_id == self.principal.shop_id,
                TimeEntry.technician_id == v["technician_id"], TimeEntry.kind == v["kind"],
                TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None),
                TimeEntry.id != row_id, is_effective(TimeEntry))).all()
        for entry in open_entries:
            if entry.started_at <= v["started_at"]:
                plan.updates.append(("time_entry", entry, {"ended_at": v["started_at"]}))
            elif v["ended_at"] is None or entry.started_at < v["ended_at"]:
                v["ended_at"] = entry.started_at

    # --- update -------------------------------------------------------------------------
    def _update(self, m: MutationIn, row: Any, values: dict[str, Any]) -> Plan:
        if m.entity == "job":
            values.pop("number", None)  # final numbers are the server's; later edits ignored
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        plan = Plan()
        try:
            validators.check_change(m.entity, row, changed)
        except ValidationError as exc:
            raise Rejected(exc.message) from None
        if m.entity == "shop_settings":
            self._check_shop_settings(changed)
        if m.entity == "job":
            conflicts = self._mismatched(m, row, changed, JOB_GUARDED)
            if conflicts:
                return self._conflict_plan(m, row, changed, conflicts)
            self._check_job_update(row, changed)
        else:
            _refuse(perm.can(self.principal, m.entity, "update", changed).reason)
        try:
            validators.validate_row(m.entity, validators.RowView(row, changed), changed)
        except ValidationError as exc:
            raise Rejected(exc.message) from None
        if m.entity == "appointment" and any(f in changed for f in APPOINTMENT_SCHEDULE):
            merged = {f: getattr(row, f) for f in APPOINTMENT_SCHEDULE}
            merged.update(changed)
            try:
                self._check_appointment(merged, row.id)
            except Rejected as exc:
                conflicts = self._mismatched(m, row, changed, APPOINTMENT_GUARDED)
                if conflicts and isinstance(exc, DoubleBooked):
                    return self._conflict_plan(m, row, changed, conflicts, exc.reason)
                raise
        elif m.entity == "time_entry" and changed and self.principal.role == TECHNICIAN:
            _refuse(roles.technician_time_entry_refusal(row.technician_id,
                                                        self.principal.technician_id))
        self._check_references(m.entity, changed)
        if changed:
            plan.updates.append((m.entity, row, changed))
        return plan

    def _mismatched(self, m: MutationIn, row: Any, changed: dict[str, Any],
                    guarded: tuple[str, ...]) -> list[str]:
        """Guarded fields whose base no longer matches the server (and the client's value
        is not what the server already has)."""
        return [f for f in guarded
                if f in changed and f in m.base and not same(m.entity, f, m.base[f], getattr(row, f))]

    def _conflict_plan(self, m: MutationIn, row: Any, changed: dict[str, Any],
                       fields: list[str], why: str | None = None) -> Plan:
        plan = Plan(status="conflict")
        shown = []
        for f in fields:
            server_value = to_wire(m.entity, f, getattr(row, f))
            conflict = Conflict(
                id=str(uuid.uuid4()), shop_id=self.principal.shop_id, created_at=self.now,
                updated_at=self.now, deleted_at=None, entity=m.entity, row_id=row.id,
                field=f, client_value=to_wire(m.entity, f, changed[f]),
                server_value=server_value, client_id=self.client_id, mutation_id=m.id,
                resolved_at=None, resolved_by=None)
            plan.new_rows.append(("conflict", conflict))
            shown.append(f"{f} is now {server_value!r}")
        label = entity_label(m.entity)
        plan.reason = (f"Someone else changed this {label} first ({'; '.join(shown)}); "
                       "the server kept their change.")
        if why:
            plan.reason += f" {why}"
        return plan

    def _check_job_update(self, job: Any, changed: dict[str, Any]) -> None:
        p = self.principal
        if p.role == TECHNICIAN:
            _refuse(roles.technician_job_refusal(job, changed, p.technician_id))
        else:
            _refuse(perm.can(p, "job", "update", changed).reason)
        if "status" in changed and not rules.can_move(job.status, changed["status"]):
            raise Rejected(rules.describe_refused_move(job.status, changed["status"]))

    # --- shared checks ------------------------------------------------------------------
    def _check_references(self, entity: str, values: dict[str, Any]) -> None:
        for name, value in values.items():
            target = REFERENCES.get(name)
            if target is None or value is None:
                continue
            ref = self.row(target, value)
            what = entity_label(target)
            if ref is None:
                raise Rejected(f"The {what} named in '{name}' does not exist.")
            if ref.shop_id != self.principal.shop_id:
                raise Rejected(f"The {what} named in '{name}' belongs to another shop.")

    def _check_appointment(self, v: dict[str, Any], exclude_id: str | None) -> None:
        starts, ends = v["starts_at"], v["ends_at"]
        if v.get("status") in INACTIVE_APPOINTMENT_STATUSES:
            return
        self.need_shop()  # no other booking can slip in between this check and the commit
        found = find_clash(self.session, Appointment, shop_id=self.principal.shop_id,
                           starts_at=starts, ends_at=ends, technician_id=v.get("technician_id"),
                           bay_id=v.get("bay_id"), exclude_id=exclude_id)
        if found is None:
            return
        field_name, clash = found
        if field_name == "technician_id":
            tech = self.session.get(Technician, clash.technician_id)
            who = tech.name if tech else "That technician"
        else:
            bay = self.session.get(Bay, clash.bay_id)
            who = bay.name if bay else "That bay"
        raise DoubleBooked(f"{who} is already booked {clash.starts_at:%a %d %b %H:%M}–"
                           f"{clash.ends_at:%H:%M} UTC.")
