"""Throw-away PostgreSQL databases for tests and benchmarks.

    with temporary_database() as url:          # "postgresql+psycopg://postgres@127.0.0.1:5432/bl_…"
        ...                                    # the database is dropped afterwards, even on error

    pg_database = database_fixture("bl_sync")  # in a conftest: a session-scoped fixture
    def test_x(pg_database: str) -> None: ...  # yields the URL; skips when PostgreSQL is down

``BAYLINE_TEST_PG`` overrides the server (an URL of its maintenance database, default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("BAYLINE_TEST_PG",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _conninfo(url: str) -> str:
    u = make_url(url)
    parts = {"host": u.host or "127.0.0.1", "port": u.port or 5432,
             "user": u.username or "postgres", "dbname": u.database or "postgres"}
    if u.password:
        parts["password"] = u.password
    return " ".join(f"{k}={v}" for k, v in parts.items())


def pg_available(admin_url: str = ADMIN_URL) -> bool:
    """True when the PostgreSQL server answers."""
    try:
        with psycopg.connect(_conninfo(admin_url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def create_database(prefix: str = "bayline_test", admin_url: str = ADMIN_URL) -> str:
    """Create an empty, uniquely named database; return its SQLAlchemy URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,30}", prefix):
        raise ValueError("prefix: lower-case letters, digits and _ only")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, admin_url: str = ADMIN_URL) -> None:
    """Drop the database of ``url``, ending any session still connected to it."""
    name = make_url(url).database
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_database(prefix: str = "bayline_test", admin_url: str = ADMIN_URL) -> Iterator[str]:
    """A fresh database for the duration of the block; yields its URL."""
    url = create_database(prefix, admin_url)
    try:
        yield url
    finally:
        drop_database(url, admin_url)


def database_fixture(prefix: str = "bayline_test", *, scope: Any = "session",
                     migrate: bool = False) -> Callable[..., Iterator[str]]:
    """A pytest fixture yielding the URL of a database made for it (and dropped after).

    With ``migrate=True`` the server's schema is applied first (``server.db.migrate``).
    Tests using it are skipped when PostgreSQL is not reachable.
    """

    @pytest.fixture(scope=scope)
    def _fixture() -> Iterator[str]:
        if not pg_available(ADMIN_URL):
            pytest.skip("PostgreSQL is not reachable at " + make_url(ADMIN_URL).render_as_string())
        with temporary_database(prefix) as url:
            if migrate:
                from server.db import migrate as run_migrations

                run_migrations(url)
            yield url

    return _fixture


__all__ = ["ADMIN_URL", "create_database", "database_fixture", "drop_database", "pg_available",
           "temporary_database"]
