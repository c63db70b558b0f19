"""Bad input gets a 4xx with ``error`` and ``detail``, never a 5xx, and nothing partial."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from tests.server.helpers import Api, new_id, statuses

PUSH = "/api/v1/sync/push"


def _error(r: Any, status: int, error: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if error:
        assert body["error"] == error
    return body


def _head(api: Api) -> int:
    return int(api.pull(0)["head"])


def test_malformed_json_is_400(api: Api) -> None:
    r = api.http.post(PUSH, content=b'{"client_id": ', headers={
        **api.headers("clerk"), "Content-Type": "application/json"})
    _error(r, 400, "malformed_json")


@pytest.mark.parametrize("body", [
    [],
    {"client_id": "not-a-uuid", "schema_version": 1, "mutations": []},
    {"client_id": new_id(), "schema_version": "one", "mutations": []},
    {"client_id": new_id(), "schema_version": 1, "mutations": {}},
    {"client_id": new_id(), "schema_version": 1},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": "1", "entity": "customer", "row_id": new_id(), "op": "upsert"}]},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": 1, "entity": "spaceship", "row_id": new_id(), "op": "upsert"}]},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": 1, "entity": "customer", "row_id": new_id(), "op": "merge"}]},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": 1, "entity": "customer", "row_id": new_id(), "op": "upsert", "fields": []}]},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": 0, "entity": "customer", "row_id": new_id(), "op": "upsert"}]},
    {"client_id": new_id(), "schema_version": 1, "mutations": [
        {"id": 2**70, "entity": "customer", "row_id": new_id(), "op": "upsert"}]},
])
def test_wrong_shapes_are_422(api: Api, body: Any) -> None:
    head = _head(api)
    _error(api.push_raw(body, role="clerk"), 422)
    assert _head(api) == head


def test_a_bad_mutation_in_a_batch_keeps_nothing_of_the_batch(api: Api) -> None:
    c = api.client("clerk")
    good = c.m("customer", fields={"name": "kept?"})
    bad = c.m("customer", fields={"name": "x"})
    bad["entity"] = "spaceship"
    head = _head(api)
    _error(c.push_response(good, bad), 422, "invalid_request")
    assert _head(api) == head
    assert api.pull(0, client_id=c.client_id)["last_mutation_id"] == 0


def test_ids_out_of_order_in_a_batch_are_422(api: Api) -> None:
    c = api.client("clerk")
    m1, m2, m3 = (c.m("customer", fields={"name": n}) for n in "abc")
    _error(c.push_response(m1, m3, m2), 409, "invalid_batch")
    _error(c.push_response(m1, m1), 409, "invalid_batch")


def test_more_than_500_mutations_is_413(api: Api) -> None:
    c = api.client("clerk")
    muts = [c.m("note", fields={}) for _ in range(501)]
    _error(c.push_response(*muts), 413, "too_many_mutations")


def test_more_than_a_mebibyte_is_413(api: Api) -> None:
    c = api.client("clerk")
    big = c.m("customer", fields={"name": "x", "notes": "y" * (1024 * 1024)})
    _error(c.push_response(big), 413)
    # Declared too big, before a byte is read:
    r = api.http.post(PUSH, content=b"{}", headers={**api.headers("clerk"),
                                                   "Content-Length": str(2 * 1024 * 1024)})
    assert r.status_code in (400, 413)
    # Small when compressed, too big once inflated:
    bomb = gzip.compress(json.dumps(c.body([big])).encode())
    r = api.http.post(PUSH, content=bomb, headers={
        **api.headers("clerk"), "Content-Encoding": "gzip", "Content-Type": "application/json"})
    _error(r, 413)


def test_chunked_body_over_the_limit_is_413(api: Api) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 65536
        yield b"{}"

    r = api.http.post(PUSH, content=chunks(), headers={**api.headers("clerk"),
                                                        "Content-Type": "application/json"})
    _error(r, 413)


def test_gzip_bodies_are_accepted_and_broken_gzip_is_400(api: Api) -> None:
    c = api.client("clerk")
    body = json.dumps(c.body([c.m("customer", fields={"name": "zipped"})])).encode()
    h = {**api.headers("clerk"), "Content-Type": "application/json"}
    r = api.http.post(PUSH, content=gzip.compress(body), headers={**h, "Content-Encoding": "gzip"})
    assert r.status_code == 200 and statuses(r.json()) == ["applied"]
    r = api.http.post(PUSH, content=b"\x1f\x8bnot really", headers={**h,
                                                                    "Content-Encoding": "gzip"})
    _error(r, 400, "bad_gzip")
    r = api.http.post(PUSH, content=body, headers={**h, "Content-Encoding": "br"})
    _error(r, 415)


def test_large_responses_are_gzipped(api: Api) -> None:
    c = api.client("clerk")
    c.push(*[c.m("customer", fields={"name": f"customer {i}"}) for i in range(30)])
    r = api.http.get("/api/v1/sync/pull", headers={**api.headers("clerk"),
                                                   "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("params", [
    {"cursor": -1}, {"cursor": "abc"}, {"limit": 0}, {"limit": 5001}, {"limit": "many"},
    {"cursor": 2**64},
])
def test_bad_cursor_or_limit_is_422(api: Api, params: dict[str, Any]) -> None:
    _error(api.http.get("/api/v1/sync/pull", params=params, headers=api.headers("clerk")),
           422, "invalid_request")


def test_old_schema_version_is_426(api: Api) -> None:
    c = api.client("clerk")
    body = c.body([c.m("customer", fields={"name": "x"})])
    body["schema_version"] = 0
    r = api.push_raw(body, role="clerk")
    assert _error(r, 426, "schema_version_unsupported")["min"] == 1
    r = api.http.get("/api/v1/sync/pull", headers={**api.headers("clerk"),
                                                   "X-Schema-Version": "0"})
    assert _error(r, 426)["min"] == 1


def test_mismatched_client_ids_are_409(api: Api) -> None:
    c = api.client("clerk")
    r = api.http.post(PUSH, json=c.body([]), headers={**api.headers("clerk"),
                                                      "X-Client-Id": new_id()})
    _error(r, 409, "client_id_mismatch")


def test_unknown_addresses_and_methods(api: Api) -> None:
    _error(api.http.get("/api/v1/nowhere"), 404, "not_found")
    _error(api.http.get(PUSH, headers=api.headers()), 405, "method_not_allowed")
    _error(api.http.post("/api/v1/auth/login", json={"username": ""}), 422)


def test_health_and_openapi(api: Api) -> None:
    r = api.http.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    doc = api.http.get("/api/v1/openapi.json").json()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert ops >= {"health", "auth_login", "auth_refresh", "auth_logout", "auth_pin",
                   "sync_push", "sync_pull", "sync_events"}
