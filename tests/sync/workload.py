"""What the convergence machine and the soak test share: a shop with people of every role,
devices (a replica and its ``SyncEngine``) behind a misbehaving network, the work people
do on them, and the invariants of DESIGN.md checked against the server's database.

The state machine (``test_convergence``) drives the engines synchronously on a fake clock,
so Hypothesis can shrink what it finds; the soak (``test_soak``, ``tests/soak.py``) runs the
same work on real threads, timers and live listeners.
"""

from __future__ import annotations

import inspect
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import Store, Writer
from app.errors import BaylineError
from app.models import Appointment, Customer, Job, JobLine
from app.ops import appointments, clock, customers, jobs, notes
from app.rules import allowed_moves
from sync import account
from sync.clock import Clock
from sync.credentials import TokenStore
from sync.engine import SyncEngine
from sync.errors import SyncError
from sync.outbox import max_assigned_id
from sync.settings import SyncSettings
from tests.live_server import ShopSeed, seed_shop
from tests.sync.liveutil import diff, replica_snapshot, server_snapshot

FAULT_MODES = ("drop_request", "drop_response", "duplicate", "delay", "5xx_before",
               "5xx_after")

#: Small batches and pages: operations and pulls cross their boundaries all the time.
SETTINGS = SyncSettings().but(max_batch=5, pull_limit=9, backoff_cap=20.0,
                              network_retry_cap=10.0)

#: The devices of the shop: a manager's desk, a clerk's desk, a technician's own tablet
#: and the shared kiosk (its device account; technicians act on it with their PIN).
ROLES_IN_PLAY = ("manager", "clerk", "technician", "kiosk")

#: Work a person does; every role tries everything, so the server (and, where the replica
#: knows the role table, the replica) refuses what the role may not do.
KINDS = ("new_job", "concern", "priority", "move", "move", "assign", "unassign", "claim",
         "line", "delete_line", "note", "book", "reschedule", "cancel_appt", "delete_appt",
         "clock_on", "clock_on", "clock_off", "end_shift", "own", "customer")

#: A few fixed slots, so bookings made on different devices collide.
DAY = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SLOTS = [(DAY + timedelta(hours=h), DAY + timedelta(hours=h, minutes=m))
         for h, m in ((0, 60), (0, 90), (1, 60), (1, 30), (2, 60))]


def acting_supported() -> bool:
    """``Store.run`` takes the acting user of a kiosk operation (the kiosk protocol)."""
    return "acting_user_id" in inspect.signature(Store.run).parameters


class Crash(BaseException):  # noqa: N818 - a simulated power cut, not an error to handle
    """The process dies here."""


class FaultyNetwork(httpx.BaseTransport):
    """A real transport that misbehaves at ``rate``; ``arm`` forces the next fault.

    ``on_kill`` (set by the owner of the server) is called for the armed mode
    ``kill_server``: the request is on its way when the server process is killed."""

    def __init__(self, rng: random.Random) -> None:
        self.inner = httpx.HTTPTransport()
        self.rng = rng
        self.rate = 0.0
        self.armed: list[tuple[str, str]] = []  # (path suffix, mode)
        self.stash: list[httpx.Request] = []
        self.faults = 0
        self.on_kill: Callable[[float], None] | None = None
        self._lock = threading.Lock()

    def _mode(self, request: httpx.Request) -> str | None:
        with self._lock:
            for i, (path, mode) in enumerate(self.armed):
                if request.url.path.endswith(path):
                    del self.armed[i]
                    return mode
            if "/events" in request.url.path:
                return None  # the live stream: its faults are the server's own restarts
            if self.rate and self.rng.random() < self.rate:
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
        if "/events" in request.url.path:
            return self.inner.handle_request(request)  # streamed, untouched
        request.read()
        mode = self._mode(request)
        if mode is not None:
            with self._lock:
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
            with self._lock:
                self.stash.append(_copy(request))  # a copy arrives later, out of order
        if mode == "kill_server" and self.on_kill is not None:
            # The server dies while this request is in flight: before, during or after its
            # commit, whichever the timing gives; the client sees no answer either way.
            killer = threading.Timer(self.rng.uniform(0.0, 0.03), self.on_kill, (0.0,))
            killer.start()
            with suppress(httpx.HTTPError):
                self._send(request)
            killer.join()
            raise httpx.ReadError("the server died", request=request)
        return self._send(request)

    def deliver_late(self) -> None:
        with self._lock:
            stash, self.stash = self.stash, []
        for request in stash:
            with suppress(httpx.HTTPError):
                self._send(request)

    def calm(self) -> None:
        with self._lock:
            self.rate = 0.0
            self.armed.clear()
        self.deliver_late()

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


# --- the shop -----------------------------------------------------------------------------

@dataclass
class Shop:
    """A shop on the server: its seed, its technicians (row id → user id) and bays."""

    seed: ShopSeed
    technicians: dict[str, str]
    bays: list[str] = field(default_factory=list)

    @property
    def shop_id(self) -> str:
        return self.seed.shop_id


def make_shop(database_url: str, name: str) -> Shop:
    """A shop with one user per role, and a second technician (two for the kiosk)."""
    from server import admin
    from server.db import make_engine

    seed = seed_shop(database_url, name, migrate=False)
    engine = make_engine(database_url)
    try:
        second = admin.create_user(engine, shop_id=seed.shop_id,
                                   username=f"technician2-{seed.shop_id[:8]}",
                                   password=f"pw-t2-{seed.shop_id[:6]}", role="technician",
                                   pin="1357", display_name=f"Second {seed.shop_id[:4]}")
    finally:
        engine.dispose()
    first = seed.users["technician"]
    assert first.technician_id and second.technician_id
    return Shop(seed, {first.technician_id: first.user_id,
                       second.technician_id: second.id})


# --- a device ---

_TEMPLATE: dict[str, bytes] = {}


def _from_template(path: Path) -> None:
    """Start ``path`` as a copy of an empty, migrated replica with no identity yet (opening
    it gives it its own client id): migrating every new replica from nothing costs a
    third of a second, and a run makes dozens."""
    if "file" not in _TEMPLATE:
        with tempfile.TemporaryDirectory() as tmp:
            template = Path(tmp) / "template.sqlite"
            store = Store(template)
            with store.write_session() as s:
                s.execute(text("DELETE FROM sync_state"))
            with store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()
            _TEMPLATE["file"] = template.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_TEMPLATE["file"])



class Device:
    """One replica with its engine, signed in as one role's user."""

    def __init__(self, name: str, role: str, path: Path, shop: Shop, base_url: str,
                 network: FaultyNetwork, *, clock: Clock | None, synchronous: bool,
                 live: bool, seed: int, settings: SyncSettings = SETTINGS) -> None:
        self.name = name
        self.role = role
        self.path = path
        self.shop = shop
        self.network = network
        self.clock = clock
        self.synchronous = synchronous
        self.live = live
        self.seed = seed
        self.settings = settings
        self.restarts = 0
        self.own_customer: str | None = None
        self.own_notes = ""
        self.cursors: list[int] = []
        #: Work handed to the engine since it last ran (None: just started).
        self.handed: bool | None = None
        user = shop.seed.users[role]
        _from_template(path)
        store = CrashingStore(path)
        self.store: CrashingStore = account.login(  # type: ignore[assignment]
            store, base_url, user.username, user.password, token_store=TokenStore()).store
        self.user_id = user.user_id
        self.technician_id = user.technician_id
        self.engine = self._engine()

    def _engine(self) -> SyncEngine:
        return SyncEngine(self.store, settings=self.settings, clock=self.clock,
                          transport=self.network, synchronous=self.synchronous,
                          live=self.live, rng=random.Random(self.seed + self.restarts),
                          token_store=TokenStore())

    def start(self) -> None:
        self.engine.start()

    def restart(self) -> None:
        """The process died: open everything again from the SQLite file."""
        self.engine.stop()
        self.store.close()
        self.network.inner.close()
        self.network.inner = httpx.HTTPTransport()
        self.restarts += 1
        self.store = CrashingStore(self.path)
        self.engine = self._engine()
        self.handed = None
        self.engine.start()

    def close(self) -> None:
        self.engine.stop()
        self.store.close()
        self.network.close()

    # --- local state ------------------------------------------------------------------
    def pending(self) -> int:
        """Changes not yet acknowledged by the server."""
        from sync.outbox import pending_count

        with self.store.read() as s:
            return pending_count(s)

    def outbox(self) -> int:
        """Every outbox entry, refused ones waiting for the pull that settles them too."""
        return self.store.pending_count()

    def cursor(self) -> int:
        return self.store.state().cursor

    def may_write_customers(self) -> bool:
        return self.role in ("manager", "clerk", "admin")


# --- the work people do -------------------------------------------------------------------

@dataclass
class Ledger:
    """What the devices did that the invariants need to know."""

    #: (entity, row id) → the devices that deleted it on their replica.
    deleted: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    done: int = 0
    refused_locally: int = 0


def pick(store: Store, model: Any, seed: int, *where: Any) -> Any:
    """One of the first few live rows: few enough that devices collide on them."""
    with store.read() as s:
        rows = s.scalars(select(model).where(model.deleted_at.is_(None), *where)
                         .order_by(model.created_at, model.id).limit(4)).all()
    return rows[seed % len(rows)] if rows else None


def _delete_appointment(w: Writer, appointment_id: str) -> str:
    appt = w.get(Appointment, appointment_id, what="appointment")
    w.delete(appt)
    return appt.id


def act(device: Device, kind: str, seed: int, ledger: Ledger, *, variant: int = 0,
        acting: str | None = None) -> Changes | None:
    """Do one piece of work of ``kind`` on ``device``; its ``Changes`` (None: nothing was
    done, or the replica refused it). ``acting``: the technician (row id) working on a
    kiosk; the operation goes up in their name."""
    store = device.store
    shop = device.shop
    techs = sorted(shop.technicians)
    me = device.technician_id or acting or techs[(seed + variant) % len(techs)]
    extra: dict[str, Any] = {}
    if device.role == "kiosk" and acting is not None and acting_supported():
        extra["acting_user_id"] = shop.technicians[acting]

    def run(op: Any, *args: Any, **kwargs: Any) -> Changes:
        return store.run(op, *args, **extra, **kwargs)

    try:
        changes = _act(device, kind, seed, variant, me, run, ledger)
    except BaylineError:
        ledger.refused_locally += 1  # the replica refused it: nothing was written
        return None
    if changes is not None:
        ledger.done += 1
    return changes


def _act(device: Device, kind: str, seed: int, variant: int, me: str,
         run: Callable[..., Changes], ledger: Ledger) -> Changes | None:
    store = device.store
    shop = device.shop
    if kind == "new_job":
        shared = pick(store, Customer, seed)
        return run(jobs.create_job, customer_id=shared.id if shared else None,
                   vehicle_id=None, concern=f"job by {device.name} {seed}")
    if kind == "own":
        if device.own_customer is None:
            return None
        device.own_notes = f"{device.name} says {seed}"
        return run(customers.update_customer, device.own_customer, notes=device.own_notes)
    if kind == "customer":
        row = pick(store, Customer, seed)
        if row is None or row.id == device.own_customer:
            return None
        return run(customers.update_customer, row.id, phone=f"555 {seed % 1000:03d}")
    if kind in ("book", "reschedule", "cancel_appt", "delete_appt"):
        return _appointment(device, kind, seed, variant, run, ledger)
    if kind in ("clock_off", "end_shift"):
        return run(clock.clock_off if kind == "clock_off" else clock.end_shift, me)
    job = pick(store, Job, seed)
    if job is None:
        return None
    if kind == "concern":
        return run(jobs.update_job, job.id, concern=f"{device.name} {seed}")
    if kind == "priority":
        return run(jobs.update_job, job.id, priority=(seed + variant) % 4)
    if kind == "move":
        moves = allowed_moves(job.status)
        return run(jobs.move_status, job.id, moves[(seed + variant) % len(moves)],
                   by_id=device.user_id if device.role != "kiosk" else None) if moves else None
    if kind == "assign":
        techs = sorted(shop.technicians)
        return run(jobs.assign, job.id, technician_id=techs[(seed + variant) % len(techs)])
    if kind == "unassign":
        return run(jobs.assign, job.id, technician_id=None)
    if kind == "claim":
        return run(jobs.assign, job.id, technician_id=me)
    if kind == "line":
        return run(jobs.add_line, job.id, kind="labor", description=f"line {seed}",
                   quantity=1.0, unit_price_cents=seed)
    if kind == "delete_line":
        line = pick(store, JobLine, seed)
        if line is None:
            return None
        changes = run(jobs.delete_line, line.id)
        ledger.deleted.setdefault(("job_line", line.id), set()).add(device.name)
        return changes
    if kind == "note":
        return run(notes.add_note, job.id, f"note {seed} by {device.name}")
    if kind == "clock_on":
        return run(clock.clock_on, me, job.id)
    raise AssertionError(kind)


def _appointment(device: Device, kind: str, seed: int, variant: int,
                 run: Callable[..., Changes], ledger: Ledger) -> Changes | None:
    store = device.store
    techs = sorted(device.shop.technicians)
    if kind == "book":
        starts, ends = SLOTS[(seed + variant) % len(SLOTS)]
        tech = techs[seed % len(techs)] if seed % 3 else None
        bays = device.shop.bays
        bay = bays[(seed // 3) % len(bays)] if bays and seed % 2 else None
        customer = pick(store, Customer, seed)
        return run(appointments.book, starts_at=starts, ends_at=ends, technician_id=tech,
                   bay_id=bay, customer_id=customer.id if customer else None,
                   notes=f"by {device.name}")
    appt = pick(store, Appointment, seed)
    if appt is None:
        return None
    if kind == "reschedule":
        starts, ends = SLOTS[(seed + variant) % len(SLOTS)]
        fields: dict[str, Any] = {"starts_at": starts, "ends_at": ends}
        if seed % 2:
            fields["technician_id"] = None if seed % 4 == 1 else techs[variant % len(techs)]
        return run(appointments.update, appt.id, **fields)
    if kind == "cancel_appt":
        return run(appointments.cancel, appt.id)
    changes = run(_delete_appointment, appt.id)
    ledger.deleted.setdefault(("appointment", appt.id), set()).add(device.name)
    return changes


def first_setup(manager: Device, others: list[Device]) -> list[Changes]:
    """The manager makes the bays; each device that may write customers gets one only it
    edits; a shared customer for everyone's jobs and bookings."""
    made = []
    for i in range(2):
        c = manager.store.run(customers.create_bay, name=f"Bay {i + 1}")
        manager.shop.bays.append(str(c.result))
        made.append(c)
    for device in [manager, *others]:
        if device.may_write_customers():
            c = device.store.run(customers.create_customer, name=f"Own {device.name}")
            device.own_customer = str(c.result)
            made.append(c)
    made.append(manager.store.run(customers.create_customer, name="Shared"))
    return made


# --- the server's side --------------------------------------------------------------------

class ServerView:
    """Reads of the server's database for the invariants (one engine, reused)."""

    def __init__(self, database_url: str, shop_id: str) -> None:
        self.url = database_url
        self.shop_id = shop_id
        self.engine: Engine = create_engine(database_url, pool_size=1)

    def head(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT head FROM shop WHERE id = :id"),
                                    {"id": self.shop_id}).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()


def _hidden(role: str, entity: str) -> frozenset[str]:
    """The fields of ``entity`` that ``role`` may not read (the role table)."""
    from app.roles import hidden_fields

    return hidden_fields(role, entity)


def _visible(snapshot: dict[str, dict[str, dict[str, Any]]], device: Device
             ) -> dict[str, dict[str, dict[str, Any]]]:
    """The server's rows as ``device``'s role may read them (the replica holds no more)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for entity, rows in snapshot.items():
        hidden = _hidden(device.role, entity)
        kept = {}
        for rid, row in rows.items():
            if (entity == "time_entry" and device.role == "technician"
                    and row["technician_id"] != device.technician_id):
                continue  # a technician reads only their own time entries
            kept[rid] = {k: v for k, v in row.items() if k not in hidden}
        out[entity] = kept
    return out


def _without(snapshot: dict[str, dict[str, dict[str, Any]]], device: Device
             ) -> dict[str, dict[str, dict[str, Any]]]:
    out = {}
    for entity, rows in snapshot.items():
        hidden = _hidden(device.role, entity)
        out[entity] = {rid: {k: v for k, v in row.items() if k not in hidden}
                       for rid, row in rows.items()}
    return out


def quarantined(store: Store) -> int:
    """Pulled changes held unapplied on this replica (a healthy one holds none)."""
    from sync.quarantine import quarantined_count

    return quarantined_count(store)


def check_invariants(database_url: str, shop: Shop, devices: list[Device],
                     ledger: Ledger) -> None:
    """DESIGN.md's invariants at a quiescence (every outbox empty, every cursor at head)."""
    from server.models import Client, MutationOutcome
    from tests.sync.helpers import outcomes

    server = server_snapshot(database_url, shop.shop_id)
    engine = create_engine(database_url)
    try:
        with Session(engine) as s:
            lmids = {c.id: c.last_mutation_id for c in s.scalars(
                select(Client).where(Client.shop_id == shop.shop_id))}
            client_ids = set(lmids)
            refused = {(o.client_id, o.mutation_id, o.status)
                       for o in s.scalars(select(MutationOutcome)) if o.client_id in client_ids}
    finally:
        engine.dispose()
    numbers = sorted(int(j["number"]) for j in server["job"].values())
    # 3. No duplicates (and no lost creates): final job numbers are 1..n, each once.
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    for device in devices:
        # 1. Convergence: outboxes empty, cursors at head, the replica equals the server
        # (what its role may read of it), and nothing pulled is held unapplied.
        assert device.outbox() == 0, f"{device.name}: {device.outbox()} outbox entries left"
        problems = diff(_without(replica_snapshot(device.store), device),
                        _visible(server, device))
        assert not problems, f"{device.name} ({device.role}): {problems[:5]}"
        held = quarantined(device.store)
        assert held == 0, f"{device.name}: {held} pulled change(s) quarantined"
        state = device.store.state()
        # 2 and 4. Every mutation this replica made was applied in id order up to the
        # LMID, and each one that was not applied shows here with its status.
        with device.store.read() as s:
            made = max_assigned_id(s)
        assert lmids.get(state.client_id, 0) == made == state.acked_mutation_id, (
            device.name, lmids.get(state.client_id, 0), made, state.acked_mutation_id)
        mine = {(state.client_id, o.mutation_id, o.status) for o in outcomes(device.store)}
        theirs = {o for o in refused if o[0] == state.client_id}
        assert mine == theirs, (device.name, mine ^ theirs)
        # 4. The last of this replica's own edits is what everyone has.
        if device.own_customer is not None:
            assert server["customer"][device.own_customer]["notes"] == device.own_notes
    # 8. Tombstones: nothing deleted came back. A delete the server refused (a role that
    # may not delete) is no deletion: its maker has the refusal among its outcomes.
    refused_rows = {d.name: {(o.entity, o.row_id) for o in outcomes(d.store)}
                    for d in devices}
    for (entity, row_id), by in ledger.deleted.items():
        if row_id in server[entity]:
            assert all((entity, row_id) in refused_rows[name] for name in by), (
                f"deleted {entity} {row_id} came back (deleted on {sorted(by)})")
    check_domain(server)
    check_history(database_url, shop.shop_id, server)


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_domain(server: dict[str, dict[str, dict[str, Any]]]) -> None:
    """What the shop must never see, however the devices raced: a technician or a bay
    booked twice at once, a technician on two clocks at once."""
    active = [a for a in server["appointment"].values()
              if a["status"] not in ("cancelled", "no_show")]
    for i, a in enumerate(active):
        for b in active[i + 1:]:
            if _t(a["starts_at"]) < _t(b["ends_at"]) and _t(b["starts_at"]) < _t(a["ends_at"]):
                for f in ("technician_id", "bay_id"):
                    assert not (a[f] and a[f] == b[f]), f"double booked on {f}: {a} / {b}"
    # One open clock per technician and kind, across devices (the later start ends the
    # earlier entry): a technician is never clocked on to two jobs at once.
    open_clocks: dict[tuple[str, str], list[str]] = {}
    for entry_id, entry in server["time_entry"].items():
        if entry["ended_at"] is None and entry["corrects_id"] is None:
            open_clocks.setdefault((entry["technician_id"], entry["kind"]), []).append(
                entry_id)
    twice = {k: v for k, v in open_clocks.items() if len(v) > 1}
    assert not twice, f"clocked on twice at once: {twice}"


def check_history(database_url: str, shop_id: str, server: dict[str, dict[str, dict[str, Any]]]
                  ) -> None:
    """A job's history ends where the job is: its last applied status event (in the
    server's order of applying, then the device's time) moved it to its status now."""
    from server.models import StatusEvent

    engine = create_engine(database_url)
    try:
        with Session(engine) as s:
            events = s.scalars(select(StatusEvent).where(StatusEvent.shop_id == shop_id,
                                                         StatusEvent.deleted_at.is_(None))
                               .order_by(StatusEvent.created_at, StatusEvent.at)).all()
            last = {ev.job_id: (ev.from_status, ev.to_status) for ev in events}
    finally:
        engine.dispose()
    for job_id, job in server["job"].items():
        move = last.get(job_id)
        assert move is None or move[1] == job["status"], (
            f"job {job['number']} is {job['status']} but its history ends "
            f"{move[0]} -> {move[1]}")


@dataclass
class Totals:
    """What a soak survived, for its summary line."""

    runs: int = 0
    operations: int = 0
    refused_locally: int = 0
    faults: int = 0
    device_restarts: int = 0
    server_restarts: int = 0
    quiescences: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        return (f"{self.runs} runs, {self.quiescences} quiescences, {self.operations} "
                f"operations done (and {self.refused_locally} refused on the device by the "
                f"role table or the domain rules), {self.faults} "
                f"network faults, {self.device_restarts} device restarts, "
                f"{self.server_restarts} server restarts in "
                f"{time.monotonic() - self.started:.0f} s: nothing lost, duplicated or "
                f"diverged")


__all__ = ["Crash", "CrashingStore", "Device", "FaultyNetwork", "KINDS", "Ledger",
           "ROLES_IN_PLAY", "SETTINGS", "ServerView", "Shop", "SyncError", "Totals", "act",
           "check_invariants", "first_setup", "make_shop"]
