"""The live listener: pokes become pulls, reconnects back off, auth trouble waits."""

from __future__ import annotations

import threading
import time

import httpx

from sync.credentials import Tokens
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient
from sync.live import LiveListener
from sync.settings import SyncSettings

SETTINGS = SyncSettings().but(backoff_base=0.02, backoff_cap=0.08)


def sse(*events: str) -> httpx.Response:
    body = "".join(events).encode()
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)


def api(handler: httpx.MockTransport) -> ApiClient:
    return ApiClient("https://bayline.test", client_id="c", settings=SETTINGS,
                     transport=handler, tokens=Tokens("access", "refresh", None))


def wait(cond: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_pokes_are_handed_over_and_broken_streams_reconnect_with_backoff() -> None:
    attempts: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        attempts.append(time.monotonic())
        assert request.headers["Authorization"] == "Bearer access"
        n = len(attempts)
        if n == 1:
            raise httpx.ConnectError("no route", request=request)
        if n == 2:
            return sse('event: poke\ndata: {"head": 3}\n\n', ": keepalive\n\n",
                       'event: poke\ndata: {"head": 4}\n\n')
        return sse('event: poke\ndata: {"head": 9}\n\n')

    heads: list[int | None] = []
    connected = threading.Event()
    listener = LiveListener(api(httpx.MockTransport(handle)), SETTINGS,
                            on_poke=heads.append, on_connected=connected.set,
                            on_error=lambda e: None)
    listener.start()
    try:
        wait(lambda: 9 in heads and len(attempts) >= 4)
    finally:
        listener.stop()
    assert heads[:3] == [3, 4, 9]
    assert connected.is_set()
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert all(g >= 0.75 * 0.02 * 0.9 for g in gaps)  # never reconnects in a tight loop
    assert max(gaps) <= 1.0


def test_log_in_again_stops_the_listener_until_it_is_woken() -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(401, json={"error": "not_authenticated", "detail": "expired"})

    errors: list[SyncError] = []
    listener = LiveListener(api(httpx.MockTransport(handle)), SETTINGS, on_poke=lambda h: None,
                            on_connected=lambda: None, on_error=errors.append)
    listener.start()
    try:
        wait(lambda: bool(errors))
        settled = len(calls)
        time.sleep(0.3)
        assert len(calls) == settled  # no hammering while nobody can log in
        assert errors[0].kind is ErrorKind.AUTH
        assert calls[-1].endswith("/auth/refresh")  # one refresh was tried first
    finally:
        listener.stop()
