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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which PostgreSQL the run used (the system's, or a throw-away embedded one)."""
    pg = sys.modules.get("tests.pg")
    description = getattr(pg, "description", "")
    if description:
        terminalreporter.write_line(description)
