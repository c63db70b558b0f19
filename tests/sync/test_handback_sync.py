"""Hand-back through sync, against the real server: the payment and the close travel as
one operation and reach the other desks with the part numbers of the lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import Store
from app.models import JobLine, Payment
from app.ops import jobs, payments
from sync import account
from sync.credentials import TokenStore
from sync.syncer import RoundResult, Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import job, new_job, outbox

pytestmark = pytest.mark.postgres


class _Desks:
    def __init__(self, tmp_path: Path, srv: LiveServer, shop: ShopSeed) -> None:
        self.tmp_path, self.srv, self.shop = tmp_path, srv, shop
        self.stores: list[Store] = []

    def login(self, name: str, role: str) -> Store:
        user = self.shop.users[role]
        store = Store(self.tmp_path / name / "replica.sqlite")
        store = account.login(store, self.srv.base_url, user.username, user.password).store
        self.stores.append(store)
        return store

    def sync(self, store: Store) -> RoundResult:
        api = account.client_for(store, token_store=TokenStore())
        try:
            return Syncer(store, api).round()
        finally:
            api.close()


@pytest.fixture
def desks(tmp_path: Path, live_server: LiveServer, shop: ShopSeed) -> Iterator[_Desks]:
    made = _Desks(tmp_path, live_server, shop)
    yield made
    for s in made.stores:
        s.close()


def _ready_with_a_part(store: Store) -> tuple[str, str]:
    job_id, _ = new_job(store)
    line_id = store.run(jobs.add_line, job_id, kind="part", description="Pads", quantity=1,
                        unit_price_cents=6_499, approval="approved",
                        part_number="BP-1234").result
    for step in ("in_progress", "ready"):
        store.run(jobs.move_status, job_id, step)
    return job_id, str(line_id)


def test_a_payment_and_the_close_reach_the_other_desk(desks: _Desks) -> None:
    a, b = desks.login("a", "clerk"), desks.login("b", "manager")
    job_id, line_id = _ready_with_a_part(a)
    pay_id = a.run(payments.close_with_payment, job_id, method="card",
                   amount_cents=6_499).result
    desks.sync(a)
    assert outbox(a) == []  # everything applied
    desks.sync(b)
    assert job(b, job_id).status == "closed"
    with b.read() as s:
        pay = s.get(Payment, pay_id)
        assert pay is not None and (pay.method, pay.amount_cents) == ("card", 6_499)
        line = s.get(JobLine, line_id)
        assert line is not None and line.part_number == "BP-1234"


def test_a_refused_close_takes_its_payment_with_it(desks: _Desks) -> None:
    """B reopens the job (ready → in progress) first; A's close, made offline from ready,
    is a conflict, and the payment of the same click is refused with it."""
    a, b = desks.login("a", "clerk"), desks.login("b", "manager")
    job_id, _ = _ready_with_a_part(a)
    desks.sync(a)
    desks.sync(b)
    b.run(jobs.move_status, job_id, "in_progress")
    desks.sync(b)
    pay_id = a.run(payments.close_with_payment, job_id, method="cash",
                   amount_cents=6_499).result
    desks.sync(a)
    assert job(a, job_id).status == "in_progress"  # the server's state came back
    with a.read() as s:
        mine = s.get(Payment, pay_id)
        assert mine is None or mine.deleted_at is not None  # ...without the payment
    desks.sync(b)
    with b.read() as s:
        assert s.get(Payment, pay_id) is None  # never applied: no payment on an open job
