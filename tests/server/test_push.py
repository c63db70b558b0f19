"""Push: LMID bookkeeping, retries, gaps, rejections, conflicts and the domain rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, update

from server.models import Shop
from tests.server.helpers import Api, new_id, reasons, statuses

T0 = "2026-11-27T08:00:00Z"
T1 = "2026-11-27T09:00:00Z"
T2 = "2026-11-27T10:00:00Z"


def _job(api: Api, status: str = "queued", technician_id: str | None = None) -> str:
    c = api.client("manager")
    job_id = new_id()
    fields = {"number": "P-TEST-1", "status": status, "technician_id": technician_id}
    assert statuses(c.push(c.m("job", job_id, fields))) == ["applied"]
    return job_id


def test_retry_is_idempotent_and_repeats_the_outcomes(api: Api) -> None:
    c = api.client("clerk")
    cust = new_id()
    batch = [c.m("customer", cust, {"name": "Ann"}),
             c.m("job", new_id(), {"number": "P-X-1", "customer_id": cust}),
             c.m("job", new_id(), {"number": "P-X-2", "status": "nonsense"})]
    first = c.push(*batch)
    assert statuses(first) == ["applied", "applied", "rejected"]
    second = c.push(*batch)
    second.pop("server_time"), first.pop("server_time")  # the clock moves on, of course
    assert second == first  # same outcomes (and reasons), same head, nothing applied twice
    rows, _ = api.pull_all()
    assert sorted(r["number"] for (e, _), r in rows.items() if e == "job") == ["1"]


def test_overlapping_batch_skips_what_was_applied(api: Api) -> None:
    c = api.client("clerk")
    a, b = new_id(), new_id()
    m1, m2 = c.m("customer", a, {"name": "A"}), c.m("customer", b, {"name": "B"})
    c.push(m1, m2)
    m3 = c.m("customer", a, {"name": "A2"}, {"name": "A"})
    r = c.push(m2, m3)
    assert r["last_mutation_id"] == 3 and statuses(r) == ["applied", "applied"]
    assert api.row("customer", a)["name"] == "A2"


def test_gap_is_409_with_the_lmid_and_changes_nothing(api: Api) -> None:
    c = api.client("clerk")
    c.push(c.m("customer", fields={"name": "one"}), c.m("customer", fields={"name": "two"}))
    head = api.pull()["cursor"]
    c.next_id = 5
    r = c.push_response(c.m("customer", fields={"name": "five"}))
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "mutation_gap" and body["last_mutation_id"] == 2 and body["detail"]
    assert api.pull()["cursor"] == head


def test_rejected_and_conflict_advance_the_lmid(api: Api) -> None:
    job_id = _job(api)
    a, b = api.client("clerk"), api.client("clerk")
    assert statuses(a.push(a.m("job", job_id, {"status": "in_progress"},
                               {"status": "queued"}))) == ["applied"]
    r = b.push(b.m("job", job_id, {"status": "on_hold"}, {"status": "queued"}),
               b.m("job", job_id, {"status": "bogus"}, {"status": "in_progress"}),
               b.m("job", job_id, {"concern": "squeaks"}))
    assert statuses(r) == ["conflict", "rejected", "applied"]
    assert r["last_mutation_id"] == 3
    assert "in_progress" in (r["results"][0]["reason"] or "")
    job = api.row("job", job_id)
    assert job["status"] == "in_progress" and job["concern"] == "squeaks"
    pulled = api.pull(client_id=b.client_id)
    assert pulled["last_mutation_id"] == 3


def test_conflict_rows_sync_to_every_client(api: Api) -> None:
    tech = api.technician_id
    job_id = _job(api)
    a, b = api.client("manager"), api.client("clerk")
    a.push(a.m("job", job_id, {"technician_id": tech}, {"technician_id": None}))
    other = new_id()
    mc = api.client("manager")
    mc.push(mc.m("technician", other, {"name": "Bo"}))
    r = b.push(b.m("job", job_id, {"technician_id": other}, {"technician_id": None}))
    assert statuses(r) == ["conflict"]
    for role in ("clerk", "technician", "manager"):
        rows, _ = api.pull_all(role)
        conflicts = [row for (e, _), row in rows.items() if e == "conflict"]
        assert len(conflicts) == 1, role
        c = conflicts[0]
        assert (c["entity"], c["row_id"], c["field"]) == ("job", job_id, "technician_id")
        assert c["client_value"] == other and c["server_value"] == tech
        assert c["client_id"] == b.client_id and c["mutation_id"] == 1
        assert c["resolved_at"] is None
    # Resolving is a change of the conflict row that any of those clients may push.
    conflict_id = c["id"]
    r = b.push(b.m("conflict", conflict_id, {"resolved_at": T1, "resolved_by": new_id()}))
    assert statuses(r) == ["applied"]
    r = b.push(b.m("conflict", conflict_id, {"field": "status"}))
    assert statuses(r) == ["rejected"]


def test_same_value_on_both_sides_is_not_a_conflict(api: Api) -> None:
    job_id = _job(api)
    a, b = api.client("clerk"), api.client("clerk")
    a.push(a.m("job", job_id, {"status": "in_progress"}, {"status": "queued"}))
    r = b.push(b.m("job", job_id, {"status": "in_progress"}, {"status": "queued"}))
    assert statuses(r) == ["applied"]


def test_refused_move_with_matching_base_is_rejected_with_the_rules_message(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    r = c.push(c.m("job", job_id, {"status": "closed"}, {"status": "queued"}))
    assert statuses(r) == ["rejected"]
    assert reasons(r)[0] == ("A job cannot move from Queued to Closed; from Queued it can move "
                             "to: In progress, On hold, Cancelled.")


def test_job_numbers_are_final_gapless_and_ignore_later_edits(api: Api) -> None:
    c = api.client("clerk")
    ids = [new_id() for _ in range(4)]
    r = c.push(c.m("job", ids[0], {"number": "P-A-1"}),
               c.m("job", ids[1], {"number": "P-A-2", "status": "bogus"}),
               c.m("job", ids[2], {"number": "P-A-3"}),
               c.m("job", ids[0], {"number": "P-A-9", "concern": "noise"}))
    assert statuses(r) == ["applied", "rejected", "applied", "applied"]
    d = api.client("clerk")
    d.push(d.m("job", ids[3], {"number": "P-B-1"}))
    rows, _ = api.pull_all()
    numbers = {rid: row["number"] for (e, rid), row in rows.items() if e == "job"}
    assert numbers == {ids[0]: "1", ids[2]: "2", ids[3]: "3"}
    assert rows[("job", ids[0])]["concern"] == "noise"


def test_status_event_of_a_refused_move_is_refused(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    r = c.push(c.m("job", job_id, {"status": "ready"}, {"status": "queued"}),
               c.m("status_event", new_id(), {"job_id": job_id, "from_status": "queued",
                                              "to_status": "ready", "at": T0}),
               c.m("job", job_id, {"status": "in_progress"}, {"status": "queued"}),
               c.m("status_event", new_id(), {"job_id": job_id, "from_status": "queued",
                                              "to_status": "in_progress", "at": T0}))
    assert statuses(r) == ["rejected", "rejected", "applied", "applied"]


def test_time_entries_start_never_changes_and_end_is_set_once(api: Api) -> None:
    c = api.client("manager")
    entry = new_id()
    tech = api.technician_id
    assert statuses(c.push(c.m("time_entry", entry, {"technician_id": tech, "kind": "shift",
                                                     "started_at": T0}))) == ["applied"]
    r = c.push(c.m("time_entry", entry, {"started_at": T1}, {"started_at": T0}),
               c.m("time_entry", entry, {"ended_at": T0.replace("08", "07")}),
               c.m("time_entry", entry, {"ended_at": T1}, {"ended_at": None}),
               c.m("time_entry", entry, {"ended_at": T1}),
               c.m("time_entry", entry, {"ended_at": T2}, {"ended_at": T1}),
               c.m("time_entry", entry, {"reason": "edit"}),
               c.delete("time_entry", entry))
    assert statuses(r) == ["rejected", "rejected", "applied", "applied", "rejected",
                           "rejected", "rejected"]
    row = api.row("time_entry", entry)
    assert row["started_at"] == T0 and row["ended_at"] == T1


def test_notes_and_status_events_are_append_only(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    note = new_id()
    r = c.push(c.m("note", note, {"job_id": job_id, "body": "rattle"}),
               c.m("note", note, {"body": "edited"}),
               c.delete("note", note))
    assert statuses(r) == ["applied", "rejected", "rejected"]
    assert api.row("note", note)["body"] == "rattle"


def test_vin_rules_come_from_the_domain(api: Api) -> None:
    c = api.client("clerk")
    good_na, bad_na = "1M8GDM9AXKP042788", "1M8GDM9A1KP042788"
    european_mismatch = "WVWZZZ1JZ3W386752"
    v1, v2, v3 = new_id(), new_id(), new_id()
    r = c.push(c.m("vehicle", v1, {"vin": good_na.lower()}),
               c.m("vehicle", v2, {"vin": bad_na}),
               c.m("vehicle", v3, {"vin": european_mismatch}),
               c.m("vehicle", new_id(), {"vin": "1M8GDM9AXKP04278O"}))
    assert statuses(r) == ["applied", "rejected", "applied", "rejected"]
    assert "check digit" in (reasons(r)[1] or "")
    assert api.row("vehicle", v1)["vin"] == good_na


def test_deleted_rows_stay_deleted(api: Api) -> None:
    c = api.client("clerk")
    cust = new_id()
    r = c.push(c.m("customer", cust, {"name": "Gone"}), c.delete("customer", cust),
               c.m("customer", cust, {"name": "Back?"}, {"name": "Gone"}),
               c.delete("customer", cust), c.delete("customer", new_id()))
    assert statuses(r) == ["applied", "applied", "rejected", "applied", "applied"]
    page = api.pull(cursor=1)
    deletes = [ch for ch in page["changes"] if ch["row_id"] == cust]
    assert deletes == [{"seq": deletes[0]["seq"], "entity": "customer", "row_id": cust,
                        "op": "delete", "row": None}]


def test_another_shops_rows_are_never_touched(api: Api, shop_b: Api) -> None:
    cust = new_id()
    a = api.client("clerk")
    a.push(a.m("customer", cust, {"name": "Mine"}))
    b = shop_b.client("admin")
    r = b.push(b.m("customer", cust, {"name": "Stolen"}), b.delete("customer", cust),
               b.m("vehicle", new_id(), {"customer_id": cust}),
               b.m("customer", new_id(), {"name": "x", "shop_id": api.shop_id}))
    assert statuses(r) == ["rejected"] * 4
    assert "another shop" in (reasons(r)[0] or "")
    assert api.row("customer", cust)["name"] == "Mine"
    assert ("customer", cust) not in shop_b.pull_all()[0]


def test_unknown_fields_and_wrong_types_are_rejected_with_a_reason(api: Api) -> None:
    c = api.client("clerk")
    r = c.push(c.m("customer", new_id(), {"name": "A", "shoe_size": 9}),
               c.m("customer", new_id(), {"name": 5}),
               c.m("job", new_id(), {"priority": "high"}),
               c.m("customer", new_id(), {"name": "x" * 201}),
               c.m("job", new_id(), {"odometer_in": 2**40}),
               c.m("appointment", new_id(), {"starts_at": "tomorrow", "ends_at": T1}),
               c.m("customer", new_id(), {}))
    assert statuses(r) == ["rejected"] * 7
    assert all(reasons(r))
    assert "shoe_size" in (reasons(r)[0] or "")


def test_double_booking_is_rejected_or_a_conflict(api: Api) -> None:
    tech = api.technician_id
    c = api.client("clerk")
    first, second, third = new_id(), new_id(), new_id()
    r = c.push(c.m("appointment", first, {"starts_at": T0, "ends_at": T1,
                                          "technician_id": tech}),
               c.m("appointment", second, {"starts_at": T0.replace("08:00", "08:30"),
                                           "ends_at": T2, "technician_id": tech}),
               c.m("appointment", third, {"starts_at": T1, "ends_at": T2,
                                          "technician_id": tech}))
    assert statuses(r) == ["applied", "rejected", "applied"]
    assert "already booked" in (reasons(r)[1] or "")
    # Another desk, offline, moved the third one earlier while the first was booked:
    d = api.client("clerk")
    r = d.push(d.m("appointment", third, {"starts_at": T0.replace("08:00", "08:30")},
                   {"starts_at": T0}))
    assert statuses(r) == ["conflict"]
    assert api.row("appointment", third)["starts_at"] == T1


def _make_next_job_number_collide(pg_url: str, shop_id: str) -> None:
    """Wind the shop's job counter back to 1, so the next job's number collides with
    job 1's and the database refuses it (a refusal the checks before writing miss)."""
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(update(Shop).where(Shop.id == shop_id).values(next_job_number=1))
    engine.dispose()


def test_a_database_refusal_rejects_only_that_mutation(api: Api, pg_url: str) -> None:
    c = api.client("clerk")
    j1, j2 = new_id(), new_id()
    c.push(c.m("job", j1, {"number": "P-1"}))
    _make_next_job_number_collide(pg_url, api.shop_id)
    cust = new_id()
    r = c.push(c.m("customer", cust, {"name": "kept"}), c.m("job", j2, {"number": "P-2"}))
    assert statuses(r) == ["applied", "rejected"]
    assert r["last_mutation_id"] == 3
    rows, _ = api.pull_all()
    assert ("customer", cust) in rows and ("job", j2) not in rows


def _changes(api: Api, cursor: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Every change after ``cursor`` (each row once): {(entity, id): change}."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    while True:
        page = api.pull(cursor)
        for ch in page["changes"]:
            out[(ch["entity"], ch["row_id"])] = ch
        cursor = page["cursor"]
        if not page["has_more"]:
            return out


def test_refused_mutations_resend_their_rows_or_a_delete(api: Api) -> None:
    job_id = _job(api)
    a, b = api.client("clerk"), api.client("clerk")
    cust = new_id()
    assert statuses(a.push(a.m("job", job_id, {"status": "in_progress"}, {"status": "queued"}),
                           a.m("customer", cust, {"name": "Ann"}))) == ["applied", "applied"]
    before = api.pull()["cursor"]
    ghost = new_id()
    batch = [b.m("job", job_id, {"status": "on_hold"}, {"status": "queued"}),
             b.m("customer", cust, {"kind": "robot"}, {"kind": "person"}),
             b.m("customer", ghost, {"kind": "person"})]
    r = b.push(*batch)
    assert statuses(r) == ["conflict", "rejected", "rejected"]
    assert r["head"] > before
    changes = _changes(api, before)
    job = changes[("job", job_id)]
    assert job["op"] == "upsert" and job["row"]["status"] == "in_progress"
    customer = changes[("customer", cust)]
    assert customer["op"] == "upsert" and customer["row"]["kind"] == "person"
    assert customer["row"]["name"] == "Ann"
    assert changes[("customer", ghost)] == {"seq": changes[("customer", ghost)]["seq"],
                                            "entity": "customer", "row_id": ghost,
                                            "op": "delete", "row": None}
    assert any(e == "conflict" for e, _ in changes)
    # A snapshot leaves the marker out; the rows are there as the server keeps them.
    rows, _ = api.pull_all()
    assert ("customer", ghost) not in rows
    assert rows[("job", job_id)]["status"] == "in_progress"
    # A retried batch is answered from the stored outcomes and takes no new seqs.
    head = api.pull()["cursor"]
    again = b.push(*batch)
    assert again == {**r, "head": head, "server_time": again["server_time"]}


def test_a_refusal_never_sends_another_shops_row(api: Api, shop_b: Api) -> None:
    theirs = new_id()
    other = shop_b.client("clerk")
    assert statuses(other.push(other.m("customer", theirs, {"name": "Secret"}))) == ["applied"]
    b_head = shop_b.pull()["cursor"]
    before = api.pull()["cursor"]
    c = api.client("clerk")
    r = c.push(c.m("customer", theirs, {"name": "Mine now"}, {"name": "Secret"}))
    assert statuses(r) == ["rejected"]
    changes = _changes(api, before)
    assert changes[("customer", theirs)]["op"] == "delete"
    assert changes[("customer", theirs)]["row"] is None
    assert shop_b.pull()["cursor"] == b_head  # nothing happened in the other shop
    assert shop_b.row("customer", theirs)["name"] == "Secret"


def test_a_database_refusal_resends_a_delete_for_that_row(api: Api, pg_url: str) -> None:
    c = api.client("clerk")
    j1, j2 = new_id(), new_id()
    c.push(c.m("job", j1, {"number": "P-1"}))
    before = api.pull()["cursor"]
    _make_next_job_number_collide(pg_url, api.shop_id)
    cust = new_id()
    r = c.push(c.m("customer", cust, {"name": "kept"}), c.m("job", j2, {"number": "P-2"}))
    assert statuses(r) == ["applied", "rejected"]
    changes = _changes(api, before)
    assert changes[("customer", cust)]["op"] == "upsert"
    assert changes[("job", j2)]["op"] == "delete" and changes[("job", j2)]["row"] is None
