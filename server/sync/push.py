"""Push: apply a client's batch of mutations in one transaction, in order.

One transaction per request: the client's row is locked first (one batch of a client at a
time), then the rows the batch changes; the shop row is locked last, by taking the seqs
(or earlier, when a job number or a double-booking check needs a steady shop), so seqs
follow commit order. The mutations' effects, their outcomes, the client's new LMID and
the new seqs all commit together. A lost response is harmless: the client sends the batch again,
the ids it already has are skipped and reported with their stored outcome.

The mutations of one operation (``operation_id``: one action of a person) stand or fall
together (docs/protocol-notes.md): its first refusal undoes the others (the push is redone
with a savepoint around that operation, ``_Mode``), which are rejected naming it
(``refused_with``).
A refused operation is remembered (``RefusedOperation``), so a later part of it falls in a
later push too; a client that sends no operation ids has its status event tied to the
status move just before it.

Each mutation is planned before it touches anything, so a refused one leaves nothing
behind. Should the database still refuse something at the end (a bug or a limit the checks
missed), the batch is redone with a savepoint per mutation so only that one is rejected.

A refused mutation (``rejected`` or ``conflict``) re-sends its row: the row (or, where the
shop has no such row, a delete marker) takes a new seq in the same transaction
(``Batch.resend``), so the client's next incremental pull carries the server's state. In
the careful path that is recorded after the mutation's savepoint is over, so trimming the
changes of a rolled-back savepoint never takes it away.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import or_, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.timeutil import utcnow
from server.auth.roles import Principal
from server.db import Database
from server.errors import ApiError
from server.models import Client, MutationOutcome, RefusedOperation, ServerBase
from server.sync.apply import Batch, MutationIn, Outcome
from server.sync.changes import record_changes, unlocked_shop

log = logging.getLogger(__name__)


def push(db: Database, principal: Principal, client_id: str,
         mutations: Sequence[MutationIn]) -> dict[str, Any]:
    """Apply ``mutations`` for ``client_id``; the response body of PROTOCOL.md."""
    for before, after in zip(mutations, mutations[1:], strict=False):
        if after.id != before.id + 1:
            raise ApiError(409, "invalid_batch",  # like a gap: the ids do not follow on
                           f"Mutation ids in a batch must be contiguous and increasing; "
                           f"{after.id} follows {before.id}.")
    mode = _Mode()
    while True:
        try:
            with db.write() as session:
                return _push(session, principal, client_id, mutations, mode=mode)
        except _UndoNeeded as undo:
            # Each redo guards one more operation (a guarded one never asks), so this ends.
            log.info("push of client %s: operation %s must be undone; redoing the push with "
                     "a savepoint around it", client_id, undo.key)
            mode.guarded.add(undo.key)
            mode.everything = len(mode.guarded) >= MAX_REDOS
        except (IntegrityError, DataError) as exc:
            if mode.careful:
                raise
            log.warning("push of client %s refused by the database (%s); redoing it one "
                        "mutation at a time", client_id, type(exc.orig).__name__)
            mode = _Mode(careful=True, everything=True)


#: After this many redos for undos, one more redo guards every operation.
MAX_REDOS = 4


@dataclass
class _Mode:
    """Which operations ``_push`` runs in a savepoint.

    None at first: each mutation is planned before it touches anything, so a refusal
    leaves nothing of it, and an operation refused at its first mutation needs no undo.
    Only an operation refused after some of its mutations were applied does; then the push
    is redone with a savepoint around that operation (``guarded``). Savepoints cost a round
    trip and a flush each: around every operation of two mutations, a 500-mutation push
    took 754 SQL statements instead of 5 and about 5 times as long; undoing is rare (a
    conflict in the middle of an action). ``careful`` (after a database refusal) also puts
    a savepoint around each mutation, so only the one the database refuses is rejected.
    """

    careful: bool = False
    everything: bool = False
    guarded: set[int] = field(default_factory=set)

    def savepoint(self, key: int) -> bool:
        return self.everything or key in self.guarded


class _UndoNeeded(Exception):
    """An unguarded operation must be partly undone."""

    def __init__(self, key: int) -> None:
        super().__init__(key)
        self.key = key


def _push(session: Session, principal: Principal, client_id: str,
          mutations: Sequence[MutationIn], *, mode: _Mode) -> dict[str, Any]:
    now = utcnow()
    client = session.scalars(select(Client).where(Client.id == client_id)
                             .with_for_update()).first()
    if client is None:
        client = Client(id=client_id, shop_id=principal.shop_id, last_mutation_id=0,
                        user_id=principal.user_id, created_at=now, seen_at=now)
        session.add(client)
    elif client.shop_id != principal.shop_id:
        raise ApiError(403, "client_of_another_shop",
                       "This client id belongs to another shop's replica; a replica syncs "
                       "with one shop only.")
    lmid = int(client.last_mutation_id)
    old = [m for m in mutations if m.id <= lmid]
    new = [m for m in mutations if m.id > lmid]
    if new and new[0].id != lmid + 1:
        raise ApiError(409, "mutation_gap",
                       f"The server has this client's mutations up to {lmid}; the batch "
                       f"starts at {new[0].id}. Send the mutations after {lmid}.",
                       last_mutation_id=lmid)
    results: list[dict[str, Any]] = []
    if old:
        stored = {o.mutation_id: o for o in session.scalars(
            select(MutationOutcome).where(MutationOutcome.client_id == client_id,
                                          MutationOutcome.mutation_id.in_([m.id for m in old])))}
        for m in old:
            o = stored.get(m.id)
            results.append({"id": m.id, "status": "applied"} if o is None else
                           _result(m.id, o.status, o.reason, o.refused_with))
    batch = Batch(session, principal, unlocked_shop(principal.shop_id), client_id, now)
    batch.preload(new)
    ops = _operations(new)
    refused = _refused_earlier(session, client_id, ops)
    for key, group in ops:
        outcomes = _apply_operation(session, batch, key, group, refused, mode=mode)
        for m, outcome in zip(group, outcomes, strict=True):
            if outcome.status == "applied":
                results.append({"id": m.id, "status": "applied"})
                continue
            # The server keeps its own value: the row goes out again with a new seq, so the
            # client learns that value from an ordinary pull.
            batch.resend(m)
            results.append(_result(m.id, outcome.status, outcome.reason or "",
                                   outcome.refused_with))
            session.add(MutationOutcome(client_id=client_id, mutation_id=m.id,
                                        status=outcome.status, reason=outcome.reason or "",
                                        created_at=now, refused_with=outcome.refused_with))
    if new:
        client.last_mutation_id = new[-1].id
    client.seen_at = now
    client.user_id = principal.user_id
    session.flush()
    head = record_changes(session, batch.lock, batch.changes)
    return {"last_mutation_id": int(client.last_mutation_id), "results": results, "head": head}


def _result(mid: int, status: str, reason: str, refused_with: int | None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": mid, "status": status, "reason": reason}
    if refused_with is not None:
        result["refused_with"] = refused_with
    return result


# --- operations ------------------------------------------------------------------------

def _records_move(event: MutationIn, before: MutationIn) -> bool:
    """``event`` is the status event of the status move ``before`` (a client that sends no
    operation ids writes a move and then its event, with consecutive ids)."""
    return (event.entity == "status_event" and event.op == "upsert"
            and event.operation_id is None and before.operation_id is None
            and _moved_job(before) is not None
            and str(event.fields.get("job_id") or "").lower() == before.row_id)


def _moved_job(m: MutationIn) -> str | None:
    return m.row_id if m.entity == "job" and m.op == "upsert" and "status" in m.fields else None


def _operations(new: Sequence[MutationIn]) -> list[tuple[int, list[MutationIn]]]:
    """The batch cut into operations: runs of mutations with the same operation id. A
    mutation without one is an operation of its own, except a status event right after its
    job's status move, which joins the move."""
    ops: list[tuple[int, list[MutationIn]]] = []
    for i, m in enumerate(new):
        if m.operation_id is not None:
            key = m.operation_id
        elif i > 0 and _records_move(m, new[i - 1]):
            key = ops[-1][0]
        else:
            key = m.id
        if ops and ops[-1][0] == key:
            ops[-1][1].append(m)
        else:
            ops.append((key, [m]))
    return ops


def _refused_earlier(session: Session, client_id: str,
                     ops: list[tuple[int, list[MutationIn]]]) -> dict[int, RefusedOperation]:
    """Operations of this batch that began in an earlier push and were refused there. Costs
    a query only when the batch goes on with an operation of an earlier push (or names an
    operation by anything but its first mutation's id, as Bayline's replica never does)."""
    if not ops:
        return {}
    first = ops[0][1][0]
    earlier = [key for key, group in ops if key != group[0].id]
    tie = first.entity == "status_event" and first.op == "upsert" and first.operation_id is None
    if not earlier and not tie:
        return {}
    query = select(RefusedOperation).where(RefusedOperation.client_id == client_id)
    if tie:
        # An older client's status event whose move was the last mutation of the previous
        # push: it joins the move's operation if that was refused.
        job_id = str(first.fields.get("job_id") or "").lower()
        query = query.where(or_(RefusedOperation.operation_id.in_(earlier),
                                (RefusedOperation.last_mutation_id == first.id - 1)
                                & (RefusedOperation.moved_job_id == job_id)))
    else:
        query = query.where(RefusedOperation.operation_id.in_(earlier))
    found = {r.operation_id: r for r in session.scalars(query)}
    if tie and ops[0][0] == first.id:
        move = next((r for r in found.values() if r.last_mutation_id == first.id - 1
                     and r.moved_job_id is not None), None)
        if move is not None:
            ops[0] = (move.operation_id, ops[0][1])
    return found


def _tied(primary_id: int, reason: str) -> Outcome:
    return Outcome("rejected", f"Not applied: it was part of the same action as change "
                               f"{primary_id}, which was refused. {reason}".strip(),
                   refused_with=primary_id)


def _apply_operation(session: Session, batch: Batch, key: int, group: list[MutationIn],
                     refused: dict[int, RefusedOperation], *, mode: _Mode) -> list[Outcome]:
    """Apply one operation's mutations so that they stand or fall together: the first
    refusal undoes the others (see ``_Mode``), which are rejected naming it; conflict rows
    it wrote are kept. A refused operation is remembered, so a later part of it (in a later
    push) falls too."""
    prior = refused.get(key)
    if prior is not None:
        prior.last_mutation_id = group[-1].id
        prior.moved_job_id = _moved_job(group[-1])
        return [_tied(prior.mutation_id, prior.reason) for _ in group]
    if not mode.savepoint(key):
        # Each mutation is planned first: a refusal leaves nothing of it behind.
        outcomes = []
        for m in group:
            outcomes.append(batch.apply(m))
            if outcomes[-1].status != "applied":
                if len(outcomes) > 1:
                    raise _UndoNeeded(key)  # the mutations before it must be undone
                tied = _tied(m.id, outcomes[0].reason or "")
                outcomes += [tied] * (len(group) - 1)
                break
    else:
        mark = _Mark(batch)
        savepoint = session.begin_nested()
        outcomes = []
        for m in group:
            outcomes.append(_apply_carefully(session, batch, m) if mode.careful
                            else batch.apply(m))
            if outcomes[-1].status != "applied":
                break
        if outcomes[-1].status == "applied":
            savepoint.commit()
            return outcomes
        failed = outcomes[-1]
        kept = [(entity, _copy(row)) for entity, row in failed.kept]
        savepoint.rollback()
        mark.restore(batch)
        batch.keep(kept)
        primary = group[len(outcomes) - 1]
        tied = _tied(primary.id, failed.reason or "")
        outcomes = [tied] * (len(outcomes) - 1) + [failed] + [tied] * (len(group) - len(outcomes))
    failed_index = next((i for i, o in enumerate(outcomes) if o.status != "applied"), None)
    if failed_index is not None:
        primary = group[failed_index]
        refused[key] = RefusedOperation(
            client_id=batch.client_id, operation_id=key, mutation_id=primary.id,
            reason=outcomes[failed_index].reason or "", last_mutation_id=group[-1].id,
            moved_job_id=_moved_job(group[-1]), created_at=batch.now)
        session.add(refused[key])
    return outcomes


class _Mark:
    """What a rolled-back savepoint must put back in the ``Batch``."""

    def __init__(self, batch: Batch) -> None:
        self.changes = len(batch.changes)
        self.lock = batch.lock
        self.number = batch.lock.next_job_number

    def restore(self, batch: Batch) -> None:
        batch.cache.clear()
        del batch.changes[self.changes:]
        # A lock taken inside the rolled-back savepoint is gone with it: take it again later.
        batch.lock = self.lock
        batch.lock.next_job_number = self.number


def _copy(row: ServerBase) -> ServerBase:
    """A new object with ``row``'s column values (rows of an undone savepoint are gone)."""
    mapper = sa_inspect(type(row))
    return type(row)(**{a.key: getattr(row, a.key) for a in mapper.column_attrs})


def _apply_carefully(session: Session, batch: Batch, m: MutationIn) -> Outcome:
    mark = _Mark(batch)
    savepoint = session.begin_nested()
    try:
        outcome = batch.apply(m)
        session.flush()
    except (IntegrityError, DataError) as exc:
        savepoint.rollback()
        mark.restore(batch)
        log.warning("mutation %s of client %s refused by the database (%s)", m.id,
                    batch.client_id, type(exc.orig).__name__)
        return Outcome("rejected", "The server could not store this change (the database "
                                   "refused it); it was not applied.")
    savepoint.commit()
    return outcome
