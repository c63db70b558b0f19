"""Fixtures of the server tests: one migrated PostgreSQL database per run, an app on it,
and a fresh shop (with one user per role) for each test."""

from __future__ import annotations

import os

os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")  # before server modules load

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from server.app import create_app  # noqa: E402
from server.config import Settings  # noqa: E402
from tests.live_server import ShopSeed, seed_shop  # noqa: E402
from tests.pg import database_fixture  # noqa: E402
from tests.server.helpers import Api  # noqa: E402

pg_url = database_fixture("bl_server", migrate=True)


def test_settings(url: str, **overrides: object) -> Settings:
    settings = Settings(database_url=url, purge_interval=0, keepalive_seconds=0.5,
                        secret_key=None)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture(scope="session")
def app(pg_url: str) -> FastAPI:
    return create_app(test_settings(pg_url))


@pytest.fixture(scope="session")
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
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
