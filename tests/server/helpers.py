"""A small client of the API for tests: sign in per role, push with mutation ids counted
per replica, pull pages."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from server.config import Settings
from tests.live_server import ShopSeed


def make_settings(url: str, **overrides: object) -> Settings:
    """Settings of an app under test (no purge thread, quick keepalives)."""
    settings = Settings(database_url=url, purge_interval=0, keepalive_seconds=0.5,
                        secret_key=None)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def peer() -> tuple[str, int]:
    """A client address of its own, so rate limits of one test never hit another."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}", 40000


def new_id() -> str:
    return str(uuid.uuid4())


class Api:
    def __init__(self, http: TestClient, seed: ShopSeed) -> None:
        self.http = http
        self.seed = seed
        self._tokens: dict[str, dict[str, Any]] = {}

    @property
    def shop_id(self) -> str:
        return self.seed.shop_id

    @property
    def technician_id(self) -> str:
        return self.seed.technician_id

    def login(self, role: str) -> dict[str, Any]:
        cred = self.seed.users[role]
        r = self.http.post("/api/v1/auth/login", json={"username": cred.username,
                                                       "password": cred.password,
                                                       "device_name": "pytest"})
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def token(self, role: str) -> str:
        if role not in self._tokens:
            self._tokens[role] = self.login(role)
        return str(self._tokens[role]["access_token"])

    def headers(self, role: str = "admin", client_id: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token(role)}", "X-Schema-Version": "1"}
        if client_id:
            h["X-Client-Id"] = client_id
        return h

    def client(self, role: str = "admin") -> Replica:
        return Replica(self, role)

    def push_raw(self, body: Any, role: str = "admin", **kwargs: Any) -> Any:
        return self.http.post("/api/v1/sync/push", json=body, headers=self.headers(role),
                              **kwargs)

    def pull(self, cursor: int = 0, limit: int = 1000, role: str = "admin",
             client_id: str | None = None) -> dict[str, Any]:
        r = self.http.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": limit},
                          headers=self.headers(role, client_id))
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def pull_all(self, role: str = "admin", cursor: int = 0,
                 limit: int = 1000) -> tuple[dict[tuple[str, str], Any], int]:
        """Every row the role reads after ``cursor``: {(entity, id): row or None}."""
        rows: dict[tuple[str, str], Any] = {}
        while True:
            page = self.pull(cursor, limit, role)
            for ch in page["changes"]:
                rows[(ch["entity"], ch["row_id"])] = ch["row"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return rows, cursor

    def row(self, entity: str, row_id: str, role: str = "admin") -> Any:
        return self.pull_all(role)[0].get((entity, row_id))


class Replica:
    """One client id with its mutation counter."""

    def __init__(self, api: Api, role: str) -> None:
        self.api = api
        self.role = role
        self.client_id = new_id()
        self.next_id = 1

    def m(self, entity: str, row_id: str | None = None, fields: dict[str, Any] | None = None,
          base: dict[str, Any] | None = None, op: str = "upsert") -> dict[str, Any]:
        mid, self.next_id = self.next_id, self.next_id + 1
        return {"id": mid, "entity": entity, "row_id": row_id or new_id(), "op": op,
                "fields": fields or {}, "base": base or {}, "at": "2026-11-27T08:15:00Z"}

    def delete(self, entity: str, row_id: str) -> dict[str, Any]:
        return self.m(entity, row_id, op="delete")

    def body(self, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return {"client_id": self.client_id, "schema_version": 1, "mutations": mutations}

    def push_response(self, *mutations: dict[str, Any]) -> Any:
        return self.api.http.post("/api/v1/sync/push", json=self.body(list(mutations)),
                                  headers=self.api.headers(self.role, self.client_id))

    def push(self, *mutations: dict[str, Any]) -> dict[str, Any]:
        r = self.push_response(*mutations)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


def statuses(response: dict[str, Any]) -> list[str]:
    return [r["status"] for r in response["results"]]


def reasons(response: dict[str, Any]) -> list[str | None]:
    return [r.get("reason") for r in response["results"]]
