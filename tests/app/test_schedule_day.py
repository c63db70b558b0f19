"""The day schedule's domain side: the hours of a day on the shop's clock (23 and 25 on the
days the clocks change), wall-clock times, whom a booking is for, a clash named in the
shop's time, and the arrival that checks an appointment in and opens its job."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.db import Store
from app.errors import DoubleBooking, ValidationError
from app.models import Appointment, Job, Outbox, StatusEvent
from app.ops import appointments, customers, jobs, vehicles
from app.queries import schedule
from tests.app.conftest import T0, Clock, Shop

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)  # 02:00 -> 03:00
AUTUMN = date(2026, 10, 25)  # 03:00 -> 02:00


def test_an_ordinary_day_has_24_hours_labelled_00_to_23() -> None:
    marks = schedule.hour_marks(date(2026, 7, 1), BERLIN)
    assert [m.label for m in marks] == [f"{h:02d}:00" for h in range(24)]
    assert not any(m.changed for m in marks)
    assert marks[0].at == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert schedule.clock_change_note(date(2026, 7, 1), BERLIN) == ""


def test_the_spring_day_has_23_hours_and_no_2_oclock() -> None:
    marks = schedule.hour_marks(SPRING, BERLIN)
    assert len(marks) == 23 and schedule.day_hours(SPRING, BERLIN) == 23
    labels = [m.label for m in marks]
    assert labels[:4] == ["00:00", "01:00", "03:00", "04:00"] and "02:00" not in labels
    assert labels[-1] == "23:00"
    assert [m.zone for m in marks if m.changed] == ["CEST"]
    # a mark every real hour: 03:00 CEST is one hour after 01:00 CET
    assert marks[2].at - marks[1].at == timedelta(hours=1)
    assert "forward at 02:00 (to 03:00)" in schedule.clock_change_note(SPRING, BERLIN)
    assert "23 hours" in schedule.clock_change_note(SPRING, BERLIN)


def test_the_autumn_day_has_25_hours_and_two_2_oclocks() -> None:
    marks = schedule.hour_marks(AUTUMN, BERLIN)
    assert len(marks) == 25 and schedule.day_hours(AUTUMN, BERLIN) == 25
    labels = [m.label for m in marks]
    assert labels[:5] == ["00:00", "01:00", "02:00", "02:00", "03:00"]
    assert [(m.label, m.zone) for m in marks if m.changed] == [("02:00", "CET")]
    assert marks[2].zone == "CEST"
    assert "back at 03:00 (to 02:00)" in schedule.clock_change_note(AUTUMN, BERLIN)


def test_wall_times_on_the_days_the_clocks_change() -> None:
    # 10:00 on the spring Sunday is summer time (UTC+2); the day began at UTC+1
    assert schedule.wall_time(SPRING, time(10), BERLIN) == datetime(2026, 3, 29, 8, 0,
                                                                    tzinfo=UTC)
    assert schedule.wall_time(AUTUMN, time(10), BERLIN) == datetime(2026, 10, 25, 9, 0,
                                                                    tzinfo=UTC)
    with pytest.raises(ValueError, match="02:30 does not exist"):
        schedule.wall_time(SPRING, time(2, 30), BERLIN)
    # twice 02:30 in autumn: the first (summer time)
    assert schedule.wall_time(AUTUMN, time(2, 30), BERLIN) == datetime(2026, 10, 25, 0, 30,
                                                                       tzinfo=UTC)


def test_the_day_schedule_of_a_25_hour_day_holds_its_late_evening(store: Store,
                                                                   shop: Shop) -> None:
    late = schedule.wall_time(AUTUMN, time(23), BERLIN)  # 22:00 UTC
    appt = store.run(appointments.book, starts_at=late, ends_at=late + timedelta(minutes=30),
                     bay_id=shop.bay_ids[0]).result
    with store.read() as s:
        day = schedule.day_schedule(s, AUTUMN, BERLIN)
        next_day = schedule.day_schedule(s, AUTUMN + timedelta(days=1), BERLIN)
    assert day.ends_at - day.starts_at == timedelta(hours=25)
    assert [i.id for lane in day.by_bay for i in lane.items] == [appt]
    assert not [i for lane in next_day.by_bay for i in lane.items]


def test_a_clash_is_named_on_the_shops_clock(store: Store, shop: Shop) -> None:
    nine = schedule.wall_time(SPRING, time(9), BERLIN)
    store.run(appointments.book, starts_at=nine, ends_at=nine + timedelta(hours=1),
              customer_id=shop.customer_id, bay_id=shop.bay_ids[0])
    with pytest.raises(DoubleBooking) as clash:
        store.run(appointments.book, starts_at=nine + timedelta(minutes=30),
                  ends_at=nine + timedelta(hours=2), bay_id=shop.bay_ids[0], tz=BERLIN)
    assert clash.value.message == "Bay 1 is already booked Sun 29 Mar 09:00–10:00 (Ada Lovelace)."


def _booked(store: Store, shop: Shop, **kw: object) -> str:
    appt: str = store.run(appointments.book, starts_at=T0 + timedelta(hours=1),
                          ends_at=T0 + timedelta(hours=3), customer_id=shop.customer_id,
                          vehicle_id=shop.vehicle_id, technician_id=shop.tech_ids[0],
                          bay_id=shop.bay_ids[1], notes="front brakes grind", **kw).result
    return appt


def test_arrival_checks_in_and_opens_the_job_in_one_transaction(store: Store, shop: Shop,
                                                                clock: Clock) -> None:
    appt = _booked(store, shop)
    with store.read() as s:
        before = s.scalar(select(Outbox.id).order_by(Outbox.id.desc()).limit(1))
    changes = store.run(appointments.check_in, appt)
    job_id = changes.result
    with store.read() as s:
        a = s.get(Appointment, appt)
        job = s.get(Job, job_id)
        assert a is not None and job is not None
        assert (a.status, a.job_id) == ("arrived", job_id)
        assert (job.status, job.customer_id, job.vehicle_id) == (
            "queued", shop.customer_id, shop.vehicle_id)
        assert job.concern == "front brakes grind"
        assert (job.technician_id, job.bay_id) == (shop.tech_ids[0], shop.bay_ids[1])
        assert job.promised_at == T0 + timedelta(hours=3)
        assert s.scalars(select(StatusEvent.to_status).where(StatusEvent.job_id == job_id)
                         ).all() == ["queued"]
        entries = s.execute(select(Outbox.entity, Outbox.operation_id)
                            .where(Outbox.id > before)).all()
    # one operation: the job, its status event, its assignment and the appointment together
    assert {e for e, _ in entries} >= {"job", "status_event", "appointment"}
    assert len({op for _, op in entries}) == 1
    assert changes.touches("appointment") and changes.touches("job")


def test_arrival_twice_is_refused_and_nothing_is_made(store: Store, shop: Shop) -> None:
    appt = _booked(store, shop)
    store.run(appointments.check_in, appt)
    with pytest.raises(ValidationError, match="already checked in"):
        store.run(appointments.check_in, appt)
    cancelled = store.run(appointments.book, starts_at=T0 + timedelta(hours=5),
                          ends_at=T0 + timedelta(hours=6), customer_id=shop.customer_id).result
    store.run(appointments.cancel, cancelled)
    with pytest.raises(ValidationError, match="cancelled appointment cannot"):
        store.run(appointments.check_in, cancelled)
    with store.read() as s:
        assert len(s.scalars(select(Job.id)).all()) == 1


def test_arrival_of_a_booking_for_a_written_up_job_brings_that_job(store: Store,
                                                                   shop: Shop) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id, concern="estimate first",
                       status="estimate").result
    appt = _booked(store, shop, job_id=job_id)
    assert store.run(appointments.check_in, appt).result == job_id
    with store.read() as s:
        assert len(s.scalars(select(Job.id)).all()) == 1


def test_arrival_leaves_an_inactive_technician_off_the_job(store: Store, shop: Shop) -> None:
    appt = _booked(store, shop)
    store.run(customers.update_technician, shop.tech_ids[0], active=False)
    job_id = store.run(appointments.check_in, appt).result
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.technician_id is None
        assert job.bay_id == shop.bay_ids[1]


def test_booking_choices_find_customers_with_their_vehicles(store: Store, shop: Shop) -> None:
    second = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, plate="BEE 42",
                       make="Ford", model="Fiesta", year=2015).result
    other = store.run(customers.create_customer, name="Alan Turing", phone="020 7946 0000"
                      ).result
    with store.read() as s:
        by_name = schedule.booking_choices(s, "lovelace")
        by_plate = schedule.booking_choices(s, "bee42")
        nobody = schedule.booking_choices(s, "turing")
        none = schedule.booking_choices(s, "zzzz")
    assert {(c.customer_id, c.vehicle_id) for c in by_name} == {
        (shop.customer_id, shop.vehicle_id), (shop.customer_id, second)}
    assert [(c.customer_id, c.vehicle_id) for c in by_plate] == [(shop.customer_id, second)]
    assert by_plate[0].label == "Ada Lovelace — 2015 Ford Fiesta · BEE 42"
    assert [(c.customer_id, c.vehicle_id, c.label) for c in nobody] == [
        (other, None, "Alan Turing")]
    assert none == ()
