"""Fixtures of the server tests: one migrated PostgreSQL database per run, an app on it,
and a fresh shop (with one user per role) for each test."""

from __future__ import annotations

import os

os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")  # before server modules load

import warnings  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402

with warnings.catch_warnings():  # Starlette's note about httpx2; TestClient works as is
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from server.app import create_app  # noqa: E402
from tests.live_server import ShopSeed, seed_shop  # noqa: E402
from tests.pg import database_fixture  # noqa: E402
from tests.server.helpers import Api, make_settings, peer  # noqa: E402

pg_url = database_fixture("bl_server", migrate=True)


@pytest.fixture(scope="session")
def app(pg_url: str) -> FastAPI:
    return create_app(make_settings(pg_url))


@pytest.fixture(scope="session")
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=peer()) as client:
        yield client


@pytest.fixture
def shop(pg_url: str) -> ShopSeed:
    return seed_shop(pg_url, migrate=False)


@pytest.fixture
def api(http: TestClient, shop: ShopSeed) -> Api:
    return Api(http, shop)


@pytest.fixture
def shop_b(pg_url: str, http: TestClient) -> Api:
    """A second shop on the same server."""
    return Api(http, seed_shop(pg_url, "Other Garage", migrate=False))
