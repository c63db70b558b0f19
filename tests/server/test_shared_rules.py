"""A client that skips the app's own checks (an old version, a script, someone with a
clerk's password) cannot store what the desk refuses: the server applies the same rules
(``app.validators``) to every mutation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.helpers import Api, new_id, reasons, statuses


@pytest.fixture
def job(api: Api) -> dict[str, str]:
    c = api.client("clerk")
    ids = {"customer": new_id(), "job": new_id(), "line": new_id(), "part": new_id()}
    r = c.push(c.m("customer", ids["customer"], {"name": "Ann"}),
               c.m("job", ids["job"], {"number": "P-X-1", "customer_id": ids["customer"],
                                       "status": "queued"}),
               c.m("job_line", ids["line"], {"job_id": ids["job"], "kind": "labor",
                                             "description": "Brakes"}),
               c.m("job_line", ids["part"], {"job_id": ids["job"], "kind": "part",
                                             "description": "Pads", "part_status": "needed"}))
    assert set(statuses(r)) == {"applied"}, r
    return ids


BAD_CUSTOMERS: list[dict[str, Any]] = [
    {"name": ""}, {"name": "   "}, {"name": "Bob", "email": "not an e-mail"},
    {"name": "Bob", "phone": "call me maybe"},
]


@pytest.mark.parametrize("fields", BAD_CUSTOMERS)
def test_a_bad_customer_is_rejected(api: Api, fields: dict[str, Any]) -> None:
    c = api.client("clerk")
    row_id = new_id()
    r = c.push(c.m("customer", row_id, fields))
    assert statuses(r) == ["rejected"], r
    assert reasons(r)[0]
    assert api.row("customer", row_id) is None


@pytest.mark.parametrize("priority", [99, -1])
def test_a_bad_priority_is_rejected(api: Api, job: dict[str, str], priority: int) -> None:
    c = api.client("clerk")
    r = c.push(c.m("job", job["job"], {"priority": priority}),
               c.m("job", new_id(), {"number": "P-X-2", "priority": priority}))
    assert statuses(r) == ["rejected", "rejected"], r
    assert api.row("job", job["job"])["priority"] == 0


@pytest.mark.parametrize(("line", "fields"), [
    ("line", {"quantity": 0}), ("line", {"quantity": -2}), ("line", {"description": ""}),
    ("line", {"description": "  "}), ("line", {"unit_price_cents": -100}),
    ("line", {"part_status": "ordered"}), ("part", {"kind": "labor", "part_status": "needed"}),
])
def test_a_bad_job_line_is_rejected(api: Api, job: dict[str, str], line: str,
                                    fields: dict[str, Any]) -> None:
    c = api.client("clerk")
    before = api.row("job_line", job[line])
    r = c.push(c.m("job_line", job[line], fields),
               c.m("job_line", new_id(), {"job_id": job["job"], "kind": "labor",
                                          "description": "x", **fields}))
    assert statuses(r) == ["rejected", "rejected"], r
    assert all(reasons(r))
    assert api.row("job_line", job[line]) == before
