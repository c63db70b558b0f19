"""Opening the local replica: engine, pragmas, migrations, and the write transaction.

Every local write goes through ``Store.write()``: one SQLite transaction (``BEGIN
IMMEDIATE``) in which an operation validates, changes rows and appends its outbox entries.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, insert, select
from sqlalchemy.orm import Session

from app import identity, roles, validators
from app.changes import ChangeCollector, Changes
from app.entities import WIRE, new_id
from app.errors import NotAllowed, NotFound, StorageError
from app.models import MODELS, Base, Outbox, SyncState
from app.storage import storage_error, storage_errors
from app.timeutil import utcnow
from app.wal import WalKeeper

log = logging.getLogger(__name__)

#: The outbox's INSERT as a Core statement (compiled once, cached by SQLAlchemy).
OUTBOX_INSERT = insert(Outbox)
#: What every write needs of the sync state, read without loading its ORM row.
STATE_IDS = select(SyncState.shop_id, SyncState.client_id, SyncState.role).where(
    SyncState.id == 1)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
M = TypeVar("M", bound=Base)

#: ``synchronous=FULL`` in WAL mode syncs the WAL on every commit: a committed edit survives
#: a power cut. ``NORMAL`` would keep the file consistent but could lose the last commits,
#: and a lost check-in is exactly what a shop must never see. Commits cost ~1 fsync each.
#: The boards read a few thousand rows scattered over a file of 100 MB and more; with the
#: default 2 MB page cache most of those pages come back through a system call each time.
#: A 64 MiB cache halves the queue board's time on a large replica. No memory map: the
#: kernel maps the file in 64 KiB runs around every page read, so each connection's map
#: held several times the pages it used, and counted them as the desk's memory (the
#: desk's peak with a first sync of 100,000 rows went from 337 MB to 251 MB without it).
#: SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, which
#: made one status move in a hundred wait for it; ``app.wal.WalKeeper`` checkpoints off the
#: write path instead (every ``Store`` has one, with or without a sync engine), and a WAL
#: that a checkpoint emptied is truncated back to 8 MiB when it starts over.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=0",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA wal_autocheckpoint=0",
    "PRAGMA journal_size_limit=8388608",
)


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself, so writes can be IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("bayline_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(path: Path | str) -> Engine:
    """An engine on the replica file at ``path`` (``":memory:"`` is not supported: use a file)."""
    # URL.create keeps the path verbatim: in "sqlite:///..." text a "%41" in a folder name
    # would be decoded to "A" and the replica made somewhere else.
    engine = create_engine(URL.create("sqlite", database=str(path)))
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def config_value(value: str) -> str:
    """``value`` escaped for Alembic's ``Config`` (a ``configparser`` that reads ``%`` as
    interpolation): a Windows path inside a URL is full of ``%3A``/``%5C``, and a folder may
    be called ``50%off``."""
    return value.replace("%", "%%")


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's settings for the replica. ``upgrade`` hands over its connection in
    ``attributes``; the URL is there only for Alembic's own command-line use."""
    cfg = Config()
    cfg.set_main_option("script_location", config_value(str(MIGRATIONS_DIR)))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url",
                            config_value(engine.url.render_as_string(hide_password=False)))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the replica's schema to ``revision`` in place; data is kept."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class Writer:
    """The one transaction of a domain operation: row changes plus their outbox entries.

    Every write is checked here, whichever operation makes it: the role of the user signed
    in to this replica (``app.roles``; none signed in, or a demo: every right), each value
    and the rules between a row's fields (``app.validators``), and what may change once a
    row is written. The server checks the same with the same functions, so what passes
    here is not refused hours later.
    """

    def __init__(self, session: Session, state: SyncState | None = None, *,
                 shop_id: str | None = None, device_id: str | None = None,
                 role: str | None = None, acting_user_id: str | None = None) -> None:
        self.session = session
        self._state = state
        # The shop and device ids come from a plain read (``Store.write``); the ORM row of
        # the sync state is loaded only by the few operations that change it.
        self._shop_id = state.shop_id if state is not None else shop_id
        self._device_id = state.client_id if state is not None else device_id
        #: On a shared kiosk: the technician (user id) this operation is done for; every
        #: outbox entry of the operation carries it to the server.
        self.acting_user_id = acting_user_id
        self.collector = ChangeCollector()
        self.now = utcnow()
        #: Outbox rows of this operation, written in one statement by ``flush_outbox``.
        self.outbox: list[dict[str, Any]] = []
        #: This operation's id: the id of its first outbox entry (see ``flush_outbox``).
        self.operation_id: int | None = None
        #: The role this replica writes with (a kiosk's: its PIN-signed technician's).
        self.role = roles.writing_role(state.role if state is not None else role)

    def allow(self, entity: str, action: str, fields: Any = None) -> None:
        """Raise ``NotAllowed`` with the server's reason when the signed-in role may not
        do ``action`` on ``entity``."""
        decision = roles.can(self.role, entity, action, fields)
        if not decision:
            raise NotAllowed(decision.reason or "You may not do this.")

    @property
    def state(self) -> SyncState:
        """The replica's sync state row (loaded on first use, in this transaction)."""
        if self._state is None:
            state = self.session.get(SyncState, 1)
            assert state is not None
            self._state = state
        return self._state

    @property
    def shop_id(self) -> str:
        return self._shop_id if self._shop_id is not None else self.state.shop_id

    @property
    def device_id(self) -> str:
        return self._device_id if self._device_id is not None else self.state.client_id

    def get(self, cls: type[M], row_id: str | None, /, *, what: str | None = None) -> M:
        """The live row ``row_id`` of ``cls``, or ``NotFound`` naming what was missing."""
        row = self.session.get(cls, row_id) if row_id else None
        if row is None or getattr(row, "deleted_at", None) is not None:
            raise NotFound(f"That {what or cls.__tablename__.replace('_', ' ')} no longer exists.")
        return row

    def create(self, cls: type[M], /, *, urgent: bool = False, with_id: str | None = None,
               **fields: Any) -> M:
        """Make a row of ``cls`` (id ``with_id``, or a new one) from ``fields``."""
        entity = cls.__tablename__
        self.allow(entity, "create", fields)
        fields = validators.validate_new(entity, fields, self.collector.warnings)
        new_row_id = with_id or new_id()
        row = cls(id=new_row_id, shop_id=self.shop_id, created_at=self.now,
                  updated_at=self.now, deleted_at=None, **fields)
        self.session.add(row)  # flushed with the rest of the operation (autoflush, commit)
        spec = WIRE[entity].fields
        wire = {name: spec[name].to_wire(getattr(row, name)) for name in spec}
        self._record(entity, new_row_id, "upsert", wire, {}, urgent)
        return row

    def update(self, row: M, /, *, urgent: bool = False, **fields: Any) -> M:
        """Change the listed fields of ``row``; only fields whose value differs are sent."""
        entity = row.__tablename__
        values = validators.validate_fields(entity, fields, self.collector.warnings)
        new = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not new:
            return row
        self.allow(entity, "update", new)
        validators.check_change(entity, row, new)
        validators.validate_row(entity, validators.RowView(row, new), new)
        spec = WIRE[entity].fields
        changed: dict[str, Any] = {}
        base: dict[str, Any] = {}
        for name, value in new.items():
            base[name] = spec[name].to_wire(getattr(row, name))
            changed[name] = spec[name].to_wire(value)
            setattr(row, name, value)
        if changed:
            row.updated_at = self.now  # type: ignore[attr-defined]
            self._record(entity, row.id, "upsert", changed, base, urgent)  # type: ignore[attr-defined]
        return row

    def delete(self, row: Base) -> None:
        """Tombstone ``row``: it stays in the table with ``deleted_at`` set."""
        entity = row.__tablename__
        self.allow(entity, "delete")
        validators.check_delete(entity)
        row.deleted_at = self.now  # type: ignore[attr-defined]
        row.updated_at = self.now  # type: ignore[attr-defined]
        self._record(entity, row.id, "delete", {}, {}, False)  # type: ignore[attr-defined]

    def flush_outbox(self) -> None:
        """Write the operation's outbox rows: one Core INSERT (in the order the operation
        made them, which is their id order), not a unit of work per row. The row changes
        are flushed first, so a failing row change never leaves outbox rows behind.
        ``Store.write`` calls it before the commit."""
        if self.outbox:
            self.session.flush()
            # The entries take the ids AUTOINCREMENT would give them, in order; the first
            # one's id names the operation, and every entry carries it, so the push never
            # splits the operation and the server ties its mutations.
            first = _next_outbox_id(self.session)
            if self.operation_id is None:
                self.operation_id = first
            for n, entry in enumerate(self.outbox):
                entry["id"] = first + n
                entry["operation_id"] = self.operation_id
            self.session.connection().execute(OUTBOX_INSERT, self.outbox)
            self.outbox = []

    def warn(self, message: str) -> None:
        self.collector.warnings.append(message)

    def _record(self, entity: str, row_id: str, op: str, fields: dict[str, Any],
                base: dict[str, Any], urgent: bool) -> None:
        self.outbox.append({"entity": entity, "row_id": row_id, "op": op, "fields": fields,
                            "base": base, "created_at": self.now, "urgent": urgent,
                            "acting_user_id": self.acting_user_id})
        self.collector.add(entity, [row_id])
        self.collector.urgent |= urgent


def _next_outbox_id(session: Session) -> int:
    """The id AUTOINCREMENT would give the next outbox entry (ids are never reused: the
    write transaction holds the replica, so nothing can take it first)."""
    # Plain driver SQL: ~17 µs against ~40 µs through text() (the write path's budget is 2 ms).
    return int(session.connection().exec_driver_sql(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0), "
        "coalesce((SELECT max(id) FROM outbox), 0)) + 1").scalar_one())


class Store:
    """The local replica: one SQLite file, upgraded on open.

    Every SQLite failure of the disk or the file (busy, full, not a database, damaged, no
    permission) leaves a ``Store`` method as ``StorageError`` (``app.storage``); a file
    that is not a database, or is damaged, is set aside and rebuilt by ``app.recovery``.
    """

    def __init__(self, path: Path | str, *, shop_id: str | None = None,
                 adopt: identity.Identity | None = None) -> None:
        """Open (or make) the replica at ``path``. ``adopt`` gives a new replica the identity
        of one it replaces (``app.recovery``): the same client id, shop and server."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise (storage_error(exc, self.path) or StorageError(str(exc))) from exc
        self.engine = make_engine(self.path)
        self.wal = WalKeeper(self.engine, self.path)
        try:
            with storage_errors(self.path):
                upgrade(self.engine)
            self._ensure_state(shop_id, adopt)
        except BaseException:
            self.engine.dispose()
            raise
        identity.remember(self)

    def _ensure_state(self, shop_id: str | None, adopt: identity.Identity | None) -> None:
        with self.write_session() as session:
            if session.get(SyncState, 1) is None and adopt is not None:
                session.add(SyncState(id=1, client_id=adopt.client_id,
                                      device_code=adopt.device_code, shop_id=adopt.shop_id,
                                      server_url=adopt.server_url, username=adopt.username))
            elif session.get(SyncState, 1) is None:
                client_id = new_id()
                session.add(SyncState(id=1, client_id=client_id,
                                      device_code=client_id.replace("-", "")[:4].upper(),
                                      shop_id=shop_id or new_id()))

    def close(self) -> None:
        self.wal.close()
        self.engine.dispose()

    def checkpoint(self) -> None:
        """A passive WAL checkpoint now (after a pull round, at housekeeping)."""
        self.wal.checkpoint()

    def maybe_checkpoint(self) -> None:
        """A passive WAL checkpoint if the WAL has grown past its size (between pages of a
        large apply)."""
        self.wal.maybe_checkpoint()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred transaction, rolled back at the end)."""
        with storage_errors(self.path), Session(self.engine, expire_on_commit=False) as session:
            yield session  # closing the session ends the transaction; rows stay loaded

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session in one ``BEGIN IMMEDIATE`` transaction, committed on success. The
        ``BEGIN IMMEDIATE`` (where a lock held elsewhere shows) is inside the wrapper."""
        with storage_errors(self.path), Session(self.engine, expire_on_commit=False) as session:
            try:
                session.connection(execution_options={"bayline_write": True})
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
        self.wal.committed()

    @contextmanager
    def write(self, *, acting_user_id: str | None = None) -> Iterator[Writer]:
        """The transaction of a domain operation; nothing is kept if it raises.
        ``acting_user_id``: who does it on a shared kiosk (see ``Writer``)."""
        with self.write_session() as session:
            ids = session.connection().execute(STATE_IDS).one()
            writer = Writer(session, shop_id=ids.shop_id, device_id=ids.client_id,
                            role=ids.role, acting_user_id=acting_user_id)
            yield writer
            writer.flush_outbox()

    def state(self) -> SyncState:
        with self.read() as session:
            state = session.get(SyncState, 1)
            assert state is not None
            return state

    def run(self, op: Any, /, *args: Any, acting_user_id: str | None = None,
            **kwargs: Any) -> Changes:
        """Run the domain operation ``op(writer, ...)`` in one transaction; its ``Changes``.
        ``acting_user_id``: the technician a kiosk does it for (sent with its entries)."""
        return run(self, op, *args, acting_user_id=acting_user_id, **kwargs)

    def pending_count(self) -> int:
        from sqlalchemy import func

        with self.read() as session:
            return int(session.scalar(select(func.count()).select_from(Outbox)) or 0)


def run(store: Store, op: Any, /, *args: Any, acting_user_id: str | None = None,
        **kwargs: Any) -> Changes:
    """Run ``op(writer, ...)`` in one write transaction and return its ``Changes``."""
    with store.write(acting_user_id=acting_user_id) as w:
        result = op(w, *args, **kwargs)
    return w.collector.freeze(result=result)


__all__ = ["MODELS", "Store", "Writer", "run", "make_engine", "upgrade"]
