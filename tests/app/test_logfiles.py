"""The desk and a command share a data folder without breaking each other's log.

Windows refuses to rename a file that another process holds open; a rotating log shared by
the desk and ``bayline sync`` then fails on every record. Here the refusal is reproduced
by a rotator that raises the ``PermissionError`` Windows gives.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logfiles import TolerantRotatingFileHandler, log_file

ROOT = Path(__file__).resolve().parents[2]


def test_each_kind_of_process_has_its_own_file(tmp_path: Path) -> None:
    files = {log_file(tmp_path, kind) for kind in ("desk", "kiosk", "cli", "server")}
    assert len(files) == 4 and all(f.parent == tmp_path / "logs" for f in files)


def test_a_command_logs_to_the_command_file(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path), "status"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == ["cli.log"]


def _held_open_by_another_process(source: str, dest: str) -> None:
    raise PermissionError(13, "The process cannot access the file because it is being used "
                              "by another process", source)


@pytest.fixture
def logger(tmp_path: Path) -> Iterator[tuple[logging.Logger, TolerantRotatingFileHandler]]:
    handler = TolerantRotatingFileHandler(tmp_path / "desk.log", maxBytes=200, backupCount=2,
                                          encoding="utf-8")
    log = logging.getLogger(f"test_logfiles.{id(handler)}")
    log.propagate = False
    log.addHandler(handler)
    yield log, handler
    log.removeHandler(handler)
    handler.close()


def test_a_refused_rotation_loses_no_record_and_prints_no_error(
        logger: tuple[logging.Logger, TolerantRotatingFileHandler], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    log, handler = logger
    handler.rotator = _held_open_by_another_process
    for i in range(50):
        log.warning("record %02d ü", i)
    handler.flush()
    text = (tmp_path / "desk.log").read_text(encoding="utf-8")
    assert all(f"record {i:02d} ü" in text for i in range(50))
    assert "Logging error" not in capsys.readouterr().err


def test_rotation_resumes_once_the_file_is_free(
        logger: tuple[logging.Logger, TolerantRotatingFileHandler], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    log, handler = logger
    handler.rotator = _held_open_by_another_process
    for i in range(10):
        log.warning("held %02d %s", i, "x" * 40)
    handler.rotator = None  # the other process let go
    monkeypatch.setattr(handler, "_retry_at", 0.0)  # and the wait is over
    for i in range(10):
        log.warning("free %02d %s", i, "x" * 40)
    assert (tmp_path / "desk.log.1").exists()
    assert os.path.getsize(tmp_path / "desk.log") <= 200
