"""The desk's search index answers as ``app.queries.search.search`` does, and follows the
changes it is told of."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import app.demo
from app.db import Store
from app.models import Customer, Job, Vehicle
from app.ops import customers, jobs, vehicles
from app.queries.search import SearchHit, SearchIndex, search

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(tmp_path_factory.mktemp("search-index") / "replica.sqlite")
    app.demo.generate(store, seed=7, now=NOW, tz=UTC, history_days=120)
    yield store
    store.close()


def _same(a: tuple[SearchHit, ...], _b: tuple[SearchHit, ...]) -> list[tuple[object, ...]]:
    return [(h.kind, h.score, h.title, h.detail, h.matched) for h in a]


def _queries(store: Store) -> list[str]:
    rng = random.Random(3)
    with store.read() as s:
        names = list(s.scalars(select(Customer.name)))
        phones = [p for p in s.scalars(select(Customer.phone)) if p]
        plates = [p for p in s.scalars(select(Vehicle.plate)) if p]
        vins = [v for v in s.scalars(select(Vehicle.vin)) if v]
        numbers = list(s.scalars(select(Job.number)))
    out = ["a", "ad", "smith jo", "x", "100%", "o'", "  ", "555", "555-01", "(416)", "p-",
           "1", "12", "2025"]
    for _ in range(15):
        name = rng.choice(names)
        out += [name, name.lower()[:3], name.split()[-1][:4]]
        phone = rng.choice(phones)
        out += [phone, phone[-4:], phone[:6]]
        plate = rng.choice(plates)
        out += [plate, plate.replace(" ", "").lower(), plate[:2]]
        vin = rng.choice(vins)
        out += [vin, vin[-6:], vin[:5]]
        number = rng.choice(numbers)
        out += [number, number[-3:], number[:2]]
    return out


def test_the_index_finds_what_the_query_finds(demo: Store) -> None:
    index = SearchIndex()
    with demo.read() as s:
        for text in _queries(demo):
            for limit in (12, 3):
                assert _same(index.search(s, text, limit=limit), ()) == \
                    _same(search(s, text, limit=limit), ()), (text, limit)


def test_the_index_follows_the_changes_it_is_told_of(tmp_path: Path) -> None:
    store = Store(tmp_path / "replica.sqlite")
    try:
        index = SearchIndex()
        ada = store.run(customers.create_customer, name="Ada Lovelace", phone="416 555 0142")
        car = store.run(vehicles.create_vehicle, customer_id=ada.result, plate="CAFE 123")
        with store.read() as s:
            assert [h.id for h in index.search(s, "ada")] == [ada.result]  # built here
        grace = store.run(customers.create_customer, name="Ada Grace", phone="905 555 0199")
        renamed = store.run(customers.update_customer, ada.result, name="Augusta King")
        job = store.run(jobs.create_job, customer_id=ada.result, vehicle_id=car.result,
                        concern="x")
        gone = store.run(vehicles.update_vehicle, car.result, plate="BEEF 9")
        with store.read() as s:
            assert [h.id for h in index.search(s, "ada")] == [ada.result]  # not told yet
            for changes in (grace, renamed, job, gone):
                index.refresh(s, changes.rows)
            assert [h.id for h in index.search(s, "ada")] == [grace.result]
            hits = index.search(s, "augusta")
            assert [h.title for h in hits] == ["Augusta King"]
            assert index.search(s, "cafe") == ()
            assert [h.id for h in index.search(s, "beef9")] == [car.result]
            number = s.get(Job, job.result).number  # type: ignore[union-attr]
            assert [h.id for h in index.search(s, number)] == [job.result]
        deleted = store.run(customers.delete_customer, grace.result)
        with store.read() as s:
            index.refresh(s, deleted.rows)
            assert index.search(s, "ada") == ()
            for text in ("augusta", "beef", "555", number, "king"):
                assert _same(index.search(s, text), ()) == _same(search(s, text), ()), text
    finally:
        store.close()
