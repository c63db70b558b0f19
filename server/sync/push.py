"""Push: apply a client's batch of mutations in one transaction, in order.

One transaction per request: the client's row is locked first (one batch of a client at a
time), then the rows the batch changes; the shop row is locked last, by taking the seqs
(or earlier, when a job number or a double-booking check needs a steady shop), so seqs
follow commit order. The mutations' effects, their outcomes, the client's new LMID and
the new seqs all commit together. A lost response is harmless: the client sends the batch again,
the ids it already has are skipped and reported with their stored outcome.

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
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.timeutil import utcnow
from server.auth.roles import Principal
from server.db import Database
from server.errors import ApiError
from server.models import Client, MutationOutcome
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
    try:
        with db.write() as session:
            return _push(session, principal, client_id, mutations, careful=False)
    except (IntegrityError, DataError) as exc:
        log.warning("push of client %s refused by the database (%s); redoing it one "
                    "mutation at a time", client_id, type(exc.orig).__name__)
    with db.write() as session:
        return _push(session, principal, client_id, mutations, careful=True)


def _push(session: Session, principal: Principal, client_id: str,
          mutations: Sequence[MutationIn], *, careful: bool) -> dict[str, Any]:
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
                           {"id": m.id, "status": o.status, "reason": o.reason})
    batch = Batch(session, principal, unlocked_shop(principal.shop_id), client_id, now)
    batch.preload(new)
    for m in new:
        outcome = _apply_carefully(session, batch, m) if careful else batch.apply(m)
        result: dict[str, Any] = {"id": m.id, "status": outcome.status}
        if outcome.status != "applied":
            # The server keeps its own value: the row goes out again with a new seq, so
            # the client learns that value from an ordinary pull.
            batch.resend(m)
            result["reason"] = outcome.reason or ""
            session.add(MutationOutcome(client_id=client_id, mutation_id=m.id,
                                        status=outcome.status, reason=outcome.reason or "",
                                        created_at=now))
        results.append(result)
    if new:
        client.last_mutation_id = new[-1].id
    client.seen_at = now
    client.user_id = principal.user_id
    session.flush()
    head = record_changes(session, batch.lock, batch.changes)
    return {"last_mutation_id": int(client.last_mutation_id), "results": results, "head": head}


def _apply_carefully(session: Session, batch: Batch, m: MutationIn) -> Outcome:
    changes_before, lock_before = len(batch.changes), batch.lock
    number_before = lock_before.next_job_number
    savepoint = session.begin_nested()
    try:
        outcome = batch.apply(m)
        session.flush()
    except (IntegrityError, DataError) as exc:
        savepoint.rollback()
        batch.cache.clear()
        del batch.changes[changes_before:]
        # A lock taken inside the rolled-back savepoint is gone with it: take it again later.
        batch.lock = lock_before
        batch.lock.next_job_number = number_before
        log.warning("mutation %s of client %s refused by the database (%s)", m.id,
                    batch.client_id, type(exc.orig).__name__)
        return Outcome("rejected", "The server could not store this change (the database "
                                   "refused it); it was not applied.")
    savepoint.commit()
    return outcome
