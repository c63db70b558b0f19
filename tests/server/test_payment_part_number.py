"""The server side of the job editor's two additions: ``job_line.part_number`` (an additive
wire field) and the ``payment`` entity, round trip through push and pull on PostgreSQL."""

from __future__ import annotations

from tests.server.helpers import Api, new_id, reasons, statuses


def _job(api: Api, status: str = "ready") -> str:
    c = api.client("manager")
    job_id = new_id()
    assert statuses(c.push(c.m("job", job_id, {"number": "P-T-1", "status": status}))) == [
        "applied"]
    return job_id


def test_a_part_number_round_trips_tidied(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    line = new_id()
    r = c.push(c.m("job_line", line, {"job_id": job_id, "kind": "part",
                                      "description": "Pads", "part_status": "needed",
                                      "part_number": " BP-1234/A "}))
    assert statuses(r) == ["applied"]
    assert api.row("job_line", line)["part_number"] == "BP-1234/A"
    r = c.push(c.m("job_line", line, {"part_number": "BP-9"}, {"part_number": "BP-1234/A"}))
    assert statuses(r) == ["applied"]
    assert api.row("job_line", line, role="technician")["part_number"] == "BP-9"


def test_a_line_sent_without_a_part_number_gets_the_empty_one(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    line = new_id()
    c.push(c.m("job_line", line, {"job_id": job_id, "kind": "labor", "description": "Pads"}))
    assert api.row("job_line", line)["part_number"] == ""


def test_bad_part_numbers_are_refused_in_the_desks_words(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    r = c.push(c.m("job_line", new_id(), {"job_id": job_id, "kind": "part",
                                          "description": "Pads", "part_number": "ab*cd"}),
               c.m("job_line", new_id(), {"job_id": job_id, "kind": "labor",
                                          "description": "Fit", "part_number": "X1"}))
    assert statuses(r) == ["rejected", "rejected"]
    assert reasons(r) == ["A part number has letters, digits, spaces and . / # _ - only.",
                          "Only a part line has a part number."]


def test_a_clerk_records_a_payment_and_everyone_reads_it(api: Api) -> None:
    job_id = _job(api)
    c = api.client("clerk")
    pid = new_id()
    r = c.push(c.m("payment", pid, {"job_id": job_id, "method": "card", "amount_cents": 18_000,
                                    "taken_at": "2026-11-27T16:00:00Z", "by_id": None}))
    assert statuses(r) == ["applied"], reasons(r)
    for role in ("admin", "technician"):
        row = api.row("payment", pid, role=role)
        assert (row["job_id"], row["method"], row["amount_cents"], row["taken_at"]) == (
            job_id, "card", 18_000, "2026-11-27T16:00:00Z")


def test_payments_are_refused_to_technicians_and_never_changed(api: Api) -> None:
    job_id = _job(api)
    tech = api.client("technician")
    r = tech.push(tech.m("payment", new_id(), {"job_id": job_id, "method": "cash",
                                               "amount_cents": 100,
                                               "taken_at": "2026-11-27T16:00:00Z"}))
    assert reasons(r) == ["A technician cannot change payments."]
    c = api.client("clerk")
    pid = new_id()
    c.push(c.m("payment", pid, {"job_id": job_id, "method": "cash", "amount_cents": 100,
                                "taken_at": "2026-11-27T16:00:00Z"}))
    r = c.push(c.m("payment", pid, {"amount_cents": 1}, {"amount_cents": 100}),
               c.delete("payment", pid),
               c.m("payment", new_id(), {"job_id": job_id, "method": "cheque",
                                         "amount_cents": 100,
                                         "taken_at": "2026-11-27T16:00:00Z"}),
               c.m("payment", new_id(), {"job_id": job_id, "method": "cash",
                                         "amount_cents": 0,
                                         "taken_at": "2026-11-27T16:00:00Z"}))
    assert statuses(r) == ["rejected"] * 4
    got = reasons(r)
    assert got[0] == "A payment cannot be changed once it is recorded."
    assert got[2] is not None and "not a valid method" in got[2]
    assert got[3] == "The amount taken must be more than 0."
    assert api.row("payment", pid)["amount_cents"] == 100
