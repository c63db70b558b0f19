"""The HTTP client of the sync protocol: one long-lived ``httpx.Client``, and the edge where
every httpx exception and every unexpected status becomes a ``SyncError``.

Each call here is a single attempt (plus one token refresh on 401). Waiting and trying
again is the caller's business: the engine schedules retries on its own timer so that it
never sleeps while edits wait, and the command line uses ``call_with_retries``.
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from httpx_sse import EventSource, SSEError, connect_sse

from app.timeutil import parse_rfc3339, to_rfc3339
from sync.backoff import Backoff, parse_retry_after
from sync.clock import Clock, SystemClock
from sync.credentials import Tokens
from sync.errors import LOG_IN_AGAIN, TOO_OLD, ErrorKind, MutationGap, SyncError
from sync.settings import SyncSettings

log = logging.getLogger(__name__)

#: The sync schema this client speaks (PROTOCOL.md v1).
SCHEMA_VERSION = 1
API_PREFIX = "/api/v1"
USER_AGENT = "Bayline-Desk/0.1"

T = TypeVar("T")


def normalize_server_url(url: str) -> str:
    """``https://host:port`` without a trailing slash or the API prefix.

    ``http://localhost`` becomes ``http://127.0.0.1``: Windows tries ``::1`` first and,
    against a server bound to 127.0.0.1 (its default), spends about 2 s on every new
    connection before falling back. An ``https`` address keeps its name, which TLS checks.
    """
    url = url.strip().rstrip("/")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    if not url.startswith(("http://", "https://")):
        raise SyncError(ErrorKind.LOCAL, f"'{url}' is not a server address; it starts with "
                                         "https:// (or http:// on a trusted network).")
    parts = urlsplit(url)
    if parts.scheme == "http" and (parts.hostname or "").rstrip(".") == "localhost":
        netloc = "127.0.0.1" + (f":{parts.port}" if parts.port is not None else "")
        url = urlunsplit(parts._replace(netloc=netloc))
    return url


@dataclass(frozen=True)
class LoginResult:
    tokens: Tokens
    #: The protocol's user object: id, username, display_name, role, shop_id, technician_id.
    user: dict[str, Any]


@dataclass(frozen=True)
class Poke:
    """One event of the live stream; ``head`` is the shop's new head when given."""

    event: str
    head: int | None


class ApiClient:
    """The protocol's endpoints. Thread-safe: the engine and the live listener share it."""

    def __init__(self, server_url: str, *, client_id: str,
                 settings: SyncSettings | None = None, clock: Clock | None = None,
                 transport: httpx.BaseTransport | None = None, tokens: Tokens | None = None,
                 on_tokens: Callable[[Tokens], None] | None = None) -> None:
        self.server_url = normalize_server_url(server_url)
        self.client_id = client_id
        self.settings = settings or SyncSettings()
        self.clock = clock or SystemClock()
        self._tokens = tokens
        self._on_tokens = on_tokens
        self._token_lock = threading.Lock()
        #: Counted for the benchmarks: every request sent, whatever its outcome.
        self.requests_sent = 0
        #: How far this computer's clock is ahead of the server's (seconds; negative:
        #: behind), as the last push answer said; None until one said.
        self.clock_skew: float | None = None
        if transport is None:
            verify: ssl.SSLContext | bool = True  # TLS is always verified
            if self.settings.ca_bundle:
                verify = ssl.create_default_context(cafile=self.settings.ca_bundle)
            # retries=1 repeats only a failed connection attempt: the request was not sent.
            transport = httpx.HTTPTransport(verify=verify, http2=self.settings.http2, retries=1)
        self._http = httpx.Client(
            base_url=self.server_url + API_PREFIX, transport=transport,
            timeout=self.settings.timeout(), follow_redirects=False,
            headers={"X-Client-Id": client_id, "X-Schema-Version": str(SCHEMA_VERSION),
                     "User-Agent": USER_AGENT, "Accept": "application/json"})
        if self.server_url.startswith("http://") and not _is_loopback(self.server_url):
            log.warning("the connection to %s is not encrypted (http://)", self.server_url)

    def close(self) -> None:
        self._http.close()

    # --- tokens -----------------------------------------------------------------------
    @property
    def tokens(self) -> Tokens | None:
        return self._tokens

    def set_tokens(self, tokens: Tokens | None) -> None:
        """Use ``tokens`` from now on."""
        with self._token_lock:
            self._tokens = tokens

    def _tokens_from(self, data: dict[str, Any]) -> LoginResult:
        try:
            expires_in = data.get("expires_in")
            expires_at = (self.clock.now().timestamp() + float(expires_in)
                          if expires_in is not None else None)
            tokens = Tokens(str(data["access_token"]), str(data["refresh_token"]), expires_at)
            user = dict(data.get("user") or {})
        except (KeyError, TypeError, ValueError) as exc:
            raise SyncError(ErrorKind.SERVER, "The server's login answer was not understood.") from exc
        return LoginResult(tokens, user)

    def _access_token(self) -> str:
        """A current access token, refreshed first when it is about to expire."""
        tokens = self._tokens
        if tokens is None:
            raise SyncError(ErrorKind.AUTH, "Not logged in. Log in to keep this computer in sync.")
        expiring = (tokens.expires_at is not None and self.clock.now().timestamp()
                    > tokens.expires_at - self.settings.token_refresh_margin)
        if not tokens.access_token or expiring:
            tokens = self._refresh(tokens)
        return tokens.access_token

    def _refresh(self, stale: Tokens) -> Tokens:
        """Trade the refresh token for a new pair, once even if two threads ask at once."""
        with self._token_lock:
            current = self._tokens
            if current is not None and current is not stale and current.access_token:
                return current  # another thread refreshed while we waited
            if current is None:
                raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN)
            resp = self._request("POST", "/auth/refresh", auth=None,
                                 body={"refresh_token": current.refresh_token})
            if resp.status_code in (400, 401, 403):
                self._tokens = None
                raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN, status=resp.status_code,
                                code=_error_code(resp))
            result = self._tokens_from(_json(_check(resp)))
            self._tokens = result.tokens
        if self._on_tokens is not None:
            self._on_tokens(result.tokens)
        return result.tokens

    # --- requests ---------------------------------------------------------------------
    def _request(self, method: str, path: str, *, auth: str | None, body: Any = None,
                 params: dict[str, Any] | None = None,
                 timeout: httpx.Timeout | None = None) -> httpx.Response:
        """Send once; transport failures become ``SyncError``; the response is not checked."""
        headers: dict[str, str] = {}
        content: bytes | None = None
        if auth is not None:
            headers["Authorization"] = f"Bearer {auth}"
        if body is not None:
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
            if len(content) >= self.settings.gzip_min_bytes:
                content = gzip.compress(content, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        self.requests_sent += 1
        try:
            return self._http.request(method, path, content=content, params=params,
                                      headers=headers, timeout=timeout or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from exc
        except RuntimeError as exc:
            # httpx: "the client has been closed" (the engine thread replaced it while
            # another thread still held it): as if the network had dropped; tried again.
            raise SyncError(ErrorKind.NETWORK, "The connection was closed; it is tried "
                                               "again.", retryable=True) from exc
        except httpx.InvalidURL as exc:
            raise SyncError(ErrorKind.LOCAL, f"The server address is not valid: {exc}") from exc

    def _authed(self, method: str, path: str, *, body: Any = None,
                params: dict[str, Any] | None = None) -> httpx.Response:
        """An authenticated call: on 401 refresh the token once and try again."""
        token = self._access_token()
        resp = self._request(method, path, auth=token, body=body, params=params)
        if resp.status_code == 401:
            stale = self._tokens
            if stale is None:
                raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN, status=401)
            token = self._refresh(stale).access_token
            resp = self._request(method, path, auth=token, body=body, params=params)
            if resp.status_code == 401:
                raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN, status=401, code=_error_code(resp))
        return _check(resp)

    # --- auth endpoints ---------------------------------------------------------------
    def login(self, username: str, password: str, device_name: str) -> LoginResult:
        resp = self._request("POST", "/auth/login", auth=None,
                             body={"username": username, "password": password,
                                   "device_name": device_name})
        if resp.status_code == 401:
            raise SyncError(ErrorKind.AUTH, "The user name or password is not right.",
                            status=401, code=_error_code(resp))
        result = self._tokens_from(_json(_check(resp)))
        self.set_tokens(result.tokens)
        return result

    def pin_login(self, technician_id: str, pin: str) -> LoginResult:
        """A technician's session opened with a PIN on a kiosk (uses the device's token).

        The result is not installed as this client's session: the caller decides.
        """
        resp = self._request("POST", "/auth/pin", auth=self._access_token(),
                             body={"technician_id": technician_id, "pin": pin})
        if resp.status_code == 401 and _error_code(resp) not in ("invalid_pin",
                                                                  "invalid_credentials"):
            stale = self._tokens
            if stale is not None:
                resp = self._request("POST", "/auth/pin", auth=self._refresh(stale).access_token,
                                     body={"technician_id": technician_id, "pin": pin})
        if resp.status_code == 401:
            raise SyncError(ErrorKind.AUTH, "That PIN is not right.", status=401,
                            code=_error_code(resp))
        return self._tokens_from(_json(_check(resp)))

    def revoke(self, tokens: Tokens) -> None:
        """End another session by its refresh token (a PIN session used only to check a
        PIN online). Best effort: a failure is logged, never raised."""
        try:
            resp = self._request("POST", "/auth/logout", auth=None,
                                 body={"refresh_token": tokens.refresh_token})
            if resp.status_code >= 400:
                log.info("ending a PIN session on the server failed (%s)", resp.status_code)
        except SyncError as exc:
            log.info("ending a PIN session on the server failed: %s", exc.message)

    def logout(self) -> None:
        """Revoke this session's refresh token on the server (best effort by the caller)."""
        if self._tokens is None:
            return
        try:
            self._authed("POST", "/auth/logout")
        finally:
            self.set_tokens(None)

    # --- sync endpoints ---------------------------------------------------------------
    def push(self, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        """One batch; the body carries this computer's clock (``device_time``), and the
        server's answer says how far off it is (kept in ``clock_skew``)."""
        sent_at = self.clock.now()
        body = {"client_id": self.client_id, "schema_version": SCHEMA_VERSION,
                "device_time": to_rfc3339(sent_at), "mutations": mutations}
        answer = _json(self._authed("POST", "/sync/push", body=body))
        self._note_skew(answer, sent_at)
        return answer

    def _note_skew(self, answer: dict[str, Any], sent_at: datetime) -> None:
        skew = answer.get("clock_skew_seconds")
        if isinstance(skew, int | float) and not isinstance(skew, bool):
            self.clock_skew = float(skew)
            return
        server_time = answer.get("server_time")
        if isinstance(server_time, str):
            try:
                # The server read its clock between our send and its answer: compare with
                # the middle of the round trip.
                received = self.clock.now()
                middle = sent_at + (received - sent_at) / 2
                theirs = parse_rfc3339(server_time)
                if theirs is not None:
                    self.clock_skew = (middle - theirs).total_seconds()
            except ValueError:
                pass

    def pull(self, cursor: int, limit: int) -> dict[str, Any]:
        return _json(self._authed("GET", "/sync/pull",
                                  params={"cursor": cursor, "limit": limit}))

    # --- admin endpoints (the desk's administration; not sync) --------------------------
    def list_users(self) -> list[dict[str, Any]]:
        """The shop's users (admin only): id, username, display_name, role, technician_id,
        active."""
        data = self._authed("GET", "/users")
        try:
            users = data.json()
        except ValueError as exc:
            raise SyncError(ErrorKind.SERVER, "The server's answer was not understood.",
                            status=data.status_code) from exc
        if not isinstance(users, list):
            raise SyncError(ErrorKind.SERVER, "The server's answer was not understood.",
                            status=data.status_code)
        return [dict(u) for u in users if isinstance(u, dict)]

    def create_user(self, *, username: str, password: str, role: str,
                    display_name: str | None = None, technician_id: str | None = None,
                    pin: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"username": username, "password": password, "role": role}
        for name, value in (("display_name", display_name), ("technician_id", technician_id),
                            ("pin", pin)):
            if value is not None:
                body[name] = value
        return _json(self._authed("POST", "/users", body=body))

    def update_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Change ``display_name``, ``role``, ``password``, ``pin`` or ``active``."""
        return _json(self._authed("PATCH", f"/users/{user_id}", body=fields))

    def set_pin(self, technician_id: str, pin: str) -> None:
        """Set or change a technician's kiosk PIN (manager or admin)."""
        self._authed("PUT", f"/technicians/{technician_id}/pin", body={"pin": pin})

    def reset_pin(self, technician_id: str) -> None:
        """Remove a technician's kiosk PIN."""
        self._authed("DELETE", f"/technicians/{technician_id}/pin")

    def health(self) -> bool:
        try:
            return self._request("GET", "/health", auth=None).status_code == 200
        except SyncError:
            return False

    @contextmanager
    def events(self) -> Iterator[EventStream]:
        """The live stream; iterate it for pokes. ``close()`` from another thread ends it."""
        timeout = self.settings.events_timeout()
        for attempt in (0, 1):
            token = self._access_token()
            headers = {"Authorization": f"Bearer {token}"}
            self.requests_sent += 1
            try:
                with connect_sse(self._http, "GET", "/sync/events", headers=headers,
                                 timeout=timeout) as source:
                    resp = source.response
                    if resp.status_code == 401 and attempt == 0 and self._tokens is not None:
                        resp.read()
                        self._refresh(self._tokens)
                        continue
                    if resp.status_code >= 400:
                        resp.read()
                        _check(resp)
                    yield EventStream(source)
                    return
            except httpx.HTTPError as exc:
                raise _transport_error(exc) from exc
            except SSEError as exc:
                raise SyncError(ErrorKind.SERVER, f"The live stream is not an event stream: {exc}",
                                retryable=True) from exc
        raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN, status=401)


class EventStream:
    """An open event stream: iterate for ``Poke``s; ``close`` may come from another thread."""

    def __init__(self, source: EventSource) -> None:
        self._source = source
        self.closed = False

    def __iter__(self) -> Iterator[Poke]:
        try:
            for sse in self._source.iter_sse():
                head: int | None = None
                if sse.data:
                    try:
                        value = json.loads(sse.data).get("head")
                        head = int(value) if value is not None else None
                    except (ValueError, AttributeError, TypeError):
                        head = None
                yield Poke(sse.event or "message", head)
        except (httpx.HTTPError, SSEError) as exc:
            if self.closed:
                return
            if isinstance(exc, SSEError):
                raise SyncError(ErrorKind.SERVER, f"The live stream broke: {exc}",
                                retryable=True) from exc
            raise _transport_error(exc) from exc

    def close(self) -> None:
        """End the stream now, even while another thread is blocked reading it."""
        self.closed = True
        try:
            # Closing a socket does not wake a thread blocked in recv(); shutting it down does.
            network = self._source.response.extensions.get("network_stream")
            sock = network.get_extra_info("socket") if network is not None else None
            if isinstance(sock, socket.socket):
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
        try:
            self._source.response.close()
        except Exception:  # noqa: BLE001 - closing from another thread may race; it is closed
            log.debug("closing the event stream raised", exc_info=True)


def _is_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    return host in ("localhost", "::1") or host.startswith("127.")


def _transport_error(exc: httpx.HTTPError) -> SyncError:
    """A transport failure as a ``SyncError``; ``status`` is None: no answer came."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        return SyncError(ErrorKind.NETWORK, "The server cannot be reached.", retryable=True,
                         reached=False)
    if isinstance(exc, httpx.TimeoutException):
        err = SyncError(ErrorKind.NETWORK, "The server took too long to answer.", retryable=True)
    elif isinstance(exc, httpx.TransportError):
        err = SyncError(ErrorKind.NETWORK, "The connection to the server broke off.",
                        retryable=True)
    else:
        err = SyncError(ErrorKind.SERVER, f"The server's answer could not be read: "
                                          f"{type(exc).__name__}", retryable=True)
    return err


def _error_code(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code is not None else None


def _detail(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return ""
    return str(data.get("detail") or "") if isinstance(data, dict) else ""


def _check(resp: httpx.Response) -> httpx.Response:
    """The response if 2xx, else the ``SyncError`` its status means."""
    status = resp.status_code
    if 200 <= status < 300:
        return resp
    try:
        resp.read()
    except httpx.HTTPError as exc:
        raise _transport_error(exc) from exc
    code, detail = _error_code(resp), _detail(resp)
    if status == 401:
        raise SyncError(ErrorKind.AUTH, LOG_IN_AGAIN, status=status, code=code)
    if status == 403:
        raise SyncError(ErrorKind.AUTH, detail or "Your account may not do this.",
                        status=status, code=code)
    if status == 409:
        if code == "mutation_gap":
            try:
                lmid = int(resp.json()["last_mutation_id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SyncError(ErrorKind.SERVER, "The server reported a gap without its "
                                                  "last mutation id.", status=409) from exc
            raise MutationGap(lmid, detail or "The server is missing earlier changes.")
        raise SyncError(ErrorKind.CONFLICT, detail or "The server refused the sync state.",
                        status=status, code=code)
    if status == 426:
        raise SyncError(ErrorKind.TOO_OLD, TOO_OLD, status=status, code=code)
    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
    if status in (408, 429) or status >= 500:
        message = ("The server is busy; trying again shortly." if status == 429
                   else f"The server had a problem ({status}); trying again shortly.")
        raise SyncError(ErrorKind.SERVER, message, retryable=True, retry_after=retry_after,
                        status=status, code=code)
    raise SyncError(ErrorKind.SERVER, detail or f"The server refused the request ({status}).",
                    status=status, code=code)


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except (ValueError, httpx.HTTPError) as exc:
        raise SyncError(ErrorKind.SERVER, "The server's answer was not understood.",
                        retryable=True, status=resp.status_code) from exc
    if not isinstance(data, dict):
        raise SyncError(ErrorKind.SERVER, "The server's answer was not understood.",
                        retryable=True, status=resp.status_code)
    return data


def call_with_retries(fn: Callable[[], T], *, settings: SyncSettings, clock: Clock,
                      attempts: int | None = None, backoff: Backoff | None = None) -> T:
    """Call ``fn`` until it succeeds, retrying retryable ``SyncError``s with backoff and
    honouring ``Retry-After``; the last error is raised after ``attempts`` tries."""
    tries = attempts if attempts is not None else settings.cli_attempts
    backoff = backoff or Backoff(settings.backoff_base, settings.backoff_cap,
                                 settings.backoff_jitter)
    for n in range(1, tries + 1):
        try:
            return fn()
        except SyncError as exc:
            if not exc.retryable or n == tries:
                raise
            delay = retry_delay(exc, backoff, settings)
            log.info("retrying in %.1f s: %s", delay, exc.message)
            clock.sleep(delay)
    raise AssertionError("unreachable")


def retry_delay(exc: SyncError, backoff: Backoff, settings: SyncSettings) -> float:
    """How long to wait after ``exc``: the backoff, but never less than ``Retry-After``."""
    cap = None if exc.reached else settings.network_retry_cap
    delay = backoff.next_delay(cap=cap)
    if exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, settings.retry_after_cap))
    return delay
