"""A Hypothesis state machine over the whole sync engine: four devices of one shop (a
manager's desk, a clerk's desk, a technician's tablet and the shared kiosk, where
technicians act with their PIN) edit the same jobs, lines, notes, appointments and time
entries through a network that drops, duplicates, delays and fails requests and answers.
Devices crash in the middle of a push or of applying a page and restart from their SQLite
file; the server is killed, with a request in flight or idle, and comes back. Every role
tries everything, so the server (and the replica, where it knows the role table) refuses
what a role may not do. After each quiescence the invariants of DESIGN.md must hold
(``tests.sync.workload.check_invariants``); a quarantined row counts as divergence.

Each device runs a real ``SyncEngine`` in its synchronous mode on one shared fake clock
(debounce, backoff, retry and pull timers all in fake seconds), so a run is a plain
sequence of steps Hypothesis can shrink. Pokes of the live stream are the ``poke`` rule.
Against the real server (``python -m server serve``) and a real PostgreSQL.

The threaded counterpart, with real timers and live listeners, is ``test_soak``.
"""

from __future__ import annotations

import contextlib
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.errors import BaylineError
from app.models import Job
from app.ops import jobs
from app.rules import allowed_moves
from sync.clock import FakeClock
from sync.errors import ErrorKind
from sync.outbox import pending_count
from tests.live_server import LiveServer
from tests.sync.helpers import outcomes
from tests.sync.workload import (
    KINDS,
    ROLES_IN_PLAY,
    SETTINGS,
    Crash,
    Device,
    FaultyNetwork,
    Ledger,
    ServerView,
    act,
    check_invariants,
    first_setup,
    make_shop,
    pick,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DEVICES = len(ROLES_IN_PLAY)
#: CI runs 12 examples; ``BAYLINE_MACHINE_EXAMPLES`` asks for more (or fewer) by hand.
EXAMPLES = int(os.environ.get("BAYLINE_MACHINE_EXAMPLES", "12"))
STEPS = int(os.environ.get("BAYLINE_MACHINE_STEPS", "40"))
#: ``BAYLINE_MACHINE_SHRINK=0`` reports the first failure as found, unshrunk (quicker).
PHASES = (Phase.explicit, Phase.reuse, Phase.generate) + (
    () if os.environ.get("BAYLINE_MACHINE_SHRINK") == "0" else (Phase.shrink,))
#: Invariant 7: a waiting outbox goes out within 20 s of the network coming back; after
#: the server itself answered with errors the engine may be in a longer backoff.
LIVENESS = 20.0
LIVENESS_AFTER_SERVER_ERRORS = SETTINGS.backoff_cap + 20.0


class SyncMachine(RuleBasedStateMachine):
    srv: ClassVar[LiveServer]
    pg: ClassVar[str]
    root: ClassVar[Path]
    examples: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        SyncMachine.examples += 1
        self.devices: list[Device] = []

    @initialize(seed=st.integers(0, 2**20))
    def open_the_shop(self, seed: int) -> None:
        """Every random choice of a run (faults, jitter, the weather) comes from ``seed``,
        which Hypothesis draws: the same steps do the same things, so a failure shrinks."""
        n = self.examples
        self.shop = make_shop(self.pg, f"Machine {n}")
        self.view = ServerView(self.pg, self.shop.shop_id)
        self.clock = FakeClock(wall=datetime.now(UTC))  # no false clock skew
        self.ledger = Ledger()
        self.server_kills = 0
        self.checks = 0
        # A restart of the server costs seconds: at most one, in half of the runs.
        self.kills_allowed = seed % 2
        self.rng = random.Random(seed)
        for i, role in enumerate(ROLES_IN_PLAY):
            network = FaultyNetwork(random.Random(seed * 10 + i))
            network.on_kill = self._kill_server
            path = self.root / f"ex{n}" / f"{role}" / "replica.sqlite"
            device = Device(f"{role}", role, path, self.shop, self.srv.base_url, network,
                            clock=self.clock, synchronous=True, live=False,
                            seed=seed * 100 + i)
            device.start()
            self.devices.append(device)
        first_setup(self.devices[0], self.devices[1:])
        for device in self.devices:
            device.engine.sync_now()
            device.handed = True
        self._quiesce()
        for device in self.devices:  # then the weather turns bad
            device.network.rate = self.rng.choice([0.2, 0.35, 0.5])

    # --- time ---------------------------------------------------------------------------
    def _due(self, device: Device) -> bool:
        """The engine has something to do now: work handed to it (a nudge, a poke, "sync
        now", a restart), a deadline of its own, or a timer (pull, retry, housekeeping).
        The others are left alone: a round of an idle engine still reads its status."""
        now = self.clock.monotonic()
        deadline = device.engine.next_deadline()
        timers = getattr(device.engine.timers, "timers", {}).values()
        return (device.handed in (None, True) or (deadline is not None and deadline <= now)
                or any(t.due <= now for t in timers))

    def _run_all(self) -> None:
        for device in self.devices:
            if not self._due(device):
                continue
            device.handed = False
            try:
                device.engine.run_pending()
            finally:
                device.cursors.append(device.cursor())

    def _run_for(self, seconds: float) -> None:
        """Move the shared clock ``seconds`` on, stopping wherever an engine has work due."""
        end = self.clock.monotonic() + seconds
        for _ in range(10_000):
            self._run_all()
            now = self.clock.monotonic()
            if now >= end:
                return
            due = [d for d in (dev.engine.next_deadline() for dev in self.devices)
                   if d is not None]
            timers = [t.due for dev in self.devices
                      for t in getattr(dev.engine.timers, "timers", {}).values()]
            nxt = min([*due, *timers, end])
            self.clock.advance(min(max(nxt - now, 0.01), end - now))
        raise AssertionError("the engines never stopped finding work")

    # --- rules: people at work ------------------------------------------------------------
    WORK = st.sampled_from(KINDS)

    def _work(self, r: int, seed: int, kind: str, variant: int = 0) -> None:
        device = self.devices[r]
        acting = None
        if device.role == "kiosk":
            techs = sorted(self.shop.technicians)
            acting = techs[(seed // 7) % len(techs)]  # whoever signed in with their PIN
        changes = act(device, kind, seed, self.ledger, variant=variant, acting=acting)
        device.engine.nudge(changes)
        device.handed = True

    @rule(r=st.integers(0, DEVICES - 1), seed=st.integers(0, 10_000), kind=WORK)
    def work(self, r: int, seed: int, kind: str) -> None:
        self._work(r, seed, kind)

    @rule(r=st.integers(0, DEVICES - 1), seed=st.integers(0, 10_000), kind=WORK)
    def more_work(self, r: int, seed: int, kind: str) -> None:
        self._work(r, seed, kind)

    @rule(seed=st.integers(0, 10_000), kind=WORK)
    def everyone_at_once(self, seed: int, kind: str) -> None:
        for r in range(DEVICES):  # the same row on every device, different values
            self._work(r, seed, kind, variant=r)

    @rule(r=st.integers(0, DEVICES - 1), seed=st.integers(0, 10_000),
          n=st.integers(4, 12))
    def burst(self, r: int, seed: int, n: int) -> None:
        """A backlog (an afternoon offline): more operations than one batch holds."""
        rng = random.Random(seed)
        for _ in range(n):
            self._work(r, rng.randrange(10_000), rng.choice(KINDS))

    @rule(seed=st.integers(0, 10_000), backlog=st.integers(0, 2 * SETTINGS.max_batch),
          straddle=st.booleans(), what=st.sampled_from(["move", "assign"]))
    def race(self, seed: int, backlog: int, straddle: bool, what: str) -> None:
        """The manager and the clerk change the same job's guarded field to different
        values: its status (a move and its status event), or its technician (one of them
        unassigns: null on one side of the conflict). The clerk had ``backlog`` edits
        waiting, so its refused change may straddle a batch boundary; with ``straddle``
        the backlog is just long enough that the job's change ends a batch. The manager's
        push goes first."""
        manager, clerk = self.devices[0], self.devices[1]
        for device in (manager, clerk):  # both desks have seen the job (if the network let)
            device.engine.sync_now()
            device.handed = True
        self._run_all()
        job = pick(manager.store, Job, seed)
        if job is None:
            return
        if straddle:
            with clerk.store.read() as s:
                waiting = pending_count(s)
            backlog = (SETTINGS.max_batch - 1 - waiting) % SETTINGS.max_batch
        for i in range(backlog):
            clerk.engine.nudge(act(clerk, "concern", seed + i, self.ledger))
            clerk.handed = True
        techs = sorted(self.shop.technicians)
        for variant, device in enumerate((manager, clerk)):
            with device.store.read() as s:
                mine = s.get(Job, job.id)
            if mine is None:
                return
            try:
                if what == "move":
                    moves = allowed_moves(mine.status)
                    if not moves:
                        return
                    changes = device.store.run(jobs.move_status, job.id,
                                               moves[(seed + variant) % len(moves)])
                else:
                    unassigns = (seed + variant) % 2 == 0
                    changes = device.store.run(
                        jobs.assign, job.id,
                        technician_id=None if unassigns else techs[variant % len(techs)])
                device.engine.nudge(changes)
                device.handed = True
            except BaylineError:
                self.ledger.refused_locally += 1
        for device in (manager, clerk):
            device.engine.sync_now()
            device.handed = True
            with contextlib.suppress(Crash):
                device.engine.run_pending()

    # --- rules: time and the network ------------------------------------------------------
    # Few rules, each with its variants as an argument: Hypothesis picks among rules, and
    # the work should be most of a run, crashes and kills a spice.
    @rule(seconds=st.sampled_from([0.1, 0.4, 1.0, 2.5, 8.0]))
    def time_passes(self, seconds: float) -> None:
        self._run_for(seconds)

    @rule(r=st.integers(0, DEVICES - 1),
          what=st.sampled_from(["storm", "drizzle", "calm", "poke", "sync_now", "late"]))
    def network(self, r: int, what: str) -> None:
        device = self.devices[r]
        if what in ("storm", "drizzle", "calm"):
            device.network.rate = {"storm": 0.6, "drizzle": 0.3, "calm": 0.0}[what]
        elif what == "late":
            device.network.deliver_late()  # copies of old requests arrive now
        else:
            if what == "poke":
                device.engine.pull_now()  # the live stream says the shop's head moved
            else:
                device.engine.sync_now()  # the "sync now" button
            device.handed = True
            self._run_all()

    # --- rules: crashes ---------------------------------------------------------------------
    @rule(r=st.integers(0, DEVICES - 1), when=st.sampled_from(["after_commit", "mid_apply"]))
    def device_crashes(self, r: int, when: str) -> None:
        """The device dies after the server committed its push but before it saw the
        answer, or in the middle of writing a pulled page; it restarts from its file."""
        device = self.devices[r]
        if when == "after_commit":
            device.network.armed.append(("/sync/push", "drop_response"))
            device.engine.sync_now()
            device.handed = True
            self._run_all()
        else:
            device.store.crash_next_write = True
            device.engine.sync_now()
            with contextlib.suppress(Crash):
                device.engine.run_pending()
            device.store.crash_next_write = False
        device.restart()

    @rule(r=st.integers(0, DEVICES - 1),
          how=st.sampled_from(["mid_push", "mid_pull", "idle", "back"]))
    def server_trouble(self, r: int, how: str) -> None:
        """The server process is killed (a request of device ``r`` in flight, or idle) and
        stays down until it comes ``back`` (or the next quiescence)."""
        if how == "back":
            if not self.srv.running:
                self.srv.start()
            return
        if self.server_kills >= self.kills_allowed or not self.srv.running:
            return
        if how == "idle":
            self._kill_server(0.0)
            return
        device = self.devices[r]
        device.network.armed.append(("/sync/push" if how == "mid_push" else "/sync/pull",
                                     "kill_server"))
        device.engine.sync_now()
        device.handed = True
        self._run_all()

    def _kill_server(self, _delay: float) -> None:
        self.server_kills += 1
        self.srv.kill()

    # --- invariants -------------------------------------------------------------------------
    @invariant()
    def cursors_never_go_back(self) -> None:
        for device in self.devices:
            assert device.cursors == sorted(device.cursors), (device.name, device.cursors)

    def _quiesce(self) -> None:
        """The server is up and the network calm: every outbox must go out within the
        liveness bound without anyone pressing anything; then the pokes bring everyone to
        head. The weather comes back as it was."""
        if not self.srv.running:
            self.srv.start()
        rates = [device.network.rate for device in self.devices]
        limits = {}
        for device in self.devices:
            device.network.calm()
            kind = device.engine.status.error_kind
            limits[device.name] = (LIVENESS if kind in (None, ErrorKind.NETWORK)
                                   else LIVENESS_AFTER_SERVER_ERRORS)
        start = self.clock.monotonic()
        waiting = {d.name for d in self.devices if d.pending()}
        while waiting:
            self._run_for(1.0)
            elapsed = self.clock.monotonic() - start
            for device in self.devices:
                if device.name in waiting and not device.pending():
                    waiting.discard(device.name)
                elif device.name in waiting and elapsed > limits[device.name]:
                    raise AssertionError(
                        f"invariant 7: {device.name} still has {device.pending()} changes "
                        f"waiting {elapsed:.0f} s after the network came back "
                        f"(status: {device.engine.status})")
        for _ in range(8):
            head = self.view.head()
            if all(d.cursor() >= head and not d.outbox() for d in self.devices):
                break
            for device in self.devices:
                device.engine.pull_now()  # the poke of the live stream
                device.handed = True
            self._run_for(1.0)
        else:
            raise AssertionError("the devices did not settle on a calm network: " + "; ".join(
                f"{d.name}: {d.pending()} waiting, cursor {d.cursor()} of {self.view.head()}, "
                f"{d.engine.status}" for d in self.devices))
        for device, rate in zip(self.devices, rates, strict=True):
            device.network.rate = rate

    @rule()
    def quiesce_and_check(self) -> None:
        # Hypothesis favours rules without arguments; a check costs a few hundred ms, and
        # the teardown makes the last one.
        self.checks += 1
        if self.checks > 2:
            return
        self._quiesce()
        check_invariants(self.pg, self.shop, self.devices, self.ledger)

    def teardown(self) -> None:
        if not self.devices:
            return
        try:
            self._quiesce()
            check_invariants(self.pg, self.shop, self.devices, self.ledger)
            if os.environ.get("BAYLINE_MACHINE_VERBOSE"):
                print(f"example {self.examples}: {self.ledger}, faults "
                      f"{sum(d.network.faults for d in self.devices)}, restarts "
                      f"{sum(d.restarts for d in self.devices)}, kills {self.server_kills}, "
                      f"outcomes {[len(outcomes(d.store)) for d in self.devices]}, "
                      f"clock {self.clock.monotonic() - 1000:.0f} s")
        finally:
            for device in self.devices:
                device.close()
            self.view.close()


@pytest.mark.timeout(1800)  # shrinking a failure takes a while; passing takes about a minute
def test_devices_converge_through_a_faulty_network(live_server: LiveServer, pg_database: str,
                                                   tmp_path: Path) -> None:
    SyncMachine.srv = live_server
    SyncMachine.pg = pg_database
    SyncMachine.root = tmp_path
    run_state_machine_as_test(SyncMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=False,
        phases=PHASES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
