"""Fixtures shared by every test package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh local replica in a temporary folder."""
    s = Store(tmp_path / "replica.sqlite")
    yield s
    s.close()


def pytest_configure(config: pytest.Config) -> None:
    """Let tests/pg.py say, past the output capture, that it started a PostgreSQL."""
    from tests import pg

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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which PostgreSQL the run used (the system's, or a throw-away embedded one)."""
    pg = sys.modules.get("tests.pg")
    description = getattr(pg, "description", "")
    if description:
        terminalreporter.write_line(description)
