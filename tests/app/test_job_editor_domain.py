"""The job editor's domain: part numbers, payments with the close, declined lines on the
vehicle's next visit, time per technician, and totals by the shop's rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import roles, validators
from app.db import Store
from app.errors import NotAllowed, TransitionError, ValidationError
from app.models import Job, JobLine, Outbox, Payment, StatusEvent
from app.ops import clock as clock_ops
from app.ops import jobs, payments
from app.ops.settings import update_shop_settings
from app.queries.editor import declined_on_earlier_visits, job_editor
from app.shopsettings import Line, order_totals
from tests.app.conftest import Clock, Shop


def _ready_job(store: Store, shop: Shop) -> str:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id, concern="brakes").result
    store.run(jobs.add_line, job_id, kind="labor", description="Pads", quantity=1.5,
              unit_price_cents=12_000, approval="approved")
    for step in ("in_progress", "ready"):
        store.run(jobs.move_status, job_id, step)
    return str(job_id)


# --- part number ----------------------------------------------------------------------

def test_a_part_line_keeps_its_part_number_tidied(store: Store, shop: Shop) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    line_id = store.run(jobs.add_line, job_id, kind="part", description="Pads",
                        part_number="  BP-1234/A ").result
    with store.read() as s:
        assert s.get(JobLine, line_id).part_number == "BP-1234/A"
    store.run(jobs.update_line, line_id, part_number="BP-99")
    with store.read() as s:
        assert s.get(JobLine, line_id).part_number == "BP-99"
        entry = s.query(Outbox).filter(Outbox.row_id == line_id).order_by(Outbox.id.desc()).first()
        assert entry.fields == {"part_number": "BP-99"}  # an additive wire field


@pytest.mark.parametrize("bad", ["-12", "ab*cd", "x" * 41])
def test_a_bad_part_number_is_refused_in_words(bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        validators.validate_field("job_line", "part_number", bad)
    assert err.value.field == "part_number"
    assert "part number" in err.value.message or "40" in err.value.message


def test_only_a_part_line_has_a_part_number(store: Store, shop: Shop) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    with pytest.raises(ValidationError, match="Only a part line has a part number"):
        store.run(jobs.add_line, job_id, kind="labor", description="Pads", part_number="X1")


# --- payments ---------------------------------------------------------------------------

def test_close_with_payment_records_it_and_closes_in_one_operation(store: Store, shop: Shop,
                                                                   clock: Clock) -> None:
    job_id = _ready_job(store, shop)
    clock.advance(minutes=5)
    changes = store.run(payments.close_with_payment, job_id, method="card",
                        amount_cents=18_000)
    pid = changes.result
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job.status == "closed" and job.closed_at == clock.now
        pay = s.get(Payment, pid)
        assert (pay.job_id, pay.method, pay.amount_cents, pay.taken_at) == (
            job_id, "card", 18_000, clock.now)
        entries = s.query(Outbox).order_by(Outbox.id).all()[-3:]
        assert [e.entity for e in entries] == ["payment", "job", "status_event"]
        assert len({e.operation_id for e in entries}) == 1  # stand or fall together
        assert s.query(StatusEvent).filter_by(job_id=job_id, to_status="closed").count() == 1


def test_a_job_not_ready_is_not_closed_and_nothing_is_recorded(store: Store,
                                                               shop: Shop) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    with pytest.raises((ValidationError, TransitionError), match="cannot move from Queued"):
        store.run(payments.close_with_payment, job_id, method="cash", amount_cents=100)
    with store.read() as s:
        assert s.query(Payment).count() == 0
        assert s.get(Job, job_id).status == "queued"


@pytest.mark.parametrize(("method", "amount", "field"), [
    ("cheque", 100, "method"), ("cash", 0, "amount_cents"), ("cash", -5, "amount_cents")])
def test_a_bad_payment_is_refused_before_the_close(store: Store, shop: Shop, method: str,
                                                   amount: int, field: str) -> None:
    job_id = _ready_job(store, shop)
    with pytest.raises(ValidationError) as err:
        store.run(payments.close_with_payment, job_id, method=method, amount_cents=amount)
    assert err.value.field == field
    with store.read() as s:
        assert s.get(Job, job_id).status == "ready"
        assert s.query(Payment).count() == 0


def test_who_may_record_a_payment() -> None:
    for role in (roles.CLERK, roles.MANAGER, roles.ADMIN):
        assert roles.can(role, "payment", "create")
    decision = roles.can(roles.TECHNICIAN, "payment", "create")
    assert not decision and decision.reason == "A technician cannot change payments."
    assert not roles.can(roles.CLERK, "payment", "update", {"amount_cents": 1})
    assert not roles.can(roles.MANAGER, "payment", "delete")


def test_a_technician_replica_cannot_take_a_payment(store: Store, shop: Shop) -> None:
    job_id = _ready_job(store, shop)
    with store.write_session() as s:
        from app.models import SyncState

        s.get(SyncState, 1).role = "technician"
    with pytest.raises(NotAllowed):
        store.run(payments.record_payment, job_id, method="cash", amount_cents=100)


def test_a_payment_is_never_changed(store: Store, shop: Shop) -> None:
    job_id = _ready_job(store, shop)
    pid = store.run(payments.close_with_payment, job_id, method="cash",
                    amount_cents=100).result

    def change(w):  # type: ignore[no-untyped-def]
        w.update(w.get(Payment, pid), amount_cents=200)

    with pytest.raises(ValidationError, match="cannot be changed"):
        store.run(change)


# --- declined lines on the next visit -----------------------------------------------------

def test_declined_lines_are_listed_on_the_vehicles_next_visit(store: Store, shop: Shop,
                                                              clock: Clock) -> None:
    first = store.run(jobs.create_job, customer_id=shop.customer_id,
                      vehicle_id=shop.vehicle_id).result
    store.run(jobs.add_line, first, kind="labor", description="Brake fluid flush",
              quantity=0.8, unit_price_cents=12_000, approval="declined")
    clock.advance(minutes=1)  # lines are listed in the order they were written
    store.run(jobs.add_line, first, kind="part", description="Wiper blades",
              quantity=2, unit_price_cents=1_999, approval="declined", part_number="WB-22")
    store.run(jobs.add_line, first, kind="labor", description="Oil change",
              approval="approved")
    clock.advance(days=30)
    second = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    with store.read() as s:
        shown = declined_on_earlier_visits(s, shop.vehicle_id, second)
        assert [(d.description, d.part_number, d.total_cents) for d in shown] == [
            ("Brake fluid flush", "", 9_600), ("Wiper blades", "WB-22", 3_998)]
        assert {d.job_id for d in shown} == {first}
        # ...and not on the visit they were declined on
        assert declined_on_earlier_visits(s, shop.vehicle_id, first) == ()
        assert job_editor(s, second, clock.now).declined_earlier == shown


# --- the editor's read ----------------------------------------------------------------------

def test_the_editors_totals_are_order_totals_with_the_shops_settings(store: Store,
                                                                   shop: Shop) -> None:
    store.run(update_shop_settings, tax_rate_bp=825, taxable_kinds=["part", "labor"],
              rounding_cents=5)
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    spec = [("labor", 1.1, 11_999, "approved"), ("part", 3, 1_333, "pending"),
            ("fee", 1, 250, "approved"), ("part", 1, 9_999, "declined")]
    for kind, qty, price, approval in spec:
        store.run(jobs.add_line, job_id, kind=kind, description=kind, quantity=qty,
                  unit_price_cents=price, approval=approval)
    with store.read() as s:
        data = job_editor(s, job_id, datetime.now(UTC))
    assert data is not None
    assert data.totals == order_totals([Line(*row) for row in spec], tax_rate_bp=825,
                                       taxable_kinds=["part", "labor"], rounding_cents=5)
    assert data.totals.tax_cents > 0 and data.tax_rate_bp == 825


def test_time_clocked_per_technician(store: Store, shop: Shop, clock: Clock) -> None:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id).result
    store.run(jobs.move_status, job_id, "in_progress")
    grace, linus = shop.tech_ids[0], shop.tech_ids[1]
    store.run(clock_ops.clock_on, grace, job_id)
    clock.advance(minutes=90)
    store.run(clock_ops.clock_off, grace)
    store.run(clock_ops.clock_on, linus, job_id)
    clock.advance(minutes=30)
    with store.read() as s:
        data = job_editor(s, job_id, clock.now)
    assert data is not None
    assert [(c.technician, c.seconds, c.running) for c in data.clocked] == [
        ("Grace Hopper", 5400, False), ("Linus Torvalds", 1800, True)]
