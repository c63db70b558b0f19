"""Pull: a page of the shop's change sequence after a cursor, each row once, as it is now.

On PostgreSQL the rows are turned into JSON by the database (``json_build_object``) and
spliced into the response as text: a snapshot moves many rows, and building and encoding
a dict per row in Python was most of its cost. SQLite builds the dicts in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, NamedTuple

from sqlalchemy import Float, select
from sqlalchemy.orm import Session

from app.entities import COMMON_FIELDS, WIRE
from app.timeutil import to_rfc3339
from server.auth.roles import TECHNICIAN, Principal
from server.db import Database
from server.models import ENTITIES, Client, RowIndex, Shop
from server.sync import permissions as perm

#: Per entity: (field name, is a time) in the order rows are sent.
_ROW_FIELDS: dict[str, list[tuple[str, bool]]] = {
    entity: [(name, name.endswith("_at")) for name in COMMON_FIELDS[1:]]
    + [(name, spec.kind == "time") for name, spec in WIRE[entity].fields.items()]
    for entity in ENTITIES
}


class RawJSON(str):
    """A row already encoded as JSON text (by PostgreSQL)."""


def _row_filter(principal: Principal, entity: str) -> tuple[str, str | None] | None:
    """Row-level read rule as (column, value): a technician reads only their own time
    entries."""
    if principal.role == TECHNICIAN and entity == "time_entry":
        return "technician_id", principal.technician_id
    return None


def _fields(principal: Principal, entity: str) -> list[tuple[str, bool]]:
    hidden = perm.hidden_fields(principal, entity)
    return [(n, t) for n, t in _ROW_FIELDS[entity] if n not in hidden]


def _load(session: Session, principal: Principal, entity: str,
          ids: list[str]) -> dict[tuple[str, str], Any]:
    """The rows ``ids`` of ``entity`` the principal may read, with the fields it may read."""
    if not perm.may_read(principal, entity):
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return _load_pg(session, principal, entity, ids)
    table: Any = ENTITIES[entity].__table__
    fields = _fields(principal, entity)
    names = ("id", *(n for n, _ in fields))
    times = [i for i, (_, t) in enumerate(fields, start=1) if t]
    only = _row_filter(principal, entity)
    out: dict[tuple[str, str], Any] = {}
    for start in range(0, len(ids), 500):
        query = select(*(table.c[n] for n in names)).where(
            table.c.id.in_(ids[start:start + 500]), table.c.shop_id == principal.shop_id)
        if only is not None:
            query = query.where(table.c[only[0]] == only[1])
        for r in session.execute(query):
            values = list(r)
            for i in times:
                values[i] = to_rfc3339(values[i])
            out[(entity, values[0])] = dict(zip(names, values, strict=True))
    return out


def _pg_value(name: str, is_time: bool, is_float: bool) -> str:
    if is_time:
        # The text to_rfc3339 makes: microseconds only when there are any, then "Z".
        return (f"CASE WHEN {name} IS NULL THEN NULL "
                f"WHEN mod(date_part('microseconds', {name})::bigint, 1000000) = 0 "
                f"THEN to_char({name}, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                f"ELSE to_char({name}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END")
    if is_float:
        # Python writes 2.0 where PostgreSQL writes 2: keep the wire the same either way.
        return (f"CASE WHEN {name} = trunc({name}) AND abs({name}) < 1e15 "
                f"THEN (trunc({name})::bigint::text || '.0')::json ELSE to_json({name}) END")
    return name


def _load_pg(session: Session, principal: Principal, entity: str,
             ids: list[str]) -> dict[tuple[str, str], Any]:
    table: Any = ENTITIES[entity].__table__
    fields = [("id", False), *_fields(principal, entity)]
    pairs = ", ".join(
        f"'{n}', {_pg_value(n, t, isinstance(table.c[n].type, Float))}" for n, t in fields)
    sql = (f"SELECT id, json_build_object({pairs})::text FROM {table.name} "  # noqa: S608
           "WHERE id = ANY(%s) AND shop_id = %s")  # (names are the tables' own, not input)
    params: list[Any] = [ids, principal.shop_id]
    only = _row_filter(principal, entity)
    if only is not None:
        sql += f" AND {only[0]} = %s"
        params.append(only[1])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(sql, params)
        return {(entity, row_id): RawJSON(text) for row_id, text in cur}


class Entry(NamedTuple):
    entity: str
    row_id: str
    seq: int
    deleted: bool


def _scan(session: Session, shop_id: str, cursor: int, n: int) -> list[Entry]:
    """The next ``n`` index entries after ``cursor`` (a snapshot, cursor 0, skips
    tombstones: a fresh replica has nothing to delete)."""
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            cur.execute("SELECT entity, row_id, seq, deleted FROM row_index "
                        "WHERE shop_id = %s AND seq > %s AND (%s OR NOT deleted) "
                        "ORDER BY seq LIMIT %s", (shop_id, cursor, cursor > 0, n))
            return [Entry(*r) for r in cur]
    query = (select(RowIndex.entity, RowIndex.row_id, RowIndex.seq, RowIndex.deleted)
             .where(RowIndex.shop_id == shop_id, RowIndex.seq > cursor)
             .order_by(RowIndex.seq).limit(n))
    if cursor == 0:
        query = query.where(RowIndex.deleted.is_(False))
    return [Entry(*r) for r in session.execute(query)]


def pull(db: Database, principal: Principal, client_id: str | None, cursor: int,
         limit: int) -> dict[str, Any]:
    """The page after ``cursor`` (the body of PROTOCOL.md; rows may be ``RawJSON``)."""
    with db.snapshot() as session:  # head, LMID, index and rows from one snapshot
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
        entries = _scan(session, principal.shop_id, cursor, limit + 1)
        has_more = len(entries) > limit
        entries = entries[:limit]
        wanted: dict[str, list[str]] = defaultdict(list)
        for e in entries:
            if not e.deleted:
                wanted[e.entity].append(e.row_id)
        rows: dict[tuple[str, str], Any] = {}
        for entity, ids in wanted.items():
            rows.update(_load(session, principal, entity, ids))
    changes: list[dict[str, Any]] = []
    for e in entries:
        if e.deleted:
            changes.append({"seq": e.seq, "entity": e.entity, "row_id": e.row_id,
                            "op": "delete", "row": None})
            continue
        loaded = rows.get((e.entity, e.row_id))
        if loaded is None:  # not readable by this role (or purged meanwhile)
            continue
        changes.append({"seq": e.seq, "entity": e.entity, "row_id": e.row_id, "op": "upsert",
                        "row": loaded})
    new_cursor = entries[-1].seq if entries else cursor
    if not has_more:
        # Every seq up to the head read above had committed before the scan began.
        new_cursor = max(new_cursor, head)
    return {"changes": changes, "cursor": int(new_cursor), "has_more": has_more,
            "last_mutation_id": lmid, "reset": False, "head": head}


def render(page: dict[str, Any]) -> bytes:
    """The page as JSON bytes, splicing in rows that are JSON text already."""
    parts = []
    for ch in page["changes"]:
        row = ch["row"]
        row_text = row if isinstance(row, RawJSON) else json.dumps(row, separators=(",", ":"))
        parts.append(f'{{"seq":{int(ch["seq"])},"entity":{json.dumps(ch["entity"])},'
                     f'"row_id":{json.dumps(ch["row_id"])},"op":{json.dumps(ch["op"])},'
                     f'"row":{row_text}}}')
    rest = json.dumps({k: v for k, v in page.items() if k != "changes"},
                      separators=(",", ":"))
    return ('{"changes":[' + ",".join(parts) + "]," + rest[1:]).encode("utf-8")
