"""The job editor: opening a job, from ``MainWindow.open_job`` to the editor filled and
painted (<= 100 ms, p50 and p95), on the demo shop with the real threaded database worker.

The desk runs in a process of its own (Qt offscreen, 1366x768). For each sample, one of
the demo shop's open jobs (those with the most lines first) is opened with
``window.open_job``; the clock stops when the editor has shown the job's read
(``JobEditor.loaded``) and a synchronous ``repaint()`` of the editor returned. The
vehicle's history and maintenance beside the job are a second read: the time until they
are shown too is reported beside it, and the process's CPU time per opening (the GUI and
the read thread; on a busy machine the wall time waits for the CPU, this does not). Each
editor is closed before the next sample, as a clerk closes a job before the next, so from
the second opening on the editor's widgets are reused (``ui.desk.editor.open_editor``);
the first opening, which makes them, is the warm-up and not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.result import Result, percentile, reference

REPO = Path(__file__).resolve().parents[1]
SAMPLES = 40


def run(args: argparse.Namespace) -> list[Result]:
    quick = bool(getattr(args, "quick", False))
    with tempfile.TemporaryDirectory(prefix="bayline-bench-editor-",
                                     ignore_cleanup_errors=True) as tmp:
        path = Path(tmp) / "replica.sqlite"
        _make_replica(path)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUTF8": "1",
               "QT_LOGGING_RULES": "qt.qpa.*=false"}
        job = {"replica": str(path), "samples": 15 if quick else SAMPLES}
        done = subprocess.run([sys.executable, "-m", "bench.bench_editor", json.dumps(job)],
                              cwd=REPO, env=env, capture_output=True, text=True, check=True)
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    opened = out["opened_ms"]
    side = out["side_ms"]
    n = f"demo shop, {len(opened)} jobs of {out['lines_max']} lines at most"
    return [
        Result(f"editor: open a job, filled and painted p50 ({n})", percentile(opened, 50),
               "ms", 100.0, "lower"),
        Result(f"editor: open a job, filled and painted p95 ({n})", percentile(opened, 95),
               "ms", 100.0, "lower"),
        reference("editor: ... and the vehicle's history and maintenance shown too p95",
                  percentile(side, 95), "ms"),
        reference("editor: CPU time of the desk's process per opening p50 (both threads; "
                  f"machine load {out['load']:.1f})", percentile(out["cpu_ms"], 50), "ms"),
    ]


def _make_replica(path: Path) -> None:
    from app import demo
    from app.db import Store

    store = Store(path)
    try:
        demo.generate(store)
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()


# --- the desk's process ---------------------------------------------------------------------

def _desk(job: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app import rules
    from app.db import Store
    from app.models import Job, JobLine
    from ui.application import create_application
    from ui.desk.context import DeskContext
    from ui.desk.window import MainWindow
    from ui.qt import QApplication, QSettings

    store = Store(Path(job["replica"]))
    app = create_application(["bench-editor"])
    settings = QSettings(str(Path(job["replica"]).with_suffix(".ini")),
                         QSettings.Format.IniFormat)
    ctx = DeskContext(store, None, settings=settings)  # the threaded worker
    window = MainWindow(ctx)
    window.resize(1366, 768)
    window.show()

    def wait(condition: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit("bench_editor: timed out")
            app.processEvents()
            time.sleep(0.0005)

    wait(lambda: window.data is not None)
    with store.read() as s:
        rows = s.execute(
            select(Job.id, func.count(JobLine.id).label("n"))
            .join(JobLine, JobLine.job_id == Job.id)
            .where(Job.status.in_(rules.OPEN_STATUSES), Job.deleted_at.is_(None),
                   JobLine.deleted_at.is_(None))
            .group_by(Job.id).order_by(func.count(JobLine.id).desc(), Job.id)
            .limit(int(job["samples"]))).all()
    opened: list[float] = []
    side: list[float] = []
    cpu: list[float] = []
    for job_id, _n in [rows[0], *rows]:  # the first one warms up (imports, first paint)
        c0 = time.process_time()
        t0 = time.perf_counter()
        window.open_job(job_id)
        editor = window.job_editors[job_id]
        wait(lambda e=editor: e.data is not None)
        editor.repaint()
        t1 = time.perf_counter()
        cpu.append((time.process_time() - c0) * 1000)
        wait(lambda e=editor: e.side is not None)
        editor.repaint()
        t2 = time.perf_counter()
        opened.append((t1 - t0) * 1000)
        side.append((t2 - t0) * 1000)
        editor.close()
        wait(lambda j=job_id: j not in window.job_editors)
    ctx.shutdown(wait=True)
    window.deleteLater()
    QApplication.processEvents()
    store.close()
    return {"opened_ms": opened[1:], "side_ms": side[1:], "cpu_ms": cpu[1:],
            "lines_max": int(rows[0][1]), "load": os.getloadavg()[0]
            if hasattr(os, "getloadavg") else 0.0}


if __name__ == "__main__":
    print(json.dumps(_desk(json.loads(sys.argv[1]))), flush=True)
