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
