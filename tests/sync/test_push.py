"""Push: debounce, maximum wait, urgent flush, batches, LMID, gaps, lost answers."""

from __future__ import annotations

from collections.abc import Callable

from app.db import Store
from app.ops import jobs
from sync.clock import FakeClock
from sync.engine import SyncEngine
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import edit, new_job, outbox

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


def started(make_engine: Engine, store: Store, **kw: object) -> SyncEngine:
    engine = make_engine(store, **kw)
    engine.start()
    return engine


def started_with_a_pushed_job(make_engine: Engine, store: Store) -> tuple[SyncEngine, str]:
    """An engine that has pushed one new job (and is quiet again); the job's id."""
    engine = started(make_engine, store)
    job_id, changes = new_job(store)
    engine.nudge(changes)
    engine.advance(1.0)
    return engine, job_id


def test_a_burst_of_edits_is_one_push(make_replica: Replica, make_engine: Engine,
                                      fake: FakeServer) -> None:
    store = make_replica("a")
    engine, job_id = started_with_a_pushed_job(make_engine, store)
    pushes = fake.count("/sync/push")
    for i in range(100):  # one edit every 10 ms for a second
        engine.nudge(edit(store, job_id, concern=f"take {i}"))
        engine.advance(0.01)
    assert fake.count("/sync/push") == pushes  # still inside the quiet window
    engine.advance(0.29)
    assert fake.count("/sync/push") == pushes  # 0.29 s after the last edit: not yet
    engine.advance(0.05)
    assert fake.count("/sync/push") == pushes + 1
    assert fake.live("job")[job_id]["concern"] == "take 99"
    assert outbox(store) == []


def test_maximum_wait_bounds_a_steady_stream(make_replica: Replica, make_engine: Engine,
                                             fake: FakeServer, clock: FakeClock) -> None:
    store = make_replica("a")
    engine, job_id = started_with_a_pushed_job(make_engine, store)
    before = fake.count("/sync/push")
    first = clock.monotonic()
    push_times: list[float] = []
    for i in range(50):  # an edit every 100 ms for 5 s: the quiet window never comes
        engine.nudge(edit(store, job_id, concern=f"note {i}"))
        n = fake.count("/sync/push")
        engine.advance(0.1)
        if fake.count("/sync/push") > n:
            push_times.append(clock.monotonic() - first)
    assert fake.count("/sync/push") - before == 2
    assert 2.0 <= push_times[0] <= 2.15
    assert push_times[1] - push_times[0] <= 2.15


def test_urgent_edits_flush_at_once(make_replica: Replica, make_engine: Engine,
                                    fake: FakeServer) -> None:
    store = make_replica("a")
    engine, job_id = started_with_a_pushed_job(make_engine, store)
    before = fake.count("/sync/push")
    moved = store.run(jobs.move_status, job_id, "in_progress")
    assert moved.urgent
    engine.nudge(moved)
    engine.run_pending()  # no time passes
    assert fake.count("/sync/push") == before + 1
    assert fake.live("job")[job_id]["status"] == "in_progress"


def test_offline_edits_go_in_batches_of_at_most_500(make_replica: Replica,
                                                     make_engine: Engine,
                                                     fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    for i in range(1200):
        edit(store, job_id, concern=f"offline {i}")
    engine = started(make_engine, store)  # a restart with a full outbox pushes at once
    pushes = [r for r in fake.requests if r.url.path.endswith("/sync/push")]
    assert len(pushes) == 3
    assert outbox(store) == []
    assert fake.lmid[store.state().client_id] == 3 + 1200
    assert engine.status.pending == 0


def test_a_lost_answer_is_resent_and_applied_once(make_replica: Replica,
                                                  make_engine: Engine,
                                                  fake: FakeServer) -> None:
    store = make_replica("a")
    engine = started(make_engine, store)
    job_id, changes = new_job(store)
    fake.fail("/sync/push", 502, after_commit=True)  # the server commits, the answer is lost
    engine.nudge(changes)
    engine.advance(0.5)
    assert len(outbox(store)) == 3 and engine.status.connection.value == "error"
    engine.advance(2.0)  # the retry
    assert outbox(store) == []
    client = store.state().client_id
    assert [m for c, m in fake.applied if c == client] == [1, 2, 3]  # each applied once


def test_mutation_gap_resends_from_the_servers_lmid(make_replica: Replica,
                                                    make_engine: Engine,
                                                    fake: FakeServer) -> None:
    store = make_replica("a")
    engine = started(make_engine, store)
    job_id, changes = new_job(store)
    engine.nudge(changes)
    engine.advance(0.5)
    client = store.state().client_id
    assert fake.lmid[client] == 3
    fake.lmid[client] = 1  # the server was restored from a backup and forgot 2 and 3
    engine.nudge(edit(store, job_id, concern="after the restore"))
    engine.advance(0.5)
    assert outbox(store) == []
    assert fake.lmid[client] == 2  # the pending edit went again as id 2
    assert fake.live("job")[job_id]["concern"] == "after the restore"
    # new edits continue from there, contiguous
    engine.nudge(edit(store, job_id, concern="next"))
    engine.advance(0.5)
    assert fake.lmid[client] == 3


def test_entries_up_to_the_acknowledged_lmid_are_dropped(make_replica: Replica,
                                                         make_engine: Engine,
                                                         fake: FakeServer) -> None:
    store = make_replica("a")
    job_id, _ = new_job(store)
    engine = started(make_engine, store)
    assert outbox(store) == []
    assert store.state().acked_mutation_id == 3
    edit(store, job_id, concern="x")
    assert [e.id for e in outbox(store)] == [4]
    assert engine.status.pending == 0  # not told yet; the next status says so
    engine.run_pending()
    assert engine.status.pending == 1


def test_a_refusal_whose_answer_was_lost_is_still_shown(make_replica: Replica,
                                                        make_engine: Engine,
                                                        fake: FakeServer) -> None:
    """The server applied a whole batch (one mutation rejected) but the answer was lost;
    the replica comes back with smaller batches: the server's LMID is past each of them,
    yet every entry goes again and the rejection comes back from the stored outcomes."""
    from tests.sync.helpers import outcomes

    store = make_replica("a")
    job_id, _ = new_job(store)
    for i in range(6):
        edit(store, job_id, concern="forbidden" if i == 2 else f"ok {i}")
    fake.reject = lambda m: "no" if m["fields"].get("concern") == "forbidden" else None
    fake.fail("/sync/push", 502, after_commit=True)
    engine = started(make_engine, store)  # the first push commits, its answer is lost
    assert fake.lmid[store.state().client_id] == 9
    engine.stop()
    small = started(make_engine, store, max_batch=2)
    small.advance(3.0)
    assert outbox(store) == []
    assert [(o.mutation_id, o.status, o.reason) for o in outcomes(store)] == \
        [(6, "rejected", "no")]
