"""sync/ stays free of Qt, ui and server."""

from __future__ import annotations

import subprocess
import sys


def test_sync_imports_no_qt_ui_or_server() -> None:
    code = ("import sys, sync.engine, sync.cli, sync.account, sync.live;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui', 'server')];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
