"""The Qt binding itself: a long day of painting must not abort the desk.

PySide6 6.12 also returns ``None`` from every void method (``painter.save()``,
``widget.setEnabled()``) without a reference to it; on Python 3.11 that aborts a process
after a few thousand calls (``ui.qt._keep_singletons_alive`` is the workaround). The
card delegate makes dozens of such calls per card it paints. Each check runs in a process
of its own, since the failure is an abort.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: A day of a desk's painting in miniature: far more void calls than None has references.
CALLS = """
from PySide6.QtGui import QImage, QPainter
img = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(img)
for _ in range(300_000):
    painter.save()
    painter.restore()
painter.end()
print("survived")
"""


def _run(prelude: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", prelude + CALLS], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_many_void_calls_through_ui_qt_do_not_abort() -> None:
    done = _run("import ui.qt\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12 on")
def test_the_binding_alone_still_needs_the_workaround() -> None:
    """When this fails, PySide6 keeps None's references itself: drop the workaround."""
    done = _run("")
    assert done.returncode != 0 and "none_dealloc" in done.stderr
