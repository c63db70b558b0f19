"""The central API on PostgreSQL, measured through a real uvicorn server on loopback.

- push throughput: 10,000 mutations in batches of 500 from one client (>= 2,000/s);
- pull throughput: a 100,000-row snapshot, pages of 5,000 (>= 20,000 rows/s);
- 50 concurrent clients, each pushing small batches (5 mutations) about once a second
  (``THINK``), as busy desks and kiosks do: p50 and p99 latency (p99 <= 50 ms).

A scratch database is made on ``--database-url``'s server and dropped afterwards;
``--quick`` shrinks every size for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import insert, update
from sqlalchemy.engine import make_url

from bench.result import Result, percentile

REPO = Path(__file__).resolve().parents[1]
#: Seconds each of the 50 clients waits between pushes: the sync engine batches edits in a
#: quiet window of about 0.3-1 s, so an active desk pushes about once a second.
THINK = (0.5, 1.5)
WORKERS: list[str] = []


# --- scratch database and server -------------------------------------------------------

def _admin_url(url: str) -> Any:
    u = make_url(url)
    if not u.username:
        u = u.set(username=os.environ.get("PGUSER", "postgres"))
    return u


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    admin = _admin_url(url)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"bayline_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name) \
            .render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "BAYLINE_DATABASE_URL": url, "BAYLINE_ARGON2_PROFILE": "fast"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port), "--log-level",
         "warning", "--no-access-log", *WORKERS], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def seed(url: str, *, role: str = "clerk",
         shop_name: str = "Bench Garage") -> tuple[str, dict[str, str]]:
    """A shop with one user of ``role``; (shop id, credentials)."""
    os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")
    from server import admin
    from server.db import make_engine, migrate

    migrate(url)
    engine = make_engine(url)
    try:
        shop_id = admin.create_shop(engine, shop_name)
        creds = {"username": f"bench-{role}-{shop_id[:8]}", "password": "bench-password"}
        admin.create_user(engine, shop_id=shop_id, role=role, **creds)
    finally:
        engine.dispose()
    return shop_id, creds


def login(base: str, creds: dict[str, str]) -> str:
    r = httpx.post(f"{base}/auth/login", json={**creds, "device_name": "bench"}, timeout=30)
    r.raise_for_status()
    return str(r.json()["access_token"])


def customer(mid: int, n: int) -> dict[str, Any]:
    return {"id": mid, "entity": "customer", "row_id": str(uuid.uuid4()), "op": "upsert",
            "fields": {"name": f"Customer {n}", "kind": "person", "phone": f"555-{n:05d}",
                       "email": f"c{n}@example.com", "address": f"{n} Main Street",
                       "notes": ""},
            "base": {}, "at": "2026-11-27T08:15:00Z"}


# --- the three measurements ------------------------------------------------------------

def bench_push(base: str, token: str, total: int, batch: int = 500) -> float:
    client_id = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}", "X-Client-Id": client_id,
               "X-Schema-Version": "1"}
    batches = [[customer(i + 1, i) for i in range(start, min(total, start + batch))]
               for start in range(0, total, batch)]
    with httpx.Client(timeout=60) as http:
        t0 = time.perf_counter()
        for muts in batches:
            r = http.post(f"{base}/sync/push", headers=headers,
                          json={"client_id": client_id, "schema_version": 1, "mutations": muts})
            r.raise_for_status()
            assert all(x["status"] == "applied" for x in r.json()["results"])
        elapsed = time.perf_counter() - t0
    return total / elapsed


def bulk_rows(url: str, shop_id: str, count: int) -> None:
    """Put ``count`` customers straight into the tables (the pull bench measures pull)."""
    from server.db import make_engine
    from server.models import Customer, RowIndex, Shop

    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            head = int(conn.execute(update(Shop).where(Shop.id == shop_id)
                                    .values(head=Shop.head + count)
                                    .returning(Shop.head)).scalar_one())
            first = head - count + 1
            for start in range(0, count, 10_000):
                ids = [str(uuid.uuid4()) for _ in range(min(10_000, count - start))]
                conn.execute(insert(Customer), [
                    {"id": i, "shop_id": shop_id, "created_at": now, "updated_at": now,
                     "deleted_at": None, "name": f"Bulk {start + n}", "kind": "business",
                     "phone": "555-0100", "email": "fleet@example.com",
                     "address": "1 Industrial Road", "notes": "net 30"}
                    for n, i in enumerate(ids)])
                conn.execute(insert(RowIndex), [
                    {"shop_id": shop_id, "entity": "customer", "row_id": i,
                     "seq": first + start + n, "deleted": False} for n, i in enumerate(ids)])
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # as autovacuum would after such a load
    finally:
        engine.dispose()


def checkpoint(url: str) -> None:
    """Flush PostgreSQL's dirty pages now, so a phase is not measured during a checkpoint
    the previous phase caused."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def bench_pull(base: str, token: str) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {token}", "X-Schema-Version": "1"}
    rows, cursor = 0, 0
    with httpx.Client(timeout=60) as http:
        t0 = time.perf_counter()
        while True:
            r = http.get(f"{base}/sync/pull", headers=headers,
                         params={"cursor": cursor, "limit": 5000})
            r.raise_for_status()
            page = r.json()
            rows += len(page["changes"])
            cursor = page["cursor"]
            if not page["has_more"]:
                break
        elapsed = time.perf_counter() - t0
    return rows / elapsed, rows


def bench_concurrent(base: str, token: str, clients: int, rounds: int,
                     think: tuple[float, float]) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(clients)

    def one() -> None:
        client_id = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {token}", "X-Client-Id": client_id,
                   "X-Schema-Version": "1"}
        next_id = 1
        try:
            with httpx.Client(timeout=30) as http:
                http.get(f"{base}/health")  # open the connection before the clock starts
                start.wait()
                for _ in range(rounds):
                    time.sleep(random.uniform(*think))
                    muts = [customer(next_id + i, next_id + i) for i in range(5)]
                    next_id += 5
                    t0 = time.perf_counter()
                    r = http.post(f"{base}/sync/push", headers=headers, json={
                        "client_id": client_id, "schema_version": 1, "mutations": muts})
                    elapsed = time.perf_counter() - t0
                    r.raise_for_status()
                    with lock:
                        latencies.append(elapsed * 1000)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return latencies


def run(args: argparse.Namespace) -> list[Result]:
    quick = bool(getattr(args, "quick", False))
    push_total = 2_000 if quick else 10_000
    pull_total = 20_000 if quick else 100_000
    rounds = 5 if quick else 20
    results: list[Result] = []
    with scratch_database(args.database_url) as url:
        shop_id, creds = seed(url)
        with server(url) as base:
            token = login(base, creds)
            bench_push(base, token, 1000)  # warm up (connections, caches)
            rate = bench_push(base, token, push_total)
            results.append(Result("server push throughput (batches of 500)", rate,
                                  "mutations/s", 2_000, "higher"))
            checkpoint(url)
            lat = bench_concurrent(base, token, 50, rounds, THINK)
            results.append(Result("server 50 clients push p50", percentile(lat, 50), "ms",
                                  100, "lower"))
            results.append(Result("server 50 clients push p99", percentile(lat, 99), "ms",
                                  50, "lower"))
            pushed = push_total + 1000 + 50 * rounds * 5
            bulk_rows(url, shop_id, max(0, pull_total - pushed))
            checkpoint(url)
            rate, rows = bench_pull(base, token)
            results.append(Result(f"server pull snapshot ({rows:,} rows)", rate, "rows/s",
                                  20_000, "higher"))
    return results
