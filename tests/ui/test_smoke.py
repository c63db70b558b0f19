"""``python main.py --smoke`` as CI and the bundle run it: a process of its own, offscreen,
with no keyring, against a demo server it starts (on a small demo shop made beforehand)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")
    from server.demo import create_demo_database

    folder = tmp_path / "demo-server"
    folder.mkdir()
    create_demo_database(folder / "server.sqlite", now=datetime.now(UTC), history_days=10,
                         open_jobs=15)
    return folder


def _run(demo_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BAYLINE_DEMO_DIR": str(demo_dir), "PYTHONUTF8": "1",
           # No keyring at all: the demo's session must never need one.
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("QT_QPA_PLATFORM", None)  # --smoke chooses offscreen itself
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--smoke", *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=240)


def test_smoke_opens_the_demo_moves_a_job_and_prints_its_figures(demo_dir: Path) -> None:
    from sync.demo import read_state, running_demo_server

    done = _run(demo_dir)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(figures) == {"queue_jobs", "technicians", "sync", "ms_to_window",
                            "ms_to_synced"}
    assert figures["sync"] == "ok"
    assert figures["queue_jobs"] == 15 and figures["technicians"] == 8
    assert 0 < figures["ms_to_window"] <= figures["ms_to_synced"]
    # It started the demo server, so it stopped it again.
    assert running_demo_server(demo_dir) is None
    assert read_state(demo_dir)["phase"] == "stopped"


def test_smoke_fails_with_its_reason_when_the_demo_server_cannot_start(
        tmp_path: Path) -> None:
    folder = tmp_path / "demo-server"
    folder.mkdir()
    (folder / "server.sqlite").write_bytes(b"this is not a database" * 100)
    done = _run(folder)
    assert done.returncode != 0
    assert "bayline --smoke failed" in done.stderr and "demo server" in done.stderr
    assert done.stdout.strip() == ""
