"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh local replica in a temporary folder."""
    s = Store(tmp_path / "replica.sqlite")
    yield s
    s.close()
