"""Operations: the mutations one action of a person wrote stand or fall together, within a
push and across pushes, with and without operation ids (docs/protocol-notes.md)."""

from __future__ import annotations

from typing import Any

from tests.server.helpers import Api, Replica, new_id, reasons, statuses

T0 = "2026-11-27T08:00:00Z"


def _job(api: Api, status: str = "queued") -> str:
    c = api.client("manager")
    job_id = new_id()
    assert statuses(c.push(c.m("job", job_id, {"number": "P-T-1", "status": status}))) == [
        "applied"]
    return job_id


def _moved_elsewhere(api: Api, job_id: str) -> None:
    other = api.client("clerk")
    assert statuses(other.push(other.m("job", job_id, {"status": "in_progress"},
                                       {"status": "queued"}))) == ["applied"]


def _move(c: Replica, job_id: str, op: int | None = None) -> list[dict[str, Any]]:
    """A desk's "put on hold" as its replica writes it: the move, then its status event."""
    move = c.m("job", job_id, {"status": "on_hold", "hold_reason": "parts"},
               {"status": "queued", "hold_reason": None})
    event = c.m("status_event", new_id(), {"job_id": job_id, "from_status": "queued",
                                           "to_status": "on_hold", "at": T0})
    if op is not None:
        move["operation_id"] = event["operation_id"] = op
    return [move, event]


def _history(api: Api, job_id: str) -> list[tuple[str | None, str]]:
    rows, _ = api.pull_all()
    return sorted(((r["from_status"], r["to_status"]) for (e, _), r in rows.items()
                   if e == "status_event" and r and r["job_id"] == job_id),
                  key=lambda t: t[0] or "")


def test_an_old_clients_status_event_in_the_next_push_falls_with_its_refused_move(
        api: Api) -> None:
    job_id = _job(api)
    _moved_elsewhere(api, job_id)
    c = api.client("clerk")
    move, event = _move(c, job_id)
    assert statuses(c.push(move)) == ["conflict"]
    r = c.push(event)
    assert statuses(r) == ["rejected"]
    assert f"change {move['id']}" in (reasons(r)[0] or "")
    assert api.row("job", job_id)["status"] == "in_progress"
    assert ("queued", "on_hold") not in _history(api, job_id)
    assert r["last_mutation_id"] == event["id"]


def test_an_operation_in_one_push_stands_or_falls_as_a_whole(api: Api) -> None:
    job_id = _job(api)
    _moved_elsewhere(api, job_id)
    c = api.client("clerk")
    cust = new_id()
    first = c.m("customer", cust, {"name": "Ada"})
    edit = c.m("job", job_id, {"concern": "also the wipers"})
    move, event = _move(c, job_id)
    for m in (edit, move, event):
        m["operation_id"] = edit["id"]
    after = c.m("customer", new_id(), {"name": "Bo"})
    r = c.push(first, edit, move, event, after)
    assert statuses(r) == ["applied", "rejected", "conflict", "rejected", "applied"]
    assert r["last_mutation_id"] == after["id"]
    for tied in (reasons(r)[1], reasons(r)[3]):
        assert f"change {move['id']}" in (tied or "") and "first" in (tied or "")
    assert [x.get("refused_with") for x in r["results"]] == [None, move["id"], None,
                                                            move["id"], None]
    assert c.push(first, edit, move, event, after)["results"] == r["results"]  # a retry
    job = api.row("job", job_id)
    assert job["status"] == "in_progress" and job["concern"] != "also the wipers"
    assert ("queued", "on_hold") not in _history(api, job_id)
    rows, _ = api.pull_all()
    # The conflict row of the refused move is kept for the person to choose.
    [conflict] = [row for (e, _), row in rows.items() if e == "conflict"]
    assert (conflict["row_id"], conflict["field"], conflict["mutation_id"]) == (
        job_id, "status", move["id"])
    assert ("customer", cust) in rows


def test_an_operations_mutations_apply_together(api: Api) -> None:
    c = api.client("clerk")
    cust, job_id = new_id(), new_id()
    muts = [c.m("customer", cust, {"name": "Ada"}),
            c.m("job", job_id, {"number": "P-OP-1", "customer_id": cust})]
    for m in muts:
        m["operation_id"] = muts[0]["id"]
    assert statuses(c.push(*muts)) == ["applied", "applied"]
    assert api.row("job", job_id)["customer_id"] == cust


def test_an_undone_operation_gives_its_job_number_back(api: Api) -> None:
    c = api.client("clerk")
    undone, kept = new_id(), new_id()
    op = [c.m("job", undone, {"number": "P-N-1"}),
          c.m("note", new_id(), {"job_id": undone, "kind": "nonsense", "body": "x"})]
    for m in op:
        m["operation_id"] = op[0]["id"]
    r = c.push(*op, c.m("job", kept, {"number": "P-N-2"}))
    assert statuses(r) == ["rejected", "rejected", "applied"]
    rows, _ = api.pull_all()
    assert ("job", undone) not in rows
    numbers = sorted(int(row["number"]) for (e, _), row in rows.items() if e == "job")
    assert numbers == list(range(1, len(numbers) + 1))  # no gap left by the undone job


def test_a_later_part_of_a_refused_operation_falls_in_a_later_push(api: Api) -> None:
    job_id = _job(api)
    _moved_elsewhere(api, job_id)
    c = api.client("clerk")
    move, event = _move(c, job_id, op=1)
    other = c.m("customer", new_id(), {"name": "next action"})
    other["operation_id"] = other["id"]
    assert statuses(c.push(move)) == ["conflict"]
    r = c.push(event, other)
    assert statuses(r) == ["rejected", "applied"]
    assert f"change {move['id']}" in (reasons(r)[0] or "")
    assert ("queued", "on_hold") not in _history(api, job_id)
    # A retry of that push gets the same answers.
    assert c.push(event, other)["results"] == r["results"]


def test_an_operation_over_the_batch_limit_goes_in_parts_tied_forward(api: Api) -> None:
    """The rule for an operation larger than one push: its parts go in order, each within
    the limits; a part after a refused part falls; a part already applied stays."""
    c = api.client("clerk")
    a, b = new_id(), new_id()
    part1 = [c.m("customer", a, {"name": "A"})]
    part2 = [c.m("customer", b, {"name": "B", "kind": "alien"}),
             c.m("customer", a, {"name": "A2"})]
    part3 = [c.m("customer", new_id(), {"name": "C"})]
    for m in (*part1, *part2, *part3):
        m["operation_id"] = part1[0]["id"]
    assert statuses(c.push(*part1)) == ["applied"]
    assert statuses(c.push(*part2)) == ["rejected", "rejected"]
    assert statuses(c.push(*part3)) == ["rejected"]
    assert api.row("customer", a)["name"] == "A"


def test_a_database_refusal_undoes_the_whole_operation(api: Api, pg_url: str) -> None:
    from tests.server.test_push import _make_next_job_number_collide

    c = api.client("clerk")
    c.push(c.m("job", new_id(), {"number": "P-1"}))
    _make_next_job_number_collide(pg_url, api.shop_id)
    cust, other = new_id(), new_id()
    op = [c.m("customer", cust, {"name": "undone"}), c.m("job", new_id(), {"number": "P-2"})]
    for m in op:
        m["operation_id"] = op[0]["id"]
    r = c.push(*op, c.m("customer", other, {"name": "kept"}))
    assert statuses(r) == ["rejected", "rejected", "applied"]
    assert "database" in (reasons(r)[1] or "") and f"change {op[1]['id']}" in (reasons(r)[0] or "")
    rows, _ = api.pull_all()
    assert ("customer", cust) not in rows and ("customer", other) in rows


def test_the_openapi_document_declares_the_operation_fields(api: Api) -> None:
    doc = api.http.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    op = schemas["Mutation"]["properties"]["operation_id"]
    assert "operation" in op["description"] and op["anyOf"][0]["minimum"] == 1
    assert "refused_with" in schemas["MutationResult"]["properties"]
    r = api.client("clerk")
    bad = r.m("customer", new_id(), {"name": "x"})
    bad["operation_id"] = 0
    assert r.push_response(bad).status_code == 422


def test_an_operation_id_used_again_by_a_careless_client_is_no_error(api: Api) -> None:
    c = api.client("clerk")
    one = c.m("customer", new_id(), {"name": "A", "kind": "alien"})
    one["operation_id"] = 77
    assert statuses(c.push(one)) == ["rejected"]
    two = c.m("customer", new_id(), {"name": "B"})
    two["operation_id"] = 77  # the same operation, as far as the server can tell
    r = c.push(two)
    assert statuses(r) == ["rejected"] and r["results"][0]["refused_with"] == one["id"]
    three = c.m("customer", new_id(), {"name": "C", "kind": "alien"})
    three["operation_id"] = 78
    assert statuses(c.push(three)) == ["rejected"]
    three_again = c.m("customer", new_id(), {"name": "C2", "kind": "alien"})
    three_again["operation_id"] = 78
    assert c.push_response(three_again).status_code == 200


def test_many_operations_to_undo_in_one_push(api: Api) -> None:
    c = api.client("clerk")
    muts, kept = [], new_id()
    for _ in range(6):  # more undos than the push redoes one by one
        op = [c.m("customer", new_id(), {"name": "undone"}),
              c.m("customer", new_id(), {"name": "bad", "kind": "alien"})]
        for m in op:
            m["operation_id"] = op[0]["id"]
        muts += op
    muts.append(c.m("customer", kept, {"name": "kept"}))
    r = c.push(*muts)
    assert statuses(r) == ["rejected"] * 12 + ["applied"]
    assert [x.get("refused_with") for x in r["results"][:2]] == [muts[1]["id"], None]
    rows, _ = api.pull_all()
    assert [row["name"] for (e, _), row in rows.items() if e == "customer"] == ["kept"]
