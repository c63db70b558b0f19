"""Schemathesis over the OpenAPI document, signed in: no 5xx, every status documented,
every body true to its schema. (The event stream never ends, so it is left out here; the
live tests cover it.)"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from tests.live_server import ShopSeed, seed_shop
from tests.server.helpers import make_settings, peer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(pg_url: str) -> Iterator[tuple[FastAPI, ShopSeed, TestClient]]:
    app = create_app(make_settings(pg_url, login_max_failures_address=10**9,
                                   login_max_failures_user=10**9))
    seed = seed_shop(pg_url, "Fuzzed Garage", migrate=False)
    with TestClient(app, client=peer()) as login_client:
        yield app, seed, login_client


#: Examples per operation; BAYLINE_FUZZ_EXAMPLES=500 for a longer hunt.
EXAMPLES = int(os.environ.get("BAYLINE_FUZZ_EXAMPLES", "30"))
OPERATIONS = ["health", "auth_login", "auth_refresh", "auth_logout", "auth_pin", "sync_push",
              "sync_pull", "users_list", "users_create", "users_update", "pins_set",
              "pins_reset"]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_api_conforms(operation_id: str,
                      fuzz_app: tuple[FastAPI, ShopSeed, TestClient]) -> None:
    # (Built per test rather than with schemathesis.pytest.from_fixture, whose lazy
    # parametrisation does not run under pytest 9.)
    app, seed, login_client = fuzz_app
    operation = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app) \
        .find_operation_by_id(operation_id)
    admin = seed.users["admin"]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def run(case: schemathesis.Case) -> None:
        r = login_client.post("/api/v1/auth/login", json={"username": admin.username,
                                                          "password": admin.password})
        assert r.status_code == 200, r.text
        case.call_and_validate(headers={"Authorization": f"Bearer {r.json()['access_token']}"},
                               checks=CHECKS)

    run()


def test_every_operation_is_fuzzed(fuzz_app: tuple[FastAPI, ShopSeed, TestClient]) -> None:
    doc = fuzz_app[2].get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert ids == {*OPERATIONS, "sync_events"}
