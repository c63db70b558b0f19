"""A short soak in the test suite: the real ``SyncEngine`` on its threads (debouncer,
timers, live listener) in four devices of every role, through faults, device crashes and
server kills; the invariants of DESIGN.md after each run (``tests/soak.py`` has the
details). ``BAYLINE_SOAK_RUNS=N`` runs N runs instead of one; ``python -m tests.soak``
runs thousands on its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live_server import LiveServer
from tests.soak import soak

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_engines_on_threads_converge_through_faults_and_kills(
        live_server: LiveServer, pg_database: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    runs = int(os.environ.get("BAYLINE_SOAK_RUNS", "1"))
    lines: list[str] = []
    totals = soak(live_server, pg_database, tmp_path, runs=runs, work_seconds=4.0, seed=runs,
                  say=lines.append)
    assert totals.runs == runs
    # It did work, through faults, a device crash and a server restart (each run has one).
    assert totals.operations > 0 and totals.faults > 0
    assert totals.device_restarts >= runs and totals.server_restarts >= 1
    with capsys.disabled():
        print(f"\nsoak: {totals.line()}")
