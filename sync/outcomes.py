"""What became of this replica's refused changes, for the person who made them.

A ``rejected`` or ``conflict`` push result becomes a ``MutationOutcome`` row; a conflict
also syncs a ``conflict`` row from the server naming this replica. ``refused_changes``
puts the two together, one entry per refused operation (one click: a status move and its
event are refused together), with both values: what this computer wanted and what the server
kept (which the replica shows after its next ordinary pull: the server re-sends a refused
row). ``resolve_conflict`` is the one-click choice: a domain operation like those of
``app.ops`` (run it with ``store.run``), so choosing "mine" is an ordinary edit that syncs.

Each refusal belongs to the person who made the change (``acting_user_id``: a kiosk's
technician, else the user signed in when it was pushed); ``refused_changes(for_user=...)``
gives a person theirs. ``choices`` says which one-click choices a refusal offers (for a
status, "mine" only when the table of moves allows it from the shop's status now), and
``resolve_refusal`` / ``dismiss_refusal`` are the domain operations the choices run: one
refused click settled in one transaction, its conflicts marked resolved by the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app import rules
from app.db import Store, Writer
from app.entities import WIRE
from app.errors import NotFound, ValidationError
from app.models import MODELS, Conflict, MutationOutcome
from app.ops import jobs
from app.timeutil import utcnow
from sync.outbox import ACTED_BY, sync_state


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
    #: The user id of the person who made the change (None: not known, an older refusal).
    acting_user_id: str | None = None

    def is_for(self, user_id: str | None) -> bool:
        """True when this refusal is ``user_id``'s to see (one of unknown origin is
        everybody's: it is never hidden)."""
        return self.acting_user_id is None or user_id is None or self.acting_user_id == user_id


@dataclass(frozen=True)
class Choice:
    """One button of a refusal: ``keep`` is "theirs" (the shop's value), "mine" (this
    person's value, made a new change) or "dismiss" (a plain refusal: seen)."""

    keep: str
    #: For a status, the status "mine" moves the job to (one the table of moves allows).
    to_status: str | None = None


def choices(c: RefusedChange) -> tuple[Choice, ...]:
    """The one-click choices of a refused change.

    A conflict still open offers the shop's value and, unless the change was a status
    move the table of moves does not allow from the shop's status now, this person's. A
    plain refusal (or a conflict already settled) is only dismissed.
    """
    if not c.conflict_ids:
        return (Choice("dismiss"),)
    out = [Choice("theirs")]
    if c.entity == "job" and "status" in c.mine:
        mine, theirs = c.mine.get("status"), c.theirs.get("status")
        if isinstance(mine, str) and isinstance(theirs, str) and rules.can_move(theirs, mine):
            out.append(Choice("mine", mine))
    else:
        out.append(Choice("mine"))
    return tuple(out)


def status_hint(c: RefusedChange) -> str:
    """For a status conflict whose "mine" is not a legal move from the shop's status: the
    moves that are (``rules.describe_refused_move``), else ""."""
    if not c.conflict_ids or c.entity != "job" or "status" not in c.mine:
        return ""
    mine, theirs = c.mine.get("status"), c.theirs.get("status")
    if not isinstance(mine, str) or not isinstance(theirs, str) or mine == theirs \
            or rules.can_move(theirs, mine):
        return ""
    return rules.describe_refused_move(theirs, mine)


def _operation(o: MutationOutcome) -> int:
    return o.operation_id if o.operation_id is not None else o.mutation_id


def _fields(o: MutationOutcome) -> dict[str, Any]:
    return {k: v for k, v in (o.fields or {}).items() if k != ACTED_BY}


def refused_changes(store: Store, *, include_dismissed: bool = False,
                    for_user: str | None = None,
                    mutation_ids: set[int] | None = None) -> list[RefusedChange]:
    """This replica's refused changes, one per operation (one per click), newest first.

    The primary refusal is the one the server gave its own reason for; the others of the
    same operation were refused with it (the server names it in ``refused_with``) and are
    listed in ``others``. ``for_user``: only that person's (and those of unknown origin);
    ``mutation_ids``: only the operations of these mutations.
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
                             and name in spec else None) for name in _fields(o)}
            conflicts = tuple(s.scalars(select(Conflict.id).where(
                Conflict.client_id == client_id, Conflict.mutation_id == o.mutation_id,
                Conflict.resolved_at.is_(None), Conflict.deleted_at.is_(None))))
            others = tuple(TakenAlong(m.mutation_id, m.entity, m.row_id, _fields(m))
                           for m in members if m is not o)
            acted_by = next((m.fields[ACTED_BY] for m in members
                             if isinstance((m.fields or {}).get(ACTED_BY), str)), None)
            change = RefusedChange(o.mutation_id, o.status, o.entity, o.row_id, o.reason,
                                   _fields(o), theirs, o.at, conflicts, op, others, acted_by)
            if for_user is not None and not change.is_for(for_user):
                continue
            if mutation_ids is not None and not mutation_ids & {m.mutation_id for m in members}:
                continue
            out.append(change)
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


def _dismiss_operation(w: Writer, outcome: MutationOutcome) -> None:
    op = _operation(outcome)
    for o in w.session.scalars(select(MutationOutcome).where(
            MutationOutcome.dismissed_at.is_(None),
            func.coalesce(MutationOutcome.operation_id, MutationOutcome.mutation_id) == op)):
        o.dismissed_at = w.now
        # Not a synced row: named in the ``Changes`` so the views of refusals follow.
        w.collector.add("mutation_outcome", [str(o.mutation_id)])


def dismiss_refusal(w: Writer, mutation_id: int) -> int:
    """The domain operation of "Dismiss": the refused click of ``mutation_id`` leaves the
    list (its outcomes are local: nothing is sent)."""
    outcome = w.session.get(MutationOutcome, mutation_id)
    if outcome is None:
        raise NotFound("That refused change is no longer listed.")
    _dismiss_operation(w, outcome)
    return mutation_id


def _acting(w: Writer) -> str | None:
    """Who makes this write: a kiosk's technician, else the user signed in."""
    if w.acting_user_id is not None:
        return w.acting_user_id
    return w.state.user_id


def resolve_refusal(w: Writer, mutation_id: int, *, keep: str) -> int:
    """The one-click choice of a refused click: ``keep="theirs"`` accepts the shop's values,
    ``keep="mine"`` makes this person's values a new change (a status only along the table
    of moves: ``TransitionError`` otherwise). Every open conflict of the change is marked
    resolved by the person, and the refusal leaves the list, in one transaction."""
    outcome = w.session.get(MutationOutcome, mutation_id)
    if outcome is None:
        raise NotFound("That refused change is no longer listed.")
    ids = list(w.session.scalars(select(Conflict.id).where(
        Conflict.client_id == w.device_id, Conflict.mutation_id == mutation_id,
        Conflict.resolved_at.is_(None), Conflict.deleted_at.is_(None))
        .order_by(Conflict.field)))
    by_id = _acting(w)
    hold = _fields(outcome).get("hold_reason")
    for conflict_id in ids:
        resolve_conflict(w, conflict_id, keep=keep, by_id=by_id,
                         hold_reason=hold if isinstance(hold, str) else None)
    _dismiss_operation(w, outcome)
    return mutation_id


def resolve_conflict(w: Writer, conflict_id: str, *, keep: str,
                     by_id: str | None = None, hold_reason: str | None = None) -> str:
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
                jobs.move_status(w, conflict.row_id, value, hold_reason=hold_reason)
        else:
            w.update(row, urgent=True, **{conflict.field: value})
    w.update(conflict, resolved_at=w.now, resolved_by=by_id)
    return conflict.id
