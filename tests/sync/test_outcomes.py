"""Rejected and conflicting mutations: shown to the person, and the row takes the server's
state; a refused value is never re-imposed by the pending re-apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.db import Store
from app.models import Conflict, Customer
from app.ops import customers, jobs
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.outbox import ACTED_BY
from sync.outcomes import refused_changes
from tests.sync.conftest import SERVER
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import edit, job, new_job, outbox, outcomes

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


def synced(make_engine: Engine, store: Store) -> SyncEngine:
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    return engine


def forbid_concern(m: dict[str, Any]) -> str | None:
    if m["fields"].get("concern") == "forbidden":
        return "Only the service adviser may change the concern."
    return None


def test_a_rejected_edit_is_shown_and_the_row_takes_the_servers_state(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = synced(make_engine, store)
    fake.reject = forbid_concern
    engine.nudge(edit(store, job_id, concern="forbidden"))
    engine.nudge(edit(store, job_id, priority=2))  # a later, good edit in the same batch
    engine.advance(1.0)
    [outcome] = outcomes(store)
    assert outcome.status == "rejected"
    assert outcome.reason == "Only the service adviser may change the concern."
    # what was sent, and who sent it (the user signed in: sync.outbox.ACTED_BY)
    assert outcome.fields == {"concern": "forbidden", ACTED_BY: store.state().user_id}
    [refused] = refused_changes(store)
    assert refused.mine == {"concern": "forbidden"}
    assert refused.acting_user_id == store.state().user_id is not None
    assert outcome.entity == "job" and outcome.row_id == job_id
    row = job(store, job_id)
    assert row.concern == "brakes squeal"  # the server's value, after the repair pull
    assert row.priority == 2
    assert outbox(store) == []  # the settled entry went with the repair
    assert engine.status.refused == 1
    assert engine.status.pending == 0


def test_a_settled_entry_is_not_reapplied_over_a_pulled_row(make_replica: Replica,
                                                            fake: FakeServer) -> None:
    """Between the push answer and the repair, a page with the row must not bring the
    refused value back."""
    from sync.http import ApiClient
    from sync.replica import Page, apply_page
    from sync.syncer import Syncer

    store = make_replica("a")
    job_id, _ = new_job(store)
    api = ApiClient(SERVER, client_id=store.state().client_id, transport=fake.transport(),
                    tokens=TokenStore().load(SERVER, "clerk"))
    syncer = Syncer(store, api)
    syncer.push_all()
    syncer.pull_to_head()
    fake.reject = forbid_concern
    edit(store, job_id, concern="forbidden")
    syncer.push_all()  # rejected: the entry stays settled, the repair is owed
    assert [e.id for e in outbox(store)] == [4]
    assert store.state().acked_mutation_id == 4
    server_row = {**fake.rows[("job", job_id)], "priority": 1}
    page = Page.parse({"changes": [{"seq": 99, "entity": "job", "row_id": job_id,
                                    "op": "upsert", "row": server_row}],
                       "cursor": 99, "has_more": False, "last_mutation_id": 4,
                       "reset": False})
    with store.write_session() as s:
        apply_page(s, page)
    assert job(store, job_id).concern == "brakes squeal"
    api.close()


def test_a_conflict_names_both_values_and_the_server_value_wins(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    a, b = make_replica("a"), make_replica("b")
    job_id, changes = new_job(a)
    ea = synced(make_engine, a)
    eb = synced(make_engine, b)
    assert job(b, job_id).status == "queued"
    # Both move the same queued job; A's move reaches the server first.
    ea.nudge(a.run(jobs.move_status, job_id, "in_progress"))
    ea.run_pending()
    eb.nudge(b.run(jobs.move_status, job_id, "on_hold", hold_reason="parts"))
    eb.run_pending()
    eb.advance(0.5)
    statuses = {o.status for o in outcomes(b)}
    assert statuses == {"conflict"}
    row = job(b, job_id)
    assert row.status == "in_progress" and row.hold_reason is None  # the server's state
    with b.read() as s:
        [conflict] = s.scalars(select(Conflict)).all()
    assert conflict.client_id == b.state().client_id
    assert (conflict.field, conflict.client_value, conflict.server_value) == \
        ("status", "on_hold", "in_progress")
    assert eb.status.open_conflicts == 1
    assert "1 conflict to resolve" in eb.status.summary()
    assert outbox(b) == []


def test_a_rejected_create_disappears_locally(make_replica: Replica, make_engine: Engine,
                                             fake: FakeServer) -> None:
    store = make_replica("a")
    fake.reject = lambda m: ("Customers cannot be created on this account."
                             if m["entity"] == "customer" and not m["base"] else None)
    engine = synced(make_engine, store)
    created = store.run(customers.create_customer, name="Nobody")
    engine.nudge(created)
    engine.advance(1.0)
    with store.read() as s:
        assert s.get(Customer, created.result) is None
    assert [o.status for o in outcomes(store)] == ["rejected"]


def test_a_refusal_is_settled_by_an_incremental_pull_not_a_snapshot(
        make_replica: Replica, fake: FakeServer) -> None:
    """The server re-sends refused rows (or a delete for a refused create): the replica
    takes the server's state from an ordinary pull after its cursor, never from 0."""
    from sync.http import ApiClient
    from sync.syncer import Syncer

    store = make_replica("a")
    job_id, _ = new_job(store)
    api = ApiClient(SERVER, client_id=store.state().client_id, transport=fake.transport(),
                    tokens=TokenStore().load(SERVER, "clerk"))
    syncer = Syncer(store, api)
    syncer.push_all()
    syncer.pull_to_head()
    cursor = store.state().cursor
    assert cursor > 0
    # Someone else moves the job on the server; here it is still queued.
    fake.put_row("job", {"id": job_id, "status": "in_progress"})
    fake.reject = lambda m: (
        "Only the service adviser may change the concern."
        if m["fields"].get("concern") == "forbidden"
        else "Customers cannot be created on this account."
        if m["entity"] == "customer" and not m["base"] else None)
    edit(store, job_id, concern="forbidden")  # rejected
    store.run(jobs.move_status, job_id, "on_hold", hold_reason="parts")  # conflict
    created = store.run(customers.create_customer, name="Nobody")  # rejected create
    requests_before = len(fake.requests)
    syncer.push_all()
    assert {o.status for o in outcomes(store)} == {"rejected", "conflict"}
    assert len(outbox(store)) >= 3  # settled, not yet dropped
    syncer.pull_to_head()
    pulls = [r for r in fake.requests[requests_before:] if r.url.path.endswith("/sync/pull")]
    assert pulls and [int(r.url.params["cursor"]) for r in pulls] == [cursor]
    row = job(store, job_id)
    assert row.concern == "brakes squeal"  # the server's value
    assert row.status == "in_progress" and row.hold_reason is None  # the server's state
    with store.read() as s:
        customer = s.get(Customer, created.result)
        assert customer is not None and customer.deleted_at is not None
    assert outbox(store) == []  # the settled entries went once the pull reached the head
    assert store.state().cursor == fake.head
    api.close()


def test_refused_changes_show_both_values_and_resolve_with_one_click(
        make_replica: Replica, make_engine: Engine, fake: FakeServer) -> None:
    from sync.outcomes import dismiss, refused_changes, resolve_conflict

    a, b = make_replica("a"), make_replica("b")
    job_id, _ = new_job(a)
    ea, eb = synced(make_engine, a), synced(make_engine, b)
    seen: list[object] = []
    eb.add_changes_listener(seen.append)
    ea.nudge(a.run(jobs.move_status, job_id, "in_progress"))
    ea.run_pending()
    eb.nudge(b.run(jobs.move_status, job_id, "on_hold", hold_reason="parts"))
    eb.advance(0.5)
    assert any(getattr(c, "touches", lambda _: False)("mutation_outcome") for c in seen)
    refused = refused_changes(b)
    conflict = next(r for r in refused if r.status == "conflict")
    assert conflict.mine == {"status": "on_hold", "hold_reason": "parts"}
    assert conflict.theirs == {"status": "in_progress", "hold_reason": None}
    assert "someone else" in conflict.reason and len(conflict.conflict_ids) == 1
    # The person keeps their value: an ordinary move from the server's state.
    eb.nudge(b.run(resolve_conflict, conflict.conflict_ids[0], keep="mine",
                         by_id="6a1f0b52-3c7e-4d7e-9a55-0d0d4b8f2e11"))
    eb.advance(1.0)
    assert fake.live("job")[job_id]["status"] == "on_hold"
    assert job(a, job_id).status == "in_progress"  # A has not pulled yet
    ea.pull_now()
    ea.run_pending()
    assert job(a, job_id).status == "on_hold"
    assert eb.status.open_conflicts == 0
    for r in refused:
        dismiss(b, r.mutation_id)
    assert refused_changes(b) == []
    assert len(refused_changes(b, include_dismissed=True)) == len(refused)
    eb.run_pending()
    assert eb.status.refused == 0


def test_status_lists_each_refused_change_with_why_and_both_values(
        make_replica: Replica, make_engine: Engine, fake: FakeServer,
        capsys: Any) -> None:
    import main

    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = synced(make_engine, store)
    fake.reject = forbid_concern
    engine.nudge(edit(store, job_id, concern="forbidden"))
    engine.advance(1.0)
    engine.stop()
    data_dir = store.path.parent
    store.close()
    capsys.readouterr()
    assert main.main(["--data-dir", str(data_dir), "status"]) == 0
    text = capsys.readouterr().out
    assert "Rejected: job " + job_id in text
    assert "why:    Only the service adviser may change the concern." in text
    assert 'sent:   {"concern": "forbidden"}' in text
    assert 'server: {"concern": "brakes squeal"}' in text


def test_a_refusal_belongs_to_the_person_who_acted_not_only_the_device(
        make_replica: Replica) -> None:
    """A kiosk's change made for a technician is that technician's refusal; one made by
    whoever is signed in is theirs (``sync.outbox.ACTED_BY``, ``refused_changes(for_user)``)."""
    from datetime import UTC, datetime

    from sync.outbox import read_batch, settle_push

    store = make_replica("a")
    job_id, _ = new_job(store)
    store.run(jobs.update_job, job_id, priority=1, acting_user_id="tech-user")
    store.run(jobs.update_job, job_id, priority=2)
    with store.write_session() as s:
        batch = read_batch(s, max_count=100, max_bytes=1_000_000)
        refused = batch.mutations[-2:]
        answer = {"last_mutation_id": max(batch.ids), "results": [
            {"id": m["id"], "status": "rejected", "reason": "No."} for m in refused]}
        settle_push(s, batch, answer, datetime.now(UTC))
    signed_in = store.state().user_id
    assert signed_in is not None and signed_in != "tech-user"
    theirs = refused_changes(store, for_user="tech-user")
    mine = refused_changes(store, for_user=signed_in)
    assert [c.mine for c in theirs] == [{"priority": 1}]
    assert [c.acting_user_id for c in theirs] == ["tech-user"]
    assert [c.mine for c in mine] == [{"priority": 2}]
    assert len(refused_changes(store)) == 2  # the details of the device list both
