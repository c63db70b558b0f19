"""What became of this replica's refused changes, for the person who made them.

A ``rejected`` or ``conflict`` push result becomes a ``MutationOutcome`` row; a conflict
also syncs a ``conflict`` row from the server naming this replica. ``refused_changes``
puts the two together, one entry per refused operation (one click: a status move and its
event are refused together), with both values: what this computer wanted and what the server
kept (which the replica shows after its next ordinary pull: the server re-sends a refused
row). ``resolve_conflict`` is the one-click choice: a domain operation like those of
``app.ops`` (run it with ``store.run``), so choosing "mine" is an ordinary edit that syncs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.db import Store, Writer
from app.entities import WIRE
from app.errors import ValidationError
from app.models import MODELS, Conflict, MutationOutcome
from app.ops import jobs
from app.timeutil import utcnow
from sync.outbox import sync_state


@dataclass(frozen=True)
class TakenAlong:
    """Another change of the same click, refused because the first one was."""

    mutation_id: int
    entity: str
    row_id: str
    #: Field → the value this computer sent.
    mine: dict[str, Any]


@dataclass(frozen=True)
class RefusedChange:
    """One refused operation (one click): its primary refusal and what went with it."""

    mutation_id: int
    status: str  # "rejected" | "conflict"
    entity: str
    row_id: str
    #: Why, in words the server chose for a person.
    reason: str
    #: Field → the value this computer sent.
    mine: dict[str, Any]
    #: Field → the value the shop has now (the server's, as this replica holds it).
    theirs: dict[str, Any]
    at: datetime
    #: Open ``conflict`` rows of this change (one per guarded field), for the choice.
    conflict_ids: tuple[str, ...] = ()
    #: The operation (see ``sync.outbox``); the other changes it took along.
    operation_id: int = 0
    others: tuple[TakenAlong, ...] = ()


def _operation(o: MutationOutcome) -> int:
    return o.operation_id if o.operation_id is not None else o.mutation_id


def refused_changes(store: Store, *, include_dismissed: bool = False) -> list[RefusedChange]:
    """This replica's refused changes, one per operation (one per click), newest first.

    The primary refusal is the one the server gave its own reason for; the others of the
    same operation were refused with it (the server names it in ``refused_with``) and are
    listed in ``others``.
    """
    out: list[RefusedChange] = []
    with store.read() as s:
        client_id = sync_state(s).client_id
        query = select(MutationOutcome).order_by(MutationOutcome.mutation_id)
        if not include_dismissed:
            query = query.where(MutationOutcome.dismissed_at.is_(None))
        groups: dict[int, list[MutationOutcome]] = {}
        for o in s.scalars(query):
            groups.setdefault(_operation(o), []).append(o)
        for op, members in groups.items():
            o = next((m for m in members if m.refused_with is None), members[0])
            model = MODELS.get(o.entity)
            row = s.get(model, o.row_id) if model is not None else None
            spec = WIRE[o.entity].fields if o.entity in WIRE else {}
            theirs = {name: (spec[name].to_wire(getattr(row, name)) if row is not None
                             and name in spec else None) for name in (o.fields or {})}
            conflicts = tuple(s.scalars(select(Conflict.id).where(
                Conflict.client_id == client_id, Conflict.mutation_id == o.mutation_id,
                Conflict.resolved_at.is_(None), Conflict.deleted_at.is_(None))))
            others = tuple(TakenAlong(m.mutation_id, m.entity, m.row_id, dict(m.fields or {}))
                           for m in members if m is not o)
            out.append(RefusedChange(o.mutation_id, o.status, o.entity, o.row_id, o.reason,
                                     dict(o.fields or {}), theirs, o.at, conflicts, op, others))
    out.sort(key=lambda r: (r.at, r.mutation_id), reverse=True)
    return out


def dismiss(store: Store, mutation_id: int) -> None:
    """The person has seen it: the refused operation of ``mutation_id`` leaves the list
    with everything it took along (kept 30 days for support)."""
    with store.write_session() as s:
        outcome = s.get(MutationOutcome, mutation_id)
        if outcome is None:
            return
        op = _operation(outcome)
        for o in s.scalars(select(MutationOutcome).where(
                MutationOutcome.dismissed_at.is_(None),
                func.coalesce(MutationOutcome.operation_id, MutationOutcome.mutation_id) == op)):
            o.dismissed_at = utcnow()


def resolve_conflict(w: Writer, conflict_id: str, *, keep: str,
                     by_id: str | None = None) -> str:
    """Close a conflict: ``keep="theirs"`` accepts the server's value; ``keep="mine"``
    makes this computer's value an ordinary new edit (a status goes through the table of
    moves, so it may be refused with the moves that are possible)."""
    if keep not in ("mine", "theirs"):
        raise ValidationError("Choose to keep your value or theirs.")
    conflict = w.get(Conflict, conflict_id, what="conflict")
    if conflict.resolved_at is not None:
        return conflict.id
    if keep == "mine":
        model = MODELS[conflict.entity]
        row = w.get(model, conflict.row_id)
        spec = WIRE[conflict.entity].fields[conflict.field]
        value = spec.from_wire(conflict.client_value)
        if conflict.entity == "job" and conflict.field == "status":
            if getattr(row, "status") != value:  # noqa: B009 - any entity's row
                jobs.move_status(w, conflict.row_id, value, by_id=by_id)
        else:
            w.update(row, urgent=True, **{conflict.field: value})
    w.update(conflict, resolved_at=w.now, resolved_by=by_id)
    return conflict.id
