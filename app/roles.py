"""Who may read and write what: the one role table of the replica, the server and the UI.

Roles (PROTOCOL.md, plus ``kiosk``):

- admin and manager: all shop data.
- clerk: customers, vehicles, jobs, lines, appointments, notes and the status events of
  their moves, and the payments taken at hand-back (a new row each; nobody changes one);
  reads everything; ends the clocks of a job they move out of work (a time
  entry's end), but clocks nobody on.
- technician: reads the shop's jobs, vehicles, lines, appointments, technicians, bays,
  notes, status events and the customers' names (no contact details), and their own time
  entries; moves the status of jobs assigned to them, claims queued unassigned ones,
  writes their own time entries, notes and findings and the status events of their moves.
- kiosk (a shared touch kiosk's device account): reads like a technician (every
  technician's time entries, to show who is clocked on) and the technicians' PIN verifiers
  (for the offline PIN check), and writes nothing itself; a technician signs in on it with
  a PIN, and the kiosk's replica writes as that technician.
- shop settings: every role reads them; admins and managers change them. PIN verifiers:
  nobody writes them through sync.

``can(role, entity, action, fields)`` is the pure question the UI asks to disable an
action (its ``reason`` is the tooltip), the replica's ``Writer`` asks before every write,
and the server asks for every mutation: the same words come back from all three. Rules
that need the row and the person (a technician's own jobs and clock) are the functions
below the table; the server applies them, and a replica that knows its technician can too.

Entities come from ``app.entities.ENTITY_MIXINS``: a new entity is readable by every role
and writable by admins and managers until the table says otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.entities import AFTER_WRITE, ENTITY_MIXINS, entity_label, plural

ADMIN = "admin"
MANAGER = "manager"
CLERK = "clerk"
TECHNICIAN = "technician"
KIOSK = "kiosk"
ROLES: tuple[str, ...] = (ADMIN, MANAGER, CLERK, TECHNICIAN, KIOSK)

ROLE_NAMES = {ADMIN: "An admin", MANAGER: "A manager", CLERK: "A clerk",
              TECHNICIAN: "A technician", KIOSK: "A kiosk device account"}

ACTIONS = ("read", "create", "update", "delete")

ALL_ENTITIES: frozenset[str] = frozenset(ENTITY_MIXINS)
#: Rows only the server makes (a client may resolve a conflict, never write one).
SERVER_MADE: frozenset[str] = frozenset({"conflict"})
#: Rows nobody writes through sync: a PIN verifier is set by the server's PIN endpoints.
NOT_SYNCED_UP: frozenset[str] = frozenset({"technician_pin"})
#: Entities only some roles read at all: a PIN verifier goes to kiosk device accounts only
#: (for the offline PIN check).
READ_ONLY_BY: dict[str, frozenset[str]] = {"technician_pin": frozenset({"kiosk"})}
#: What admins and managers write: everything a client writes at all.
_WRITABLE = ALL_ENTITIES - NOT_SYNCED_UP
DELETABLE: frozenset[str] = frozenset(
    e for e in ENTITY_MIXINS if AFTER_WRITE.get(e) is None or AFTER_WRITE[e].deletable
) - NOT_SYNCED_UP

#: Job fields a technician changes when moving a job's status.
TECHNICIAN_MOVE_FIELDS = frozenset({"status", "hold_reason", "completed_at", "closed_at"})
#: Statuses only the front desk or a manager moves a job to.
DESK_ONLY_STATUSES = frozenset({"closed", "cancelled"})
CONTACT_FIELDS = frozenset({"phone", "email", "address", "notes"})


@dataclass(frozen=True)
class Access:
    """What one role may do: entities it creates, changes, deletes; fields it may not
    read; and, per entity, the only fields it may change (all when not named)."""

    create: frozenset[str]
    update: frozenset[str]
    delete: frozenset[str]
    hidden: Mapping[str, frozenset[str]] = field(default_factory=dict)
    update_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


_CLERK_ENTITIES = frozenset({"customer", "vehicle", "job", "job_line", "appointment"})

#: The role table.
TABLE: dict[str, Access] = {
    ADMIN: Access(_WRITABLE - SERVER_MADE, _WRITABLE, DELETABLE),
    MANAGER: Access(_WRITABLE - SERVER_MADE, _WRITABLE, DELETABLE),
    CLERK: Access(_CLERK_ENTITIES | {"note", "status_event", "payment"},
                  _CLERK_ENTITIES | {"note", "status_event", "conflict", "time_entry"},
                  _CLERK_ENTITIES,
                  update_fields={"time_entry": frozenset({"ended_at"})}),
    TECHNICIAN: Access(frozenset({"time_entry", "note", "status_event"}),
                       frozenset({"job", "time_entry", "note", "status_event", "conflict"}),
                       frozenset(),
                       hidden={"customer": CONTACT_FIELDS},
                       update_fields={"job": TECHNICIAN_MOVE_FIELDS | {"technician_id"}}),
    KIOSK: Access(frozenset(), frozenset(), frozenset(), hidden={"customer": CONTACT_FIELDS}),
}


@dataclass(frozen=True)
class Decision:
    """The answer of ``can``: true when allowed, else with the reason in words."""

    allowed: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def refused(role: str | None, what: str) -> str:
    """"A clerk cannot <what>." — the one shape of a refusal by role."""
    return f"{ROLE_NAMES.get(role or '', 'This account')} cannot {what}."


def can(role: str | None, entity: str, action: str,
        fields: Mapping[str, Any] | Collection[str] | None = None) -> Decision:
    """May ``role`` do ``action`` ("read", "create", "update", "delete") on ``entity``,
    changing ``fields`` (names, or names with their new values)? A role of None (a demo
    replica, or one nobody is signed in to) may do everything."""
    if role is None:
        return ALLOWED
    access = TABLE.get(role)
    if access is None:
        return Decision(False, refused(role, "change anything"))
    if action == "read":
        only = READ_ONLY_BY.get(entity)
        if only is not None and role not in only:
            return Decision(False, refused(role, f"read {plural(entity)}"))
        return ALLOWED
    if action == "delete":
        if entity in access.delete:
            return ALLOWED
        if entity in NOT_SYNCED_UP:
            return Decision(False, refused(role, f"change {plural(entity)}"))
        if entity not in DELETABLE:
            rule = AFTER_WRITE.get(entity)
            return Decision(False, (rule.delete_refusal if rule and rule.delete_refusal else
                                    f"A {entity_label(entity)} is never deleted; corrections "
                                    "are new rows."))
        return Decision(False, refused(role, f"delete {plural(entity)}"))
    if action == "create" and entity not in access.create:
        if entity in SERVER_MADE:
            return Decision(False, "Only the server writes conflicts.")
        if entity in access.update:
            what = "write up jobs" if entity == "job" else f"add {plural(entity)}"
            return Decision(False, refused(role, what))
        return Decision(False, refused(role, f"change {plural(entity)}"))
    if action == "update":
        if entity not in access.update:
            return Decision(False, refused(role, f"change {plural(entity)}"))
        limit = access.update_fields.get(entity)
        if limit is not None and fields is not None:
            others = sorted(set(fields) - limit)
            if others:
                return Decision(False, refused(role, f"change {', '.join(others)} of a "
                                                     f"{entity_label(entity)}"))
    if role == TECHNICIAN and entity == "job" and isinstance(fields, Mapping) \
            and fields.get("status") in DESK_ONLY_STATUSES:
        return Decision(False, "A technician cannot close or cancel a job; the front desk "
                               "does that.")
    return ALLOWED


def hidden_fields(role: str | None, entity: str) -> frozenset[str]:
    """Fields ``role`` may not read (left out of pulled rows)."""
    access = TABLE.get(role or "")
    return access.hidden.get(entity, frozenset()) if access is not None else frozenset()


def writing_role(role: str | None) -> str | None:
    """The role a replica signed in as ``role`` writes with: a kiosk's replica writes for
    the technician signed in on it with a PIN."""
    return TECHNICIAN if role == KIOSK else role


# --- accounts (not synced rows: the server's admin endpoints) ------------------------------

#: Who manages the shop's user accounts (``/api/v1/users``).
USER_ADMINS: frozenset[str] = frozenset({ADMIN})
#: Who sets and resets technicians' kiosk PINs (``/api/v1/technicians/{id}/pin``).
PIN_SETTERS: frozenset[str] = frozenset({ADMIN, MANAGER})


def can_manage_users(role: str | None) -> Decision:
    """May ``role`` list, add and change the shop's users? (None: a demo, every right.)"""
    if role is None or role in USER_ADMINS:
        return ALLOWED
    return Decision(False, "Only an admin manages users.")


def can_set_pins(role: str | None) -> Decision:
    """May ``role`` set and reset technicians' kiosk PINs?"""
    if role is None or role in PIN_SETTERS:
        return ALLOWED
    return Decision(False, "Only a manager or an admin sets technicians' PINs.")


# --- rules that need the row and the person ---------------------------------------------

def technician_job_refusal(job: Any, changed: Mapping[str, Any],
                           technician_id: str | None) -> str | None:
    """Why technician ``technician_id`` may not make ``changed`` to ``job`` (None: may).
    They move jobs assigned to them, and claim queued jobs nobody has taken."""
    if not changed:
        return None
    claim = (job.technician_id is None and job.status == "queued"
             and changed.get("technician_id") == technician_id and technician_id is not None)
    if job.technician_id != technician_id and not claim:
        return ("A technician can only move jobs assigned to them, or claim queued jobs "
                "nobody has taken.")
    if "technician_id" in changed and changed["technician_id"] != technician_id:
        return refused(TECHNICIAN, "change the technician of a job")
    return can(TECHNICIAN, "job", "update", changed).reason


def technician_time_entry_refusal(entry_technician_id: str | None,
                                  technician_id: str | None) -> str | None:
    if entry_technician_id != technician_id:
        return "A technician can only clock themselves on and off."
    return None


def technician_author_refusal(author_id: str | None, technician_id: str | None,
                              user_id: str | None, what: str) -> str | None:
    """A technician writes notes and status events in their own name only."""
    if author_id not in (None, technician_id, user_id):
        return f"A technician can only {what}."
    return None


__all__ = ["ACTIONS", "ADMIN", "CLERK", "KIOSK", "MANAGER", "ROLES", "TECHNICIAN", "TABLE",
           "Access", "Decision", "can", "can_manage_users", "can_set_pins", "hidden_fields",
           "refused", "writing_role"]
