"""Engines, sessions and migrations of the server database (PostgreSQL or a SQLite file)."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.db import config_value
from server.models import ServerSetting

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SECRET_SETTING = "jwt_secret"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # SQLAlchemy's "begin" event below emits BEGIN itself, so writers can be IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # synchronous=FULL: a push is acknowledged only after its commit, and the client then
    # drops it from its outbox, so a committed push must survive a power cut.
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                   "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=30000"):
        cur.execute(pragma)
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    write = conn.get_execution_options().get("bayline_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and IMMEDIATE writers."""
    parsed = make_url(url)
    # Never put statement parameters (password hashes, token hashes) in errors or logs.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping (a round trip per checkout); connections are recycled instead, and a
    # request that meets a dead one fails cleanly and is retried by the client.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


class Database:
    """An engine with its session factory: ``read()`` and ``write()`` transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        #: Called with (shop_id, head) after a commit that advanced a head, where the
        #: database cannot deliver pokes itself (SQLite; PostgreSQL uses NOTIFY).
        self.poke_hook: Callable[[str, int], None] | None = None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session whose transaction is rolled back at the end (nothing is written)."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read transaction whose statements all see one snapshot of the database.

        PostgreSQL's default READ COMMITTED takes a new snapshot per statement, so a pull
        could read a client's LMID before a push commits and its rows after: the client
        would re-apply an edit over a newer value. REPEATABLE READ (read-only, so it never
        fails to serialise) reads them together. A SQLite read transaction in WAL mode is
        one snapshot already.
        """
        with self.sessions() as session:
            if not self.sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                                      "postgresql_readonly": True})
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, committed when the block ends without an exception."""
        with self.sessions() as session:
            session.connection(execution_options={"bayline_write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                session.info.pop("bayline_pokes", None)
                raise
            pokes = session.info.pop("bayline_pokes", [])
            if pokes and self.poke_hook is not None:
                for shop_id, head in pokes:
                    self.poke_hook(shop_id, head)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    """Alembic's settings, both values escaped (``app.db.config_value``). ``migrate`` hands
    over its connection; the URL is there only for Alembic's own command-line use."""
    cfg = Config()
    cfg.set_main_option("script_location", config_value(str(MIGRATIONS_DIR)))
    cfg.set_main_option("sqlalchemy.url", config_value(url))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` to ``revision`` and make the signing key if missing."""
    engine = make_engine(url)
    try:
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        with Session(engine) as session, session.begin():
            if session.get(ServerSetting, SECRET_SETTING) is None:
                session.add(ServerSetting(key=SECRET_SETTING, value=secrets.token_urlsafe(48)))
    finally:
        engine.dispose()


def stored_secret(db: Database) -> str | None:
    with db.read() as session:
        return session.scalar(select(ServerSetting.value)
                              .where(ServerSetting.key == SECRET_SETTING))
