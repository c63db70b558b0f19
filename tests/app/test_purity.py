"""The domain and the sync engine never load Qt (STYLE.md: the Anki split)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
import app, sync
for package in (app, sync):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in info.name:
            continue  # alembic scripts, loaded by alembic itself
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m == "PySide6" or m.startswith("PySide6."))
print(",".join(loaded))
"""


def test_importing_app_and_sync_leaves_qt_out() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"Qt was imported: {done.stdout}"
