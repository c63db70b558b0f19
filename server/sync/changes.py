"""The shop's change sequence.

Every writing transaction ends by taking consecutive seqs for the rows it changed
(``record_changes``: ``UPDATE shop SET head = head + n ... RETURNING``). That row lock is
held until commit, so seqs are handed out in commit order and a reader that has seen seq N
can never later meet a change below N. Transactions that need the whole shop steady (job
numbers, double-booking checks) lock the shop row at their start instead (``lock_shop``). The row index keeps each row's latest seq, so pull is a range
scan that yields each row once, in its latest state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import RowIndex, Shop

NOTIFY_CHANNEL = "bayline_poke"


@dataclass
class ShopLock:
    """The shop's counters. ``locked``: the shop row is locked already (read under the
    lock: job numbers can be handed out); else it is locked only by ``record_changes``."""

    shop_id: str
    head: int
    purged_seq: int
    next_job_number: int
    locked: bool = True


def lock_shop(session: Session, shop_id: str) -> ShopLock | None:
    """Lock the shop's row for the rest of the transaction (None: no such shop)."""
    row = session.execute(
        select(Shop.head, Shop.purged_seq, Shop.next_job_number)
        .where(Shop.id == shop_id).with_for_update()).first()
    if row is None:
        return None
    return ShopLock(shop_id, int(row.head), int(row.purged_seq), int(row.next_job_number))


def unlocked_shop(shop_id: str) -> ShopLock:
    """The shop whose row ``record_changes`` will lock at the very end of the transaction."""
    return ShopLock(shop_id, 0, 0, 0, locked=False)


# One round trip while the shop row is locked: take the seqs, index the rows, queue the poke.
_PG_RECORD = text("""
WITH h AS (
    UPDATE shop SET head = head + :n,
                    next_job_number = COALESCE(CAST(:next_job AS integer), next_job_number)
    WHERE id = :shop RETURNING head
), ins AS (
    INSERT INTO row_index (shop_id, entity, row_id, seq, deleted)
    SELECT :shop, x.e, x.r, h.head - :n + x.o, x.d
    FROM h, unnest(CAST(:entities AS text[]), CAST(:row_ids AS text[]),
                   CAST(:ords AS bigint[]), CAST(:dels AS boolean[])) AS x(e, r, o, d)
    ON CONFLICT (shop_id, entity, row_id)
    DO UPDATE SET seq = EXCLUDED.seq, deleted = EXCLUDED.deleted
)
SELECT head, pg_notify(:channel, :shop || ' ' || CAST(head AS text)) FROM h
""")


def record_changes(session: Session, lock: ShopLock,
                   changes: Iterable[tuple[str, str, bool]]) -> int:
    """Give each changed row ``(entity, row_id, deleted)`` its new seq; return the head.

    A row changed several times in the transaction gets one seq, at its last change.
    Also stores the shop's next job number (when the shop was locked early) and queues the
    poke (NOTIFY fires at commit).
    """
    latest: dict[tuple[str, str], bool] = {}
    for entity, row_id, deleted in changes:
        latest.pop((entity, row_id), None)
        latest[(entity, row_id)] = deleted
    n = len(latest)
    next_job = lock.next_job_number if lock.locked else None
    if n == 0:
        if next_job is not None:
            session.execute(update(Shop).where(Shop.id == lock.shop_id)
                            .values(next_job_number=next_job)
                            .execution_options(synchronize_session=False))
            return lock.head
        return int(session.scalar(select(Shop.head).where(Shop.id == lock.shop_id)) or 0)
    if session.get_bind().dialect.name == "postgresql":
        head = int(session.execute(_PG_RECORD, {
            "n": n, "next_job": next_job, "shop": lock.shop_id, "channel": NOTIFY_CHANNEL,
            "entities": [e for e, _ in latest], "row_ids": [r for _, r in latest],
            "ords": list(range(1, n + 1)), "dels": list(latest.values())}).scalar_one())
        lock.head = head
        return head
    values: dict[str, object] = {"head": Shop.head + n}
    if next_job is not None:
        values["next_job_number"] = next_job
    head = int(session.execute(
        update(Shop).where(Shop.id == lock.shop_id).values(**values)
        .returning(Shop.head).execution_options(synchronize_session=False)).scalar_one())
    first = head - n + 1
    rows = [{"shop_id": lock.shop_id, "entity": entity, "row_id": row_id, "seq": first + i,
             "deleted": deleted}
            for i, ((entity, row_id), deleted) in enumerate(latest.items())]
    stmt = sqlite_insert(RowIndex)
    stmt = stmt.on_conflict_do_update(
        index_elements=["shop_id", "entity", "row_id"],
        set_={"seq": stmt.excluded.seq, "deleted": stmt.excluded.deleted})
    session.execute(stmt, rows, execution_options={"synchronize_session": False})
    lock.head = head
    announce(session, lock.shop_id, head)
    return head


def announce(session: Session, shop_id: str, head: int) -> None:
    """Poke the shop's listeners when this transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        # NOTIFY is transactional: it is delivered at commit, and not at all on rollback.
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": NOTIFY_CHANNEL, "payload": f"{shop_id} {head}"})
    else:
        session.info.setdefault("bayline_pokes", []).append((shop_id, head))
