"""The server's SQLite file opens and migrates in a folder with a Windows-looking name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import URL, text

import server.db
from server.config import default_database_url
from server.db import make_engine, migrate

ODD = "C:\\Users\\Jürgen Ä\\50%off a%41b"


def test_migrate_on_a_sqlite_file_in_an_odd_folder(tmp_path: Path) -> None:
    path = tmp_path / ODD / "server.sqlite"
    url = URL.create("sqlite", database=str(path)).render_as_string()
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    assert path.exists()


def test_migrate_from_an_install_folder_with_a_percent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    moved = tmp_path / "50%off" / "migrations"
    shutil.copytree(server.db.MIGRATIONS_DIR, moved,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(server.db, "MIGRATIONS_DIR", moved)
    migrate(f"sqlite:///{tmp_path / 'server.sqlite'}")


def test_the_default_database_is_in_the_data_folder_verbatim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / ODD
    monkeypatch.setenv("BAYLINE_DATA_DIR", str(folder))
    monkeypatch.delenv("BAYLINE_DATABASE_URL", raising=False)
    url = default_database_url()
    migrate(url)
    assert (folder / "server.sqlite").exists()
