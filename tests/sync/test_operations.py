"""Operations against the real server: the mutations one click wrote stand or fall
together, however the outbox is cut into pushes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import Store
from app.ops import jobs
from sync import account
from sync.credentials import TokenStore
from sync.settings import SyncSettings
from sync.syncer import RoundResult, Syncer
from tests.live_server import LiveServer, ShopSeed
from tests.sync.helpers import edit, job, new_job, outbox, outcomes
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

pytestmark = pytest.mark.postgres


class Replicas:
    def __init__(self, tmp_path: Path, srv: LiveServer, shop: ShopSeed) -> None:
        self.tmp_path, self.srv, self.shop = tmp_path, srv, shop
        self.stores: list[Store] = []

    def login(self, name: str, role: str) -> Store:
        user = self.shop.users[role]
        store = Store(self.tmp_path / name / "replica.sqlite")
        store = account.login(store, self.srv.base_url, user.username, user.password).store
        self.stores.append(store)
        return store

    def sync(self, store: Store, **settings: object) -> RoundResult:
        api = account.client_for(store, token_store=TokenStore())
        try:
            return Syncer(store, api, settings=SyncSettings().but(**settings)).round()
        finally:
            api.close()


@pytest.fixture
def replicas(tmp_path: Path, live_server: LiveServer, shop: ShopSeed) -> Iterator[Replicas]:
    made = Replicas(tmp_path, live_server, shop)
    yield made
    for s in made.stores:
        s.close()


def _refused_move(replicas: Replicas) -> tuple[Store, str, RoundResult]:
    """B puts a job on hold offline while A starts it: B's move is a conflict."""
    a, b = replicas.login("a", "manager"), replicas.login("b", "clerk")
    job_id, _ = new_job(a)
    replicas.sync(a)
    replicas.sync(b)
    a.run(jobs.move_status, job_id, "in_progress")
    replicas.sync(a)
    b.run(jobs.move_status, job_id, "on_hold", hold_reason="parts")
    return b, job_id, replicas.sync(b)


def test_a_refused_move_takes_its_status_event_with_it_across_a_batch_limit(
        replicas: Replicas, shop: ShopSeed, pg_database: str) -> None:
    a, b = replicas.login("a", "manager"), replicas.login("b", "clerk")
    job_id, _ = new_job(a)
    replicas.sync(a)
    replicas.sync(b)
    a.run(jobs.move_status, job_id, "in_progress")
    replicas.sync(a)
    # B, offline, edits the job and then puts it on hold: three outbox entries, and a batch
    # limit of two would cut between the move and the status event that records it.
    edit(b, job_id, priority=2)
    b.run(jobs.move_status, job_id, "on_hold", hold_reason="parts")
    assert [e.entity for e in outbox(b)][-3:] == ["job", "job", "status_event"]
    replicas.sync(b, max_batch=2)
    server = server_snapshot(pg_database, shop.shop_id)
    assert server["job"][job_id]["status"] == "in_progress"
    assert server["job"][job_id]["priority"] == 2
    history = sorted((e["at"], e["from_status"], e["to_status"])
                     for e in server["status_event"].values() if e["job_id"] == job_id)
    # No "queued → on_hold": that move never happened.
    assert [h[1:] for h in history] == [(None, "queued"), ("queued", "in_progress")]
    assert job(b, job_id).status == "in_progress"
    assert outbox(b) == []
    assert not diff(replica_snapshot(b), server)  # B dropped its event of the refused move


def test_one_refusal_per_click_in_the_list_and_in_status(
        replicas: Replicas, capsys: pytest.CaptureFixture[str]) -> None:
    import main
    from sync.outcomes import dismiss, refused_changes

    b, job_id, round_result = _refused_move(replicas)
    assert round_result.refused == 1  # what "sync" reports: one refused click
    assert [(o.entity, o.status) for o in outcomes(b)] == [("job", "conflict"),
                                                           ("status_event", "rejected")]
    [refused] = refused_changes(b)
    assert (refused.entity, refused.row_id, refused.status) == ("job", job_id, "conflict")
    assert "someone else" in refused.reason.lower() and len(refused.conflict_ids) == 1
    assert refused.mine == {"status": "on_hold", "hold_reason": "parts"}
    assert [o.entity for o in refused.others] == ["status_event"]
    assert account.describe(b)["refused_changes"] == 1
    data_dir = b.path.parent
    replicas.stores.remove(b)
    b.close()
    capsys.readouterr()
    assert main.main(["--data-dir", str(data_dir), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith(("Conflict:", "Rejected:"))] == [
        line for line in lines if line.startswith(f"Conflict: job {job_id}")
        and "refused with it: status event (change" in line]
    assert any(line.split() == ["Refused", "changes", "1"] for line in lines)
    again = Store(b.path)
    try:
        dismiss(again, refused.mutation_id)  # dismissing the click dismisses all of it
        assert refused_changes(again) == [] and account.describe(again)["refused_changes"] == 0
    finally:
        again.close()
