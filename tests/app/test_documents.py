"""The printed document's read: the job, its customer and vehicle, every line with its
approval, and the totals by the shop's money rule — plain values, no ORM objects."""

from __future__ import annotations

import dataclasses

from app.db import Store
from app.ops import jobs
from app.ops.settings import update_shop_settings
from app.queries.documents import JobDocument, job_document
from app.shopsettings import Line, line_amount_cents, order_totals
from tests.app.conftest import Clock, Shop


def _job(store: Store, shop: Shop, clock: Clock) -> str:
    job_id = store.run(jobs.create_job, customer_id=shop.customer_id,
                       vehicle_id=shop.vehicle_id, concern="brakes squeal",
                       odometer_in=121_500).result
    for kind, desc, qty, price, approval in (
            ("labor", "Replace front pads", 1.1, 12_000, "approved"),
            ("part", "Brake pads", 2, 4_999, "approved"),
            ("part", "Rotors", 2, 8_950, "declined"),
            ("fee", "Shop supplies", 1, 1_250, "pending")):
        clock.advance(seconds=1)  # lines print in the order they were written
        store.run(jobs.add_line, job_id, kind=kind, description=desc, quantity=qty,
                  unit_price_cents=price, approval=approval)
    return str(job_id)


def test_the_document_holds_what_the_paper_shows(store: Store, shop: Shop, clock: Clock) -> None:
    store.run(update_shop_settings, header_name="Bayline Motors", header_address="12 King St",
              header_phone="416 555 0100", header_tax_number="RT0001", tax_rate_bp=1300,
              taxable_kinds=["labor", "part"], rounding_cents=5)
    job_id = _job(store, shop, clock)
    with store.read() as s:
        doc = job_document(s, job_id)
    assert isinstance(doc, JobDocument)
    assert (doc.shop.header_name, doc.shop.header_tax_number) == ("Bayline Motors", "RT0001")
    assert (doc.customer, doc.customer_phone) == ("Ada Lovelace", "(416) 555-0142")
    assert (doc.vehicle, doc.plate, doc.vin) == ("2003 Honda Accord", "CAFE 123",
                                                 "1HGCM82633A004352")
    assert (doc.odometer_in, doc.odometer_unit, doc.concern) == (121_500, "km", "brakes squeal")
    assert [(ln.description, ln.approval) for ln in doc.lines] == [
        ("Replace front pads", "approved"), ("Brake pads", "approved"), ("Rotors", "declined"),
        ("Shop supplies", "pending")]
    # every amount is the shop's rule's, rounding to the nickel included
    assert [ln.amount_cents for ln in doc.lines] == [
        line_amount_cents(ln.quantity, ln.unit_price_cents, 5) for ln in doc.lines]
    assert doc.lines[0].amount_cents == 13_200
    assert doc.totals == order_totals(
        [Line(ln.kind, ln.quantity, ln.unit_price_cents, ln.approval) for ln in doc.lines],
        tax_rate_bp=1300, taxable_kinds=["labor", "part"], rounding_cents=5)
    assert doc.payments == () and doc.balance_cents == doc.totals.total_cents
    # plain values all the way down (safe to hand to the GUI thread)
    for value in dataclasses.astuple(doc):
        assert type(value).__module__ != "app.models"


def test_a_missing_job_has_no_document(store: Store, shop: Shop, clock: Clock) -> None:
    job_id = _job(store, shop, clock)
    with store.read() as s:
        assert job_document(s, "no-such-job") is None
        assert job_document(s, job_id) is not None
