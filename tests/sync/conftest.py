"""Fixtures of the sync tests: a keyring in a temporary file, a fake server, replicas."""

from __future__ import annotations

import os

os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")  # cheap hashes; before server loads

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring

from app.db import Store
from sync import account
from sync.clock import FakeClock
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.settings import SyncSettings
from tests.live_server import LiveServer, ShopSeed, seed_shop
from tests.pg import database_fixture
from tests.sync.fakeserver import FakeServer

SERVER = "https://bayline.test"


@pytest.fixture(autouse=True)
def _plain_keyring(test_keyring: PlaintextKeyring) -> PlaintextKeyring:
    """Every sync test runs on ``test_keyring`` (tests/conftest.py)."""
    return test_keyring


@pytest.fixture
def fake() -> FakeServer:
    return FakeServer()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_replica(tmp_path: Path, fake: FakeServer) -> Iterator[Callable[[str], Store]]:
    """``make_replica(name)``: a replica in its own folder, logged in to the fake server."""
    stores: list[Store] = []

    def make(name: str = "a") -> Store:
        store = Store(tmp_path / name / "replica.sqlite")
        outcome = account.login(store, SERVER, "clerk", "secret", transport=fake.transport())
        stores.append(outcome.store)
        return outcome.store

    yield make
    for s in stores:
        s.close()


@pytest.fixture
def make_engine(fake: FakeServer, clock: FakeClock) -> Iterator[Callable[..., SyncEngine]]:
    """``make_engine(store, **settings)``: a synchronous engine on the fake clock."""
    engines: list[SyncEngine] = []

    def make(store: Store, **overrides: object) -> SyncEngine:
        settings = SyncSettings().but(**overrides) if overrides else SyncSettings()
        engine = SyncEngine(store, settings=settings, clock=clock, transport=fake.transport(),
                            synchronous=True, live=False, rng=random.Random(7),
                            token_store=TokenStore())
        engines.append(engine)
        return engine

    yield make
    for e in engines:
        e.stop()


# --- the real server on PostgreSQL --------------------------------------------------------

pg_database = database_fixture("bl_sync", migrate=True)


@pytest.fixture
def shop(live_server: LiveServer, pg_database: str) -> ShopSeed:
    return seed_shop(pg_database, "Sync Garage", migrate=False)


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    """For tests that call ``main.main()`` in this process: the handlers it adds to the root
    logger (a log file in a temporary folder) are removed afterwards."""
    import logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
