"""Pull: a page of the shop's change sequence after a cursor, each row once, as it is now."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.entities import COMMON_FIELDS, WIRE
from app.timeutil import to_rfc3339
from server.auth.roles import Principal
from server.db import Database
from server.models import ENTITIES, Client, RowIndex, Shop
from server.sync import permissions as perm

#: Per entity: (field name, is a time) in the order rows are sent.
_ROW_FIELDS: dict[str, list[tuple[str, bool]]] = {
    entity: [(name, name.endswith("_at")) for name in COMMON_FIELDS[1:]]
    + [(name, spec.kind == "time") for name, spec in WIRE[entity].fields.items()]
    for entity in ENTITIES
}


def _load(session: Session, principal: Principal, entity: str,
          ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The rows ``ids`` of ``entity`` as JSON dicts of the fields the principal may read."""
    table: Any = ENTITIES[entity].__table__
    hidden = perm.hidden_fields(principal, entity)
    fields = [(n, t) for n, t in _ROW_FIELDS[entity] if n not in hidden]
    columns = (table.c.id, *(table.c[n] for n, _ in fields))
    if session.get_bind().dialect.name == "postgresql":
        return _load_pg(session, principal, entity, table, fields, ids)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    names = ("id", *(n for n, _ in fields))
    times = [i for i, (_, t) in enumerate(fields, start=1) if t]
    for start in range(0, len(ids), 500):
        query = select(*columns).where(table.c.id.in_(ids[start:start + 500]),
                                       table.c.shop_id == principal.shop_id)
        for r in session.execute(query):
            values = list(r)
            for i in times:
                values[i] = to_rfc3339(values[i])
            out[(entity, values[0])] = dict(zip(names, values, strict=True))
    return out


def _utc_text(value: datetime | None) -> str | None:
    # Stored as naive UTC: the same text ``to_rfc3339`` makes, without the conversions.
    return None if value is None else value.isoformat() + "Z"


def _load_pg(session: Session, principal: Principal, entity: str, table: Any,
             fields: list[tuple[str, bool]], ids: list[str]) -> dict[tuple[str, str], Any]:
    """PostgreSQL: one query with the ids as an array parameter, on the driver's cursor
    (pulls move many rows; SQLAlchemy's per-value result processing is skipped)."""
    names = ("id", *(n for n, _ in fields))
    times = [i for i, (_, t) in enumerate(fields, start=1) if t]
    sql = (f"SELECT {', '.join(names)} FROM {table.name} "  # noqa: S608 - names are ours
           "WHERE id = ANY(%s) AND shop_id = %s")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(sql, (ids, principal.shop_id))
        for r in cur:
            values = list(r)
            for i in times:
                values[i] = _utc_text(values[i])
            out[(entity, values[0])] = dict(zip(names, values, strict=True))
    return out


def pull(db: Database, principal: Principal, client_id: str | None, cursor: int,
         limit: int) -> dict[str, Any]:
    with db.read() as session:
        shop = session.execute(select(Shop.head, Shop.purged_seq)
                               .where(Shop.id == principal.shop_id)).first()
        head, purged = (int(shop.head), int(shop.purged_seq)) if shop else (0, 0)
        lmid = 0
        if client_id is not None:
            lmid = int(session.scalar(select(Client.last_mutation_id).where(
                Client.id == client_id, Client.shop_id == principal.shop_id)) or 0)
        if cursor > 0 and (cursor < purged or cursor > head):
            # Older than the tombstones still kept (or from another history): start over.
            return {"changes": [], "cursor": 0, "has_more": head > 0,
                    "last_mutation_id": lmid, "reset": True, "head": head}
        query = (select(RowIndex.entity, RowIndex.row_id, RowIndex.seq, RowIndex.deleted)
                 .where(RowIndex.shop_id == principal.shop_id, RowIndex.seq > cursor)
                 .order_by(RowIndex.seq).limit(limit + 1))
        if cursor == 0:
            query = query.where(RowIndex.deleted.is_(False))  # a snapshot needs no tombstones
        entries = session.execute(query).all()
        has_more = len(entries) > limit
        entries = entries[:limit]
        wanted: dict[str, list[str]] = defaultdict(list)
        for e in entries:
            if not e.deleted:
                wanted[e.entity].append(e.row_id)
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for entity, ids in wanted.items():
            rows.update(_load(session, principal, entity, ids))
    changes: list[dict[str, Any]] = []
    for e in entries:
        if e.deleted:
            changes.append({"seq": e.seq, "entity": e.entity, "row_id": e.row_id,
                            "op": "delete", "row": None})
            continue
        loaded = rows.get((e.entity, e.row_id))
        if loaded is None or not perm.reads_row(principal, e.entity, loaded):
            continue
        changes.append({"seq": e.seq, "entity": e.entity, "row_id": e.row_id, "op": "upsert",
                        "row": loaded})
    new_cursor = entries[-1].seq if entries else cursor
    if not has_more:
        # Every seq up to the head read above had committed before the scan began.
        new_cursor = max(new_cursor, head)
    return {"changes": changes, "cursor": int(new_cursor), "has_more": has_more,
            "last_mutation_id": lmid, "reset": False, "head": head}
