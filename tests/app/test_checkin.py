"""Check-in: one operation from a vehicle (or a new customer and vehicle) to a queued job;
what the desk reads for it (the vehicle's facts, likely duplicate customers, the default
promise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.db import Store
from app.errors import ConfirmationRequired, ValidationError
from app.models import Customer, Job, Outbox, StatusEvent, Vehicle
from app.ops import customers, jobs, vehicles
from app.ops.checkin import check_in
from app.queries.checkin import (
    checkin_start,
    default_promised_at,
    last_odometer,
    likely_duplicates,
    promise_choices,
)
from tests.app.conftest import T0, Shop

EU_VIN_BAD_CHECK = "WVWZZZ1JZ3W386752"  # a Golf made in Germany: 'Z' is no check digit
NA_VIN_BAD_CHECK = "1HGCM82643A004352"  # the Accord's VIN with its check digit 3 made 4


def _count(store: Store, model: type) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_known_vehicle_becomes_a_queued_job_in_one_operation(store: Store,
                                                               shop: Shop) -> None:
    promised = T0 + timedelta(hours=9)
    before = _count(store, Outbox)
    changes = store.run(check_in, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                        concern="  brakes squeal  ", odometer_in=121_500, promised_at=promised)
    with store.read() as s:
        job = s.get(Job, changes.result)
        assert job is not None
        assert (job.status, job.concern, job.odometer_in) == ("queued", "brakes squeal",
                                                                121_500)
        assert job.promised_at == promised
        assert job.customer_id == shop.customer_id and job.number.startswith("P-")
        assert s.get(Vehicle, shop.vehicle_id).odometer == 121_500  # type: ignore[union-attr]
        assert s.scalar(select(StatusEvent.to_status).where(StatusEvent.job_id == job.id)) \
            == "queued"
        ops = set(s.scalars(select(Outbox.operation_id).where(Outbox.id > before)))
    assert len(ops) == 1  # the job and its status event: one operation
    assert changes.warnings == ()


def test_new_customer_and_vehicle_and_job_are_one_operation(store: Store, shop: Shop) -> None:
    before = _count(store, Outbox)
    changes = store.run(
        check_in, new_customer={"name": "Grace Brewster", "phone": "555 0101"},
        new_vehicle={"vin": "", "plate": "new 1", "make": "Ford", "model": "Focus",
                     "year": 2012},
        concern="noise", odometer_in=80_000)
    with store.read() as s:
        job = s.get(Job, changes.result)
        assert job is not None
        customer = s.get(Customer, job.customer_id)
        vehicle = s.get(Vehicle, job.vehicle_id)
        assert customer is not None and customer.name == "Grace Brewster"
        assert vehicle is not None and (vehicle.plate, vehicle.customer_id, vehicle.odometer) \
            == ("NEW 1", customer.id, 80_000)
        entries = s.execute(select(Outbox.entity, Outbox.operation_id)
                            .where(Outbox.id > before)).all()
    assert {e for e, _ in entries} == {"customer", "vehicle", "job", "status_event"}
    assert len({o for _, o in entries}) == 1


def test_a_european_vin_with_a_wrong_check_digit_is_saved_with_a_warning(store: Store,
                                                                         shop: Shop) -> None:
    changes = store.run(check_in, new_customer={"name": "Hans Meier"},
                        new_vehicle={"vin": EU_VIN_BAD_CHECK, "plate": "B-HM 1"},
                        concern="service")
    assert any("check digit" in w for w in changes.warnings)
    with store.read() as s:
        assert s.get(Job, changes.result) is not None


def test_a_north_american_vin_with_a_wrong_check_digit_is_refused_and_nothing_kept(
        store: Store, shop: Shop) -> None:
    customers_before, outbox_before = _count(store, Customer), _count(store, Outbox)
    with pytest.raises(ValidationError) as refused:
        store.run(check_in, new_customer={"name": "Sam Doe"},
                  new_vehicle={"vin": NA_VIN_BAD_CHECK, "plate": "SAM 1"}, concern="oil")
    assert refused.value.field == "vin"
    assert "check digit" in refused.value.message and "should be 3" in refused.value.message
    assert (_count(store, Customer), _count(store, Outbox)) == (customers_before,
                                                                outbox_before)


def test_a_lower_odometer_asks_for_confirmation(store: Store, shop: Shop) -> None:
    with pytest.raises(ConfirmationRequired) as asked:
        store.run(check_in, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                  concern="tyres", odometer_in=119_000)
    assert asked.value.field == "odometer_in" and "120,000" in asked.value.message
    changes = store.run(check_in, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                        concern="tyres", odometer_in=119_000, confirm_odometer=True)
    with store.read() as s:
        assert s.get(Job, changes.result).odometer_in == 119_000  # type: ignore[union-attr]


def test_what_a_check_in_refuses(store: Store, shop: Shop) -> None:
    cases = [
        (dict(customer_id=shop.customer_id, vehicle_id=shop.vehicle_id, concern="  "),
         "concern"),
        (dict(customer_id=shop.customer_id, concern="x"), "vehicle_id"),
        (dict(new_customer={"name": ""}, new_vehicle={"plate": "A 1"}, concern="x"), "name"),
        (dict(new_customer={"name": "A", "phone": "call me"}, new_vehicle={"plate": "A 1"},
              concern="x"), "phone"),
        (dict(new_customer={"name": "A"}, new_vehicle={"plate": "", "vin": ""}, concern="x"),
         "plate"),
        (dict(new_customer={"name": "A"}, new_vehicle={"plate": "A 1", "year": 1800},
              concern="x"), "year"),
        (dict(customer_id=shop.customer_id, vehicle_id=shop.vehicle_id, concern="x",
              odometer_in=-5), "odometer_in"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as refused:
            store.run(check_in, **kwargs)
        assert refused.value.field == field, (kwargs, refused.value)


def test_a_second_open_job_is_made_with_a_warning(store: Store, shop: Shop) -> None:
    first = store.run(check_in, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                      concern="one").result
    changes = store.run(check_in, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                        concern="two")
    with store.read() as s:
        number = s.get(Job, first).number  # type: ignore[union-attr]
    assert changes.warnings == (f"This vehicle already has open job {number}.",)


# --- what the desk reads ---------------------------------------------------------------

def test_checkin_start_from_a_vehicle_and_from_a_customer(store: Store, shop: Shop) -> None:
    second = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, plate="TWO 2",
                       make="Mini", model="Cooper", year=2015).result
    store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
              odometer_in=125_000, concern="x")
    with store.read() as s:
        start = checkin_start(s, vehicle_id=shop.vehicle_id)
        assert start is not None and start.customer is not None
        assert start.customer.name == "Ada Lovelace"
        assert {v.id for v in start.vehicles} == {shop.vehicle_id, second}
        assert start.vehicle is not None and start.vehicle.odometer == 125_000
        assert start.vehicle.label == "2003 Honda Accord" and len(start.vehicle.open_jobs) == 1
        by_customer = checkin_start(s, customer_id=shop.customer_id)
        assert by_customer is not None and by_customer.vehicle_id is None  # two: clerk picks
        assert last_odometer(s, second) is None
        assert checkin_start(s, vehicle_id="00000000-0000-0000-0000-000000000000") is None
    store.run(vehicles.update_vehicle, second, customer_id=None)
    with store.read() as s:
        only = checkin_start(s, customer_id=shop.customer_id)
        assert only is not None and only.vehicle_id == shop.vehicle_id
        nobody = checkin_start(s, vehicle_id=second)
        assert nobody is not None and nobody.customer is None and nobody.vehicle_id == second


def test_likely_duplicates_by_phone_or_name(store: Store, shop: Shop) -> None:
    other = store.run(customers.create_customer, name="Ada  Byron",
                      phone="+1 (905) 555-0199").result
    store.run(customers.create_customer, name="Bob Short", phone="123")
    with store.read() as s:
        by_phone = likely_duplicates(s, "Someone Else", "416-555-0142")
        assert [(m.id, m.why) for m in by_phone] == [(shop.customer_id, "phone")]
        assert "Honda Accord" in by_phone[0].vehicles
        # the stored number has the country code, the typed one not (and the other way)
        assert [m.id for m in likely_duplicates(s, "", "905 555 0199")] == [other]
        assert [m.id for m in likely_duplicates(s, "", "1 416 555 0142")] == [shop.customer_id]
        by_name = likely_duplicates(s, "  ADA   lovelace ", "")
        assert [(m.id, m.why) for m in by_name] == [(shop.customer_id, "name")]
        both = likely_duplicates(s, "Ada Lovelace", "905-555-0199")
        assert [(m.id, m.why) for m in both] == [(other, "phone"), (shop.customer_id, "name")]
        assert likely_duplicates(s, "Ada", "555") == ()  # a part of a name, a short number
        assert likely_duplicates(s, "", "0142") == ()
        assert likely_duplicates(s, "", "") == ()
        assert [m.name for m in likely_duplicates(s, "", "123")] == ["Bob Short"]  # exact
        # a short stored number never matches a long typed one by its end
        assert likely_duplicates(s, "", "999 999 0123") == ()


def test_default_promise_is_closing_today_or_noon_tomorrow() -> None:
    toronto = ZoneInfo("America/Toronto")

    def local(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 12, day, hour, minute, tzinfo=toronto)

    assert default_promised_at(local(2, 8), toronto) == local(2, 17).astimezone(UTC)
    assert default_promised_at(local(2, 15), toronto) == local(2, 17).astimezone(UTC)
    assert default_promised_at(local(2, 15, 1), toronto) == local(3, 12).astimezone(UTC)
    assert default_promised_at(local(2, 23), toronto) == local(3, 12).astimezone(UTC)
    assert default_promised_at(local(2, 8).astimezone(UTC), toronto).tzinfo == UTC


def test_promise_choices() -> None:
    toronto = ZoneInfo("America/Toronto")
    at = datetime(2026, 12, 2, 9, 7, tzinfo=toronto)
    assert promise_choices(at, toronto) == (
        ("In 2 hours", datetime(2026, 12, 2, 11, 15, tzinfo=toronto).astimezone(UTC)),
        ("Today 17:00", datetime(2026, 12, 2, 17, tzinfo=toronto).astimezone(UTC)),
        ("Tomorrow 12:00", datetime(2026, 12, 3, 12, tzinfo=toronto).astimezone(UTC)))
    late = promise_choices(datetime(2026, 12, 2, 16, 45, tzinfo=toronto), toronto)
    assert [label for label, _ in late] == ["In 2 hours", "Tomorrow 12:00"]
