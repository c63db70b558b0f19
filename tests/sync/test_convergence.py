"""A Hypothesis state machine: several replicas editing the same shop through a network
that drops, duplicates, delays and fails requests and answers; replicas crash in the middle
of a push or of applying a page and restart from their SQLite file; the server restarts.
After each quiescence the eight invariants of DESIGN.md must hold.

Against the real server (``python -m server serve``) and a real PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.db import Store
from app.errors import BaylineError
from app.models import Customer, Job, JobLine
from app.ops import customers, jobs, notes
from app.rules import allowed_moves
from sync import account
from sync.credentials import TokenStore
from sync.errors import SyncError
from sync.outbox import max_assigned_id
from sync.quarantine import quarantined_count
from sync.settings import SyncSettings
from sync.syncer import Syncer
from tests.live_server import LiveServer, seed_shop
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPLICAS = 3
FAULT_MODES = ("drop_request", "drop_response", "duplicate", "delay", "5xx_before",
               "5xx_after")


class Crash(BaseException):  # noqa: N818 - a simulated power cut, not an error to handle
    """The process dies here."""


class FaultyNetwork(httpx.BaseTransport):
    """A real transport that misbehaves at ``rate``; ``arm`` forces the next fault."""

    def __init__(self, rng: random.Random) -> None:
        self.inner = httpx.HTTPTransport()
        self.rng = rng
        self.rate = 0.0
        self.armed: list[tuple[str, str]] = []  # (path suffix, mode)
        self.stash: list[httpx.Request] = []
        self.faults = 0

    def _mode(self, request: httpx.Request) -> str | None:
        for i, (path, mode) in enumerate(self.armed):
            if request.url.path.endswith(path):
                del self.armed[i]
                return mode
        if self.rng.random() < self.rate:
            return self.rng.choice(FAULT_MODES)
        return None

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            raw = b"".join(response.iter_raw())  # still encoded: the client decodes it
        finally:
            response.close()
        return httpx.Response(response.status_code, headers=response.headers, content=raw,
                              request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        mode = self._mode(request)
        if mode is not None:
            self.faults += 1
        if mode == "drop_request":
            raise httpx.ConnectError("dropped on the way", request=request)
        if mode == "5xx_before":
            return httpx.Response(503, json={"error": "unavailable", "detail": "injected"},
                                  request=request)
        if mode == "drop_response":
            self._send(request)
            raise httpx.ReadError("the answer was lost", request=request)
        if mode == "5xx_after":
            self._send(request)
            return httpx.Response(502, json={"error": "bad_gateway", "detail": "injected"},
                                  request=request)
        if mode == "duplicate":
            self._send(_copy(request))
        if mode == "delay":
            self.stash.append(_copy(request))  # a copy arrives later, out of order
        return self._send(request)

    def deliver_late(self) -> None:
        stash, self.stash = self.stash, []
        for request in stash:
            with suppress(httpx.HTTPError):
                self._send(request)

    def close(self) -> None:
        self.inner.close()


def _copy(request: httpx.Request) -> httpx.Request:
    return httpx.Request(request.method, request.url, headers=request.headers,
                         content=request.content)


class CrashingStore(Store):
    """A replica whose next write transaction dies before its commit when armed."""

    crash_next_write = False

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        with super().write_session() as session:
            yield session
            if self.crash_next_write:
                self.crash_next_write = False
                raise Crash()


class Replica:
    def __init__(self, name: str, path: Path, network: FaultyNetwork) -> None:
        self.name = name
        self.path = path
        self.network = network
        self.store: CrashingStore = CrashingStore(path)
        self.syncer = self._syncer()
        self.own_customer: str | None = None
        self.own_notes = ""
        self.cursors: list[int] = []
        self.last_error: SyncError | None = None

    def _syncer(self) -> Syncer:
        api = account.client_for(self.store, token_store=TokenStore(), transport=self.network,
                                 settings=SETTINGS)
        return Syncer(self.store, api, settings=SETTINGS)

    def restart(self) -> None:
        """The process died: open everything again from the SQLite file."""
        self.syncer.api.close()
        self.store.close()
        self.network.inner = httpx.HTTPTransport()
        self.store = CrashingStore(self.path)
        self.syncer = self._syncer()

    def close(self) -> None:
        self.syncer.api.close()
        self.store.close()


SETTINGS = SyncSettings().but(max_batch=7, pull_limit=9)  # small: many pages and batches


class SyncMachine(RuleBasedStateMachine):
    srv: ClassVar[LiveServer]
    pg: ClassVar[str]
    root: ClassVar[Path]
    examples: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        SyncMachine.examples += 1
        self.shop = seed_shop(self.pg, f"Machine {self.examples}", migrate=False)
        user = self.shop.users["manager"]
        self.replicas: list[Replica] = []
        self.deleted_lines: set[str] = set()
        self.server_restarts = 0
        self.rng = random.Random(self.examples)
        for i in range(REPLICAS):
            path = self.root / f"ex{self.examples}" / f"r{i}" / "replica.sqlite"
            store = Store(path)
            account.login(store, self.srv.base_url, user.username, user.password,
                          token_store=TokenStore()).store.close()
            network = FaultyNetwork(random.Random(self.examples * 10 + i))
            replica = Replica(f"r{i}", path, network)
            self.replicas.append(replica)
        first = self.replicas[0]
        for replica in self.replicas:  # each replica has a customer only it edits
            replica.own_customer = replica.store.run(customers.create_customer,
                                                     name=f"Own {replica.name}").result
        first.store.run(customers.create_customer, name="Shared")
        self._quiesce()
        for replica in self.replicas:  # then the weather turns bad
            replica.network.rate = self.rng.choice([0.2, 0.35, 0.5])

    # --- helpers ----------------------------------------------------------------------
    def _pick(self, replica: Replica, model: Any, seed: int) -> Any:
        """One of the first few live rows: few enough that replicas collide on them."""
        with replica.store.read() as s:
            rows = s.scalars(select(model).where(model.deleted_at.is_(None))
                             .order_by(model.created_at, model.id).limit(4)).all()
        return rows[seed % len(rows)] if rows else None

    def _sync(self, replica: Replica, what: str = "round") -> None:
        try:
            if what == "push":
                replica.syncer.push_all()
            elif what == "pull":
                replica.syncer.pull_to_head()
            else:
                replica.syncer.round()
        except SyncError as exc:
            replica.last_error = exc
        replica.cursors.append(replica.store.state().cursor)

    # --- rules: local work ------------------------------------------------------------
    EDITS = st.sampled_from(["new_job", "concern", "priority", "move", "move", "line",
                             "delete_line", "note", "own"])

    # Local work is the commonest thing that happens: three rules share it.
    @rule(r=st.integers(0, REPLICAS - 1), seed=st.integers(0, 10_000), kind=EDITS)
    def edit(self, r: int, seed: int, kind: str) -> None:
        self._edit(r, seed, kind)

    @rule(r=st.integers(0, REPLICAS - 1), seed=st.integers(0, 10_000), kind=EDITS)
    def edit_more(self, r: int, seed: int, kind: str) -> None:
        self._edit(r, seed, kind)

    @rule(seed=st.integers(0, 10_000), kind=EDITS)
    def everyone_edits(self, seed: int, kind: str) -> None:
        for r in range(REPLICAS):  # the same row on every replica, different values
            self._edit(r, seed, kind, variant=r)

    def _edit(self, r: int, seed: int, kind: str, variant: int = 0) -> None:
        replica = self.replicas[r]
        store = replica.store
        try:
            if kind == "new_job":
                shared = self._pick(replica, Customer, seed)
                store.run(jobs.create_job, customer_id=shared.id if shared else None,
                          vehicle_id=None, concern=f"job by {replica.name} {seed}")
                return
            if kind == "own":
                replica.own_notes = f"{replica.name} says {seed}"
                store.run(customers.update_customer, replica.own_customer,
                          notes=replica.own_notes)
                return
            job = self._pick(replica, Job, seed)
            if job is None:
                return
            if kind == "concern":
                store.run(jobs.update_job, job.id, concern=f"{replica.name} {seed}")
            elif kind == "priority":
                store.run(jobs.update_job, job.id, priority=(seed + variant) % 4)
            elif kind == "move":
                moves = allowed_moves(job.status)
                if moves:
                    store.run(jobs.move_status, job.id, moves[(seed + variant) % len(moves)])
            elif kind == "line":
                store.run(jobs.add_line, job.id, kind="labor", description=f"line {seed}",
                          quantity=1.0, unit_price_cents=seed)
            elif kind == "delete_line":
                line = self._pick(replica, JobLine, seed)
                if line is not None:
                    store.run(jobs.delete_line, line.id)
                    self.deleted_lines.add(line.id)
            elif kind == "note":
                store.run(notes.add_note, job.id, f"note {seed}")
        except BaylineError:
            pass  # the domain refused it locally (a closed job...): nothing was written

    # --- rules: the network -----------------------------------------------------------
    @rule(r=st.integers(0, REPLICAS - 1), rate=st.sampled_from([0.5, 0.2, 0.0]))
    def weather(self, r: int, rate: float) -> None:
        self.replicas[r].network.rate = rate

    @rule(r=st.integers(0, REPLICAS - 1), what=st.sampled_from(["round", "push", "pull"]))
    def sync(self, r: int, what: str) -> None:
        self._sync(self.replicas[r], what)

    @rule(r=st.integers(0, REPLICAS - 1), what=st.sampled_from(["round", "push", "pull"]))
    def sync_again(self, r: int, what: str) -> None:
        self._sync(self.replicas[r], what)

    @rule(r=st.integers(0, REPLICAS - 1))
    def late_packets_arrive(self, r: int) -> None:
        self.replicas[r].network.deliver_late()

    # --- rules: crashes ---------------------------------------------------------------
    @rule(r=st.integers(0, REPLICAS - 1))
    def crash_after_the_server_committed_a_push(self, r: int) -> None:
        replica = self.replicas[r]
        replica.network.armed.append(("/sync/push", "drop_response"))
        with suppress(SyncError):
            replica.syncer.push_batch()
        replica.restart()

    @rule(r=st.integers(0, REPLICAS - 1))
    def crash_while_applying_a_page(self, r: int) -> None:
        replica = self.replicas[r]
        replica.store.crash_next_write = True
        with suppress(Crash, SyncError):
            replica.syncer.pull_to_head()
        replica.store.crash_next_write = False
        replica.restart()

    @rule()
    def server_crashes(self) -> None:
        if self.server_restarts >= 1:
            return  # a restart costs seconds: one per example is enough
        self.server_restarts += 1
        self.srv.kill()
        self.srv.start()

    # --- invariants -------------------------------------------------------------------
    @invariant()
    def cursors_never_go_back(self) -> None:
        for replica in self.replicas:
            assert replica.cursors == sorted(replica.cursors), replica.cursors

    def _quiesce(self) -> None:
        """Calm the network, let everyone sync until nothing moves, then the weather comes
        back as it was."""
        rates = [replica.network.rate for replica in self.replicas]
        for replica in self.replicas:
            replica.network.rate = 0.0
            replica.network.armed.clear()
            replica.network.deliver_late()
        for _ in range(6):
            for replica in self.replicas:
                self._sync(replica)
            if self._settled():
                for replica, rate in zip(self.replicas, rates, strict=True):
                    replica.network.rate = rate
                return
        errors = {r.name: (r.last_error, r.syncer.pending(), r.store.state().cursor)
                  for r in self.replicas}
        raise AssertionError(f"the replicas did not settle within 6 rounds of a good network: "
                             f"{errors}")

    def _settled(self) -> bool:
        head = self._server_value("SELECT head FROM shop WHERE id = :id", id=self.shop.shop_id)
        for replica in self.replicas:
            if replica.syncer.pending() or replica.store.state().cursor < head:
                return False
        return True

    def _server_value(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        engine = create_engine(self.pg)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    @rule()
    def quiesce_and_check(self) -> None:
        self._quiesce()
        self._check_invariants()

    def _check_invariants(self) -> None:
        from server.models import Client, MutationOutcome

        server = server_snapshot(self.pg, self.shop.shop_id)
        engine = create_engine(self.pg)
        try:
            with Session(engine) as s:
                lmids = {c.id: c.last_mutation_id for c in s.scalars(
                    select(Client).where(Client.shop_id == self.shop.shop_id))}
                refused = {(o.client_id, o.mutation_id, o.status)
                           for o in s.scalars(select(MutationOutcome))}
        finally:
            engine.dispose()
        numbers = sorted(int(j["number"]) for j in server["job"].values())
        # 3. No duplicates (and no lost creates): final job numbers are 1..n, each once.
        assert numbers == list(range(1, len(numbers) + 1)), numbers
        for replica in self.replicas:
            # 1. Convergence: outboxes empty, cursors at head, replica equals the server,
            # and nothing pulled is held unapplied (a quarantined row is divergence).
            problems = diff(replica_snapshot(replica.store), server)
            assert not problems, f"{replica.name}: {problems[:5]}"
            held = quarantined_count(replica.store)
            assert held == 0, f"{replica.name}: {held} pulled change(s) quarantined"
            state = replica.store.state()
            # 2 and 4. Every mutation this replica made was applied in id order up to the
            # LMID, and each one that was not applied shows here with its status.
            with replica.store.read() as s:
                made = max_assigned_id(s)
            assert lmids.get(state.client_id, 0) == made == state.acked_mutation_id
            from tests.sync.helpers import outcomes

            mine = {(state.client_id, o.mutation_id, o.status) for o in outcomes(replica.store)}
            theirs = {o for o in refused if o[0] == state.client_id}
            assert mine == theirs, (mine, theirs)
            # 4. The last of this replica's own edits is what everyone has.
            assert server["customer"][replica.own_customer]["notes"] == replica.own_notes
        # 8. Tombstones: nothing deleted came back.
        alive = set(server["job_line"])
        assert not (self.deleted_lines & alive), self.deleted_lines & alive

    def teardown(self) -> None:
        try:
            self._quiesce()
            self._check_invariants()
        finally:
            for replica in self.replicas:
                replica.close()


def test_replicas_converge_through_a_faulty_network(live_server: LiveServer, pg_database: str,
                                                    tmp_path: Path) -> None:
    SyncMachine.srv = live_server
    SyncMachine.pg = pg_database
    SyncMachine.root = tmp_path
    run_state_machine_as_test(SyncMachine, settings=settings(
        max_examples=12, stateful_step_count=50, deadline=None, derandomize=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
