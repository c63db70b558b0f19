"""Which PostgreSQL a test run uses (tests/pg.py): the system's, or a throw-away one."""

from __future__ import annotations

import os

import pytest

from tests import pg

DEAD = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1
EMBEDDED_URL = "postgresql+psycopg://postgres@/postgres?host=/tmp/fake"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """tests.pg as on a new run; starting an embedded server is recorded, not done, and so
    is what the run announces."""
    started: list[str] = []
    monkeypatch.setattr(pg, "announce", lambda line: started.append(f"said: {line}"))
    monkeypatch.setattr(pg, "_admin_url", None)
    monkeypatch.setattr(pg, "description", "")
    monkeypatch.setenv("BAYLINE_TEST_PG", "-")  # so that undo restores the real value,
    monkeypatch.delenv("BAYLINE_TEST_PG")  # whatever admin_url() writes here

    def start() -> str:
        started.append("embedded")
        return EMBEDDED_URL

    monkeypatch.setattr(pg, "start_embedded", start)
    monkeypatch.setattr(pg, "_answers", lambda url: url != DEAD)
    monkeypatch.setattr(pg, "_version", lambda url: "18.6")
    return started


def test_a_fresh_machine_gets_an_embedded_server_and_is_told(
        fresh: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "SYSTEM_URL", DEAD)
    assert pg.admin_url() == EMBEDDED_URL
    assert fresh[0] == "embedded" and len(fresh) == 2
    assert "none answers on 127.0.0.1:5432" in fresh[1] and "\n" not in fresh[1]
    # processes the tests start reuse it instead of starting their own
    assert os.environ["BAYLINE_TEST_PG"] == EMBEDDED_URL
    assert pg.admin_url() == EMBEDDED_URL and len(fresh) == 2


def test_the_system_server_is_used_when_it_answers(fresh: list[str]) -> None:
    assert pg.admin_url() == pg.SYSTEM_URL and fresh == []


def test_embedded_can_be_asked_for_by_name(
        fresh: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAYLINE_TEST_PG", "embedded")
    assert pg.admin_url() == EMBEDDED_URL and fresh[0] == "embedded"
    assert "BAYLINE_TEST_PG=embedded" in pg.description


def test_a_given_url_is_used_as_given_without_fallback(
        fresh: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAYLINE_TEST_PG", DEAD)
    assert pg.admin_url() == DEAD and fresh == []
    assert not pg.pg_available()


def test_a_socket_url_becomes_a_libpq_host() -> None:
    info = pg._conninfo("postgresql+psycopg://postgres@/postgres?host=/tmp/a%20b")
    assert "host='/tmp/a b'" in info and "dbname='postgres'" in info
