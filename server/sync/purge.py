"""Tombstones are kept ``tombstone_days`` (at least 90) and then purged; the shop remembers
the highest purged seq so that an older cursor is told to ``reset``."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from app.timeutil import utcnow
from server.config import TOMBSTONE_DAYS
from server.db import Database
from server.models import ENTITIES, MutationOutcome, RefusedOperation, RowIndex, Shop
from server.sync.changes import lock_shop

log = logging.getLogger(__name__)


def purge_tombstones(db: Database, *, days: int = TOMBSTONE_DAYS,
                     now: datetime | None = None) -> int:
    """Remove rows deleted more than ``days`` ago, shop by shop; how many went."""
    if days < TOMBSTONE_DAYS:
        raise ValueError(f"Tombstones are kept at least {TOMBSTONE_DAYS} days.")
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.read() as session:
        shop_ids = list(session.scalars(select(Shop.id)))
    total = 0
    for shop_id in shop_ids:
        with db.write() as session:
            tombstones = session.execute(
                select(RowIndex.entity, RowIndex.row_id, RowIndex.seq)
                .where(RowIndex.shop_id == shop_id, RowIndex.deleted.is_(True))).all()
            by_entity: dict[str, list[str]] = defaultdict(list)
            for t in tombstones:
                by_entity[t.entity].append(t.row_id)
            # Rows first, shop second: the order every writer takes its locks in.
            old: dict[str, list[str]] = {}
            for entity in sorted(by_entity):
                table: Any = ENTITIES[entity].__table__
                ids = sorted(by_entity[entity])
                for start in range(0, len(ids), 1000):
                    chunk = ids[start:start + 1000]
                    old.setdefault(entity, []).extend(session.scalars(
                        select(table.c.id).where(table.c.id.in_(chunk),
                                                 table.c.shop_id == shop_id,
                                                 table.c.deleted_at < cutoff)
                        .order_by(table.c.id).with_for_update()))
            if not any(old.values()):
                continue
            lock = lock_shop(session, shop_id)
            if lock is None:
                continue
            purged_seq = lock.purged_seq
            for entity, ids in old.items():
                table = ENTITIES[entity].__table__
                for start in range(0, len(ids), 1000):
                    chunk = ids[start:start + 1000]
                    seq = session.scalar(select(func.max(RowIndex.seq)).where(
                        RowIndex.shop_id == shop_id, RowIndex.entity == entity,
                        RowIndex.row_id.in_(chunk)))
                    purged_seq = max(purged_seq, int(seq or 0))
                    session.execute(delete(table).where(table.c.id.in_(chunk)))
                    session.execute(delete(RowIndex).where(
                        RowIndex.shop_id == shop_id, RowIndex.entity == entity,
                        RowIndex.row_id.in_(chunk)))
                    total += len(chunk)
            session.execute(update(Shop).where(Shop.id == shop_id)
                            .values(purged_seq=purged_seq)
                            .execution_options(synchronize_session=False))
    with db.write() as session:
        session.execute(delete(MutationOutcome).where(MutationOutcome.created_at < cutoff))
        session.execute(delete(RefusedOperation).where(RefusedOperation.created_at < cutoff))
    if total:
        log.info("purged %d tombstones older than %d days", total, days)
    return total
