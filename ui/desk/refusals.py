"""A refused click in a clerk's words, for the sync details panel.

``sync.outcomes.refused_changes`` gives one ``RefusedChange`` per refused operation with
the raw fields this computer sent; ``refusal_words`` turns one into what the panel shows:
*what* ("Job 1042 → On hold"), *why* (the server's reason), both values ("You wanted: On
hold", "The shop has: In progress") and the one-click choices (``sync.outcomes.choices``: for a
status, "mine" only along the table of moves; a plain refusal is dismissed). Ids are
replaced by the names ``app.queries.labels.row_labels`` finds; one it cannot name is
"another record", never the id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import rules
from sync.outcomes import Choice, RefusedChange, TakenAlong, choices, status_hint

#: field → the entity its id names.
_ID_FIELDS = {"job_id": "job", "technician_id": "technician", "bay_id": "bay",
              "customer_id": "customer", "vehicle_id": "vehicle", "by_id": "technician",
              "author_id": "technician"}
_STATUS_FIELDS = ("status", "to_status", "from_status")
_ENTITY_WORDS = {"job": "Job", "job_line": "Job line", "status_event": "Status change",
                 "time_entry": "Time entry", "note": "Note", "customer": "Customer",
                 "vehicle": "Vehicle", "technician": "Technician", "bay": "Bay",
                 "appointment": "Appointment"}


@dataclass(frozen=True)
class RefusalWords:
    mutation_id: int
    at: datetime
    what: str
    why: str
    #: "You wanted: …" / "The shop has: …" (empty when there is nothing to compare).
    mine: str
    theirs: str
    conflict_ids: tuple[str, ...]
    #: The buttons: (choice, its text, its tooltip), in the order shown.
    choices: tuple[tuple[Choice, str, str], ...] = ()
    #: Why "mine" is not offered (a status move the table does not allow now), else "".
    hint: str = ""
    #: The user id of the person who made the change (None: not known).
    acting_user_id: str | None = None


def choice_words(choice: Choice, c: RefusedChange,
                 labels: dict[tuple[str, str], str]) -> tuple[str, str]:
    """A choice's button text and tooltip, with the value it keeps where there is one."""
    def one(values: dict[str, Any]) -> str:
        shown = [f for f in _meaningful(c.mine) if f != "hold_reason" or len(c.mine) == 1]
        return ", ".join(value_words(f, values.get(f), labels) for f in shown[:1])

    if choice.keep == "theirs":
        value = one(c.theirs)
        return (f"Keep the shop's: {value}" if value else "Keep the shop's",
                "Accept what the shop has now; your change is dropped")
    if choice.keep == "mine":
        value = one(c.mine)
        return (f"Use mine: {value}" if value else "Use mine",
                "Make your value a new change; it is sent to the shop")
    return "Dismiss", "You have seen it: it leaves the list"


def refs_of(changes: list[RefusedChange]) -> set[tuple[str, str]]:
    """Every (entity, id) a refused change's words may need a name for."""
    refs: set[tuple[str, str]] = set()
    for c in changes:
        for entity, row_id, fields in _parts(c):
            refs.add((entity, row_id))
            for name, value in fields.items():
                if name in _ID_FIELDS and isinstance(value, str):
                    refs.add((_ID_FIELDS[name], value))
    return refs


def _parts(c: RefusedChange) -> list[tuple[str, str, dict[str, Any]]]:
    return [(c.entity, c.row_id, c.mine)] + [(t.entity, t.row_id, t.mine) for t in c.others]


def value_words(field: str, value: Any, labels: dict[tuple[str, str], str]) -> str:
    if value is None or value == "":
        if field in ("technician_id", "by_id", "author_id"):
            return "nobody"
        return "no bay" if field == "bay_id" else "none"
    if field in _STATUS_FIELDS:
        return rules.STATUS_LABELS.get(str(value), str(value))
    if field in _ID_FIELDS:
        return labels.get((_ID_FIELDS[field], str(value)), "another record")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "hold_reason":
        return f"waiting for {value}" if value != "other" else "other"
    return str(value).replace("_", " ")


def _meaningful(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields a person changed (not the bookkeeping a row carries along)."""
    return {k: v for k, v in fields.items() if k not in ("id", "at", "device_id", "by_id")}


def _field_words(field: str) -> str:
    return field.removesuffix("_id").replace("_", " ")


def _status_words(values: dict[str, Any], labels: dict[tuple[str, str], str]) -> str:
    text = value_words("status", values.get("status"), labels)
    if values.get("status") == "on_hold" and values.get("hold_reason"):
        text += f" ({value_words('hold_reason', values['hold_reason'], labels)})"
    return text


def _both_values(c: RefusedChange, labels: dict[tuple[str, str], str]) -> tuple[str, str]:
    """(what this person wanted, what the shop has) in words. A status with its hold
    reason is one value; an empty value of the shop's is "none" when the shop's row is
    known (a conflict names it, or it has a value), else the shop's side is not said."""
    mine = _meaningful(c.mine)
    if "status" in mine:
        if c.theirs.get("status") is None:
            return _status_words(mine, labels), ""
        return _status_words(mine, labels), _status_words(c.theirs, labels)
    known = bool(c.conflict_ids) or any(c.theirs.get(f) is not None for f in mine)
    compared = [f for f in mine if known and f in c.theirs]
    wanted = ", ".join(value_words(f, mine[f], labels) for f in (compared or mine))
    kept = ", ".join(value_words(f, c.theirs.get(f), labels) for f in compared)
    return wanted if compared else "", kept


def refusal_words(c: RefusedChange, labels: dict[tuple[str, str], str]) -> RefusalWords:
    """One refused click in words (see the module docstring)."""
    # Name the click by its job's change when it has one: a status move is refused with
    # its status event, and "Job 1042 → On hold" says it better than the event does.
    primary: RefusedChange | TakenAlong = c
    if c.entity != "job":
        primary = next((t for t in c.others if t.entity == "job"), c)
    entity, row_id, mine = primary.entity, primary.row_id, primary.mine
    if entity == "status_event" and isinstance(mine.get("job_id"), str):
        entity, row_id = "job", mine["job_id"]
        mine = {"status": mine.get("to_status")}
    label = labels.get((entity, row_id))
    kind = _ENTITY_WORDS.get(entity, entity.replace("_", " ").capitalize())
    if label is None:
        name = f"{kind} (not on this computer)"
    elif entity in ("job", "technician", "bay", "customer", "vehicle"):
        name = label
    else:
        name = f"{kind} of {label}"
    shown = _meaningful(mine)
    if "status" in shown:
        what = f"{name} → {value_words('status', shown['status'], labels)}"
        if shown.get("hold_reason"):
            what += f" ({value_words('hold_reason', shown['hold_reason'], labels)})"
    elif len(shown) == 1:
        (field, value), = shown.items()
        what = f"{name}: {_field_words(field)} → {value_words(field, value, labels)}"
    elif shown:
        what = f"{name}: {', '.join(_field_words(f) for f in shown)} changed"
    else:
        what = f"{name} changed"
    wanted, kept = _both_values(c, labels)
    why = c.reason or "The server gave no reason."
    for code, label in rules.STATUS_LABELS.items():  # "status is now 'in_progress'"
        why = why.replace(f"'{code}'", f"“{label}”")
    buttons = tuple((choice, *choice_words(choice, c, labels)) for choice in choices(c))
    return RefusalWords(c.mutation_id, c.at, what, why,
                        f"You wanted: {wanted}" if wanted else "",
                        f"The shop has: {kept}" if kept else "", c.conflict_ids,
                        buttons, status_hint(c), c.acting_user_id)
