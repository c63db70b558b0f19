"""A replica opens wherever a clerk's data folder is: ``C:\\Users\\Jürgen Ä\\50%off``.

On Windows the replica path carries a drive colon and backslashes; a SQLAlchemy URL
percent-encodes those, and Alembic's config parser reads ``%`` as interpolation. These
paths reproduce the same characters on Linux (a colon is a legal file-name character here).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

import app.db
from app.db import Store, make_engine

ODD_NAMES = [
    "C:\\Users\\clerk",          # what a Windows path looks like inside a URL
    "50%off",                    # a literal percent sign
    "a%41b",                     # a percent that looks like an escape (%41 is "A")
    "Jürgen Ä Øre 工場",          # spaces and non-ASCII letters
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_replica_opens_in_a_folder_with_an_odd_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "replica ü%.sqlite"
    store = Store(path)
    try:
        store.state()
    finally:
        store.close()
    # the file is where it was asked to be, not at a decoded look-alike
    assert path.exists()
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".sqlite") == [path.name]
    Store(path).close()  # and opens again, already at head


def test_the_engine_uses_the_path_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "a%41b c:d.sqlite"
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_migrations_run_from_an_install_folder_with_a_percent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The program itself may live under ``C:\\Users\\50%off\\AppData\\...``."""
    moved = tmp_path / "C:\\50%off Ü" / "migrations"
    shutil.copytree(app.db.MIGRATIONS_DIR, moved,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(app.db, "MIGRATIONS_DIR", moved)
    Store(tmp_path / "replica.sqlite").close()
