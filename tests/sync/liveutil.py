"""Helpers for the tests against the real server: snapshots to compare replicas with the
server's database, waiting, and a network cable to pull."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.db import Store
from app.entities import WIRE
from app.models import MODELS

Snapshot = dict[str, dict[str, dict[str, Any]]]

#: Not compared: PIN verifiers reach kiosk device accounts only, and a kiosk stores them
#: sealed with its device secret (``sync.pins``), never equal to the server's by design.
UNCOMPARED = frozenset({"technician_pin"})


def _wire(entity: str, row: Any) -> dict[str, Any]:
    spec = WIRE[entity].fields
    out = {name: spec[name].to_wire(getattr(row, name)) for name in spec}
    out["deleted"] = row.deleted_at is not None
    return out


def replica_snapshot(store: Store) -> Snapshot:
    """Every row of the replica by entity and id, in wire form, plus whether it is deleted.

    Tombstones are left out: a snapshot pull (cursor 0) brings no tombstones, so a replica
    that started later never sees rows deleted before it came.
    """
    snap: Snapshot = {}
    with store.read() as s:
        for entity, model in MODELS.items():
            if entity in UNCOMPARED:
                continue
            rows = s.scalars(select(model)).all()
            snap[entity] = {r.id: _wire(entity, r) for r in rows  # type: ignore[attr-defined]
                            if r.deleted_at is None}  # type: ignore[attr-defined]
    return snap


def server_snapshot(database_url: str, shop_id: str) -> Snapshot:
    from server.models import ENTITIES

    engine = create_engine(database_url)
    snap: Snapshot = {}
    try:
        with Session(engine) as s:
            for entity, model in ENTITIES.items():
                if entity in UNCOMPARED:
                    continue
                rows = s.scalars(select(model).where(model.shop_id == shop_id)).all()  # type: ignore[attr-defined]
                snap[entity] = {r.id: _wire(entity, r) for r in rows
                                if r.deleted_at is None}
    finally:
        engine.dispose()
    return snap


def diff(a: Snapshot, b: Snapshot) -> list[str]:
    """Readable differences between two snapshots (empty: equal)."""
    out: list[str] = []
    for entity in sorted(set(a) | set(b)):
        ra, rb = a.get(entity, {}), b.get(entity, {})
        for rid in sorted(set(ra) | set(rb)):
            if rid not in ra:
                out.append(f"{entity} {rid}: only in the second")
            elif rid not in rb:
                out.append(f"{entity} {rid}: only in the first")
            elif ra[rid] != rb[rid]:
                fields = {k: (ra[rid].get(k), rb[rid].get(k)) for k in ra[rid]
                          if ra[rid].get(k) != rb[rid].get(k)}
                out.append(f"{entity} {rid}: {fields}")
    return out


def wait_until(condition: Callable[[], bool], timeout: float = 20.0,
               interval: float = 0.02, what: str = "condition") -> float:
    """Poll until ``condition()``; return the seconds it took."""
    start = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Cable(httpx.BaseTransport):
    """A real ``HTTPTransport`` behind a plug: pulled, every request fails to connect."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.up = True
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("network is unreachable", request=request)
        self.requests += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()
