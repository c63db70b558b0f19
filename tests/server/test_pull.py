"""Pull: paging, each row once in its latest state, tombstones and reset, the LMID."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.timeutil import utcnow
from server.db import Database
from server.sync.purge import purge_tombstones
from tests.server.helpers import Api, new_id, statuses


def test_paging_sees_every_row_once_in_its_latest_state(api: Api) -> None:
    c = api.client("clerk")
    ids = [new_id() for _ in range(240)]
    for start in range(0, len(ids), 80):
        c.push(*[c.m("customer", i, {"name": f"c{n}"})
                 for n, i in enumerate(ids[start:start + 80], start)])
    seen: dict[str, str] = {}
    cursor, last_seq, pages = 0, 0, 0
    while True:
        page = api.pull(cursor, limit=37)
        pages += 1
        page_ids = [ch["row_id"] for ch in page["changes"]]
        assert len(page_ids) == len(set(page_ids)), "a row twice in one page"
        for ch in page["changes"]:
            assert ch["seq"] > last_seq, "seqs go forward"
            last_seq = ch["seq"]
            if ch["entity"] == "customer":
                seen[ch["row_id"]] = ch["row"]["name"]
        if pages == 2:  # rows change while the client pages: they come again, newer
            c.push(*[c.m("customer", i, {"name": "renamed"}) for i in ids[:10]])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert set(seen) == set(ids)
    assert all(seen[i] == "renamed" for i in ids[:10])
    assert pages >= 240 // 37


def test_row_changed_often_appears_once(api: Api) -> None:
    c = api.client("clerk")
    cust = new_id()
    c.push(c.m("customer", cust, {"name": "a"}), c.m("customer", cust, {"name": "b"}))
    c.push(c.m("customer", cust, {"name": "c"}))
    page = api.pull(0)
    mine = [ch for ch in page["changes"] if ch["row_id"] == cust]
    assert len(mine) == 1 and mine[0]["row"]["name"] == "c"


def test_snapshot_leaves_out_tombstones_but_increments_carry_them(api: Api) -> None:
    c = api.client("clerk")
    a, b = new_id(), new_id()
    c.push(c.m("customer", a, {"name": "a"}), c.m("customer", b, {"name": "b"}))
    cursor = api.pull(0)["cursor"]
    c.push(c.delete("customer", a))
    snapshot = api.pull(0)
    assert a not in {ch["row_id"] for ch in snapshot["changes"]}
    assert snapshot["cursor"] == snapshot["head"]
    inc = api.pull(cursor)
    assert [(ch["row_id"], ch["op"]) for ch in inc["changes"]] == [(a, "delete")]


def test_old_tombstones_are_purged_and_older_cursors_reset(api: Api, pg_url: str) -> None:
    c = api.client("clerk")
    a, b = new_id(), new_id()
    c.push(c.m("customer", a, {"name": "a"}), c.m("customer", b, {"name": "b"}))
    early = api.pull(0)["cursor"]
    c.push(c.delete("customer", a))
    late = api.pull(0)["cursor"]
    db = Database.from_url(pg_url)
    try:
        assert purge_tombstones(db, now=utcnow() + timedelta(days=89)) == 0
        assert api.pull(early)["reset"] is False
        assert purge_tombstones(db, now=utcnow() + timedelta(days=91)) >= 1
    finally:
        db.dispose()
    old = api.pull(early, client_id=c.client_id)
    assert old["reset"] is True and old["changes"] == [] and old["cursor"] == 0
    assert old["last_mutation_id"] == 3
    assert api.pull(late)["reset"] is False
    assert api.pull(0)["reset"] is False
    rows, _ = api.pull_all()
    assert ("customer", a) not in rows and ("customer", b) in rows


def test_cursor_beyond_the_head_resets(api: Api) -> None:
    head = api.pull(0)["head"]
    assert api.pull(head + 100)["reset"] is True


def test_last_mutation_id_is_the_asking_clients(api: Api) -> None:
    c, d = api.client("clerk"), api.client("clerk")
    c.push(c.m("customer", fields={"name": "x"}), c.m("customer", fields={"name": "y"}))
    assert api.pull(0, client_id=c.client_id)["last_mutation_id"] == 2
    assert api.pull(0, client_id=d.client_id)["last_mutation_id"] == 0
    assert api.pull(0)["last_mutation_id"] == 0


def test_a_client_id_belongs_to_one_shop(api: Api, shop_b: Api) -> None:
    c = api.client("clerk")
    c.push(c.m("customer", fields={"name": "x"}))
    b = shop_b.client("clerk")
    b.client_id = c.client_id
    r = b.push_response(b.m("customer", fields={"name": "y"}))
    assert r.status_code == 403 and r.json()["error"] == "client_of_another_shop"
    assert shop_b.pull(0, client_id=c.client_id)["last_mutation_id"] == 0


def test_empty_push_and_pull_on_an_empty_shop(api: Api) -> None:
    c = api.client("clerk")
    r = c.push()
    assert r["results"] == [] and r["last_mutation_id"] == 0
    page = api.pull(0, role="clerk")
    assert page["has_more"] is False
    assert statuses(r) == []


def test_rows_are_sent_exactly_as_the_wire_specs_write_them(api: Api) -> None:
    """PostgreSQL builds the row JSON itself; it must match ``FieldSpec.to_wire``."""
    m = api.client("manager")
    job, line, tech, entry = new_id(), new_id(), new_id(), new_id()
    r = m.push(
        m.m("technician", tech, {"name": "Zoë «Ω»", "skills": ["brakes", "a/c"],
                                 "active": False}),
        m.m("job", job, {"number": "P", "promised_at": "2026-11-27T08:15:00.250000Z",
                         "customer_waiting": True, "priority": 2}),
        m.m("job_line", line, {"job_id": job, "quantity": 2, "unit_price_cents": -150,
                               "kind": "fee"}),
        m.m("time_entry", entry, {"technician_id": tech, "started_at": "2026-11-27T08:15:00Z",
                                  "ended_at": "2026-11-27T09:00:00.000001+00:00"}))
    assert statuses(r) == ["applied"] * 4
    rows, _ = api.pull_all("manager")
    t = rows[("technician", tech)]
    assert t["name"] == "Zoë «Ω»" and t["skills"] == ["a/c", "brakes"] and t["active"] is False
    j = rows[("job", job)]
    assert j["promised_at"] == "2026-11-27T08:15:00.250000Z"
    assert j["customer_waiting"] is True and j["priority"] == 2 and j["closed_at"] is None
    assert j["created_at"].endswith("Z") and j["deleted_at"] is None
    ln = rows[("job_line", line)]
    assert ln["quantity"] == 2.0 and isinstance(ln["quantity"], float)
    assert ln["unit_price_cents"] == -150 and ln["done"] is False
    e = rows[("time_entry", entry)]
    assert e["started_at"] == "2026-11-27T08:15:00Z"
    assert e["ended_at"] == "2026-11-27T09:00:00.000001Z"
    page = api.http.get("/api/v1/sync/pull", headers=api.headers("manager"))
    assert page.headers["content-type"] == "application/json"


def test_a_push_committing_during_a_pull_is_wholly_in_the_next_page(
        api: Api, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's last_mutation_id and its rows come from one snapshot: a push of the same
    client that commits mid-pull shows in neither, so the client never takes a mutation as
    acknowledged whose effect it has not seen (nor re-applies one that already was)."""
    from server.auth.roles import Principal
    from server.sync import pull as pull_module
    from server.sync.apply import MutationIn
    from server.sync.push import push

    c = api.client("clerk")
    customer = new_id()
    c.push(c.m("customer", customer, {"name": "Before"}))
    clerk = api.seed.users["clerk"]
    principal = Principal(clerk.user_id, api.shop_id, "clerk", clerk.username)
    real_scan = pull_module._scan
    db = Database.from_url(pg_url)

    def scan_after_a_concurrent_push(*args: Any, **kwargs: Any) -> Any:
        push(db, principal, c.client_id,
             [MutationIn(2, "customer", customer, "upsert", {"name": "After"}, {})])
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(pull_module, "_scan", scan_after_a_concurrent_push)
    try:
        page = api.pull(0, client_id=c.client_id)
    finally:
        monkeypatch.setattr(pull_module, "_scan", real_scan)
        db.dispose()
    rows = {ch["row_id"]: ch["row"] for ch in page["changes"]}
    assert page["last_mutation_id"] == 1
    assert rows[customer]["name"] == "Before"
    later = api.pull(page["cursor"], client_id=c.client_id)
    assert later["last_mutation_id"] == 2
    assert {ch["row_id"]: ch["row"]["name"] for ch in later["changes"]} == {customer: "After"}
