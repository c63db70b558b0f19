"""The pull side of the replica: applying a pulled page in one transaction.

A page is applied without writing outbox entries: rows are converted with ``WIRE`` and
upserted as the server sent them, a ``delete`` tombstones its row, then the fields still
pending in the outbox are re-applied on top (so a local edit is never flickered away by an
older server value), then the cursor is stored — all in the caller's one transaction.

Rows are written with SQLAlchemy Core and ``executemany``: a first sync of 100,000 rows
must not build 100,000 ORM objects.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.entities import COMMON_FIELDS, WIRE, FieldSpec
from app.models import MODELS, Conflict, Outbox
from app.timeutil import parse_rfc3339
from sync.errors import ErrorKind, SyncError
from sync.outbox import reconcile_lmid, sync_state

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZERO: dict[str, Any] = {"str": "", "int": 0, "float": 0.0, "bool": False, "time": _EPOCH,
                         "id": "", "json": None}


@dataclass(frozen=True)
class Page:
    """One pull answer, checked."""

    changes: list[dict[str, Any]]
    cursor: int
    has_more: bool
    last_mutation_id: int
    reset: bool

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Page:
        try:
            changes = data["changes"]
            if not isinstance(changes, list):
                raise TypeError("changes is not a list")
            return cls(changes, int(data["cursor"]), bool(data.get("has_more", False)),
                       int(data.get("last_mutation_id") or 0), bool(data.get("reset", False)))
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(ErrorKind.SERVER, "The server's pull answer was not understood.",
                            retryable=True) from exc


@dataclass
class Applied:
    """What applying one page changed: rows by entity (for ``Changes``)."""

    rows: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    reapplied: int = 0

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())


class _EntityCodec:
    """Wire row → column values for one entity, with the converters looked up once."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.table: Table = MODELS[entity].__table__  # type: ignore[assignment]
        self.fields: dict[str, FieldSpec] = dict(WIRE[entity].fields)
        self.columns = set(COMMON_FIELDS) | set(self.fields)
        # Values for columns a role may not read, used only when the row is new here.
        self.fill: dict[str, Any] = {}
        for name, spec in self.fields.items():
            col = self.table.c[name]
            if not col.nullable and col.default is None:
                self.fill[name] = _ZERO[spec.kind]

    def convert(self, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in row.items():
            spec = self.fields.get(key)
            if spec is not None:
                out[key] = spec.from_wire(value)
            elif key in ("created_at", "updated_at", "deleted_at"):
                out[key] = parse_rfc3339(value) if value is not None else None
            elif key in ("id", "shop_id"):
                out[key] = str(value)
            # unknown keys: a newer server's fields this version does not know
        return out


_CODECS: dict[str, _EntityCodec] = {}


def codec(entity: str) -> _EntityCodec | None:
    if entity not in MODELS:
        return None
    c = _CODECS.get(entity)
    if c is None:
        c = _CODECS[entity] = _EntityCodec(entity)
    return c


def apply_page(session: Session, page: Page, *, store_cursor: bool = True,
               seen: dict[str, set[str]] | None = None) -> Applied:
    """Apply ``page`` in the caller's transaction (see the module docstring).

    ``store_cursor=False`` is used by a repair pull, which keeps the cursor until the whole
    snapshot is in; ``seen`` collects the row ids a snapshot contained.
    """
    state = sync_state(session)
    reconcile_lmid(session, page.last_mutation_id)
    floor = max(sync_state(session).acked_mutation_id, page.last_mutation_id)
    applied = Applied()
    upserts: dict[tuple[str, frozenset[str]], list[dict[str, Any]]] = defaultdict(list)
    tombstones: dict[str, list[str]] = defaultdict(list)
    now = datetime.now(UTC)
    for change in page.changes:
        try:
            entity = change["entity"]
            row_id = str(change["row_id"])
            op = change.get("op", "upsert")
            row = change.get("row")
        except (KeyError, TypeError) as exc:
            raise SyncError(ErrorKind.SERVER, "The server sent a change this version cannot "
                                              "read.", retryable=True) from exc
        c = codec(entity)
        if c is None:
            log.debug("skipping a change of unknown entity %r", entity)
            continue
        if seen is not None:
            seen.setdefault(entity, set()).add(row_id)
        applied.rows[entity].add(row_id)
        if isinstance(row, dict):
            try:
                values = c.convert(row)
            except ValueError as exc:
                raise SyncError(ErrorKind.SERVER, f"The server sent a {entity} this version "
                                                  f"cannot read: {exc}") from exc
            values["id"] = row_id
            if op == "delete" and values.get("deleted_at") is None:
                values["deleted_at"] = now
            upserts[(entity, frozenset(values))].append(values)
        elif op == "delete":
            tombstones[entity].append(row_id)
        else:
            raise SyncError(ErrorKind.SERVER, f"The server sent a {entity} without its row.")
    for (entity, keys), rows in upserts.items():
        _upsert(session, codec(entity), keys, rows)  # type: ignore[arg-type]
    for entity, ids in tombstones.items():
        table: Table = MODELS[entity].__table__  # type: ignore[assignment]
        for chunk in _chunks(ids, 500):
            session.execute(update(table).where(table.c.id.in_(chunk), table.c.deleted_at.is_(None))
                            .values(deleted_at=now, updated_at=now))
    applied.reapplied = reapply_pending(session, applied.rows, floor)
    if store_cursor and page.cursor > state.cursor:
        state.cursor = page.cursor
    return applied


def _upsert(session: Session, c: _EntityCodec, keys: frozenset[str],
            rows: list[dict[str, Any]]) -> None:
    fill = {k: v for k, v in c.fill.items() if k not in keys}
    if fill:
        rows = [{**fill, **r} for r in rows]
    if "shop_id" not in keys or "created_at" not in keys or "updated_at" not in keys:
        rows = [{"shop_id": "", "created_at": _EPOCH, "updated_at": _EPOCH, **r} for r in rows]
    stmt = sqlite_insert(c.table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.table.c.id],
        set_={k: stmt.excluded[k] for k in keys if k != "id"})
    session.execute(stmt, rows)


def reapply_pending(session: Session, touched: dict[str, set[str]], floor: int) -> int:
    """Re-apply the outbox entries above ``floor`` that touch ``touched`` rows, in id order."""
    all_ids = [rid for ids in touched.values() for rid in ids]
    if not all_ids:
        return 0
    entries: list[Outbox] = []
    for chunk in _chunks(all_ids, 500):
        entries.extend(session.scalars(select(Outbox).where(Outbox.id > floor,
                                                            Outbox.row_id.in_(chunk))))
    entries.sort(key=lambda e: e.id)
    n = 0
    for entry in entries:
        if entry.row_id not in touched.get(entry.entity, ()):
            continue
        c = codec(entry.entity)
        if c is None:
            continue
        table = c.table
        if entry.op == "delete":
            session.execute(update(table).where(table.c.id == entry.row_id,
                                                table.c.deleted_at.is_(None))
                            .values(deleted_at=entry.created_at))
            n += 1
            continue
        values: dict[str, Any] = {}
        for name, wire in (entry.fields or {}).items():
            spec = c.fields.get(name)
            if spec is None:
                continue
            try:
                values[name] = spec.from_wire(wire)
            except ValueError:
                log.warning("outbox entry %s has an unreadable %s; not re-applied", entry.id, name)
        if entry.entity == "job" and "number" in values:
            # The server's final number wins over the provisional one the create carried.
            current = session.scalar(select(table.c.number).where(table.c.id == entry.row_id))
            if current is not None and not str(current).startswith("P-"):
                del values["number"]
        if values:
            session.execute(update(table).where(table.c.id == entry.row_id).values(**values))
            n += 1
    return n


def sweep(session: Session, seen: dict[str, set[str]]) -> dict[str, set[str]]:
    """After a complete snapshot: delete rows the server no longer has, except rows that
    pending outbox entries still create or change. Returns what was removed."""
    floor = sync_state(session).acked_mutation_id
    keep: dict[str, set[str]] = defaultdict(set)
    for entity, row_id in session.execute(select(Outbox.entity, Outbox.row_id)
                                          .where(Outbox.id > floor)):
        keep[entity].add(row_id)
    removed: dict[str, set[str]] = {}
    for entity, model in MODELS.items():
        table: Table = model.__table__  # type: ignore[assignment]
        have = set(session.scalars(select(table.c.id)))
        gone = have - seen.get(entity, set()) - keep[entity]
        if gone:
            for chunk in _chunks(sorted(gone), 500):
                session.execute(delete(table).where(table.c.id.in_(chunk)))
            removed[entity] = gone
    return removed


def open_conflicts(session: Session, client_id: str) -> int:
    """Unresolved conflicts that name this replica."""
    return int(session.scalar(select(func.count()).select_from(Conflict).where(
        Conflict.client_id == client_id, Conflict.resolved_at.is_(None),
        Conflict.deleted_at.is_(None))) or 0)


def _chunks(items: Iterable[str], n: int) -> list[list[str]]:
    seq = list(items)
    return [seq[i:i + n] for i in range(0, len(seq), n)]


__all__ = ["Applied", "Page", "apply_page", "open_conflicts", "reapply_pending", "sweep"]
