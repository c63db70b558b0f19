"""Who may read and write what (PROTOCOL.md roles, plus ``kiosk``).

admin and manager: all shop data. clerk: customers, vehicles, jobs, lines, appointments,
notes and the status events of their moves; reads everything, writes no time entries.
technician: reads the shop's jobs, vehicles, lines, appointments, technicians, bays, notes,
status events and the customers' names (no contact details); their own time entries;
moves the status of jobs assigned to them, claims queued unassigned ones, writes their own
time entries, notes and findings and the status events of their moves. kiosk (a shared
touch kiosk's device account): reads like a technician (every technician's time entries,
to show who is clocked on), writes nothing; a technician signs in on it with a PIN.
"""

from __future__ import annotations

from server.auth.roles import ADMIN, CLERK, KIOSK, MANAGER, TECHNICIAN, Principal

ALL_ENTITIES = frozenset({"customer", "vehicle", "technician", "bay", "job", "job_line",
                          "appointment", "time_entry", "note", "status_event", "conflict",
                          "shop_settings"})
#: Entities only some roles read at all. A PIN verifier goes to kiosk device accounts only
#: (for the offline PIN check); nobody writes one through sync (``server.pins`` does).
READ_ONLY_BY: dict[str, frozenset[str]] = {"technician_pin": frozenset({KIOSK})}

#: Entities each role may create or change (row-level limits are in ``apply``).
WRITE: dict[str, frozenset[str]] = {
    ADMIN: ALL_ENTITIES,
    MANAGER: ALL_ENTITIES,
    CLERK: frozenset({"customer", "vehicle", "job", "job_line", "appointment", "note",
                      "status_event", "conflict"}),
    TECHNICIAN: frozenset({"job", "time_entry", "note", "status_event", "conflict"}),
    KIOSK: frozenset(),
}

#: Entities each role may delete (tombstone). Append-only rows are never deleted.
DELETE: dict[str, frozenset[str]] = {
    ADMIN: frozenset({"customer", "vehicle", "technician", "bay", "job", "job_line",
                      "appointment"}),
    MANAGER: frozenset({"customer", "vehicle", "technician", "bay", "job", "job_line",
                        "appointment"}),
    CLERK: frozenset({"customer", "vehicle", "job", "job_line", "appointment"}),
    TECHNICIAN: frozenset(),
    KIOSK: frozenset(),
}

#: Fields a role may not read, by entity (omitted from pulled rows).
HIDDEN_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    TECHNICIAN: {"customer": frozenset({"phone", "email", "address", "notes"})},
    KIOSK: {"customer": frozenset({"phone", "email", "address", "notes"})},
}

#: Job fields a technician changes when moving a job's status.
TECHNICIAN_MOVE_FIELDS = frozenset({"status", "hold_reason", "completed_at", "closed_at"})
#: Statuses only the front desk or a manager moves a job to.
DESK_ONLY_STATUSES = frozenset({"closed", "cancelled"})

ROLE_NAMES = {ADMIN: "An admin", MANAGER: "A manager", CLERK: "A clerk",
              TECHNICIAN: "A technician", KIOSK: "A kiosk device account"}


def entity_label(entity: str) -> str:
    return {"job_line": "job line", "time_entry": "time entry",
            "status_event": "status event", "shop_settings": "shop settings",
            "technician_pin": "technician PIN"}.get(entity, entity)


def plural(entity: str) -> str:
    label = entity_label(entity)
    if entity == "shop_settings":
        return "the shop settings"
    if label.endswith("y"):
        return label[:-1] + "ies"
    return label + ("es" if label.endswith("s") else "s")


def may_write(principal: Principal, entity: str) -> bool:
    return entity in WRITE.get(principal.role, frozenset())


def may_read(principal: Principal, entity: str) -> bool:
    only = READ_ONLY_BY.get(entity)
    return only is None or principal.role in only


def may_delete(principal: Principal, entity: str) -> bool:
    return entity in DELETE.get(principal.role, frozenset())


def hidden_fields(principal: Principal, entity: str) -> frozenset[str]:
    return HIDDEN_FIELDS.get(principal.role, {}).get(entity, frozenset())


def refused(principal: Principal, what: str) -> str:
    return f"{ROLE_NAMES.get(principal.role, 'This account')} cannot {what}."
