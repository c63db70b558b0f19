"""The push side of the replica: reading batches from the outbox and settling the answers.

An outbox entry's ``id`` is the protocol's mutation id. ``SyncState.acked_mutation_id`` is
the last id the server has acknowledged (its LMID as we last heard it):

- entries above it are *pending*: pushed in id order, re-applied over pulled rows;
- entries at or below it are gone once applied. A ``rejected`` or ``conflict`` entry stays
  a little longer, *settled*: it is never pushed or re-applied again. The server gave the
  refused row a new seq when it refused it (its own state, or a ``delete`` where it has no
  such row), so the next ordinary pull brings the server's state; once that pull reaches
  the head the settled entries are dropped (``drop_settled``, from ``Syncer.pull_to_head``).
  The person sees the outcome as a ``MutationOutcome`` row.

Every entry names the operation that wrote it (``operation_id``: one ``Store.run``, one
click; the id of its first entry). Batches are cut between operations, and the server lets
an operation's mutations stand or fall together (docs/protocol-notes.md, "Operation id").
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Row, delete, distinct, func, select, text, update
from sqlalchemy.orm import Session

from app.models import MutationOutcome, Outbox, SyncState
from app.timeutil import to_rfc3339
from sync.errors import ErrorKind, SyncError

log = logging.getLogger(__name__)

#: Results a push can report per mutation (PROTOCOL.md).
APPLIED, REJECTED, CONFLICT = "applied", "rejected", "conflict"
#: The key of a ``MutationOutcome``'s ``fields`` that keeps the user id of the person who
#: made the refused change (not a field of the row: ``sync.outcomes`` takes it out). Kept
#: in the JSON rather than a column so the replica's schema stays at its head.
ACTED_BY = "@acting_user_id"


@dataclass(frozen=True)
class Batch:
    """Mutations to push, in id order, as they go on the wire."""

    mutations: list[dict[str, Any]]
    urgent: bool = False

    @property
    def ids(self) -> list[int]:
        return [int(m["id"]) for m in self.mutations]

    def __len__(self) -> int:
        return len(self.mutations)


@dataclass
class PushSettled:
    """What one push answer did to the outbox."""

    acked: int
    applied: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    #: (entity, row_id) of every settled mutation, for the ``Changes`` the UI gets.
    rows: set[tuple[str, str]] = field(default_factory=set)
    #: The operations of the refused mutations.
    refused_operations: set[int] = field(default_factory=set)

    @property
    def refused(self) -> int:
        """Refused operations (clicks): a move and its status event count once."""
        return len(self.refused_operations)


def sync_state(session: Session) -> SyncState:
    state = session.get(SyncState, 1)
    if state is None:
        raise SyncError(ErrorKind.LOCAL, "The local database has no sync state; reopen it.")
    return state


def to_wire(entry: Outbox | Row[Any]) -> dict[str, Any]:
    wire = {"id": entry.id, "entity": entry.entity, "row_id": entry.row_id, "op": entry.op,
            "fields": entry.fields or {}, "base": entry.base or {},
            "at": to_rfc3339(entry.created_at), "operation_id": operation_of(entry)}
    if entry.acting_user_id is not None:
        wire["acting_user_id"] = entry.acting_user_id  # a kiosk's technician
    return wire


def pending_count(session: Session, acked: int | None = None) -> int:
    floor = sync_state(session).acked_mutation_id if acked is None else acked
    return int(session.scalar(select(func.count()).select_from(Outbox)
                              .where(Outbox.id > floor)) or 0)


def oldest_pending(session: Session) -> datetime | None:
    floor = sync_state(session).acked_mutation_id
    return session.scalar(select(func.min(Outbox.created_at)).where(Outbox.id > floor))


def has_urgent(session: Session) -> bool:
    floor = sync_state(session).acked_mutation_id
    return session.scalar(select(Outbox.id).where(Outbox.id > floor, Outbox.urgent.is_(True))
                          .limit(1)) is not None


def has_settled(session: Session) -> bool:
    """True while refused entries wait for the pull that brings the server's state of their
    rows (see the module docstring)."""
    floor = sync_state(session).acked_mutation_id
    return session.scalar(select(Outbox.id).where(Outbox.id <= floor).limit(1)) is not None


def operation_of(entry: Outbox | Row[Any]) -> int:
    """The operation that wrote ``entry`` (an entry from before migration 0006: its own)."""
    return entry.operation_id if entry.operation_id is not None else entry.id


def read_batch(session: Session, *, max_count: int, max_bytes: int) -> Batch:
    """The next pending mutations in id order: at most ``max_count`` and about ``max_bytes``
    of JSON, made of whole operations.

    A batch never splits an operation (the mutations one click wrote: a status move and its
    event), so the server can let them stand or fall together. An operation that alone is
    larger than a batch goes alone, in parts of at most the limits (the server's 413 limits
    hold): its first part fills a batch, and each later part goes alone as well. The server
    ties the parts by their operation id: once a part is refused, the rest falls with it.
    (A single mutation larger than ``max_bytes`` still goes alone: the server decides.)
    """
    floor = sync_state(session).acked_mutation_id
    # Plain rows, not ORM objects: a drain reads thousands of entries, and only to send them.
    entries = session.execute(select(*Outbox.__table__.columns).where(Outbox.id > floor)
                              .order_by(Outbox.id).limit(max_count + 1)).all()
    if not entries:
        return Batch([])
    first_op = operation_of(entries[0])
    mutations: list[dict[str, Any]] = []
    ops: list[int] = []
    size = 200  # the envelope
    for entry in entries[:max_count]:
        op = operation_of(entry)
        if first_op < entries[0].id and op != first_op:
            break  # the rest of an operation larger than a batch: alone
        wire = to_wire(entry)
        n = len(json.dumps(wire, separators=(",", ":"), ensure_ascii=False).encode()) + 1
        if mutations and size + n > max_bytes:
            break
        mutations.append(wire)
        ops.append(op)
        size += n
    if len(mutations) < len(entries) and operation_of(entries[len(mutations)]) == ops[-1]:
        # The last operation goes on past the cut: it waits for the next batch, unless it
        # is all this batch holds (then it is larger than a batch and goes in parts).
        start = ops.index(ops[-1])
        if start > 0:
            del mutations[start:]
    urgent = any(e.urgent for e in entries[:len(mutations)])
    return Batch(mutations, urgent)


def settle_push(session: Session, batch: Batch, answer: dict[str, Any],
                now: datetime) -> PushSettled:
    """Apply a push answer to the outbox in the caller's transaction.

    Applied entries at or below the server's LMID are dropped; refused ones become
    ``MutationOutcome`` rows and stay settled until the next pull reaches the head. Entries
    above the LMID (the server stopped early) stay pending and go again.
    """
    try:
        lmid = int(answer["last_mutation_id"])
        results = {int(r["id"]): r for r in answer.get("results") or []}
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncError(ErrorKind.SERVER, "The server's push answer was not understood.",
                        retryable=True) from exc
    state = sync_state(session)
    # Never past the end of this batch: entries after it that the server also has (a batch
    # whose answer was lost) go again, and the server answers them from its stored outcomes.
    settled = PushSettled(acked=max(state.acked_mutation_id, min(lmid, max(batch.ids))))
    by_id = {int(m["id"]): m for m in batch.mutations}
    for mid, mutation in by_id.items():
        if mid > lmid:
            continue
        settled.rows.add((mutation["entity"], mutation["row_id"]))
        result = results.get(mid, {})
        status = str(result.get("status") or APPLIED)
        if status in (REJECTED, CONFLICT):
            reason = str(result.get("reason") or "")
            fields = dict(mutation.get("fields") or {})
            # The person who acted: a kiosk's technician, else whoever is signed in and
            # pushes (the server's principal); ``sync.outcomes`` shows it to them.
            acted_by = mutation.get("acting_user_id") or state.user_id
            if acted_by is not None:
                fields[ACTED_BY] = acted_by
            session.merge(MutationOutcome(
                mutation_id=mid, entity=mutation["entity"], row_id=mutation["row_id"],
                status=status, reason=reason or _default_reason(status),
                fields=fields, at=now, dismissed_at=None,
                operation_id=int(mutation.get("operation_id") or mid),
                refused_with=_int_or_none(result.get("refused_with"))))
            (settled.rejected if status == REJECTED else settled.conflicts).append(mid)
            settled.refused_operations.add(int(mutation.get("operation_id") or mid))
            log.info("mutation %s on %s %s was %s: %s", mid, mutation["entity"],
                     mutation["row_id"], status, reason)
        else:
            settled.applied.append(mid)
    if settled.applied:
        for chunk in _chunks(settled.applied, 500):
            session.execute(delete(Outbox).where(Outbox.id.in_(chunk)))
    state.acked_mutation_id = settled.acked
    return settled


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _default_reason(status: str) -> str:
    if status == CONFLICT:
        return "Someone else changed this at the same time; the server kept their value."
    return "The server did not accept this change."


def drop_settled(session: Session) -> int:
    """Once a pull has reached the head (or after a reset): forget the settled entries; the
    server's state of their rows has arrived (their outcomes stay)."""
    floor = sync_state(session).acked_mutation_id
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(Outbox).where(Outbox.id <= floor))
    return result.rowcount or 0


def max_assigned_id(session: Session) -> int:
    """The highest mutation id this replica ever handed out (AUTOINCREMENT's memory)."""
    seq = session.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")).scalar()
    top = session.scalar(select(func.max(Outbox.id)))
    return max(int(seq or 0), int(top or 0))


def renumber_pending(session: Session, first_id: int) -> int:
    """Give the pending entries contiguous ids from ``first_id`` in their order, and make new
    entries follow them. Settled entries move below zero so they stay settled.

    Used when the server's LMID and ours disagree in a way retrying cannot fix: the server
    lost mutations it had acknowledged (restored from a backup: 409 gap below our LMID), or
    it knows ids this replica never made (the replica was restored from a backup).
    Returns the new acknowledged id (``first_id - 1``).
    """
    state = sync_state(session)
    floor = state.acked_mutation_id
    pending = session.execute(select(Outbox.id, Outbox.operation_id)
                              .where(Outbox.id > floor).order_by(Outbox.id)).all()
    ids = [row.id for row in pending]
    # An operation is named by its first entry's id: it moves with that entry (or, when its
    # first part was already pushed, takes its first pending entry's new id).
    new_op: dict[int, int] = {}
    for new, row in enumerate(pending, start=first_id):
        new_op.setdefault(row.id if row.operation_id is None else row.operation_id, new)
    session.execute(update(Outbox).where(Outbox.id <= floor, Outbox.id > 0)
                    .values(id=-Outbox.id).execution_options(synchronize_session=False))
    park = -(10**12)
    session.execute(update(Outbox).where(Outbox.id > floor)
                    .values(id=park - Outbox.id).execution_options(synchronize_session=False))
    for new, row in enumerate(pending, start=first_id):
        op = new_op[row.id if row.operation_id is None else row.operation_id]
        session.execute(update(Outbox).where(Outbox.id == park - row.id)
                        .values(id=new, operation_id=op)
                        .execution_options(synchronize_session=False))
    last = first_id - 1 + len(ids)
    session.execute(text("UPDATE sqlite_sequence SET seq = :seq WHERE name = 'outbox'"),
                    {"seq": last})
    if session.execute(text("SELECT changes()")).scalar() == 0:
        session.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', :seq)"),
                        {"seq": last})
    state.acked_mutation_id = first_id - 1
    log.warning("renumbered %d pending changes to start at %d (server and replica disagreed "
                "on the last mutation id)", len(ids), first_id)
    return first_id - 1


def reconcile_lmid(session: Session, server_lmid: int) -> bool:
    """Handle a server LMID this replica never handed out (True when ids were moved)."""
    if server_lmid > max_assigned_id(session):
        renumber_pending(session, server_lmid + 1)
        return True
    return False


def count_refused(session: Session) -> int:
    """How many refused operations (clicks) the person has not dismissed yet."""
    op = func.coalesce(MutationOutcome.operation_id, MutationOutcome.mutation_id)
    return int(session.scalar(select(func.count(distinct(op)))
                              .where(MutationOutcome.dismissed_at.is_(None))) or 0)


def prune_outcomes(session: Session, before: datetime) -> int:
    """Forget dismissed outcomes older than ``before``."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(MutationOutcome).where(MutationOutcome.dismissed_at.is_not(None),
                                      MutationOutcome.dismissed_at < before))
    return result.rowcount or 0


def _chunks(items: list[int], n: int) -> list[list[int]]:
    return [items[i:i + n] for i in range(0, len(items), n)]
