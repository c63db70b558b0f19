"""Benchmarks of the local replica (``app/``).

- Demo generation: the first ``python main.py`` on a new machine builds the demo shop, and
  the person waits for it. Target 15 s: a one-time wait of an installer, not of an app
  that looks hung (measured about 5 s on a developer laptop).
- A status move with its status_event and outbox entries, on the demo replica (a real file
  with ``synchronous=FULL``: every commit waits for the disk). Target p99 <= 5 ms. The
  disk's own fsync p99 is printed next to it: no durable commit can beat it.
- The queue board on 2,000 open and 50,000 closed jobs. Target <= 20 ms (p50), and p99
  <= 40 ms: a board that repaints on every poke must not stall the worker thread.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import demo, rules
from app.db import Store
from app.models import Customer, Job, JobLine, Technician, Vehicle
from app.ops import jobs
from app.queries.boards import queue_board
from bench.result import Result, percentile

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


def run(args: argparse.Namespace) -> list[Result]:
    quick = bool(getattr(args, "quick", False))
    folder = Path(tempfile.mkdtemp(prefix="bayline-bench-app-"))
    try:
        results = _demo_and_moves(folder, quick)
        results += _queue_board(folder, quick)
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _demo_and_moves(folder: Path, quick: bool) -> list[Result]:
    store = Store(folder / "demo.sqlite")
    try:
        history_days = 180 if quick else 730
        t0 = time.perf_counter()
        summary = demo.generate(store, now=NOW, history_days=history_days)
        generate_s = time.perf_counter() - t0
        results = [Result(f"demo generation ({summary.closed_jobs:,} closed jobs, "
                          f"{sum(summary.counts.values()):,} rows)", generate_s, "s", 15.0,
                          "lower")]

        with store.read() as s:
            open_ids = list(s.scalars(select(Job.id).where(Job.status == "in_progress")))
            queued = list(s.scalars(select(Job.id).where(Job.status == "queued")))
        for job_id in queued:  # more jobs to move around, so each move hits another row
            store.run(jobs.move_status, job_id, "in_progress")
        open_ids += queued
        status = dict.fromkeys(open_ids, "in_progress")
        samples = 300 if quick else 2_000
        warmup = 30
        latencies: list[float] = []
        for i in range(samples + warmup):
            job_id = open_ids[i % len(open_ids)]
            to = "on_hold" if status[job_id] == "in_progress" else "in_progress"
            t = time.perf_counter()
            store.run(jobs.move_status, job_id, to, hold_reason="parts")
            elapsed = (time.perf_counter() - t) * 1000
            status[job_id] = to
            if i >= warmup:
                latencies.append(elapsed)
        results.append(Result("status move + outbox, file replica, synchronous=FULL p50",
                              percentile(latencies, 50), "ms", 5.0, "lower"))
        results.append(Result("status move + outbox, file replica, synchronous=FULL p99",
                              percentile(latencies, 99), "ms", 5.0, "lower"))
        results.append(Result("disk fsync of 4 KiB p99 (the floor of any durable commit)",
                              _fsync_p99(folder, 100 if quick else 500), "ms", 5.0, "lower"))
        return results
    finally:
        store.close()


def _fsync_p99(folder: Path, samples: int) -> float:
    """What one durable commit costs at least on this disk: append 4 KiB and fsync."""
    path = folder / "fsync.probe"
    latencies = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for _ in range(samples):
            os.write(fd, b"\0" * 4096)
            t = time.perf_counter()
            os.fsync(fd)
            latencies.append((time.perf_counter() - t) * 1000)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return percentile(latencies, 99)


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _queue_board(folder: Path, quick: bool) -> list[Result]:
    """Fill a replica with jobs (lean rows: only what the queue board reads, plus a few
    lines per job) and time the board."""
    n_open, n_closed = (400, 10_000) if quick else (2_000, 50_000)
    rng = random.Random(1)
    store = Store(folder / "queue.sqlite")
    shop = store.state().shop_id
    base = {"shop_id": shop, "created_at": NOW, "updated_at": NOW, "deleted_at": None}
    techs = [dict(base, id=_uid(rng), name=f"Technician {i}", skills=[], color="#607d8b",
                  daily_capacity_minutes=480, active=True) for i in range(10)]
    customers = [dict(base, id=_uid(rng), name=f"Customer {i}", kind="person",
                      phone=f"(416) 555-{i % 10_000:04d}", email="", address="", notes="")
                 for i in range((n_open + n_closed) // 3)]
    vehicles = [dict(base, id=_uid(rng), customer_id=customers[i % len(customers)]["id"],
                     vin="", plate=f"BNCH {i:05d}", make="Toyota", model="Corolla",
                     year=2015 + i % 10, odometer=50_000 + i, odometer_unit="km", notes="")
                for i in range(len(customers) * 6 // 5)]
    job_rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    open_statuses = rules.OPEN_STATUSES
    for i in range(n_open + n_closed):
        closed = i < n_closed
        status = "closed" if closed else open_statuses[i % len(open_statuses)]
        vehicle = vehicles[rng.randrange(len(vehicles))]
        created = NOW - timedelta(days=(730 * (n_closed - i) / n_closed) if closed
                                  else rng.uniform(0, 5))
        job_id = _uid(rng)
        job_rows.append(dict(
            base, id=job_id, number=str(10_000 + i), customer_id=vehicle["customer_id"],
            vehicle_id=vehicle["id"], status=status,
            hold_reason="parts" if status == "on_hold" else None, priority=rng.choice((0, 0, 0, 1)),
            concern="Noise from the front", promised_at=created + timedelta(hours=8),
            customer_waiting=rng.random() < 0.1,
            technician_id=rng.choice(techs)["id"] if status != "estimate" else None,
            bay_id=None, odometer_in=vehicle["odometer"], estimated_minutes=90,
            completed_at=created + timedelta(hours=3) if closed else None,
            closed_at=created + timedelta(hours=5) if closed else None, created_at=created))
        parts = ("installed",) if closed else tuple(
            rng.choice(("needed", "ordered", "received", "installed")) for _ in range(2))
        for kind, part_status in (("labor", None), *(("part", p) for p in parts),
                                  ("fee", None)):
            lines.append(dict(
                base, id=_uid(rng), job_id=job_id, kind=kind, description=kind,
                quantity=1.0, unit_price_cents=10_000, approval="approved", technician_id=None,
                part_status=part_status, done=closed, service_code=None, created_at=created))
    demo.bulk_insert(store, {Technician: techs, Customer: customers, Vehicle: vehicles,
                             Job: job_rows, JobLine: lines})
    # The rows now live in SQLite, not in the app's memory: drop the generator's copies so
    # the timing does not include the garbage collector walking 300,000 dicts the desk
    # would never hold.
    del techs, customers, vehicles, job_rows, lines
    gc.collect()
    try:
        runs = 30 if quick else 100
        timings: list[float] = []
        for i in range(runs + 5):
            t = time.perf_counter()
            with store.read() as session:
                board = queue_board(session, NOW)
            elapsed = (time.perf_counter() - t) * 1000
            if i >= 5:
                timings.append(elapsed)
        assert board.total == n_open
        label = f"queue board ({n_open:,} open, {n_closed:,} closed jobs)"
        return [Result(f"{label} p50", percentile(timings, 50), "ms", 20.0, "lower"),
                Result(f"{label} p99", percentile(timings, 99), "ms", 40.0, "lower")]
    finally:
        store.close()
