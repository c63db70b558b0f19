"""A technician whose refused edit touched what they may not read still ends up with the
server's state of what they can see: the fields their role may not read are blank, not
the value they typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Store
from app.models import Customer, SyncState
from app.ops import customers
from sync import account
from sync.credentials import TokenStore
from sync.syncer import Syncer
from tests.live_server import LiveServer, ShopSeed

pytestmark = pytest.mark.postgres


def _replica(folder: Path, srv: LiveServer, shop: ShopSeed, role: str) -> tuple[Store, Syncer]:
    user = shop.users[role]
    store = account.login(Store(folder / "replica.sqlite"), srv.base_url, user.username,
                          user.password).store
    return store, Syncer(store, account.client_for(store, token_store=TokenStore()))


def _customer(store: Store, customer_id: str) -> Customer:
    with store.read() as s:
        row = s.scalars(select(Customer).where(Customer.id == customer_id)).one()
        return row


def test_a_refused_edit_of_a_hidden_field_leaves_the_field_blank(
        tmp_path: Path, live_server: LiveServer, shop: ShopSeed) -> None:
    desk, desk_sync = _replica(tmp_path / "desk", live_server, shop, "manager")
    cust = desk.run(customers.create_customer, name="Ann", phone="555 0101",
                    notes="Pays cash").result
    desk_sync.push_all()

    kiosk, kiosk_sync = _replica(tmp_path / "tech", live_server, shop, "technician")
    kiosk_sync.pull_to_head()
    assert _customer(kiosk, cust).phone == ""  # a technician does not read contact details
    # An older version, which did not know the role table, lets the technician type it:
    with kiosk.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = None
    kiosk.run(customers.update_customer, cust, name="Ann B.", phone="555 9999",
              notes="Owes us")
    kiosk_sync.push_all()  # rejected: a technician cannot change customers
    kiosk_sync.pull_to_head()

    row = _customer(kiosk, cust)
    assert row.name == "Ann"  # the server's state of what the technician can see...
    assert (row.phone, row.notes) == ("", "")  # ...and nothing of what they cannot
    assert kiosk.pending_count() == 0
    desk_sync.pull_to_head()
    assert _customer(desk, cust).phone == "555 0101"
    kiosk.close()
    desk.close()
