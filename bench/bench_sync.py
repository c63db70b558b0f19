"""The sync engine against the real server on PostgreSQL, on loopback.

1. A burst of 1,000 edits within 2 s: HTTP requests the engine makes (default settings),
   and the same edits sent by a client that makes one request per edit, in the same run.
2. Draining 10,000 mutations made offline (>= 5,000 mutations/s).
3. First sync of a 100,000-row shop into an empty replica (<= 3 s), in a fresh process
   whose peak RSS is measured (<= 200 MB): the interpreter and its imports count too.
4. Edit on replica A to applied on replica B through pokes, p50 and p95 over 200 edits
   with default settings (p95 <= 1 s). Each edit is an ordinary field edit, so it waits
   for the debounce's quiet window: the slow path, not the urgent one.

Tokens go to a keyring file in a temporary folder, never the user's own keyring.
``--quick`` shrinks every size for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.memory import peak_rss_kb
from bench.result import Result, percentile

REPO = Path(__file__).resolve().parents[1]


# --- setting up ------------------------------------------------------------------------

@contextmanager
def environment(database_url: str) -> Iterator[tuple[str, str, dict[str, str], Path]]:
    """A scratch database with a shop and a manager, a server on it, and a temp folder:
    (server url, database url, credentials, folder)."""
    os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")
    from bench.bench_server import scratch_database, server

    with scratch_database(database_url) as url, tempfile.TemporaryDirectory() as tmp:
        shop_id, creds = _seed(url)
        with server(url) as base:
            yield base.removesuffix("/api/v1"), url, {**creds, "shop_id": shop_id}, Path(tmp)


def _seed(url: str) -> tuple[str, dict[str, str]]:
    from bench.bench_server import seed

    return seed(url, role="manager", shop_name="Sync Bench Garage")


def token_store(folder: Path) -> Any:
    from keyrings.alt.file import PlaintextKeyring

    from sync.credentials import TokenStore

    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring.cfg")
    return TokenStore(backend)


def replica(folder: Path, name: str, server_url: str, creds: dict[str, str],
            tokens: Any) -> Any:
    from app.db import Store
    from sync import account

    store = Store(folder / name / "replica.sqlite")
    return account.login(store, server_url, creds["username"], creds["password"],
                         token_store=tokens).store


def wait_for(condition: Any, timeout: float, what: str, poll: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(poll)


# --- 1. a burst of edits ---------------------------------------------------------------

def bench_burst(server_url: str, creds: dict[str, str], folder: Path, edits: int,
                tokens: Any, settings: Any = None) -> list[Result]:
    from app.ops import customers, jobs
    from sync.account import client_for
    from sync.engine import SyncEngine
    from sync.settings import SyncSettings
    from sync.syncer import Syncer

    store = replica(folder, "burst", server_url, creds, tokens)
    cust = store.run(customers.create_customer, name="Burst Customer").result
    job_id = store.run(jobs.create_job, customer_id=cust, vehicle_id=None, concern="").result
    engine = SyncEngine(store, token_store=tokens, settings=settings)
    engine.start()
    try:
        wait_for(lambda: engine.status.pending == 0 and engine.status.last_sync_at is not None,
                 30, "the first sync")
        time.sleep(1.0)  # let the first pull and the event stream settle
        api = engine.api
        assert api is not None
        before = api.requests_sent
        t0 = time.perf_counter()
        for i in range(edits):
            engine.nudge(store.run(jobs.update_job, job_id, concern=f"burst {i}"))
        burst_seconds = time.perf_counter() - t0
        wait_for(lambda: store.pending_count() == 0, 60, "the burst to drain")
        time.sleep(0.5)  # the pull that follows the push, and our own poke
        engine_requests = api.requests_sent - before
    finally:
        engine.stop()
    # The naive client: the same edits, one request each.
    naive_store = replica(folder, "naive", server_url, creds, tokens)
    cust = naive_store.run(customers.create_customer, name="Naive Customer").result
    naive_job = naive_store.run(jobs.create_job, customer_id=cust, vehicle_id=None,
                                concern="").result
    api = client_for(naive_store, token_store=tokens, settings=SyncSettings().but(max_batch=1))
    syncer = Syncer(naive_store, api)
    syncer.push_all()
    before = api.requests_sent
    t0 = time.perf_counter()
    for i in range(edits):
        naive_store.run(jobs.update_job, naive_job, concern=f"burst {i}")
        syncer.push_batch()
    naive_seconds = time.perf_counter() - t0
    naive_requests = api.requests_sent - before
    api.close()
    naive_store.close()
    store.close()
    print(f"  burst: {edits} edits in {burst_seconds:.2f} s -> {engine_requests} requests; "
          f"naive client: {naive_requests} requests in {naive_seconds:.2f} s", file=sys.stderr)
    return [
        Result(f"sync burst of {edits:,} edits in {burst_seconds:.1f} s: HTTP requests",
               engine_requests, "requests", 10, "lower"),
        Result(f"sync burst: one-request-per-edit client ({naive_requests:,} requests) / engine",
               naive_requests / max(1, engine_requests), "x", 100, "higher"),
    ]


# --- 2. draining offline work ----------------------------------------------------------

def bench_drain(server_url: str, creds: dict[str, str], folder: Path, total: int,
                tokens: Any) -> list[Result]:
    from app.ops import customers
    from sync.engine import SyncEngine

    store = replica(folder, "offline", server_url, creds, tokens)
    # Offline work: a fifth new customers, the rest edits of them (one transaction, as if
    # a day's work had piled up; each becomes its own mutation).
    with store.write() as w:
        ids = [customers.create_customer(w, name=f"Walk-in {i}", phone="555-0100")
               for i in range(total // 5)]
        for i in range(total - len(ids)):
            customers.update_customer(w, ids[i % len(ids)], notes=f"visit {i}")
    assert store.pending_count() == total
    engine = SyncEngine(store, token_store=tokens)
    t0 = time.perf_counter()
    engine.start()
    try:
        # Polled every 20 ms: each look at the outbox takes the GIL from the engine's
        # thread, and a tighter poll measured the probe as much as the drain.
        wait_for(lambda: store.pending_count() == 0, 120, "the offline work to drain",
                 poll=0.02)
        seconds = time.perf_counter() - t0
        api = engine.api
        requests = api.requests_sent if api is not None else 0
    finally:
        engine.stop()
        store.close()
    print(f"  drain: {total} mutations in {seconds:.2f} s ({requests} requests)",
          file=sys.stderr)
    return [Result(f"sync drain of {total:,} offline mutations ({seconds:.2f} s)",
                   total / seconds, "mutations/s", 5_000, "higher")]


# --- 3. the first sync of a big shop ---------------------------------------------------

def bulk_shop(url: str, shop_id: str, total: int) -> None:
    """``total`` rows straight into the server's tables: customers, vehicles, jobs and
    job lines in a workshop's proportions (1 : 1 : 1.5 : 3.5)."""
    from sqlalchemy import insert, update

    from server.db import make_engine
    from server.models import Customer, Job, JobLine, RowIndex, Shop, Vehicle

    n_cust = total // 7
    n_veh = total // 7
    n_job = total * 3 // 14
    n_line = total - n_cust - n_veh - n_job
    now = datetime.now(UTC)
    common = {"shop_id": shop_id, "created_at": now, "updated_at": now, "deleted_at": None}
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            head = int(conn.execute(update(Shop).where(Shop.id == shop_id)
                                    .values(head=Shop.head + total,
                                            next_job_number=Shop.next_job_number + n_job)
                                    .returning(Shop.head)).scalar_one())
            seq = head - total
            cust = [str(uuid.uuid4()) for _ in range(n_cust)]
            veh = [str(uuid.uuid4()) for _ in range(n_veh)]
            job = [str(uuid.uuid4()) for _ in range(n_job)]
            line = [str(uuid.uuid4()) for _ in range(n_line)]
            tables: list[tuple[Any, str, list[str], Any]] = [
                (Customer, "customer", cust, lambda i, n: {
                    "name": f"Customer {n}", "kind": "person", "phone": f"555-{n:05d}",
                    "email": f"c{n}@example.com", "address": f"{n} Main Street",
                    "notes": ""}),
                (Vehicle, "vehicle", veh, lambda i, n: {
                    "customer_id": cust[n % n_cust], "vin": "", "plate": f"BL-{n:05d}",
                    "make": "Toyota", "model": "Corolla", "year": 2015, "odometer": 90_000 + n,
                    "odometer_unit": "km", "notes": ""}),
                (Job, "job", job, lambda i, n: {
                    "number": str(n + 1), "customer_id": cust[n % n_cust],
                    "vehicle_id": veh[n % n_veh], "status": "closed", "hold_reason": None,
                    "priority": 0, "concern": "Service and inspection", "promised_at": None,
                    "customer_waiting": False, "technician_id": None, "bay_id": None,
                    "odometer_in": 90_000 + n, "estimated_minutes": 90, "completed_at": now,
                    "closed_at": now}),
                (JobLine, "job_line", line, lambda i, n: {
                    "job_id": job[n % n_job], "kind": "labor" if n % 2 else "part",
                    "description": "Oil and filter change", "quantity": 1.0,
                    "unit_price_cents": 4_500, "approval": "approved", "technician_id": None,
                    "part_status": None if n % 2 else "installed", "done": True,
                    "service_code": None}),
            ]
            for model, entity, ids, fields in tables:
                for start in range(0, len(ids), 10_000):
                    chunk = ids[start:start + 10_000]
                    conn.execute(insert(model), [{"id": i, **common, **fields(i, start + n)}
                                                 for n, i in enumerate(chunk)])
                    conn.execute(insert(RowIndex), [
                        {"shop_id": shop_id, "entity": entity, "row_id": i,
                         "seq": seq + n + 1, "deleted": False} for n, i in enumerate(chunk)])
                    seq += len(chunk)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()


def first_sync_child(folder: str, server_url: str, username: str) -> None:
    """Run in a fresh process: log in an empty replica and sync it to head (the password
    comes on standard input, not the command line)."""
    from keyrings.alt.file import PlaintextKeyring

    from app.db import Store
    from sync import account
    from sync.credentials import TokenStore
    from sync.syncer import Syncer

    password = sys.stdin.readline().rstrip("\n")
    backend = PlaintextKeyring()
    backend.file_path = str(Path(folder) / "keyring.cfg")
    tokens = TokenStore(backend)
    store = Store(Path(folder) / "first" / "replica.sqlite")
    store = account.login(store, server_url, username, password, token_store=tokens).store
    api = account.client_for(store, token_store=tokens)
    t0 = time.perf_counter()
    result = Syncer(store, api).round()
    seconds = time.perf_counter() - t0
    api.close()
    store.close()
    peak_kb = peak_rss_kb()
    print(json.dumps({"seconds": seconds, "rows": result.pulled_rows,
                      "requests": result.requests,
                      "peak_rss_mb": None if peak_kb is None else peak_kb / 1024}))


def bench_first_sync(server_url: str, url: str, creds: dict[str, str], folder: Path,
                     total: int) -> list[Result]:
    bulk_shop(url, creds["shop_id"], total)
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_sync", "first-sync", str(folder), server_url,
         creds["username"]], input=creds["password"] + "\n",
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    if child.returncode != 0:
        raise RuntimeError(f"the first-sync process failed:\n{child.stderr[-3000:]}")
    data = json.loads(child.stdout.strip().splitlines()[-1])
    peak = data["peak_rss_mb"]
    memory = "peak memory unknown on this platform" if peak is None else f"peak RSS {peak:.0f} MB"
    print(f"  first sync: {data['rows']:,} rows in {data['seconds']:.2f} s, "
          f"{data['requests']} requests, {memory}", file=sys.stderr)
    results = [Result(f"sync first sync of {data['rows']:,} rows", data["seconds"], "s", 3.0,
                      "lower")]
    if peak is not None:
        results.append(Result("sync first sync peak memory (RSS of the process)", peak, "MB",
                              200.0, "lower"))
    return results


# --- 4. edit on A to applied on B ------------------------------------------------------

def bench_latency(server_url: str, creds: dict[str, str], folder: Path, edits: int,
                  tokens: Any, settings: Any = None) -> list[Result]:
    import random

    from app.models import Job
    from app.ops import customers, jobs
    from sync.engine import SyncEngine

    a = replica(folder, "lat-a", server_url, creds, tokens)
    b = replica(folder, "lat-b", server_url, creds, tokens)
    cust = a.run(customers.create_customer, name="Latency Customer").result
    job_id = a.run(jobs.create_job, customer_id=cust, vehicle_id=None, concern="").result
    ea = SyncEngine(a, token_store=tokens, settings=settings)
    eb = SyncEngine(b, token_store=tokens, settings=settings)
    arrived: dict[str, float] = {}
    lock = threading.Lock()

    def on_b(changes: Any) -> None:
        if job_id not in changes.rows.get("job", ()):
            return
        with b.read() as s:
            row = s.get(Job, job_id)
            concern = row.concern if row is not None else None
        if concern:
            with lock:
                arrived.setdefault(concern, time.perf_counter())

    eb.add_changes_listener(on_b)
    ea.start()
    eb.start()
    samples: list[float] = []
    try:
        wait_for(lambda: _has(b, job_id) and ea.status.live and eb.status.live, 30,
                 "both replicas live")
        rng = random.Random(4)
        for i in range(edits):
            value = f"edit {i}"
            t0 = time.perf_counter()
            ea.nudge(a.run(jobs.update_job, job_id, concern=value))
            wait_for(lambda v=value: v in arrived, 10, f"edit {i} on B")  # type: ignore[misc]
            samples.append(arrived[value] - t0)
            time.sleep(rng.uniform(0.05, 0.25))  # the next click comes a moment later
    finally:
        ea.stop()
        eb.stop()
        a.close()
        b.close()
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    print(f"  latency over {edits} edits: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {max(samples) * 1000:.0f} ms", file=sys.stderr)
    return [Result(f"sync edit on A to applied on B p50 ({edits} edits)", p50 * 1000, "ms",
                   1000, "lower"),
            Result(f"sync edit on A to applied on B p95 ({edits} edits)", p95 * 1000, "ms",
                   1000, "lower")]


def _has(store: Any, job_id: str) -> bool:
    from app.models import Job

    with store.read() as s:
        return s.get(Job, job_id) is not None


# --- the runner ------------------------------------------------------------------------

def run(args: argparse.Namespace) -> list[Result]:
    quick = bool(getattr(args, "quick", False))
    results: list[Result] = []
    with environment(args.database_url) as (server_url, url, creds, folder):
        tokens = token_store(folder)
        results += bench_burst(server_url, creds, folder, 1000, tokens)
        results += bench_drain(server_url, creds, folder, 2_000 if quick else 10_000, tokens)
        results += bench_latency(server_url, creds, folder, 40 if quick else 200, tokens)
    # A shop of its own for the first sync: only its 100,000 rows.
    with environment(args.database_url) as (server_url, url, creds, folder):
        results += bench_first_sync(server_url, url, creds, folder,
                                    20_000 if quick else 100_000)
    return results


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "first-sync":
        first_sync_child(*sys.argv[2:])
    else:
        raise SystemExit("usage: python -m bench.bench_sync first-sync FOLDER URL USER "
                         "(password on stdin; run the benchmarks with python -m bench --only "
                         "sync)")
