"""The shop's change sequence.

Every writing transaction locks its shop's row first (``lock_shop``) and ends by taking
consecutive seqs for the rows it changed (``record_changes``): the row lock is held until
commit, so seqs are handed out in commit order and a reader that has seen seq N can never
later meet a change below N. The row index keeps each row's latest seq, so pull is a range
scan that yields each row once, in its latest state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import RowIndex, Shop

NOTIFY_CHANNEL = "bayline_poke"


@dataclass
class ShopLock:
    """The shop row as read under its lock; counters advance in memory until the end."""

    shop_id: str
    head: int
    purged_seq: int
    next_job_number: int


def lock_shop(session: Session, shop_id: str) -> ShopLock | None:
    """Lock the shop's row for the rest of the transaction (None: no such shop)."""
    row = session.execute(
        select(Shop.head, Shop.purged_seq, Shop.next_job_number)
        .where(Shop.id == shop_id).with_for_update()).first()
    if row is None:
        return None
    return ShopLock(shop_id, int(row.head), int(row.purged_seq), int(row.next_job_number))


def record_changes(session: Session, lock: ShopLock,
                   changes: Iterable[tuple[str, str, bool]]) -> int:
    """Give each changed row ``(entity, row_id, deleted)`` its new seq; return the head.

    A row changed several times in the transaction gets one seq, at its last change.
    Also stores the shop's next job number and queues the poke (NOTIFY fires at commit).
    """
    latest: dict[tuple[str, str], bool] = {}
    for entity, row_id, deleted in changes:
        latest.pop((entity, row_id), None)
        latest[(entity, row_id)] = deleted
    n = len(latest)
    if n == 0:
        session.execute(update(Shop).where(Shop.id == lock.shop_id)
                        .values(next_job_number=lock.next_job_number)
                        .execution_options(synchronize_session=False))
        return lock.head
    head = int(session.execute(
        update(Shop).where(Shop.id == lock.shop_id)
        .values(head=Shop.head + n, next_job_number=lock.next_job_number)
        .returning(Shop.head)
        .execution_options(synchronize_session=False)).scalar_one())
    first = head - n + 1
    rows = [{"shop_id": lock.shop_id, "entity": entity, "row_id": row_id, "seq": first + i,
             "deleted": deleted}
            for i, ((entity, row_id), deleted) in enumerate(latest.items())]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RowIndex)
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
