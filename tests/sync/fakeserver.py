"""An in-memory server speaking PROTOCOL.md, behind ``httpx.MockTransport``, for unit tests.

It is small on purpose: one shop, rows as wire dicts, a change sequence, LMIDs per client,
stored outcomes for retried batches, the guarded ``job.status``/``job.technician_id``,
status moves from ``app.rules``, final job numbers. Tests script failures with ``fail``.
Like the real server, a refused mutation (``rejected`` or ``conflict``) gives its row a new
seq, or, where there is no such row, a delete marker that a snapshot (cursor 0) leaves out.
"""

from __future__ import annotations

import gzip
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app import rules

GUARDED = {("job", "status"), ("job", "technician_id")}
NOW = "2026-11-27T08:00:00Z"


@dataclass
class Failure:
    """Answer the next matching request with ``status`` (or raise ``exc``)."""

    path: str
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    exc: Exception | None = None
    #: Apply the request first, then fail (a lost answer after the commit).
    after_commit: bool = False


class FakeServer:
    def __init__(self, shop_id: str | None = None) -> None:
        self.shop_id = shop_id or str(uuid.uuid4())
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.seq_of: dict[tuple[str, str], int] = {}
        self.deleted: set[tuple[str, str]] = set()
        self.head = 0
        self.purged_seq = 0
        self.lmid: dict[str, int] = {}
        self.outcomes: dict[tuple[str, int], dict[str, Any]] = {}
        self.applied: list[tuple[str, int]] = []
        self.next_number = 1
        self.users = {"clerk": "secret"}
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self._tokens = itertools.count(1)
        self.failures: list[Failure] = []
        self.requests: list[httpx.Request] = []
        self.min_schema = 1
        self.refresh_calls = 0
        self.reject: Callable[[dict[str, Any]], str | None] | None = None
        #: Every new mutation pushed, as it came (with its acting user, if any).
        self.pushed: list[dict[str, Any]] = []

    # --- helpers for tests ------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def fail(self, path: str, status: int = 503, **kw: Any) -> None:
        self.failures.append(Failure(path, status, **kw))

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(path))

    def put_row(self, entity: str, row: dict[str, Any]) -> None:
        """A change made on the server by someone else."""
        full = {"shop_id": self.shop_id, "created_at": NOW, "updated_at": NOW,
                "deleted_at": None, **row}
        key = (entity, full["id"])
        self.rows[key] = {**self.rows.get(key, {}), **full}
        self._bump([key])

    def delete_row(self, entity: str, row_id: str) -> None:
        key = (entity, row_id)
        self.rows[key]["deleted_at"] = NOW
        self.deleted.add(key)
        self._bump([key])

    def issue_tokens(self) -> dict[str, Any]:
        n = next(self._tokens)
        access, refresh = f"access-{n}-{uuid.uuid4().hex}", f"refresh-{n}-{uuid.uuid4().hex}"
        self.access.add(access)
        self.refresh.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "expires_in": 900,
                "user": {"id": "u1", "username": "clerk", "display_name": "Clerk",
                         "role": "clerk", "shop_id": self.shop_id, "technician_id": None}}

    def expire_access_tokens(self) -> None:
        self.access.clear()

    def live(self, entity: str) -> dict[str, dict[str, Any]]:
        return {rid: row for (e, rid), row in self.rows.items()
                if e == entity and row.get("deleted_at") is None}

    # --- the protocol -----------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        failure = next((f for f in self.failures if path.endswith(f.path)), None)
        if failure is not None:
            self.failures.remove(failure)
            if failure.after_commit:
                self._route(request)
            if failure.exc is not None:
                raise failure.exc
            return httpx.Response(failure.status, headers=failure.headers,
                                  json=failure.body or {"error": "unavailable",
                                                        "detail": "scripted failure"})
        return self._route(request)

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1")
        body = self._body(request)
        if path == "/auth/login":
            if self.users.get(body.get("username")) != body.get("password"):
                return _err(401, "invalid_credentials")
            return httpx.Response(200, json=self.issue_tokens())
        if path == "/auth/refresh":
            self.refresh_calls += 1
            token = body.get("refresh_token")
            if token not in self.refresh:
                return _err(401, "invalid_refresh_token")
            self.refresh.discard(token)
            return httpx.Response(200, json=self.issue_tokens())
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.access:
            return _err(401, "not_authenticated")
        if path == "/auth/logout":
            self.access.discard(auth.removeprefix("Bearer "))
            return httpx.Response(204)
        if int(request.headers.get("X-Schema-Version", "0")) < self.min_schema:
            return httpx.Response(426, json={"error": "schema_version_unsupported",
                                             "detail": "update", "min": self.min_schema})
        client_id = request.headers["X-Client-Id"]
        if path == "/sync/push":
            return self._push(client_id, body)
        if path == "/sync/pull":
            return self._pull(client_id, int(request.url.params["cursor"]),
                              int(request.url.params.get("limit", "1000")))
        return _err(404, "unknown")

    @staticmethod
    def _body(request: httpx.Request) -> dict[str, Any]:
        raw = request.content
        if not raw:
            return {}
        if request.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        data: dict[str, Any] = json.loads(raw)
        return data

    def _bump(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            self.head += 1
            self.seq_of[key] = self.head

    def _push(self, client_id: str, body: dict[str, Any]) -> httpx.Response:
        mutations = body["mutations"]
        if len(mutations) > 500:
            return _err(413, "too_large")
        lmid = self.lmid.get(client_id, 0)
        new = [m for m in mutations if m["id"] > lmid]
        if new and new[0]["id"] > lmid + 1:
            return httpx.Response(409, json={"error": "mutation_gap", "detail": "gap",
                                             "last_mutation_id": lmid})
        results = []
        for m in mutations:
            mid = m["id"]
            if mid <= lmid:
                stored = self.outcomes.get((client_id, mid), {"status": "applied"})
                results.append({"id": mid, **stored})
                continue
            self.pushed.append(m)
            outcome = self._apply(client_id, m)
            if outcome["status"] != "applied":
                self.outcomes[(client_id, mid)] = outcome
                self._bump([(m["entity"], m["row_id"])])  # re-send the server's state
            else:
                self.applied.append((client_id, mid))
            lmid = mid
            self.lmid[client_id] = lmid
            results.append({"id": mid, **outcome})
        return httpx.Response(200, json={"last_mutation_id": self.lmid.get(client_id, 0),
                                         "results": results, "head": self.head})

    def _apply(self, client_id: str, m: dict[str, Any]) -> dict[str, Any]:
        key = (m["entity"], m["row_id"])
        if self.reject is not None:
            reason = self.reject(m)
            if reason:
                return {"status": "rejected", "reason": reason}
        row = self.rows.get(key)
        if m["op"] == "delete":
            if row is not None:
                row["deleted_at"] = NOW
                self._bump([key])
            return {"status": "applied"}
        fields = dict(m["fields"])
        if row is None:
            if m["base"]:
                return {"status": "rejected", "reason": "no such row"}
            row = {"id": m["row_id"], "shop_id": self.shop_id, "created_at": m["at"],
                   "updated_at": NOW, "deleted_at": None, **fields}
            if m["entity"] == "job":
                row["number"] = str(self.next_number)
                self.next_number += 1
            self.rows[key] = row
            self._bump([key])
            return {"status": "applied"}
        for name, value in fields.items():
            if (m["entity"], name) in GUARDED and m["base"].get(name) != row.get(name):
                conflict_id = str(uuid.uuid4())
                self.rows[("conflict", conflict_id)] = {
                    "id": conflict_id, "shop_id": self.shop_id, "created_at": NOW,
                    "updated_at": NOW, "deleted_at": None, "entity": m["entity"],
                    "row_id": m["row_id"], "field": name, "client_value": value,
                    "server_value": row.get(name), "client_id": client_id,
                    "mutation_id": m["id"], "resolved_at": None, "resolved_by": None}
                self._bump([("conflict", conflict_id)])
                return {"status": "conflict", "reason": f"{name} was changed by someone else"}
        if m["entity"] == "job" and "status" in fields and \
                not rules.can_move(row["status"], fields["status"]):
            return {"status": "rejected",
                    "reason": rules.describe_refused_move(row["status"], fields["status"])}
        fields.pop("number", None)
        row.update(fields)
        row["updated_at"] = NOW
        self._bump([key])
        return {"status": "applied"}

    def _pull(self, client_id: str, cursor: int, limit: int) -> httpx.Response:
        if 0 < cursor < self.purged_seq:
            return httpx.Response(200, json={"changes": [], "cursor": cursor, "has_more": False,
                                             "last_mutation_id": self.lmid.get(client_id, 0),
                                             "reset": True})
        newer = sorted((seq, key) for key, seq in self.seq_of.items() if seq > cursor)
        page = newer[:limit]
        changes = []
        for seq, (entity, row_id) in page:
            row = self.rows.get((entity, row_id))
            if row is None:  # the marker of a refused create
                if cursor > 0:
                    changes.append({"seq": seq, "entity": entity, "row_id": row_id,
                                    "op": "delete", "row": None})
                continue
            op = "delete" if row.get("deleted_at") else "upsert"
            changes.append({"seq": seq, "entity": entity, "row_id": row_id, "op": op,
                            "row": dict(row)})
        new_cursor = page[-1][0] if page else max(cursor, 0)
        if not page and cursor == 0:
            new_cursor = self.head
        return httpx.Response(200, json={
            "changes": changes, "cursor": new_cursor, "has_more": len(newer) > limit,
            "last_mutation_id": self.lmid.get(client_id, 0), "reset": False})


def _err(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "detail": code.replace("_", " ")})
