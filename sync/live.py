"""The live listener: a thread on the server's event stream that asks for a pull on every
poke, and reconnects with backoff when the stream breaks."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from sync.backoff import Backoff
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient, EventStream
from sync.settings import SyncSettings

log = logging.getLogger(__name__)


class LiveListener:
    """Listens on ``GET /sync/events`` on its own thread. Callbacks run on that thread and
    must only hand work over (the engine enqueues it)."""

    def __init__(self, api: ApiClient, settings: SyncSettings, *,
                 on_poke: Callable[[int | None], None],
                 on_connected: Callable[[], None],
                 on_error: Callable[[SyncError], None],
                 rng: random.Random | None = None) -> None:
        self.api = api
        self.settings = settings
        self.on_poke = on_poke
        self.on_connected = on_connected
        self.on_error = on_error
        self.backoff = Backoff(settings.backoff_base, settings.backoff_cap,
                               settings.backoff_jitter, rng)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._stream: EventStream | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.connected = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="bayline-live", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._close_stream()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Try to connect now (the engine just reached the server): forget the backoff."""
        self.backoff.reset()
        self._wake.set()

    def _close_stream(self) -> None:
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            blocked = False
            try:
                with self.api.events() as stream:
                    with self._lock:
                        self._stream = stream
                    if self._stop.is_set():
                        return
                    self.connected = True
                    self.backoff.reset()
                    self.on_connected()
                    for poke in stream:
                        if self._stop.is_set():
                            return
                        if poke.event == "poke":
                            self.on_poke(poke.head)
                log.info("the event stream ended; reconnecting")
            except SyncError as exc:
                if exc.kind in (ErrorKind.AUTH, ErrorKind.TOO_OLD, ErrorKind.LOCAL):
                    blocked = True
                    self.on_error(exc)
                else:
                    log.info("event stream: %s", exc.message)
            except Exception:  # noqa: BLE001 - the listener must outlive surprises
                log.exception("the event stream failed unexpectedly")
            finally:
                self.connected = False
                with self._lock:
                    self._stream = None
            if self._stop.is_set():
                return
            # Blocked (logged out, too old): wait until someone wakes us, then try again.
            delay = None if blocked else self.backoff.next_delay()
            self._wake.wait(delay)
            self._wake.clear()
