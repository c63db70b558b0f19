"""Fixtures of the domain tests: a settable clock and a small shop."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import app.db
from app.db import Store
from app.ops import customers, vehicles

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday morning


class Clock:
    """The time every operation sees (``Writer.now``); tests move it by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def _template_replica(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty replica already migrated to head, made once per session."""
    path = tmp_path_factory.mktemp("template") / "replica.sqlite"
    Store(path).close()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture
def store(tmp_path: Path, _template_replica: Path) -> Iterator[Store]:
    """A fresh local replica: a copy of the migrated template, much faster than migrating
    each time (the migrations themselves are tested in test_migrations.py)."""
    path = tmp_path / "replica.sqlite"
    shutil.copyfile(_template_replica, path)
    s = Store(path)
    yield s
    s.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock(T0)
    monkeypatch.setattr(app.db, "utcnow", c)
    yield c


@dataclass(frozen=True)
class Shop:
    customer_id: str
    vehicle_id: str
    tech_ids: tuple[str, ...]
    bay_ids: tuple[str, ...]


def make_shop(store: Store) -> Shop:
    cust = store.run(customers.create_customer, name="Ada Lovelace", phone="(416) 555-0142").result
    veh = store.run(vehicles.create_vehicle, customer_id=cust, vin="1HGCM82633A004352",
                    plate="CAFE 123", make="Honda", model="Accord", year=2003,
                    odometer=120_000).result
    techs = tuple(store.run(customers.create_technician, name=name).result
                  for name in ("Grace Hopper", "Linus Torvalds", "Margaret Hamilton"))
    bays = tuple(store.run(customers.create_bay, name=name).result for name in ("Bay 1", "Bay 2"))
    return Shop(cust, veh, techs, bays)


@pytest.fixture
def shop(store: Store, clock: Clock) -> Shop:
    return make_shop(store)
