"""Applying pulled rows: the fast path writes exactly what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.db import Store
from app.entities import WIRE
from app.models import Appointment, Customer, Job
from sync.replica import Page, apply_page

SHOP = "5b0c3f57-8a4e-4d43-9d1f-2f0c2c1e9a01"


def page(*changes: dict[str, object], cursor: int = 10) -> Page:
    return Page.parse({"changes": list(changes), "cursor": cursor, "has_more": False,
                       "last_mutation_id": 0, "reset": False})


def appointment(row_id: str, starts: str, ends: str, **extra: object) -> dict[str, object]:
    row = {"id": row_id, "shop_id": SHOP, "created_at": "2026-11-27T08:00:00Z",
           "updated_at": "2026-11-27T08:00:00.5Z", "deleted_at": None,
           "customer_id": None, "vehicle_id": None, "job_id": None,
           "technician_id": "C3A1A0E2-1111-4222-8333-444455556666", "bay_id": None,
           "starts_at": starts, "ends_at": ends, "status": "scheduled", "notes": "x\u00e9",
           **extra}
    return {"seq": 1, "entity": "appointment", "row_id": row_id, "op": "upsert", "row": row}


@pytest.mark.parametrize("starts", ["2026-11-27T08:15:00Z", "2026-11-27T08:15:00.123456Z",
                                    "2026-11-27T10:15:00+02:00", "2026-11-27T08:15:00.5Z"])
def test_times_and_ids_read_back_as_the_wire_said(store: Store, starts: str) -> None:
    rid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    with store.write_session() as s:
        apply_page(s, page(appointment(rid, starts, "2026-11-27T09:00:00Z")))
    with store.read() as s:
        row = s.get(Appointment, rid)
        assert row is not None
        assert row.starts_at == WIRE["appointment"].fields["starts_at"].from_wire(starts)
        assert row.updated_at == datetime(2026, 11, 27, 8, 0, 0, 500000, tzinfo=UTC)
        assert row.technician_id == "c3a1a0e2-1111-4222-8333-444455556666"  # canonical
        assert row.notes == "x\u00e9" and row.deleted_at is None
        stored = s.execute(text("SELECT starts_at FROM appointment")).scalar()
    # The very text SQLAlchemy itself would have stored.
    probe = Appointment(id="p", shop_id=SHOP, created_at=row.created_at,
                        updated_at=row.updated_at, starts_at=row.starts_at,
                        ends_at=row.ends_at, status="scheduled")
    with store.write_session() as s:
        s.add(probe)
        s.flush()
        assert s.execute(text("SELECT starts_at FROM appointment WHERE id = 'p'")).scalar() \
            == stored


def test_bad_rows_from_the_server_are_refused_not_stored(store: Store) -> None:
    """The fast path refuses the page; change by change the bad row is quarantined, not
    stored, and the cursor moves on."""
    from sync.quarantine import quarantined_count
    from sync.replica import PageFault

    bad = appointment("0f8fad5b-d9cb-469f-a165-70867728950e", "2026-13-45T08:15:00Z",
                      "2026-11-27T09:00:00Z")
    with pytest.raises(PageFault), store.write_session() as s:
        apply_page(s, page(bad))
    with store.write_session() as s:
        apply_page(s, page(bad), careful=True)
    with store.read() as s:
        assert s.get(Appointment, "0f8fad5b-d9cb-469f-a165-70867728950e") is None
    assert quarantined_count(store) == 1
    assert store.state().cursor == 10


def test_hidden_fields_take_their_blanks_in_new_and_known_rows(store: Store) -> None:
    """A technician's pull has no phone or e-mail: new rows get defaults, and so do known
    rows (what they held was typed here and refused, or read under another role; the
    technician's replica holds the server's state of what they can see)."""
    known, new = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    with store.write_session() as s:
        now = datetime(2026, 11, 27, tzinfo=UTC)
        s.add(Customer(id=known, shop_id=SHOP, created_at=now, updated_at=now, name="Old",
                       phone="555-0101"))
    rows = [{"seq": i, "entity": "customer", "row_id": rid, "op": "upsert",
             "row": {"id": rid, "shop_id": SHOP, "created_at": "2026-11-27T08:00:00Z",
                     "updated_at": "2026-11-27T08:00:00Z", "deleted_at": None,
                     "name": f"Name {i}", "kind": "person"}}
            for i, rid in enumerate((known, new))]
    with store.write_session() as s:
        apply_page(s, page(*rows))
    with store.read() as s:
        old, fresh = s.get(Customer, known), s.get(Customer, new)
        assert old is not None and fresh is not None
        assert (old.name, old.phone) == ("Name 0", "")
        assert (fresh.name, fresh.phone, fresh.email) == ("Name 1", "", "")


def test_a_delete_with_or_without_its_row_tombstones(store: Store) -> None:
    jid = "33333333-3333-4333-8333-333333333333"
    row = {"id": jid, "shop_id": SHOP, "created_at": "2026-11-27T08:00:00Z",
           "updated_at": "2026-11-27T08:00:00Z", "deleted_at": None, "number": "5",
           "status": "queued"}
    with store.write_session() as s:
        apply_page(s, page({"seq": 1, "entity": "job", "row_id": jid, "op": "upsert",
                            "row": row}))
        apply_page(s, page({"seq": 2, "entity": "job", "row_id": jid, "op": "delete",
                            "row": None}, cursor=11))
    with store.read() as s:
        job = s.get(Job, jid)
        assert job is not None and job.deleted_at is not None and job.number == "5"
    assert store.state().cursor == 11


def test_json_and_booleans_round_trip(store: Store) -> None:
    from app.models import Conflict, Technician

    tid, cid = "44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555"
    common = {"shop_id": SHOP, "created_at": "2026-11-27T08:00:00Z",
              "updated_at": "2026-11-27T08:00:00Z", "deleted_at": None}
    tech = {"id": tid, **common, "name": "Sam", "skills": ["brakes", "ev"], "color": "#123456",
            "daily_capacity_minutes": 420, "active": False}
    conflict = {"id": cid, **common, "entity": "job", "row_id": tid, "field": "status",
                "client_value": "on_hold", "server_value": {"nested": [1, None]},
                "client_id": tid, "mutation_id": 7, "resolved_at": None, "resolved_by": None}
    with store.write_session() as s:
        apply_page(s, page({"seq": 1, "entity": "technician", "row_id": tid, "op": "upsert",
                            "row": tech},
                           {"seq": 2, "entity": "conflict", "row_id": cid, "op": "upsert",
                            "row": conflict}))
    with store.read() as s:
        t, c = s.get(Technician, tid), s.get(Conflict, cid)
        assert t is not None and c is not None
        assert (t.skills, t.active, t.daily_capacity_minutes) == (["brakes", "ev"], False, 420)
        assert (c.client_value, c.server_value, c.mutation_id) == \
            ("on_hold", {"nested": [1, None]}, 7)
