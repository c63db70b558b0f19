"""Shop settings: the operation, the query, the limits, and the money rule they drive."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.db import Store
from app.errors import ValidationError
from app.models import Outbox
from app.ops import customers, jobs, notes
from app.ops.settings import update_shop_settings
from app.queries.settings import shop_settings
from app.shopsettings import Line, check_settings, line_amount_cents, order_totals
from tests.app.conftest import Shop


def test_defaults_until_the_row_arrives_then_one_row_per_shop(store: Store) -> None:
    shop_id = store.state().shop_id
    with store.read() as s:
        assert shop_settings(s, shop_id).kiosk_timeout_seconds == 120
    store.run(update_shop_settings, tax_rate_bp=825, taxable_kinds=["part"])
    store.run(update_shop_settings, header_name="  Bayline Motors ", rounding_cents=5)
    with store.read() as s:
        view = shop_settings(s, shop_id)
        entries = [(o.entity, o.row_id, o.op) for o in s.query(Outbox).order_by(Outbox.id)]
    assert (view.tax_rate_bp, view.taxable_kinds, view.rounding_cents, view.header_name) == \
        (825, ("part",), 5, "Bayline Motors")
    assert entries == [("shop_settings", shop_id, "upsert")] * 2  # the row's id is the shop's


@pytest.mark.parametrize(("field", "value"), [
    ("tax_rate_bp", -1), ("tax_rate_bp", 10_001), ("tax_rate_bp", 8.25),
    ("taxable_kinds", ["beer"]), ("taxable_kinds", "part"), ("rounding_cents", 3),
    ("rounding_cents", True), ("approval_notice_minutes", -5),
    ("kiosk_timeout_seconds", 5), ("kiosk_timeout_seconds", 100_000),
    ("header_phone", "1" * 41), ("header_name", 7), ("colour", "red"),
])
def test_each_limit_names_its_field(store: Store, field: str, value: object) -> None:
    with pytest.raises(ValidationError) as err:
        store.run(update_shop_settings, **{field: value})
    assert err.value.field == field
    assert store.pending_count() == 0  # nothing of a refused change was written


def test_the_acting_user_goes_on_every_outbox_entry_of_the_operation(store: Store) -> None:
    cust = store.run(customers.create_customer, name="Ada").result
    job_id = store.run(jobs.create_job, customer_id=cust, vehicle_id=None).result
    store.run(notes.add_note, job_id, "worn pads", acting_user_id="u-tech")
    with store.read() as s:
        acting = [o.acting_user_id for o in s.query(Outbox).order_by(Outbox.id)]
    assert acting[-1] == "u-tech" and set(acting[:-1]) == {None}


def test_lines_round_on_their_own_and_tax_once_per_order() -> None:
    assert line_amount_cents(1.1, 9999) == 10999  # 10998.9 → 10999
    assert line_amount_cents(0.5, 3) == 2  # 1.5 → 2, half away from zero
    assert line_amount_cents(1, -3, 5) == -5  # a discount rounds away from zero too
    assert line_amount_cents(1, 1237, 5) == 1235 and line_amount_cents(1, 1238, 5) == 1240
    lines = [Line("labor", 1.5, 9_000), Line("part", 2, 1_999), Line("part", 1, 500, "declined"),
             Line("fee", 1, -1_000)]
    totals = order_totals(lines, tax_rate_bp=825, taxable_kinds=["part"])
    assert totals.subtotal_cents == 13_500 + 3_998 - 1_000
    assert totals.taxable_cents == 3_998
    assert totals.tax_cents == 330  # 329.835 → 330
    assert totals.total_cents == totals.subtotal_cents + 330
    assert order_totals([], tax_rate_bp=825, taxable_kinds=["part"]).total_cents == 0


@given(st.lists(st.tuples(st.sampled_from(["labor", "part", "fee"]),
                          st.integers(1, 400).map(lambda q: q / 4),
                          st.integers(0, 500_000)), max_size=20),
       st.integers(0, 10_000), st.sampled_from([1, 5, 10, 25, 50, 100]))
def test_totals_add_up_and_lines_sit_on_the_rounding_step(
        raw: list[tuple[str, float, int]], rate: int, step: int) -> None:
    lines = [Line(k, q, p) for k, q, p in raw]
    totals = order_totals(lines, tax_rate_bp=rate, taxable_kinds=["part"], rounding_cents=step)
    amounts = [line_amount_cents(ln.quantity, ln.unit_price_cents, step) for ln in lines]
    assert all(a % step == 0 and abs(a - ln.quantity * ln.unit_price_cents) <= step / 2 + 1e-6
               for a, ln in zip(amounts, lines, strict=True))
    assert totals.subtotal_cents == sum(amounts)
    assert abs(totals.tax_cents - totals.taxable_cents * rate / 10_000) <= 0.5
    assert totals.total_cents == totals.subtotal_cents + totals.tax_cents


def test_check_settings_cleans_what_it_accepts() -> None:
    assert check_settings({"taxable_kinds": ["fee", "part", "fee"], "header_name": " X "}) == \
        {"taxable_kinds": ["part", "fee"], "header_name": "X"}


# --- every total a person reads goes through the one money rule ----------------------------

def test_the_one_money_rule_rounds_0_285_of_a_dollar_up() -> None:
    # 0.285 × 100 is 28.499999999999996 as a float: the rule works on the decimal quantity
    assert line_amount_cents(0.285, 100) == 29


def test_job_detail_and_vehicle_history_total_by_the_shop_rule(store: Store,
                                                                shop: Shop) -> None:
    from app.queries import desk, history
    from tests.app.helpers import job_in

    store.run(update_shop_settings, tax_rate_bp=1000, taxable_kinds=["part"])
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    store.run(jobs.add_line, job_id, kind="part", description="Washers", quantity=0.285,
              unit_price_cents=100)
    store.run(jobs.add_line, job_id, kind="labor", description="Fit", quantity=1,
              unit_price_cents=1000)
    store.run(jobs.add_line, job_id, kind="part", description="Declined", quantity=1,
              unit_price_cents=5000, approval="declined")
    with store.read() as s:
        detail = desk.job_detail(s, job_id)
        past = history.vehicle_history(s, shop.vehicle_id)
    assert detail is not None and past is not None
    (old,) = [j for j in past.jobs if j.job_id == job_id]
    for lines, totals in ((detail.lines, detail.totals), (old.lines, old.totals)):
        assert sorted(ln.total_cents for ln in lines) == [29, 1000, 5000]
        # declined not counted; tax 10 % of the 29 taxable cents = 2.9 → 3
        assert (totals.subtotal_cents, totals.tax_cents, totals.total_cents) == (1029, 3, 1032)
    assert detail.total_cents == old.total_cents == 1032
