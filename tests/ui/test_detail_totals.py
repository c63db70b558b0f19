"""The job panel's totals are the shop's (``app.shopsettings.order_totals``): each line
rounded by the one rule, declined lines left out, tax shown when the shop charges it."""

from __future__ import annotations

from app.db import Store
from app.ops import jobs
from app.ops.settings import update_shop_settings
from app.queries.desk import job_detail
from tests.ui.helpers import Shop
from ui.desk.detail import detail_html


def test_the_job_panel_shows_the_shops_totals(store: Store, shop: Shop) -> None:
    job_id = next(iter(shop.jobs.values()))
    store.run(update_shop_settings, tax_rate_bp=1000, taxable_kinds=["part"])
    store.run(jobs.add_line, job_id, kind="part", description="Washers", quantity=0.285,
              unit_price_cents=100)
    with store.read() as s:
        d = job_detail(s, job_id)
    assert d is not None
    html = detail_html(d)
    t = d.totals
    assert t.tax_cents > 0 and t.total_cents == t.subtotal_cents + t.tax_cents
    assert ">0.29<" in html  # 0.285 × $1.00, half away from zero
    for label in ("Subtotal", "Tax", "Total"):
        assert label in html
    assert "Total before tax" not in html
