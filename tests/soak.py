"""The soak: the real ``SyncEngine`` on its own threads (debouncer, APScheduler timers, live
listener on the server's event stream) in four devices of one shop — manager, clerk,
technician, kiosk with acting technicians — all working at once through a faulty network,
while devices crash (mid-write too) and restart and the server is killed and comes back.
After each run the network calms down, every device must empty its outbox and reach the
server's head by itself, and the invariants of DESIGN.md are checked (a quarantined row
counts as divergence). The work and the checks are the convergence machine's
(``tests.sync.workload``); only the driving differs: threads and wall-clock time here, a
fake clock and Hypothesis there.

    python -m tests.soak --minutes 10        # run from the repository root, in its venv
    python -m tests.soak --runs 2000 --seed 7

Needs PostgreSQL (``tests/pg.py`` finds or starts one) and makes its own database and
server on loopback. It prints one line per run and, at the end, how many runs, faults and
restarts it survived with nothing lost, duplicated or diverged; exit code 1 on the first
violated invariant (with the seed to run it again). ``tests/sync/test_soak.py`` is a short
one in the test suite (``BAYLINE_SOAK_RUNS`` makes it longer).
"""

from __future__ import annotations

import argparse
import contextlib
import os

os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")  # cheap hashes; before server loads

import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.live_server import LiveServer
from tests.sync.workload import (
    KINDS,
    ROLES_IN_PLAY,
    SETTINGS,
    Crash,
    Device,
    FaultyNetwork,
    Ledger,
    ServerView,
    Totals,
    act,
    check_invariants,
    first_setup,
    make_shop,
)

#: Invariant 7's bound, plus the longest backoff after the server answered with errors,
#: plus room for a loaded machine.
SETTLE_TIMEOUT = SETTINGS.backoff_cap + 40.0


def _ignore_crashes() -> None:
    """A simulated power cut (``Crash``) ends the thread it hits, quietly."""
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.exc_type is not None and issubclass(args.exc_type, Crash):
            return
        previous(args)

    threading.excepthook = hook


class Run:
    """One soak run: a fresh shop, four devices, a few seconds of work and chaos."""

    def __init__(self, srv: LiveServer, database_url: str, root: Path, number: int,
                 seed: int, work_seconds: float, totals: Totals) -> None:
        self.srv = srv
        self.url = database_url
        self.number = number
        self.rng = random.Random(seed)
        self.work_seconds = work_seconds
        self.totals = totals
        self.ledger = Ledger()
        self.shop = make_shop(database_url, f"Soak {number}")
        self.view = ServerView(database_url, self.shop.shop_id)
        self.devices: list[Device] = []
        self.locks: list[threading.Lock] = []
        self.server_lock = threading.Lock()
        self.server_restarts = 0
        for i, role in enumerate(ROLES_IN_PLAY):
            network = FaultyNetwork(random.Random(seed * 10 + i))
            network.on_kill = self._kill_server
            device = Device(role, role, root / f"run{number}" / role / "replica.sqlite",
                            self.shop, srv.base_url, network, clock=None, synchronous=False,
                            live=True, seed=seed * 100 + i)
            self._watch(device)
            device.start()
            self.devices.append(device)
            self.locks.append(threading.Lock())

    def _watch(self, device: Device) -> None:
        def on_changes(_changes: Any) -> None:
            with contextlib.suppress(Exception):  # a closing replica: best effort
                device.cursors.append(device.cursor())
        device.engine.add_changes_listener(on_changes)

    # --- chaos -----------------------------------------------------------------------------
    def _kill_server(self, _delay: float) -> None:
        with self.server_lock:
            if self.srv.running:
                self.srv.kill()

    def _server_back(self) -> None:
        with self.server_lock:
            if not self.srv.running:
                self.srv.start()
                self.server_restarts += 1

    def _restart(self, i: int, *, mid_write: bool) -> None:
        device = self.devices[i]
        with self.locks[i]:
            if mid_write:
                device.store.crash_next_write = True  # the engine's next write dies
                device.engine.sync_now()
                time.sleep(self.rng.uniform(0.0, 0.3))
            device.restart()
            self._watch(device)

    def _chaos(self, stop: threading.Event) -> None:
        # Every run has at least one server kill and one device crash in the middle of a
        # write, early on; then chance decides.
        forced = [0.4, 0.6]
        while not stop.wait(self.rng.uniform(0.2, 0.8)):
            what = forced.pop(0) if forced else self.rng.random()
            i = self.rng.randrange(len(self.devices))
            if what == 0.4:
                self._restart(i, mid_write=True)
                continue
            if what < 0.35:
                self.devices[i].network.rate = self.rng.choice([0.0, 0.2, 0.5, 0.8])
            elif what < 0.5:
                self._restart(i, mid_write=self.rng.random() < 0.5)
            elif what < 0.65 and self.srv.running and self.server_restarts < 2:
                if self.rng.random() < 0.5:
                    self.devices[i].network.armed.append(("/sync/push", "kill_server"))
                else:
                    self._kill_server(0.0)
                stop.wait(self.rng.uniform(0.3, 2.0))  # down for a moment
                self._server_back()
            elif what < 0.75:
                self.devices[i].network.deliver_late()

    def _worker(self, i: int, stop: threading.Event) -> None:
        rng = random.Random(self.rng.randrange(1 << 30))
        device = self.devices[i]
        techs = sorted(self.shop.technicians)
        while not stop.wait(rng.uniform(0.01, 0.12)):
            kind = rng.choice(KINDS)
            seed = rng.randrange(10_000)
            acting = techs[rng.randrange(len(techs))] if device.role == "kiosk" else None
            with self.locks[i]:
                device = self.devices[i]
                try:
                    changes = act(device, kind, seed, self.ledger, acting=acting)
                except Crash:
                    continue  # armed for the engine, the person's write took it: a crash
                device.engine.nudge(changes)

    # --- a run -------------------------------------------------------------------------------
    def settle(self, *, first: bool = False) -> float:
        """Calm network, server up: wait until every outbox is empty and every replica is
        at the server's head. Nobody presses "sync now" except on the first setup."""
        self._server_back()
        for device in self.devices:
            device.network.calm()
            if first:
                device.engine.sync_now()
        start = time.monotonic()
        while True:
            head = self.view.head()
            if all(not d.outbox() and d.cursor() >= head for d in self.devices):
                time.sleep(0.3)  # a poke may still be on its way: nothing must move now
                if head == self.view.head() and all(
                        not d.outbox() and d.cursor() >= head for d in self.devices):
                    return time.monotonic() - start
            if time.monotonic() - start > SETTLE_TIMEOUT:
                raise AssertionError(
                    f"run {self.number}: not settled {SETTLE_TIMEOUT:.0f} s after the network "
                    "came back: " + "; ".join(
                        f"{d.name}: {d.pending()} waiting, cursor {d.cursor()} of {head}, "
                        f"{d.engine.status}" for d in self.devices))
            time.sleep(0.1)

    def go(self) -> float:
        first_setup(self.devices[0], self.devices[1:])
        self.settle(first=True)
        for device in self.devices:
            device.network.rate = self.rng.choice([0.1, 0.3, 0.5])
        stop = threading.Event()
        threads = [threading.Thread(target=self._worker, args=(i, stop), daemon=True)
                   for i in range(len(self.devices))]
        threads.append(threading.Thread(target=self._chaos, args=(stop,), daemon=True))
        for t in threads:
            t.start()
        time.sleep(self.work_seconds)
        stop.set()
        for t in threads:
            t.join(60)
        took = self.settle()
        check_invariants(self.url, self.shop, self.devices, self.ledger)
        for device in self.devices:
            assert device.cursors == sorted(device.cursors), (device.name, "cursor went back")
        return took

    def close(self) -> None:
        for device in self.devices:
            device.close()
        self.view.close()
        t = self.totals
        t.operations += self.ledger.done
        t.refused_locally += self.ledger.refused_locally
        t.faults += sum(d.network.faults for d in self.devices)
        t.device_restarts += sum(d.restarts for d in self.devices)
        t.server_restarts += self.server_restarts


def soak(srv: LiveServer, database_url: str, root: Path, *, runs: int | None = None,
         seconds: float | None = None, work_seconds: float = 4.0, seed: int = 0,
         say: Callable[[str], None] = print) -> Totals:
    """Run soak runs until ``runs`` are done or ``seconds`` have passed (whichever comes
    first); raises ``AssertionError`` on the first violated invariant."""
    _ignore_crashes()
    totals = Totals()
    number = 0
    while True:
        if runs is not None and number >= runs:
            break
        if seconds is not None and time.monotonic() - totals.started >= seconds:
            break
        number += 1
        run_seed = seed * 100_003 + number
        run = Run(srv, database_url, root, number, run_seed, work_seconds, totals)
        try:
            took = run.go()
        except AssertionError as exc:
            raise AssertionError(f"soak run {number} (seed {run_seed}) failed: {exc}") from exc
        finally:
            run.close()
        totals.runs = number
        totals.quiescences += 2
        say(f"run {number}: {run.ledger.done} operations, "
            f"{sum(d.network.faults for d in run.devices)} faults, "
            f"{sum(d.restarts for d in run.devices)} device restarts, "
            f"{run.server_restarts} server restarts; settled {took:.1f} s after the calm")
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="stop after this many runs")
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop after this long (default: 10 minutes when --runs is not "
                             "given)")
    parser.add_argument("--work-seconds", type=float, default=4.0,
                        help="seconds of work and chaos in each run (default 4)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    args = parser.parse_args(argv)
    minutes = args.minutes if args.minutes is not None or args.runs else 10.0
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]

    import keyring
    from keyrings.alt.file import PlaintextKeyring

    from server.db import migrate
    from tests.pg import temporary_database

    with tempfile.TemporaryDirectory(prefix="bayline-soak-") as tmp:
        root = Path(tmp)
        backend = PlaintextKeyring()  # the sessions of the soak's devices, in its folder
        backend.file_path = str(root / "keyring.cfg")  # type: ignore[misc]
        keyring.set_keyring(backend)
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
        print(f"soak: seed {args.seed}", flush=True)
        with temporary_database("bl_soak") as url:
            migrate(url)
            with LiveServer(url, keepalive=2.0) as srv:
                try:
                    totals = soak(srv, url, root, runs=args.runs,
                                  seconds=minutes * 60 if minutes else None,
                                  work_seconds=args.work_seconds, seed=args.seed,
                                  say=lambda line: print(line, flush=True))
                except AssertionError as exc:
                    print(f"FAILED: {exc}", flush=True)
                    return 1
    print(f"soak survived: {totals.line()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
