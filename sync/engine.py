"""The sync engine: decides when to push and pull, on its own thread, and reports its state.

Threads (DESIGN.md "Threads"): the engine owns one thread with a work queue; everything
that touches the network or applies pulled rows runs there. Timers (an APScheduler
``BackgroundScheduler``: the pull fallback, the retry timer, housekeeping) and the live
listener only *enqueue* work. The UI calls ``nudge(changes)`` after every local operation
and listens through plain callbacks, which it turns into Qt signals; callbacks run on the
engine's thread.

With ``synchronous=True`` there are no threads: tests call ``run_pending()`` and
``advance(seconds)`` on a fake clock and everything happens in the caller's thread.

How the UI drives it::

    engine = SyncEngine(store)                  # a logged-in replica (sync.account.login)
    engine.add_status_listener(on_status)       # SyncStatus: connection, pending, errors...
    engine.add_changes_listener(on_changes)     # Changes(source="sync") after pulled rows
    engine.start()
    ...
    changes = store.run(op, ...)                # on the DB worker
    engine.nudge(changes)                       # debounced push; urgent ones go at once
    ...
    engine.sync_now()                           # the "sync now" button, or after a log in
    engine.stop()

On a shared kiosk (logged in as its device account) a technician signs in with a PIN::

    user = engine.pin_login(technician_id, pin).result()   # online, or offline on the kiosk
    changes = store.run(op, ..., acting_user_id=user["id"])  # theirs, however late it goes
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import random
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from app.changes import Changes
from app.db import Store
from app.errors import StorageError
from sync import account, deskuser, pins, quarantine
from sync.backoff import Backoff
from sync.clock import Clock, SystemClock
from sync.credentials import TokenStore
from sync.debounce import Debouncer
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient, LoginResult, retry_delay
from sync.live import LiveListener
from sync.outbox import count_refused, pending_count, prune_outcomes, sync_state
from sync.replica import open_conflicts
from sync.settings import SyncSettings
from sync.status import Connection, SyncStatus
from sync.syncer import Syncer, retry_held
from sync.timers import ManualTimers, SchedulerTimers, Timers

log = logging.getLogger(__name__)

#: While only edits arrive, the status ("12 changes waiting") goes out at most this often.
STATUS_INTERVAL = 0.1

StatusListener = Callable[[SyncStatus], None]
ChangesListener = Callable[[Changes], None]


@dataclass
class _Work:
    kind: str
    head: int | None = None
    changes: Changes | None = None
    fn: Callable[[], Any] | None = None
    future: Future[Any] | None = field(default=None, repr=False)


class SyncEngine:
    """Push and pull for one replica; see the module docstring."""

    def __init__(self, store: Store, *, settings: SyncSettings | None = None,
                 clock: Clock | None = None, api: ApiClient | None = None,
                 token_store: TokenStore | None = None,
                 transport: httpx.BaseTransport | None = None,
                 synchronous: bool = False, live: bool = True,
                 timers: Timers | None = None, rng: random.Random | None = None) -> None:
        self.store = store
        self.settings = settings or SyncSettings()
        self.clock = clock or SystemClock()
        self.synchronous = synchronous
        self._token_store = token_store
        self._transport = transport
        self._live_enabled = live
        self._rng = rng or random.Random()
        self._queue: queue.Queue[_Work] = queue.Queue()
        self._nudge_lock = threading.Lock()
        self._edits_first: float | None = None
        self._edits_last: float | None = None
        self._edits_urgent = False
        self._nudge_queued = False
        self._debounce = Debouncer(self.settings.quiet_window, self.settings.max_wait)
        self._backoff = Backoff(self.settings.backoff_base, self.settings.backoff_cap,
                                self.settings.backoff_jitter, self._rng)
        self.timers: Timers = timers or (ManualTimers(self.clock) if synchronous
                                         else SchedulerTimers())
        self._status_listeners: list[StatusListener] = []
        self._changes_listeners: list[ChangesListener] = []
        self._status = SyncStatus()
        self._push_wanted = False
        self._pull_wanted = False
        self._pull_since = 0.0
        self._retry_at: float | None = None
        self._blocked: SyncError | None = None
        self._last_error: SyncError | None = None
        self._cursor = 0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._started = False
        #: The client and its syncer are made, replaced and closed on the engine thread
        #: only; ``_api_lock`` lets the PIN thread take the current client safely.
        self._api_lock = threading.Lock()
        self._api: ApiClient | None = api
        self._syncer: Syncer | None = None
        self._listener: LiveListener | None = None
        if api is not None:
            self._syncer = Syncer(store, api, settings=self.settings, clock=self.clock,
                                  sealer=self._sealer(api))

    # --- what the UI calls ------------------------------------------------------------
    def add_status_listener(self, fn: StatusListener) -> None:
        self._status_listeners.append(fn)

    def add_changes_listener(self, fn: ChangesListener) -> None:
        self._changes_listeners.append(fn)

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def api(self) -> ApiClient | None:
        return self._api

    def nudge(self, changes: Changes | None = None) -> None:
        """A local operation committed: its outbox entries want pushing (thread-safe).

        Cheap on purpose: a burst of edits records its times here and wakes the engine
        once, not once per edit.
        """
        if changes is not None and (changes.source != "local" or changes.empty):
            return
        urgent = changes.urgent if changes is not None else False
        now = self.clock.monotonic()
        with self._nudge_lock:
            if self._edits_first is None:
                self._edits_first = now
            self._edits_last = now
            self._edits_urgent |= urgent
            wake = urgent or not self._nudge_queued
            self._nudge_queued = True
        if wake:
            self._put(_Work("nudge"))

    def sync_now(self) -> None:
        """Push everything now and pull to head, forgetting any backoff."""
        self._put(_Work("sync_now"))

    def pull_now(self, head: int | None = None) -> None:
        """The server's head moved (a poke of the live stream; ``head`` when it said): pull
        now. The server just spoke, so a backoff after a failure ends here and waiting
        changes go too (DESIGN.md: the engine retries "on a poke"); the live listener
        comes through here."""
        self._put(_Work("poke", head=head))

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn`` on the engine's thread; its result or error arrives in the future."""
        fut: Future[Any] = Future()
        self._put(_Work("call", fn=fn, future=fut))
        return fut

    def relogin(self) -> None:
        """Credentials changed (a log in): build the client again and sync."""
        self._put(_Work("relogin"))

    @property
    def token_store(self) -> TokenStore:
        """Where this engine's sessions are kept (the OS keyring unless a test said)."""
        return self._token_store or TokenStore()

    # --- a shared front desk (sync.deskuser) --------------------------------------------
    def switch_user(self, username: str, password: str) -> Future[dict[str, Any]]:
        """On the engine's thread: push the signed-in person's waiting changes with their
        session, then sign ``username`` in and sync as them (``sync.deskuser``); the
        future holds the new user, or the ``SyncError`` that kept the switch from
        happening (nothing changed then)."""
        def work() -> dict[str, Any]:
            user = deskuser.switch_user(self.store, username, password,
                                        push=self._push_for_switch,
                                        token_store=self.token_store,
                                        transport=self._transport, settings=self.settings,
                                        clock=self.clock)
            if not user.get("offline"):
                self._handle(_Work("relogin"))
            return user
        return self.submit(work)

    def unlock(self, password: str) -> Future[dict[str, Any]]:
        """On the engine's thread: check the signed-in person's password (with the server,
        or offline against the kept check); a new session replaces the old one online."""
        def work() -> dict[str, Any]:
            user = deskuser.unlock(self.store, password, token_store=self.token_store,
                                   transport=self._transport, settings=self.settings,
                                   clock=self.clock)
            if not user.get("offline"):
                self._handle(_Work("relogin"))
            return user
        return self.submit(work)

    def call_api(self, fn: Callable[[ApiClient], Any]) -> Future[Any]:
        """Run ``fn(client)`` on the engine's thread with its signed-in client (the desk's
        administration: users and PINs); ``SyncError(auth)`` when not signed in."""
        def work() -> Any:
            self._ensure_api()
            api = self._api
            if api is None:
                raise self._blocked or SyncError(ErrorKind.AUTH, "This desk is not signed in "
                                                                 "to a server.")
            return fn(api)
        return self.submit(work)

    def _push_for_switch(self) -> None:
        self._ensure_api()
        if self._syncer is None:
            raise self._blocked or SyncError(ErrorKind.AUTH, "This desk is not signed in.")
        self._syncer.push_all()

    # --- kiosk ------------------------------------------------------------------------
    def pin_login(self, technician_id: str, pin: str) -> Future[dict[str, Any]]:
        """Check a technician's PIN on a kiosk; the future holds the technician's user
        (``id``, ``technician_id``, ``display_name``, ...) and ``offline``.

        The kiosk keeps pushing with its own device session: every operation done for the
        technician passes their user id as ``acting_user_id`` (``Store.run``), and it goes
        up with its outbox entries however late. So the PIN is only *checked* here: with
        the server when it answers (``auth/pin``; the session that opens is ended at
        once), else against the verifier this kiosk pulled (``sync.pins``). A wrong PIN is
        ``SyncError(auth)``. Runs on its own thread, never behind a long push: it uses the
        client the engine thread made (never makes or closes one); if ``relogin`` closes it
        meanwhile, the request fails as a network error and the PIN is checked offline."""
        def work() -> dict[str, Any]:
            api = self._current_api()
            try:
                result: LoginResult = api.pin_login(technician_id, pin)
            except SyncError as exc:
                if exc.status is not None and exc.status < 500:
                    raise  # the server answered: a wrong PIN, a lockout, not a kiosk
                return self._offline_pin(api, technician_id, pin, exc)
            api.revoke(result.tokens)
            return {**result.user, "offline": False}
        fut: Future[dict[str, Any]] = Future()
        if fut.set_running_or_notify_cancel():
            def run() -> None:
                try:
                    fut.set_result(work())
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    fut.set_exception(exc)
            if self.synchronous:
                run()
            else:
                threading.Thread(target=run, name="bayline-pin", daemon=True).start()
        return fut

    def _offline_pin(self, api: ApiClient, technician_id: str, pin: str,
                     cause: SyncError) -> dict[str, Any]:
        try:
            secret = (self._token_store or TokenStore()).device_secret(
                api.server_url, api.client_id, create=False)
        except SyncError as exc:
            raise SyncError(ErrorKind.AUTH, "The server cannot be reached and this kiosk "
                                            f"cannot check PINs on its own: {exc.message}") from cause
        if secret is None or not pins.has_verifier(self.store, technician_id):
            # Not a wrong PIN (a kiosk's lockout must not count it): nothing to check with.
            raise SyncError(ErrorKind.NETWORK, "The server cannot be reached, and this kiosk "
                                               "has no PIN of this technician to check against "
                                               "yet. Try again when the server is back.",
                            retryable=True) from cause
        found = pins.check_offline(self.store, technician_id, pin, secret)
        if found is None:
            raise SyncError(ErrorKind.AUTH, "That PIN is not right (checked on this kiosk: "
                                            "the server cannot be reached).",
                            code="invalid_pin") from cause
        return {"id": found.user_id, "technician_id": found.technician_id,
                "display_name": found.name, "role": "technician", "offline": True}

    def end_pin_session(self) -> Future[Any]:
        """The technician is done: push what they did now (it is theirs however late it
        goes, so this only saves waiting)."""
        return self.submit(self._flush_quietly)

    # --- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the engine thread (cheap, touches neither the replica nor the network, so
        the UI thread may call it): the client, the quarantine retry and the first pull
        are the thread's first work item (``_begin``)."""
        if self._started:
            return
        self._started = True
        self._put(_Work("start"))
        self.timers.every("pull", self.settings.pull_interval,
                          lambda: self._put(_Work("timer_pull")))
        self.timers.every("housekeeping", self.settings.housekeeping_interval,
                          lambda: self._put(_Work("housekeeping")))
        self.timers.start()
        if not self.synchronous:
            self._thread = threading.Thread(target=self._loop, name="bayline-sync", daemon=True)
            self._thread.start()
        else:
            self.run_pending()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads; an in-flight request finishes (or times out) first."""
        self._stopping.set()
        self.timers.shutdown()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._thread is not None:
            self._queue.put(_Work("stop"))
            self._thread.join(timeout)
            self._thread = None
        with self._api_lock:
            api = self._api
        if api is not None:
            api.close()

    # --- synchronous mode -------------------------------------------------------------
    def run_pending(self) -> None:
        """Handle queued work and whatever is due now (synchronous mode)."""
        assert isinstance(self.timers, ManualTimers) or not self.synchronous
        if isinstance(self.timers, ManualTimers):
            self.timers.fire_due()
        items = self._drain(None)
        for item in items:
            self._handle_guarded(item)
        self._run_due()
        self._publish()

    def advance(self, seconds: float, *, step: float = 0.05) -> None:
        """Move the fake clock forward in small steps, running what falls due."""
        from sync.clock import FakeClock

        assert isinstance(self.clock, FakeClock), "advance() needs a FakeClock"
        remaining = seconds
        while remaining > 1e-9:
            dt = min(step, remaining)
            self.clock.advance(dt)
            remaining -= dt
            self.run_pending()

    def next_deadline(self) -> float | None:
        """When the engine next has something to do on its own (monotonic seconds)."""
        if self._syncer is None or self._blocked is not None:
            return None
        if self._retry_at is not None:
            return self._retry_at  # nothing goes out before the retry time
        now = self.clock.monotonic()
        deadlines = [d for d in (self._debounce.due_at(),) if d is not None]
        if self._push_wanted:
            deadlines.append(now)
        if self._pull_wanted:
            deadlines.append(self._pull_since + self.settings.max_wait
                             if self._pull_deferred(now) else now)
        return min(deadlines) if deadlines else None

    # --- the engine's thread ----------------------------------------------------------
    def _put(self, work: _Work) -> None:
        self._queue.put(work)

    def _drain(self, timeout: float | None) -> list[_Work]:
        items: list[_Work] = []
        try:
            if timeout is None:
                items.append(self._queue.get_nowait())
            else:
                items.append(self._queue.get(timeout=max(0.0, timeout)))
        except queue.Empty:
            return items
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items

    def _loop(self) -> None:
        last_publish = 0.0
        dirty = False
        while not self._stopping.is_set():
            deadline = self.next_deadline()
            if dirty:
                deadline = min(deadline or math.inf, last_publish + STATUS_INTERVAL)
            timeout = (self.settings.pull_interval if deadline is None
                       else max(0.0, deadline - self.clock.monotonic()))
            items = self._drain(timeout)
            for item in items:
                if item.kind == "stop":
                    return
                self._handle_guarded(item)
            try:
                before = self._status.connection
                worked = self._run_due()
                now = self.clock.monotonic()
                # A burst of edits must not cost four queries per edit: while only nudges
                # come, the status goes out at most every STATUS_INTERVAL.
                others = any(i.kind != "nudge" for i in items)
                if (worked or others or self._status.connection is not before
                        or now - last_publish >= STATUS_INTERVAL):
                    self._publish()
                    last_publish, dirty = now, False
                elif items:
                    dirty = True
            except Exception:  # noqa: BLE001 - the engine thread must not die
                log.exception("the sync engine hit an unexpected error")

    def _handle_guarded(self, item: _Work) -> None:
        """``_handle``; a storage fault on the way (the replica locked while a timer reads
        it) becomes a retry with backoff and words, never a dead engine thread."""
        try:
            self._handle(item)
        except StorageError as exc:
            self._storage_fault(exc)
        except Exception:  # noqa: BLE001 - the engine thread must not die
            log.exception("the sync engine hit an unexpected error handling %s", item.kind)

    def _storage_fault(self, exc: StorageError) -> None:
        """A local storage failure: a retryable fault, or, when the replica is damaged, a
        stop until restart (which sets the file aside and rebuilds it: ``app.recovery``)."""
        if exc.damaged:
            self._fail(SyncError(ErrorKind.LOCAL, f"{exc.message} Close and reopen Bayline: "
                                 "it sets the file aside and rebuilds it from the server."))
        else:
            self._want_pull()
            self._push_wanted = True
            self._fail(SyncError(ErrorKind.LOCAL, exc.message, retryable=True))

    def _handle(self, item: _Work) -> None:
        kind = item.kind
        if kind == "start":
            self._begin()
        elif kind == "nudge":
            self._fold_nudges()
        elif kind == "poke":
            if item.head is None or item.head > self._cursor:
                self._want_pull()
            self._reachable()
        elif kind == "connected":
            self._want_pull()
            self._reachable()
        elif kind == "timer_pull":
            # The fallback timer: pull, and push anything a missed nudge left behind.
            self._want_pull()
            with self.store.read() as s:
                if pending_count(s):
                    self._push_wanted = True
        elif kind == "retry":
            pass  # waking up is enough: _run_due sees the retry time has come
        elif kind == "sync_now":
            self._push_wanted = True
            self._want_pull()
            self._blocked = None
            self._reachable()
        elif kind == "relogin":
            self._blocked = None
            if self._listener is not None:
                self._listener.stop()
                self._listener = None
            with self._api_lock:
                old, self._api, self._syncer = self._api, None, None
            if old is not None:
                old.close()
            self._ensure_api()
            self._start_listener()
            self._push_wanted = True
            self._want_pull()
            self._reachable()
        elif kind == "housekeeping":
            self._housekeeping()
        elif (kind == "call" and item.fn is not None and item.future is not None
              and item.future.set_running_or_notify_cancel()):
            try:
                item.future.set_result(item.fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                item.future.set_exception(exc)

    def _fold_nudges(self) -> None:
        """Hand the edits recorded by ``nudge`` to the debouncer."""
        with self._nudge_lock:
            first, last, urgent = self._edits_first, self._edits_last, self._edits_urgent
            self._edits_first = self._edits_last = None
            self._edits_urgent = self._nudge_queued = False
        if first is not None and last is not None:
            self._debounce.edit(first)
            self._debounce.edit(last, urgent=urgent)

    def _want_pull(self) -> None:
        if not self._pull_wanted:
            self._pull_wanted = True
            self._pull_since = self.clock.monotonic()

    def _pull_deferred(self, now: float) -> bool:
        """While edits are still coming (a burst), the pull waits for the push that will
        follow them, so a burst costs its pushes and one pull; never longer than the
        maximum wait."""
        return (self._debounce.waiting and not self._debounce.is_due(now)
                and now - self._pull_since < self.settings.max_wait)

    def _reachable(self) -> None:
        """The server answered (a poke, a reconnect): retry now instead of waiting, unless
        the server itself asked for the wait (``Retry-After``, say a 429 of a busy server):
        then a poke does not cut it short, or every device of a busy shop would come back
        at each poke."""
        asked = self._last_error is not None and self._last_error.retry_after is not None
        if asked and self._retry_at is not None and self.clock.monotonic() < self._retry_at:
            return
        if self._retry_at is not None:
            self._retry_at = None
            self._backoff.reset()
            self.timers.cancel("retry")
            with self.store.read() as s:
                if pending_count(s):
                    self._push_wanted = True

    def _begin(self) -> None:
        """The engine thread's first work: the client, every quarantined change tried again
        (each start is after any migration; rows that now apply are announced so views
        repaint), offline edits from before the restart pushed, a pull."""
        self._ensure_api()
        self._want_pull()
        try:
            applied = retry_held(self.store)
            with self.store.read() as s:
                self._cursor = sync_state(s).cursor
                if pending_count(s):
                    self._push_wanted = True
        except StorageError as exc:
            self._storage_fault(exc)
        else:
            self._emit_changes(Changes({e: frozenset(ids) for e, ids in applied.rows.items()
                                        if ids}, source="sync"))
        self._start_listener()

    def _ensure_api(self) -> None:
        """Make the client (engine thread only)."""
        if self._api is not None:
            return
        try:
            api = account.client_for(self.store, settings=self.settings,
                                     token_store=self._token_store,
                                     transport=self._transport, clock=self.clock)
        except SyncError as exc:
            self._blocked = exc
            self._last_error = exc
            return
        syncer = Syncer(self.store, api, settings=self.settings, clock=self.clock,
                        sealer=self._sealer(api))
        with self._api_lock:
            self._api, self._syncer = api, syncer

    def _sealer(self, api: ApiClient) -> pins.Sealer:
        return pins.Sealer.from_keyring(api.server_url, api.client_id, self._token_store)

    def _current_api(self) -> ApiClient:
        """The client the engine thread made, for another thread (the PIN check)."""
        with self._api_lock:
            api, blocked = self._api, self._blocked
        if api is None:
            if blocked is not None and blocked.kind is ErrorKind.AUTH:
                raise blocked
            raise SyncError(ErrorKind.AUTH, "This device is not connected to the server yet "
                                            "(not logged in, or sync has not started).")
        return api

    def _start_listener(self) -> None:
        if not self._live_enabled or self._api is None or self._listener is not None:
            return
        self._listener = LiveListener(
            self._api, self.settings,
            on_poke=self.pull_now,
            on_connected=lambda: self._put(_Work("connected")),
            on_error=self._on_listener_error, rng=self._rng)
        self._listener.start()

    def _on_listener_error(self, exc: SyncError) -> None:
        self._put(_Work("call", fn=lambda: self._fail(exc), future=Future()))

    def _flush_quietly(self) -> None:
        if self._syncer is None:
            return
        try:
            self._syncer.push_all()
        except SyncError as exc:
            log.info("could not push before switching sessions: %s", exc.message)

    # --- doing the work ---------------------------------------------------------------
    def _run_due(self) -> bool:
        """Push and pull if it is time; True when something was tried."""
        if self._syncer is None or self._blocked is not None:
            return False
        now = self.clock.monotonic()
        if self._retry_at is not None and now < self._retry_at:
            return False
        self._fold_nudges()
        push = self._push_wanted or self._debounce.is_due(now)
        pull = self._pull_wanted and not self._pull_deferred(now)
        if not push and not pull:
            return False
        syncer = self._syncer
        self._set_connection(Connection.SYNCING)
        failure: SyncError | None = None
        if push:
            self._debounce.taken()
            self._push_wanted = False
            failure = self._guard(lambda: self._push(syncer))
            if failure is not None:
                self._push_wanted = True
        # Pull even when the server answered the push with an error (a bad batch must not
        # keep other devices' work away). Not when no answer came: the push may still be
        # committing, and a pull meanwhile could report an LMID older than its rows.
        self._fold_nudges()  # edits made while we pushed
        if self._pull_wanted and self._pull_deferred(self.clock.monotonic()):
            pass  # the next push is close; its pull brings everything
        elif self._pull_wanted and (failure is None or (
                failure.status is not None
                and failure.kind not in (ErrorKind.AUTH, ErrorKind.TOO_OLD))):
            self._pull_wanted = False
            pull_failure = self._guard(lambda: self._pull(syncer))
            if pull_failure is not None:
                self._want_pull()
                failure = failure or pull_failure
        if failure is not None:
            self._fail(failure)
        else:
            self._succeeded()
        return True

    def _guard(self, fn: Callable[[], None]) -> SyncError | None:
        """Run ``fn``; a ``SyncError`` (or a local storage problem) is returned, not raised."""
        try:
            fn()
        except SyncError as exc:
            return exc
        except StorageError as exc:
            # This computer's disk, not the server: retried with backoff, in words. Nothing
            # was committed, so no outbox entry is lost or moved (the push goes again).
            if exc.damaged:
                return SyncError(ErrorKind.LOCAL, f"{exc.message} Close and reopen Bayline: "
                                 "it sets the file aside and rebuilds it from the server.")
            return SyncError(ErrorKind.LOCAL, exc.message, retryable=True)
        except Exception as exc:  # noqa: BLE001 - a bug must not leave the status "Syncing"
            log.exception("sync failed with an unexpected error")
            return SyncError(ErrorKind.LOCAL, "Sync stopped on an unexpected error (it is in "
                             f"the log: {type(exc).__name__}); it is tried again.",
                             retryable=True)
        return None

    def _pull(self, syncer: Syncer) -> None:
        changes = syncer.pull_to_head()
        # Off the desk's write path: what the round wrote goes back into the database file
        # (app.wal; passive, so a desk write meanwhile neither waits nor is waited for).
        self.store.checkpoint()
        with self.store.read() as s:
            self._cursor = sync_state(s).cursor
        if syncer.push_waited_for_pull:  # a rebuilt replica's carried-over changes go now
            syncer.push_waited_for_pull = False
            self._push_wanted = True
        self._emit_changes(changes)

    def _push(self, syncer: Syncer) -> None:
        refused: set[str] = set()
        for result in syncer.push_all():
            if result.settled is not None:
                refused |= {str(i) for i in result.settled.rejected + result.settled.conflicts}
                if result.head is not None and result.head > self._cursor:
                    self._want_pull()
        if refused:
            self._want_pull()  # the server re-sent the refused rows: a pull takes its state
            # Views of refused changes (sync.outcomes) refresh on this.
            self._emit_changes(Changes({"mutation_outcome": frozenset(refused)}, source="sync"))

    def _succeeded(self) -> None:
        self._backoff.reset()
        self._retry_at = None
        self._last_error = None
        if self._listener is not None and not self._listener.connected:
            self._listener.wake()
        self._set_connection(Connection.ONLINE)

    def _fail(self, exc: SyncError) -> None:
        self._last_error = exc
        if exc.kind in (ErrorKind.AUTH, ErrorKind.TOO_OLD, ErrorKind.LOCAL) and not exc.retryable:
            # Nothing to retry until a person acts (log in again, update).
            self._blocked = exc
            self._set_connection(Connection.ERROR)
            log.warning("sync stopped: %s", exc.message)
        else:
            delay = retry_delay(exc, self._backoff, self.settings)
            self._retry_at = self.clock.monotonic() + delay
            self.timers.after("retry", delay, lambda: self._put(_Work("retry")))
            self._set_connection(Connection.OFFLINE if exc.kind is ErrorKind.NETWORK
                                 else Connection.ERROR)
            log.info("sync failed (%s); retrying in %.1f s", exc.message, delay)
        if self._syncer is not None:
            with contextlib.suppress(StorageError):
                self._syncer.mark_synced(exc)

    def _housekeeping(self) -> None:
        cutoff = self.clock.now() - timedelta(days=self.settings.outcome_retention_days)
        try:
            with self.store.write_session() as s:
                prune_outcomes(s, cutoff)
        except StorageError as exc:
            log.info("housekeeping skipped: %s", exc.message)
        self.store.checkpoint()

    # --- telling the UI ---------------------------------------------------------------
    def _set_connection(self, connection: Connection) -> None:
        if self._status.connection is not connection:
            self._publish(connection)

    def _publish(self, connection: Connection | None = None) -> None:
        try:
            with self.store.read() as s:
                st = sync_state(s)
                pending = pending_count(s)
                conflicts = open_conflicts(s, st.client_id)
                refused = count_refused(s)  # refused operations: one per click
                last_sync_at = st.last_sync_at
                not_applied = quarantine.count(s)
                why = quarantine.first_reason(s) if not_applied else None
        except StorageError:
            return
        if connection is None:
            connection = self._status.connection
        if self._api is None:
            connection = Connection.SIGNED_OUT
        elif self._blocked is not None:
            connection = Connection.ERROR
        err = self._last_error or self._blocked
        retry_at = None  # whole seconds, so an unchanged wait is an unchanged status
        if self._retry_at is not None and self._blocked is None:
            retry_at = (self.clock.now() + timedelta(
                seconds=self._retry_at - self.clock.monotonic())).replace(microsecond=0)
        status = SyncStatus(connection=connection, pending=pending, last_sync_at=last_sync_at,
                            last_error=err.message if err else None,
                            error_kind=err.kind if err else None, open_conflicts=conflicts,
                            refused=refused,
                            live=bool(self._listener is not None and self._listener.connected),
                            not_applied=not_applied, not_applied_reason=why,
                            clock_skew=self._api.clock_skew if self._api is not None else None,
                            retry_at=retry_at)
        if status != self._status:
            self._status = status
            for fn in list(self._status_listeners):
                try:
                    fn(status)
                except Exception:  # noqa: BLE001 - a listener's bug must not stop sync
                    log.exception("a sync status listener failed")

    def _emit_changes(self, changes: Changes) -> None:
        if changes.empty:
            return
        for fn in list(self._changes_listeners):
            try:
                fn(changes)
            except Exception:  # noqa: BLE001
                log.exception("a sync changes listener failed")
