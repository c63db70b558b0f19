"""The printed repair order: a 30-line order to a PDF file (<= 300 ms).

On a replica with one customer, vehicle and job of 30 lines (labour, parts and fees;
approved, pending and declined), each sample is what Save as PDF costs the clerk: the read
on the database worker (``app.queries.documents.job_document``) and the render through
``QTextDocument`` onto a ``QPdfWriter`` (``ui.desk.printing.save_pdf``), the file written.
The first PDF of a process also loads the fonts; it is shown on its own line (the same
target: it is what the clerk waits for after a start). Qt offscreen, in this process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from app.db import Store
from bench.result import Result, percentile

LINES = 30
TARGET_MS = 300.0


def _replica(folder: Path) -> tuple[Store, str]:
    from app.ops import customers, jobs, vehicles
    from app.ops.settings import update_shop_settings

    store = Store(folder / "replica.sqlite")
    store.run(update_shop_settings, header_name="Bayline Motors",
              header_address="12 King St W\nToronto ON M5H 1A1", header_phone="416 555 0100",
              header_tax_number="123456789 RT0001", tax_rate_bp=1300,
              taxable_kinds=["labor", "part"])
    cust = store.run(customers.create_customer, name="Ada Lovelace", phone="416 555 0142",
                     address="1 Analytical Way\nLondon ON").result
    veh = store.run(vehicles.create_vehicle, customer_id=cust, vin="1HGCM82633A004352",
                    plate="CAFE 123", make="Honda", model="Accord", year=2003).result
    job = store.run(jobs.create_job, customer_id=cust, vehicle_id=veh, odometer_in=120_345,
                    concern="Brakes squeal when cold; check engine light on").result
    for k in range(LINES):
        store.run(jobs.add_line, job, kind=("labor", "part", "fee")[k % 3],
                  description=f"Item {k + 1}: front brake pads and rotors, machine and fit",
                  quantity=1.5 if k % 3 == 0 else 2, unit_price_cents=4_999 + 100 * k,
                  approval=("approved", "pending", "declined")[k % 3])
    return store, str(job)


def run(args: argparse.Namespace) -> list[Result]:
    n = 8 if getattr(args, "quick", False) else 30
    os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")
    from ui.qt import QApplication

    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["bayline-bench-print"])  # noqa: F841 - lives for the bench
    from app.queries.documents import job_document
    from ui.desk.printing import save_pdf

    folder = Path(tempfile.mkdtemp(prefix="bayline-bench-print-"))
    store, job_id = _replica(folder)
    try:
        samples, pages = [], 0
        for i in range(n + 1):
            path = folder / f"order-{i}.pdf"
            t0 = time.perf_counter()
            with store.read() as s:
                doc = job_document(s, job_id)
            assert doc is not None
            pages = save_pdf(doc, path)
            samples.append((time.perf_counter() - t0) * 1000)
            assert path.stat().st_size > 10_000
        first, warm = samples[0], samples[1:]
        label = f"print: PDF of a {LINES}-line repair order ({pages} pages), read + render"
        return [
            Result(f"{label}, first in the process (fonts loaded)", first, "ms", TARGET_MS,
                   "lower"),
            Result(f"{label} p50", percentile(warm, 50), "ms", TARGET_MS, "lower"),
            Result(f"{label} p95", percentile(warm, 95), "ms", TARGET_MS, "lower"),
        ]
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
