"""The role matrix: every role x every entity x read / create / change / delete, and two
shops that never see each other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live_server import ROLES
from tests.server.helpers import Api, new_id, statuses

T0, T1 = "2026-11-27T08:00:00Z", "2026-11-27T09:00:00Z"
ENTITIES = ("customer", "vehicle", "technician", "bay", "job", "job_line", "appointment",
            "time_entry", "note", "status_event", "conflict", "shop_settings", "technician_pin")
#: Made with the shop and its users, never created through sync.
SERVER_MADE = {"conflict", "shop_settings", "technician_pin"}

CREATE = {
    "admin": set(ENTITIES) - SERVER_MADE,
    "manager": set(ENTITIES) - SERVER_MADE,
    "clerk": {"customer", "vehicle", "job", "job_line", "appointment", "note", "status_event"},
    "technician": {"time_entry", "note", "status_event"},
    "kiosk": set(),
}
DELETE = {
    "admin": {"customer", "vehicle", "technician", "bay", "job", "job_line", "appointment"},
    "manager": {"customer", "vehicle", "technician", "bay", "job", "job_line", "appointment"},
    "clerk": {"customer", "vehicle", "job", "job_line", "appointment"},
    "technician": set(),
    "kiosk": set(),
}
CONTACT = {"phone", "email", "address", "notes"}


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    """One row of every entity in the shop (the job assigned to the seeded technician)."""
    tech = api.technician_id
    ids = {e: new_id() for e in ENTITIES}
    other_tech = new_id()
    m = api.client("manager")
    r = m.push(
        m.m("customer", ids["customer"], {"name": "Ann", "phone": "555-1", "email": "a@b.c",
                                          "address": "Main St 1", "notes": "VIP"}),
        m.m("vehicle", ids["vehicle"], {"customer_id": ids["customer"], "plate": "AB-1"}),
        m.m("technician", other_tech, {"name": "Other"}),
        m.m("bay", ids["bay"], {"name": "Bay 1"}),
        m.m("job", ids["job"], {"number": "P", "customer_id": ids["customer"],
                                "status": "queued", "technician_id": tech}),
        m.m("job_line", ids["job_line"], {"job_id": ids["job"], "description": "Oil"}),
        m.m("appointment", ids["appointment"], {"starts_at": T0, "ends_at": T1,
                                                "bay_id": ids["bay"]}),
        m.m("time_entry", ids["time_entry"], {"technician_id": tech, "started_at": T0}),
        m.m("time_entry", new_id(), {"technician_id": other_tech, "started_at": T0}),
        m.m("note", ids["note"], {"job_id": ids["job"], "body": "n"}),
        m.m("status_event", ids["status_event"], {"job_id": ids["job"], "to_status": "queued",
                                                  "at": T0}),
    )
    assert set(statuses(r)) == {"applied"}, r
    ids["technician"] = tech
    ids["other_technician"] = other_tech
    ids["shop_settings"] = api.shop_id
    ids["technician_pin"] = api.seed.users["technician"].user_id
    # A conflict row: a stale move of the job.
    m.push(m.m("job", ids["job"], {"status": "in_progress"}, {"status": "queued"}))
    stale = api.client("clerk")
    r = stale.push(stale.m("job", ids["job"], {"status": "on_hold"}, {"status": "queued"}))
    assert statuses(r) == ["conflict"]
    rows, _ = api.pull_all("admin")
    ids["conflict"] = next(rid for (e, rid) in rows if e == "conflict")
    return ids


def _new_fields(entity: str, w: dict[str, str], api: Api) -> dict[str, Any]:
    return {
        "customer": {"name": "New"},
        "vehicle": {"customer_id": w["customer"], "plate": "NEW 1"},
        "technician": {"name": "New tech"},
        "bay": {"name": "New bay"},
        "job": {"number": "P-N-1", "customer_id": w["customer"]},
        "job_line": {"job_id": w["job"], "description": "Filter"},
        "appointment": {"starts_at": "2026-12-01T08:00:00Z", "ends_at": "2026-12-01T09:00:00Z"},
        "time_entry": {"technician_id": api.technician_id, "started_at": T1},
        "shop_settings": {"tax_rate_bp": 800},
        "technician_pin": {"user_id": api.seed.users["technician"].user_id,
                           "technician_id": api.technician_id, "verifier": "made-up"},
        "note": {"job_id": w["job"], "kind": "finding", "body": "worn pads"},
        "status_event": {"job_id": w["job"], "from_status": "queued",
                         "to_status": "in_progress", "at": T1},
        "conflict": {"entity": "job", "row_id": w["job"], "field": "status",
                     "client_id": new_id(), "mutation_id": 1},
    }[entity]


@pytest.mark.parametrize("role", ROLES)
def test_reads(api: Api, world: dict[str, str], role: str) -> None:
    rows, _ = api.pull_all(role)
    entities = {e for (e, _) in rows}
    # PIN verifiers go to kiosk device accounts only.
    assert entities == set(ENTITIES) - ({"technician_pin"} if role != "kiosk" else set()), role
    customer = rows[("customer", world["customer"])]
    assert customer["name"] == "Ann"
    if role in ("technician", "kiosk"):
        assert not CONTACT & set(customer), "contact details are hidden"
    else:
        assert customer["phone"] == "555-1" and customer["notes"] == "VIP"
    entries = {row["technician_id"] for (e, _), row in rows.items() if e == "time_entry"}
    if role == "technician":
        assert entries == {api.technician_id}
    else:
        assert entries == {api.technician_id, world["other_technician"]}
    assert {row["shop_id"] for row in rows.values() if row} == {api.shop_id}


@pytest.mark.parametrize("role", ROLES)
def test_creates(api: Api, world: dict[str, str], role: str) -> None:
    c = api.client(role)
    r = c.push(*[c.m(e, new_id(), _new_fields(e, world, api)) for e in ENTITIES])
    got = {e for e, s in zip(ENTITIES, statuses(r), strict=True) if s == "applied"}
    assert got == CREATE[role]
    assert r["last_mutation_id"] == len(ENTITIES)
    for res in r["results"]:
        if res["status"] == "rejected":
            assert res["reason"], res


@pytest.mark.parametrize("role", ROLES)
def test_deletes(api: Api, world: dict[str, str], role: str) -> None:
    c = api.client(role)
    r = c.push(*[c.delete(e, world[e]) for e in ENTITIES])
    got = {e for e, s in zip(ENTITIES, statuses(r), strict=True) if s == "applied"}
    assert got == DELETE[role]


@pytest.mark.parametrize("role", ROLES)
def test_changes(api: Api, world: dict[str, str], role: str) -> None:
    """Plain (unguarded) edits of rows that exist."""
    edits = {
        "customer": {"phone": "555-9"}, "vehicle": {"plate": "ZZ-9"},
        "technician": {"color": "#ff0000"}, "bay": {"kind": "alignment"},
        "job": {"concern": "brakes"}, "job_line": {"done": True},
        "appointment": {"notes": "call first"}, "time_entry": {"ended_at": T1},
        "note": {"body": "changed"}, "status_event": {"to_status": "ready"},
        "conflict": {"resolved_at": T1}, "shop_settings": {"tax_rate_bp": 825},
        "technician_pin": {"verifier": "made-up"},
    }
    c = api.client(role)
    r = c.push(*[c.m(e, world[e], edits[e]) for e in ENTITIES])
    got = {e for e, s in zip(ENTITIES, statuses(r), strict=True) if s == "applied"}
    writable = {"admin": set(ENTITIES) - {"note", "status_event", "technician_pin"},
                "manager": set(ENTITIES) - {"note", "status_event", "technician_pin"},
                # a clerk ends the clocks of a job they move out of work
                "clerk": {"customer", "vehicle", "job", "job_line", "appointment", "conflict",
                          "time_entry"},
                "technician": {"time_entry", "conflict"},
                "kiosk": set()}[role]
    assert got == writable


def test_technician_moves_own_jobs_and_claims_queued_ones(api: Api, world: dict[str, str]) -> None:
    tech = api.technician_id
    m = api.client("manager")
    own, free, taken, open_q = new_id(), new_id(), new_id(), new_id()
    m.push(m.m("job", own, {"number": "P", "status": "queued", "technician_id": tech}),
           m.m("job", free, {"number": "P", "status": "queued"}),
           m.m("job", taken, {"number": "P", "status": "queued",
                              "technician_id": world["other_technician"]}),
           m.m("job", open_q, {"number": "P", "status": "estimate"}))
    t = api.client("technician")
    r = t.push(
        t.m("job", own, {"status": "in_progress"}, {"status": "queued"}),
        t.m("status_event", new_id(), {"job_id": own, "from_status": "queued",
                                       "to_status": "in_progress", "at": T0, "by_id": tech}),
        t.m("job", own, {"status": "on_hold", "hold_reason": "parts"},
            {"status": "in_progress", "hold_reason": None}),
        t.m("job", own, {"concern": "rewrite"}),
        t.m("job", own, {"status": "in_progress", "hold_reason": None},
            {"status": "on_hold", "hold_reason": "parts"}),
        t.m("job", own, {"status": "ready"}, {"status": "in_progress"}),
        t.m("job", own, {"status": "closed"}, {"status": "ready"}),
        t.m("job", free, {"technician_id": tech}, {"technician_id": None}),
        t.m("job", taken, {"status": "in_progress"}, {"status": "queued"}),
        t.m("job", taken, {"technician_id": tech},
            {"technician_id": world["other_technician"]}),
        t.m("job", open_q, {"technician_id": tech}, {"technician_id": None}),
        t.m("job", own, {"technician_id": None}, {"technician_id": tech}),
        t.m("status_event", new_id(), {"job_id": taken, "to_status": "queued", "at": T0}),
        t.m("time_entry", new_id(), {"technician_id": world["other_technician"],
                                     "started_at": T0}),
        t.m("note", new_id(), {"job_id": own, "body": "x", "author_id": tech}),
        t.m("note", new_id(), {"job_id": own, "body": "x",
                               "author_id": world["other_technician"]}),
    )
    assert statuses(r) == ["applied", "applied", "applied", "rejected", "applied", "applied",
                           "rejected", "applied", "rejected", "rejected", "rejected",
                           "rejected", "rejected", "rejected", "applied", "rejected"]
    rows, _ = api.pull_all("admin")
    assert rows[("job", own)]["status"] == "ready"
    assert rows[("job", free)]["technician_id"] == tech
    assert rows[("job", taken)]["technician_id"] == world["other_technician"]


def test_technician_ends_only_own_time_entries(api: Api, world: dict[str, str]) -> None:
    m = api.client("manager")
    theirs = new_id()
    m.push(m.m("time_entry", theirs, {"technician_id": world["other_technician"],
                                      "started_at": T0}))
    t = api.client("technician")
    r = t.push(t.m("time_entry", theirs, {"ended_at": T1}),
               t.m("time_entry", world["time_entry"], {"ended_at": T1}))
    assert statuses(r) == ["rejected", "applied"]


@pytest.mark.parametrize("role", ROLES)
def test_two_shops_never_meet(api: Api, shop_b: Api, world: dict[str, str], role: str) -> None:
    rows, _ = shop_b.pull_all(role)
    assert all(row["shop_id"] == shop_b.shop_id for row in rows.values() if row)
    assert not set(world.values()) & {rid for (_, rid) in rows}
    b = shop_b.client(role)
    r = b.push(*[b.m(e, world[e], {}) for e in ENTITIES if e != "technician"],
               *[b.delete(e, world[e]) for e in ENTITIES])
    assert set(statuses(r)) == {"rejected"}
    after, _ = api.pull_all("admin")
    assert after[("customer", world["customer"])]["deleted_at"] is None


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_manage_users(api: Api, role: str) -> None:
    h = api.headers(role)
    r = api.http.get("/api/v1/users", headers=h)
    assert r.status_code == (200 if role == "admin" else 403)
    r = api.http.post("/api/v1/users", headers=h, json={
        "username": f"new-{role}-{new_id()[:8]}", "password": "long enough", "role": "clerk"})
    assert r.status_code == (201 if role == "admin" else 403), r.text


def test_disabling_a_user_ends_their_sessions(api: Api) -> None:
    clerk = api.seed.users["clerk"]
    h = api.headers("clerk")
    assert api.http.get("/api/v1/sync/pull", headers=h).status_code == 200
    r = api.http.patch(f"/api/v1/users/{clerk.user_id}", headers=api.headers("admin"),
                       json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = api.http.get("/api/v1/sync/pull", headers=h)
    assert r.status_code == 401
