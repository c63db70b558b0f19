"""Output survives a Windows pipe: the ANSI code page, and a reader that leaves early.

Windows encodes piped output with the ANSI code page (``PYTHONIOENCODING=cp1252`` makes
Python do the same here) and reports a closed pipe as ``OSError`` EINVAL (a pipe wrapper
below turns Linux's ``BrokenPipeError`` into that).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from app.console import closed_pipe, utf8_streams

ROOT = Path(__file__).resolve().parents[2]
TEXT = "↑ Jürgen Øre 工場"


def test_a_cp1252_stream_writes_every_character_as_utf8() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    utf8_streams(stream)
    stream.write(TEXT)
    stream.flush()
    assert raw.getvalue().decode("utf-8") == TEXT


def test_missing_streams_are_left_alone() -> None:
    utf8_streams(None)  # pythonw and a windowed bundle have no stdout


def test_an_unrelated_einval_is_not_a_closed_pipe() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert not closed_pipe(OSError(22, "Invalid argument"), stream)
    assert not closed_pipe(ValueError("x"), stream)


def _bayline(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), *args],
                          cwd=ROOT, capture_output=True, timeout=120, check=False,
                          env={**os.environ, **env})


def test_the_boards_piped_through_a_cp1252_console(tmp_path: Path) -> None:
    done = _bayline(tmp_path, "boards", PYTHONIOENCODING="cp1252")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "↑" in done.stdout.decode("utf-8")


CLOSED_PIPE = r"""
import errno, io, os, sys

class WindowsPipe(io.FileIO):
    "A pipe whose reader has gone, failing the way Windows does (EINVAL)."
    def write(self, b):
        try:
            return super().write(b)
        except BrokenPipeError:
            if sys.argv[1] == "windows":
                raise OSError(errno.EINVAL, "Invalid argument") from None
            raise

r, w = os.pipe()
os.close(r)
sys.stdout = io.TextIOWrapper(io.BufferedWriter(WindowsPipe(w, "wb")), encoding="cp1252")
sys.argv = ["bayline", "--data-dir", sys.argv[2], "status"]
import main
sys.exit(main.run())
"""


def _closed_pipe_run(kind: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLOSED_PIPE, kind, str(data_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_closed_windows_pipe_ends_quietly(tmp_path: Path) -> None:
    done = _closed_pipe_run("windows", tmp_path)
    assert "Errno 22" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1


def test_a_closed_posix_pipe_ends_quietly(tmp_path: Path) -> None:
    done = _closed_pipe_run("posix", tmp_path)
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
