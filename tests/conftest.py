"""Fixtures shared by every test package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.db import Store

if TYPE_CHECKING:
    from tests.live_server import LiveServer

_DEMO_DIR = pytest.StashKey[Path]()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh local replica in a temporary folder."""
    s = Store(tmp_path / "replica.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def live_server(pg_database: str) -> Iterator[LiveServer]:
    """One ``python -m server serve`` on loopback for the module, on the ``pg_database``
    of the package or module asking (each names its own); tests take a fresh shop each."""
    from tests.live_server import LiveServer, seed_shop

    with LiveServer(pg_database, seed=seed_shop(pg_database, migrate=False),
                    keepalive=2.0) as srv:
        yield srv


def pytest_configure(config: pytest.Config) -> None:
    """Let tests/pg.py say, past the output capture, that it started a PostgreSQL; keep
    every demo server a test starts (``main.py`` on a new replica joins one) out of the
    person's own ``demo-server`` folder."""
    import os
    import tempfile

    from tests import pg

    if "BAYLINE_DEMO_DIR" not in os.environ:
        folder = Path(tempfile.mkdtemp(prefix="bayline-test-demo-")) / "demo-server"
        os.environ["BAYLINE_DEMO_DIR"] = str(folder)
        config.stash[_DEMO_DIR] = folder

    def announce(line: str) -> None:
        capture = config.pluginmanager.getplugin("capturemanager")
        reporter = config.pluginmanager.getplugin("terminalreporter")
        if capture is None or reporter is None:
            print(line, file=sys.__stderr__, flush=True)
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)

    pg.announce = announce


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the session's demo server, if a test left one running, and remove its folder."""
    folder = config.stash.get(_DEMO_DIR, None)
    if folder is None:
        return
    import shutil

    from sync.demo import stop_demo_server

    stop_demo_server(folder)
    shutil.rmtree(folder.parent, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which PostgreSQL the run used (the system's, or a throw-away embedded one)."""
    pg = sys.modules.get("tests.pg")
    description = getattr(pg, "description", "")
    if description:
        terminalreporter.write_line(description)


@pytest.fixture
def test_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """keyrings.alt's plain file, in tmp_path, chosen explicitly (as a person would); the
    sync tests use it for every test, the desk's live tests ask for it."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    yield backend
    keyring.set_keyring(previous)
