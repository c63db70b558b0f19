"""Pulled changes this replica cannot apply: kept raw with the reason, never a wedge.

One row the replica cannot apply (a constraint this version's schema gets wrong, a value it
cannot read) must never stop it from syncing. ``sync.replica.apply_page`` applies a page on
its fast path; when that fails, the page is applied again change by change, each in its own
savepoint, and a change that still fails is *quarantined* here: kept exactly as the server
sent it with the reason, while the cursor moves on. Changes that depend on it are *held*
with it, unapplied, so the replica never shows half of a story:

- later changes of the same row (they would apply over a state the replica never had);
- rows whose reference fields (``job_id``, ``customer_id``, ...) name a held row.

Every hold is retried at each start (the engine's ``start``, each ``sync`` command), which
is also after any migration (migrations run when the replica is opened): a fixed version
applies what an older one could not, and the replica converges. Until then the status says
"1 change from the server could not be applied", with the reason in the details, and the
convergence tests count a quarantined row as divergence: it is a bug to fix, not a state
to live with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select
from sqlalchemy.orm import Session

from app.db import Store
from app.models import Quarantine

log = logging.getLogger(__name__)

#: (entity, row_id) of a quarantined change → the id of its quarantine row.
Held = dict[tuple[str, str], int]


@dataclass(frozen=True)
class NotApplied:
    """One quarantined change, for the status details."""

    id: int
    entity: str
    row_id: str
    reason: str
    held_by: int | None
    at: datetime
    attempts: int


def held(session: Session) -> Held:
    """What is quarantined now (usually nothing: one cheap query per page)."""
    return {(entity, row_id): qid for qid, entity, row_id in session.execute(
        select(Quarantine.id, Quarantine.entity, Quarantine.row_id).order_by(Quarantine.id))}


def put(session: Session, change: Any, reason: str, *, cursor: int, entity: str, row_id: str,
        held_by: int | None = None, attempts: int = 1) -> int:
    """Keep ``change`` as it came; returns its quarantine id. Core, not the ORM: this runs
    between savepoints, and nothing may be flushed into a savepoint that is rolled back."""
    raw = change if isinstance(change, dict) else {"unreadable": repr(change)[:2000]}
    result = cast(CursorResult[Any], session.execute(insert(Quarantine).values(
        entity=str(entity)[:32], row_id=str(row_id)[:200], change=raw, reason=reason,
        held_by=held_by, cursor=cursor, at=datetime.now(UTC), attempts=attempts)))
    qid = int(result.inserted_primary_key[0])  # type: ignore[index]
    if held_by is None:
        log.warning("a change of %s %s from the server could not be applied and is kept "
                    "aside (quarantine %d): %s", entity, row_id, qid, reason)
    return qid


def take_all(session: Session) -> list[tuple[dict[str, Any], int]]:
    """Remove every quarantined change for a retry: ``(change, attempts)`` in arrival order."""
    rows = session.execute(select(Quarantine.change, Quarantine.attempts)
                           .order_by(Quarantine.id)).all()
    if rows:
        session.execute(delete(Quarantine))
    return [(dict(change), int(attempts)) for change, attempts in rows]


def count(session: Session) -> int:
    """Quarantined changes: those that failed and those held with them."""
    return int(session.scalar(select(func.count()).select_from(Quarantine)) or 0)


def quarantined_count(store: Store) -> int:
    """How many pulled changes ``store`` holds unapplied (0 on a healthy replica)."""
    with store.read() as s:
        return count(s)


def not_applied(session: Session, limit: int = 20) -> list[NotApplied]:
    """The quarantined changes, oldest first, for the status details."""
    return [NotApplied(q.id, q.entity, q.row_id, q.reason, q.held_by, q.at, q.attempts)
            for q in session.scalars(select(Quarantine).order_by(Quarantine.id).limit(limit))]


def summary(n: int) -> str:
    """"1 change from the server could not be applied" (empty for 0)."""
    if not n:
        return ""
    return f"{n} change{'s' if n != 1 else ''} from the server could not be applied"


def first_reason(session: Session) -> str | None:
    """The reason of the oldest change that failed by itself (not one held with it)."""
    row = session.execute(select(Quarantine.entity, Quarantine.reason)
                          .where(Quarantine.held_by.is_(None))
                          .order_by(Quarantine.id).limit(1)).first()
    return f"{row[0].replace('_', ' ')}: {row[1]}" if row else None


__all__ = ["Held", "NotApplied", "count", "first_reason", "held", "not_applied", "put",
           "quarantined_count", "summary", "take_all"]
