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
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, Table, bindparam, delete, func, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from app.entities import WIRE, FieldSpec
from app.models import MODELS, Conflict, Outbox
from app.timeutil import parse_rfc3339
from sync import quarantine
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
    #: Changes of this page quarantined or held (``sync.quarantine``).
    quarantined: int = 0

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())


class _EntityCodec:
    """Wire row → SQLite parameters for one entity, with every converter looked up once.

    Rows are written through the DB-API connection of the session's transaction with one
    ``INSERT ... ON CONFLICT DO UPDATE`` per page and entity: SQLAlchemy's per-row
    parameter machinery was most of the time of a first sync.
    """

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.table: Table = MODELS[entity].__table__  # type: ignore[assignment]
        self.fields: dict[str, FieldSpec] = dict(WIRE[entity].fields)
        #: wire value → Python value, per column
        self.readers: dict[str, Callable[[Any], Any]] = {"shop_id": str}
        for name in ("created_at", "updated_at", "deleted_at"):
            self.readers[name] = _time
        for name, spec in self.fields.items():
            self.readers[name] = spec.from_wire
        # Values for columns a role may not read, used only when the row is new here.
        self.fill: dict[str, Any] = {"shop_id": "", "created_at": _EPOCH,
                                     "updated_at": _EPOCH}
        for name, spec in self.fields.items():
            col = self.table.c[name]
            if not col.nullable and col.default is None:
                self.fill[name] = _ZERO[spec.kind]
            elif col.default is not None and getattr(col.default, "is_scalar", False):
                self.fill[name] = col.default.arg  # type: ignore[attr-defined]
        self._encoders: dict[str, Callable[[Any], Any]] | None = None
        self._fill_db: dict[str, Any] = {}
        self._statements: dict[tuple[tuple[str, ...], tuple[str, ...]],
                               tuple[str, list[int] | None]] = {}

    def encoders(self, dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
        """Wire value → SQLite value, per column: ``from_wire`` (which validates) and then
        SQLAlchemy's own bind processor, with fast paths for the commonest shapes."""
        if self._encoders is None:
            enc: dict[str, Callable[[Any], Any]] = {}
            for name, read in self.readers.items():
                column = self.table.c[name]
                write = column.type.dialect_impl(dialect).bind_processor(dialect)
                kind = self.fields[name].kind if name in self.fields else (
                    "time" if name.endswith("_at") else "str")
                enc[name] = _encoder(read, write, kind)
                value = self.fill.get(name)
                if name in self.fill:
                    self._fill_db[name] = write(value) if write is not None else value
            self._encoders = enc
        return self._encoders

    def convert(self, row: dict[str, Any]) -> dict[str, Any]:
        """Wire row → Python values (unknown keys, a newer server's fields, are dropped)."""
        return {k: self.readers[k](v) for k, v in row.items() if k in self.readers}

    def encode(self, row: dict[str, Any], row_id: str, enc: dict[str, Callable[[Any], Any]],
               deleted_at: Any) -> tuple[tuple[tuple[str, ...], tuple[str, ...]],
                                         tuple[Any, ...]]:
        """``(keys, filled), values`` of one row for the upsert; ``deleted_at`` (already in
        SQLite form) tombstones it when the row does not say when it was deleted."""
        keys: list[str] = ["id"]
        values: list[Any] = [row_id]
        for key, value in row.items():
            f = enc.get(key)
            if f is None:
                continue  # "id", or a field this version does not know
            keys.append(key)
            values.append(deleted_at if (value is None and key == "deleted_at"
                                         and deleted_at is not None) else f(value))
        if deleted_at is not None and "deleted_at" not in row:
            keys.append("deleted_at")
            values.append(deleted_at)
        filled: list[str] = []
        if len(keys) <= len(self.readers):  # some columns missing: a role may not read them
            for key, value in self._fill_db.items():
                if key not in row:
                    filled.append(key)
                    values.append(value)
        return (tuple(keys), tuple(filled)), tuple(values)

    def statement(self, keys: tuple[str, ...], filled: tuple[str, ...],
                  dialect: Dialect) -> tuple[str, list[int] | None]:
        """The upsert for rows with ``keys`` (``filled`` columns take their blanks),
        compiled once: its SQL and, if its placeholders are not in our order, the order."""
        found = self._statements.get((keys, filled))
        if found is None:
            names = (*keys, *filled)
            stmt = sqlite_insert(self.table).values({k: bindparam(k) for k in names})
            # A column the server left out is one this role may not read: it holds its
            # blank, not a value typed here that the server refused (or an older role's).
            sets = {k: stmt.excluded[k] for k in names if k != "id"}
            stmt = (stmt.on_conflict_do_update(index_elements=[self.table.c.id], set_=sets)
                    if sets else stmt.on_conflict_do_nothing(index_elements=[self.table.c.id]))
            compiled = stmt.compile(dialect=dialect)
            order = list(compiled.positiontup or ())
            perm = None if order == list(names) else [names.index(n) for n in order]
            found = self._statements[(keys, filled)] = (str(compiled), perm)
        return found


def _time(value: Any) -> datetime | None:
    return parse_rfc3339(value) if value is not None else None


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _encoder(read: Callable[[Any], Any], write: Callable[[Any], Any] | None,
             kind: str) -> Callable[[Any], Any]:
    """``write(read(value))``, short-cut for the shapes the server always sends."""
    def slow(value: Any) -> Any:
        v = read(value)
        return write(v) if write is not None and v is not None else v

    if kind == "time":
        def time_(value: Any) -> Any:
            # "2026-11-27T08:15:00.123456Z" → SQLAlchemy's SQLite form
            # "2026-11-27 08:15:00.123456"; validated by fromisoformat (C, cheap).
            if type(value) is str and value[-1:] == "Z" and value[10:11] == "T":
                n = len(value)
                if n == 27 and value[19] == ".":
                    datetime.fromisoformat(value[:-1])
                    return f"{value[:10]} {value[11:26]}"
                if n == 20:
                    datetime.fromisoformat(value[:-1])
                    return f"{value[:10]} {value[11:19]}.000000"
            return slow(value)
        return time_
    if kind == "id":
        def id_(value: Any) -> Any:
            if type(value) is str and _UUID.fullmatch(value):
                return value
            return slow(value)
        return id_
    # The common shapes pass the same checks as ``FieldSpec.from_wire`` without its
    # dispatch (anything else goes through it and gets its message).
    if kind == "str" and write is None:
        def str_(value: Any) -> Any:
            if type(value) is str and "\x00" not in value:
                return value
            return read(value)
        return str_
    if kind == "bool":
        def bool_(value: Any) -> Any:
            if value is True:
                return 1
            if value is False:
                return 0
            return slow(value)
        return bool_
    if kind == "int" and write is None:
        def int_(value: Any) -> Any:
            if type(value) is int and -(2**53) <= value <= 2**53:
                return value
            return read(value)
        return int_
    if write is None:
        return read
    return slow


_CODECS: dict[str, _EntityCodec] = {}


def codec(entity: str) -> _EntityCodec | None:
    if entity not in MODELS:
        return None
    c = _CODECS.get(entity)
    if c is None:
        c = _CODECS[entity] = _EntityCodec(entity)
    return c


class PageFault(Exception):
    """The fast path could not apply a page: apply it again change by change
    (``apply_page(..., careful=True)``) in a fresh transaction."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _RowFault(Exception):
    """One change cannot be applied here (its reason is for a person)."""


#: Errors of one statement that say "this row", not "this disk": constraint failures,
#: values SQLite cannot take. ``OperationalError`` (locked, full, I/O) is not among them: it
#: is a storage fault and goes up as one (``app.errors.StorageError``).
_ROW_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError,
    sa_exc.IntegrityError, sa_exc.DataError, sa_exc.InterfaceError, sa_exc.ProgrammingError,
    ValueError, TypeError, OverflowError)


@dataclass(slots=True)
class _Change:
    raw: Any
    entity: str
    row_id: str
    op: str
    row: Any
    codec: _EntityCodec


def _parse(change: Any) -> tuple[str, str, str, Any]:
    """``entity, row_id, op, row`` of a wire change; ``_RowFault`` when it is malformed."""
    try:
        entity = str(change["entity"])
        row_id = str(change["row_id"])
        op = str(change.get("op", "upsert"))
        row = change.get("row")
    except (KeyError, TypeError, AttributeError) as exc:
        raise _RowFault(f"the change is malformed ({type(exc).__name__}: {exc})") from exc
    return entity, row_id, op, row


def _holder(held: quarantine.Held, refs: dict[str, int], ch: _Change) -> int | None:
    """The quarantined change ``ch`` waits for: one of the same row, or a row it names
    (``refs``: held row id → quarantine id)."""
    qid = held.get((ch.entity, ch.row_id))
    if qid is not None or not isinstance(ch.row, dict):
        return qid
    for name, spec in ch.codec.fields.items():
        if spec.kind == "id" and name != "id":
            value = ch.row.get(name)
            if isinstance(value, str) and value in refs:
                return refs[value]
    return None


def apply_page(session: Session, page: Page, *, store_cursor: bool = True,
               seen: dict[str, set[str]] | None = None, careful: bool = False,
               attempts: list[int] | None = None) -> Applied:
    """Apply ``page`` in the caller's transaction (see the module docstring).

    ``store_cursor=False`` is used by a full snapshot (``Syncer.resync``), which keeps the
    cursor until the whole snapshot is in; ``seen`` collects the row ids it contained. A
    ``delete`` of a row this replica does not have changes nothing.

    The fast path writes the whole page with one ``executemany`` per entity and shape; if a
    change cannot be applied it raises ``PageFault`` and the caller rolls back and calls
    again with ``careful=True``: each change then goes in its own savepoint, and one that
    fails is quarantined (``sync.quarantine``) while the rest, and the cursor, move on.
    Changes that depend on a quarantined one are held with it on both paths. ``attempts``
    (careful only) counts earlier tries of each change, for a retry of the quarantine.
    """
    state = sync_state(session)
    if state.recovered_from is not None and attempts is None:  # a page from the server
        settle_recovered(session, page.last_mutation_id)
    reconcile_lmid(session, page.last_mutation_id)
    floor = max(sync_state(session).acked_mutation_id, page.last_mutation_id)
    applied = Applied()
    held = quarantine.held(session)
    refs = {row_id: qid for (_entity, row_id), qid in held.items()}
    writer = _PageWriter(session)
    changes: list[_Change] = []
    for n, raw in enumerate(page.changes):
        tries = attempts[n] + 1 if attempts is not None else 1
        try:
            entity, row_id, op, row = _parse(raw)
        except _RowFault as fault:
            if not careful:
                raise PageFault(str(fault)) from fault
            quarantine.put(session, raw, str(fault), cursor=page.cursor, entity="?",
                           row_id="?", attempts=tries)
            applied.quarantined += 1
            continue
        c = codec(entity)
        if c is None:
            log.debug("skipping a change of unknown entity %r", entity)
            continue
        ch = _Change(raw, entity, row_id, op, row, c)
        holder = _holder(held, refs, ch) if held else None
        if holder is not None:
            qid = quarantine.put(session, raw, f"held with change {holder}, which could not "
                                 "be applied", cursor=page.cursor, entity=entity,
                                 row_id=row_id, held_by=holder, attempts=tries)
            held.setdefault((entity, row_id), qid)
            refs.setdefault(row_id, qid)
            applied.quarantined += 1
            continue
        if not careful:
            changes.append(ch)
        else:
            session.flush()  # nothing of the ORM may land inside a savepoint rolled back
            raw_conn = writer.raw
            raw_conn.execute("SAVEPOINT bayline_change")
            try:
                writer.write([ch])
            except _RowFault as fault:
                raw_conn.execute("ROLLBACK TO bayline_change")
                raw_conn.execute("RELEASE bayline_change")
                qid = held[(entity, row_id)] = quarantine.put(
                    session, raw, str(fault), cursor=page.cursor, entity=entity,
                    row_id=row_id, attempts=tries)
                refs.setdefault(row_id, qid)
                applied.quarantined += 1
                continue
            raw_conn.execute("RELEASE bayline_change")
        if seen is not None:
            seen.setdefault(entity, set()).add(row_id)
        applied.rows[entity].add(row_id)
    if changes:
        try:
            writer.write(changes)
        except _RowFault as fault:
            raise PageFault(str(fault)) from fault
    applied.reapplied = reapply_pending(session, applied.rows, floor)
    if store_cursor and page.cursor > state.cursor:
        state.cursor = page.cursor
    return applied


class _PageWriter:
    """Writes converted changes: upserts with ``executemany`` per entity and shape, then
    tombstones. Any error that concerns the rows (not the disk) becomes ``_RowFault``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.now = datetime.now(UTC)
        deleted_type = MODELS["job"].__table__.c.deleted_at.type.dialect_impl(self.dialect)
        self.now_db = _encoder(_time, deleted_type.bind_processor(self.dialect),
                               "time")(self.now.isoformat().replace("+00:00", "Z"))

    @property
    def raw(self) -> sqlite3.Connection:
        raw = self.connection.connection.driver_connection  # the same transaction
        assert raw is not None
        return raw  # type: ignore[no-any-return]

    def write(self, changes: list[_Change]) -> None:
        dialect = self.dialect
        upserts: dict[tuple[str, tuple[tuple[str, ...], tuple[str, ...]]],
                      list[tuple[Any, ...]]] = defaultdict(list)
        tombstones: dict[str, list[str]] = defaultdict(list)
        for ch in changes:
            if isinstance(ch.row, dict):
                try:
                    key, values = ch.codec.encode(ch.row, ch.row_id, ch.codec.encoders(dialect),
                                                  self.now_db if ch.op == "delete" else None)
                except (ValueError, TypeError) as exc:
                    raise _RowFault(f"this version cannot read the {ch.entity}: {exc}") from exc
                upserts[(ch.entity, key)].append(values)
            elif ch.op == "delete":
                tombstones[ch.entity].append(ch.row_id)
            else:
                raise _RowFault(f"the server sent a {ch.entity} without its row")
        try:
            if upserts:
                raw = self.raw
                for (entity, (keys, filled)), rows in upserts.items():
                    sql, perm = codec(entity).statement(keys, filled, dialect)  # type: ignore[union-attr]
                    if perm is not None:
                        rows = [tuple(r[i] for i in perm) for r in rows]
                    raw.executemany(sql, rows)
            for entity, ids in tombstones.items():
                table: Table = MODELS[entity].__table__  # type: ignore[assignment]
                for chunk in _chunks(ids, 500):
                    self.session.execute(update(table).where(table.c.id.in_(chunk),
                                                             table.c.deleted_at.is_(None))
                                         .values(deleted_at=self.now, updated_at=self.now))
        except _ROW_ERRORS as exc:
            orig = getattr(exc, "orig", None) or exc
            raise _RowFault(f"the local database refused it ({orig})") from exc


def settle_recovered(session: Session, server_lmid: int) -> int:
    """A fresh replica that replaced a damaged one (``app.recovery``) hears the server's last
    mutation id of this client for the first time: salvaged outbox entries at or below it
    were applied already, so they are dropped, never sent again. Returns how many."""
    state = sync_state(session)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(Outbox).where(Outbox.id <= server_lmid))
    dropped = result.rowcount or 0
    state.acked_mutation_id = max(state.acked_mutation_id, server_lmid)
    log.warning("recovered replica (from %s): the server has this client's changes up to %d; "
                "%d salvaged change(s) it already had were dropped", state.recovered_from,
                server_lmid, dropped)
    state.recovered_from = None
    return dropped


def retry_quarantine(session: Session) -> Applied:
    """Apply every quarantined change again, in its order, in the caller's transaction; what
    still fails is quarantined again (with one more attempt counted)."""
    taken = quarantine.take_all(session)
    if not taken:
        return Applied()
    state = sync_state(session)
    page = Page([c for c, _ in taken], state.cursor, False, state.acked_mutation_id, False)
    return apply_page(session, page, store_cursor=False, careful=True,
                      attempts=[a for _, a in taken])


def reapply_pending(session: Session, touched: dict[str, set[str]], floor: int) -> int:
    """Re-apply the outbox entries above ``floor`` that touch ``touched`` rows, in id order."""
    if not touched:
        return 0
    # The pending entries are few next to a page's rows (none at all during a first sync):
    # one read of their keys, matched here, instead of an IN query per 500 rows of the page.
    matching = [mid for mid, entity, row_id in session.execute(
        select(Outbox.id, Outbox.entity, Outbox.row_id).where(Outbox.id > floor))
        if row_id in touched.get(entity, ())]
    if not matching:
        return 0
    entries: list[Outbox] = []
    for chunk in _chunks(matching, 500):
        entries.extend(session.scalars(select(Outbox).where(Outbox.id.in_(chunk))))
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
    for entity, row_id in quarantine.held(session):  # held rows keep their last good state
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


def _chunks(items: Iterable[Any], n: int) -> list[list[Any]]:
    seq = list(items)
    return [seq[i:i + n] for i in range(0, len(seq), n)]


__all__ = ["Applied", "Page", "PageFault", "apply_page", "open_conflicts", "reapply_pending",
           "retry_quarantine", "settle_recovered", "sweep"]
