"""``python main.py --kiosk --smoke`` as CI runs it: a process of its own, offscreen, with
no keyring, against a demo server it starts: a demo technician's PIN typed on the pad, a
clock on seen on the server, one line of JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ui.test_smoke import REPO, demo_dir  # noqa: F401 - the fixture


def test_kiosk_smoke_signs_a_technician_in_and_clocks_on_on_the_server(
        demo_dir: Path) -> None:  # noqa: F811 - the fixture
    from sync.demo import running_demo_server

    env = {**os.environ, "BAYLINE_DEMO_DIR": str(demo_dir), "PYTHONUTF8": "1",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run([sys.executable, str(REPO / "main.py"), "--kiosk", "--smoke"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["signed_in"] == "Marco Rossi" and figures["pin"] == "online"
    assert figures["on_server"] is True and figures["technicians"] == 8
    assert figures["clocked_on_job"]
    assert running_demo_server(demo_dir) is None
