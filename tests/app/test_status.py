"""Job status moves: the full 7x7 matrix against the one table, and a random-walk property."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import rules
from app.db import Store
from app.errors import TransitionError, ValidationError
from app.models import Job, StatusEvent, TimeEntry
from app.ops import clock as clockops
from app.ops import jobs
from tests.app.conftest import Shop, make_shop
from tests.app.helpers import count, job_in, last_outbox_id, outbox_after

MATRIX = [(frm, to) for frm in rules.JOB_STATUSES for to in rules.JOB_STATUSES]


def _status(store: Store, job_id: str) -> str:
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job.status


@pytest.mark.parametrize(("frm", "to"), MATRIX, ids=[f"{f}->{t}" for f, t in MATRIX])
def test_every_move_follows_the_table(store: Store, shop: Shop, frm: str, to: str) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, frm)
    assert _status(store, job_id) == frm
    before_out, before_events = last_outbox_id(store), count(store, StatusEvent)

    if to in rules.STATUS_MOVES[frm]:
        changes = store.run(jobs.move_status, job_id, to, hold_reason="parts")
        assert _status(store, job_id) == to
        assert changes.urgent and changes.touches("job", "status_event")
        entries = outbox_after(store, before_out)
        job_entry = next(e for e in entries if e.entity == "job")
        assert job_entry.op == "upsert" and job_entry.row_id == job_id
        assert job_entry.fields["status"] == to and job_entry.base["status"] == frm
        assert job_entry.urgent
        (event_entry,) = [e for e in entries if e.entity == "status_event"]
        assert event_entry.fields["from_status"] == frm
        assert event_entry.fields["to_status"] == to
        assert event_entry.base == {}
        assert count(store, StatusEvent) == before_events + 1
    else:
        with pytest.raises(TransitionError) as refused:
            store.run(jobs.move_status, job_id, to)
        assert _status(store, job_id) == frm
        assert last_outbox_id(store) == before_out
        assert count(store, StatusEvent) == before_events
        assert refused.value.allowed == rules.STATUS_MOVES[frm]
        message = refused.value.message
        for option in rules.STATUS_MOVES[frm]:
            assert rules.STATUS_LABELS[option] in message
        if not rules.STATUS_MOVES[frm]:
            assert "cannot change status any more" in message


def test_a_refused_move_names_the_possible_moves(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    with pytest.raises(TransitionError) as refused:
        store.run(jobs.move_status, job_id, "closed")
    assert refused.value.message == ("A job cannot move from Queued to Closed; from Queued it "
                                     "can move to: In progress, On hold, Cancelled.")


def test_an_unknown_status_is_refused(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "queued")
    with pytest.raises(TransitionError, match="not a job status"):
        store.run(jobs.move_status, job_id, "parked")


def test_hold_reason_is_set_on_hold_and_cleared_after(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "in_progress")
    with pytest.raises(ValidationError, match="hold reason"):
        store.run(jobs.move_status, job_id, "on_hold", hold_reason="lunch")
    store.run(jobs.move_status, job_id, "on_hold", hold_reason="approval")
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.hold_reason == "approval"
    store.run(jobs.move_status, job_id, "in_progress")
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.hold_reason is None


def test_ready_and_closed_stamp_their_times(store: Store, shop: Shop) -> None:
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, "ready")
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.completed_at is not None and job.closed_at is None
    store.run(jobs.move_status, job_id, "in_progress")  # reopened: no longer complete
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.completed_at is None


# --- the property ------------------------------------------------------------------------

def _reachable(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in rules.STATUS_MOVES[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.fixture(scope="module")
def walk_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Shop]]:
    store = Store(Path(tmp_path_factory.mktemp("walk")) / "replica.sqlite")
    yield store, make_shop(store)
    store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(["estimate", "queued"]),
       moves=st.lists(st.sampled_from(rules.JOB_STATUSES), min_size=1, max_size=14),
       clocked=st.booleans())
def test_random_walks_follow_the_table(walk_store: tuple[Store, Shop], start: str,
                                       moves: list[str], clocked: bool) -> None:
    """Whatever is tried, the status stays reachable by the table; a refused move changes
    nothing and appends nothing; an applied move appends exactly one status_event."""
    store, shop = walk_store
    job_id = job_in(store, shop.customer_id, shop.vehicle_id, start)
    reachable = _reachable(start)
    current = start
    for to in moves:
        if clocked:  # refused when already on it, or when the job is not open to work
            with contextlib.suppress(ValidationError):
                store.run(clockops.clock_on, shop.tech_ids[0], job_id)
        before_out = last_outbox_id(store)
        before_events = count(store, StatusEvent)
        if rules.can_move(current, to):
            store.run(jobs.move_status, job_id, to)
            current = to
            new = outbox_after(store, before_out)
            assert [e.entity for e in new if e.entity == "status_event"] == ["status_event"]
            assert count(store, StatusEvent) == before_events + 1
            assert all(e.entity in ("job", "status_event", "time_entry") for e in new)
        else:
            with pytest.raises(TransitionError):
                store.run(jobs.move_status, job_id, to)
            assert last_outbox_id(store) == before_out
            assert count(store, StatusEvent) == before_events
        assert _status(store, job_id) == current
        assert current in reachable
        # nobody is clocked on a job that waits, is ready, or is finished
        with store.read() as s:
            open_on_job = s.scalars(select(TimeEntry).where(
                TimeEntry.job_id == job_id, TimeEntry.ended_at.is_(None))).all()
        if current not in ("estimate", "queued", "in_progress"):
            assert open_on_job == []
    store.run(clockops.clock_off, shop.tech_ids[0])
