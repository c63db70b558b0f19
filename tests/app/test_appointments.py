"""Appointments: never double-book a technician or a bay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.db import Store
from app.errors import DoubleBooking, ValidationError
from app.ops import appointments
from tests.app.conftest import T0, Shop

NINE = T0.replace(hour=9, minute=0)


def _at(hours: float) -> datetime:
    return NINE + timedelta(hours=hours)


def _book(store: Store, shop: Shop, start: float, end: float, *, tech: int | None = 0,
          bay: int | None = 0, **extra: object) -> str:
    appt: str = store.run(
        appointments.book, starts_at=_at(start), ends_at=_at(end),
        customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
        technician_id=shop.tech_ids[tech] if tech is not None else None,
        bay_id=shop.bay_ids[bay] if bay is not None else None, tz=UTC, **extra).result
    return appt


def test_the_same_technician_cannot_be_booked_twice(store: Store, shop: Shop) -> None:
    first = _book(store, shop, 0, 2)
    with pytest.raises(DoubleBooking) as clash:
        _book(store, shop, 1, 3, bay=1)
    assert clash.value.field == "technician_id"
    assert clash.value.clash_id == first
    assert "Grace Hopper is already booked" in clash.value.message
    assert "09:00–11:00" in clash.value.message
    assert "Ada Lovelace" in clash.value.message  # whose booking it is


def test_the_same_bay_cannot_be_booked_twice(store: Store, shop: Shop) -> None:
    first = _book(store, shop, 0, 2)
    with pytest.raises(DoubleBooking) as clash:
        _book(store, shop, 1.5, 2.5, tech=1)
    assert clash.value.field == "bay_id" and clash.value.clash_id == first
    assert "Bay 1 is already booked" in clash.value.message


def test_a_booking_inside_another_clashes(store: Store, shop: Shop) -> None:
    _book(store, shop, 0, 4)
    with pytest.raises(DoubleBooking):
        _book(store, shop, 1, 2)


def test_back_to_back_bookings_are_allowed(store: Store, shop: Shop) -> None:
    _book(store, shop, 0, 1)
    _book(store, shop, 1, 2)
    _book(store, shop, -1, 0)


def test_other_technicians_and_bays_are_free(store: Store, shop: Shop) -> None:
    _book(store, shop, 0, 2)
    _book(store, shop, 0, 2, tech=1, bay=1)
    _book(store, shop, 0, 2, tech=None, bay=None)
    _book(store, shop, 0, 2, tech=2, bay=None)


@pytest.mark.parametrize("inactive", ["cancelled", "no_show"])
def test_a_cancelled_or_missed_booking_does_not_block(store: Store, shop: Shop,
                                                      inactive: str) -> None:
    first = _book(store, shop, 0, 2)
    store.run(appointments.set_status, first, inactive)
    _book(store, shop, 0, 2)


def test_moving_a_booking_onto_another_clashes(store: Store, shop: Shop) -> None:
    _book(store, shop, 0, 1)
    second = _book(store, shop, 2, 3)
    with pytest.raises(DoubleBooking):
        store.run(appointments.update, second, starts_at=_at(0.5), ends_at=_at(1.5))
    store.run(appointments.update, second, starts_at=_at(1), ends_at=_at(2))  # adjacent: ok
    store.run(appointments.update, second, ends_at=_at(2.5))  # itself is no clash


def test_reopening_a_cancelled_booking_checks_again(store: Store, shop: Shop) -> None:
    first = _book(store, shop, 0, 2)
    store.run(appointments.cancel, first)
    _book(store, shop, 0, 2)
    with pytest.raises(DoubleBooking):
        store.run(appointments.set_status, first, "scheduled")


def test_the_end_must_follow_the_start(store: Store, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="after the start"):
        _book(store, shop, 2, 2)
