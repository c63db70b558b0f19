"""The HTTP edge: headers, gzip, 401 refresh, 426, retries and Retry-After, and nothing
from httpx escaping sync/."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable

import httpx
import pytest

from app.db import Store
from sync.backoff import Backoff
from sync.clock import FakeClock
from sync.credentials import Tokens
from sync.engine import SyncEngine
from sync.errors import LOG_IN_AGAIN, ErrorKind, SyncError
from sync.http import ApiClient, call_with_retries
from sync.settings import SyncSettings
from sync.status import Connection
from tests.sync.conftest import SERVER
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import edit, new_job, outbox

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


def client(fake: FakeServer, **kw: object) -> ApiClient:
    data = fake.issue_tokens()
    tokens = Tokens(data["access_token"], data["refresh_token"], None)
    return ApiClient(SERVER, client_id="11111111-1111-4111-8111-111111111111",
                     transport=fake.transport(), tokens=tokens, **kw)  # type: ignore[arg-type]


def test_every_request_names_the_client_and_the_schema(fake: FakeServer) -> None:
    api = client(fake)
    api.pull(0, 100)
    request = fake.requests[-1]
    assert request.headers["X-Client-Id"] == "11111111-1111-4111-8111-111111111111"
    assert request.headers["X-Schema-Version"] == "1"
    assert request.headers["Authorization"].startswith("Bearer access-")
    assert request.url.path == "/api/v1/sync/pull"


def test_large_bodies_are_gzipped_and_small_ones_are_not(fake: FakeServer) -> None:
    api = client(fake)
    api.push([])
    assert "Content-Encoding" not in fake.requests[-1].headers
    mutations = [{"id": i, "entity": "customer", "row_id": f"00000000-0000-4000-8000-{i:012d}",
                  "op": "upsert", "fields": {"name": f"Customer {i}"}, "base": {},
                  "at": "2026-11-27T08:00:00Z"} for i in range(1, 40)]
    api.push(mutations)
    sent = fake.requests[-1]
    assert sent.headers["Content-Encoding"] == "gzip"
    raw = json.loads(gzip.decompress(sent.content))
    assert raw["mutations"] == mutations and len(sent.content) < len(json.dumps(raw)) / 3


def test_401_refreshes_the_token_once_and_keeps_the_new_pair(fake: FakeServer) -> None:
    kept: list[Tokens] = []
    api = client(fake, on_tokens=kept.append)
    fake.expire_access_tokens()
    assert api.pull(0, 10)["cursor"] == 0
    assert fake.refresh_calls == 1 and len(kept) == 1
    assert kept[0].access_token in fake.access


def test_when_refresh_fails_the_person_is_asked_to_log_in_again(fake: FakeServer) -> None:
    api = client(fake)
    fake.expire_access_tokens()
    fake.refresh.clear()  # revoked
    with pytest.raises(SyncError) as err:
        api.pull(0, 10)
    assert err.value.kind is ErrorKind.AUTH and err.value.message == LOG_IN_AGAIN
    assert fake.refresh_calls == 1
    assert fake.count("/sync/pull") == 1  # no second attempt after a failed refresh


def test_426_says_this_version_is_too_old(fake: FakeServer) -> None:
    api = client(fake)
    fake.min_schema = 2
    with pytest.raises(SyncError) as err:
        api.pull(0, 10)
    assert err.value.kind is ErrorKind.TOO_OLD
    assert "too old" in err.value.message


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"),
                                 httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof"),
                                 httpx.ReadError("reset"), httpx.DecodingError("bad gzip")])
def test_httpx_errors_are_wrapped_at_the_edge(fake: FakeServer, exc: Exception) -> None:
    api = client(fake)
    fake.fail("/sync/pull", exc=exc)
    with pytest.raises(SyncError) as err:
        api.pull(0, 10)
    assert not isinstance(err.value, httpx.HTTPError)
    assert err.value.retryable
    assert err.value.reached is not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


def test_backoff_doubles_to_the_cap_within_the_jitter_bounds() -> None:
    b = Backoff(1.0, 60.0, 0.25, random.Random(1))
    ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60]
    for ceiling in ceilings:
        for _ in range(1):
            d = b.next_delay()
            assert 0.75 * ceiling <= d <= ceiling
    b.reset()
    samples = []
    for _ in range(2000):
        b.reset()
        samples.append(b.next_delay())
    assert min(samples) >= 0.75 and max(samples) <= 1.0
    assert max(samples) - min(samples) > 0.2  # actually jittered


def test_unreachable_server_retries_cap_lower() -> None:
    settings = SyncSettings()
    b = Backoff(1.0, 60.0, 0.25, random.Random(2))
    unreachable = SyncError(ErrorKind.NETWORK, "x", retryable=True, reached=False)
    from sync.http import retry_delay

    delays = [retry_delay(unreachable, b, settings) for _ in range(12)]
    assert max(delays) <= settings.network_retry_cap
    assert delays[0] <= 1.0


def test_retry_after_is_honoured_by_the_command_line_retries(fake: FakeServer) -> None:
    api = client(fake)
    clock = FakeClock()
    fake.fail("/sync/pull", 429, headers={"Retry-After": "7"})
    fake.fail("/sync/pull", 503)
    data = call_with_retries(lambda: api.pull(0, 10), settings=SyncSettings(), clock=clock,
                             backoff=Backoff(1.0, 60.0, 0.25, random.Random(3)))
    assert data["cursor"] == 0
    assert clock.slept[0] >= 7.0
    assert 0.75 * 2 <= clock.slept[1] <= 2.0


def test_retry_after_is_honoured_by_the_engine(make_replica: Replica, make_engine: Engine,
                                               fake: FakeServer, clock: FakeClock) -> None:
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    job_id, changes = new_job(store)
    fake.fail("/sync/push", 429, headers={"Retry-After": "7"})
    engine.nudge(changes)
    engine.advance(0.4)
    failed_at = clock.monotonic()
    assert fake.count("/sync/push") == 1 and len(outbox(store)) == 3
    while outbox(store):
        engine.advance(0.1)
        assert clock.monotonic() - failed_at < 8
    assert clock.monotonic() - failed_at >= 6.9  # the failure came during the last step
    assert fake.count("/sync/push") == 2


def test_engine_reports_log_in_again_and_stops_trying(make_replica: Replica,
                                                      make_engine: Engine,
                                                      fake: FakeServer) -> None:
    store = make_replica("a")
    engine = make_engine(store)
    engine.start()
    engine.advance(1.0)
    fake.expire_access_tokens()
    fake.refresh.clear()
    job_id, changes = new_job(store)
    engine.nudge(changes)
    engine.advance(0.5)
    assert engine.status.connection is Connection.ERROR
    assert engine.status.error_kind is ErrorKind.AUTH
    assert engine.status.last_error == LOG_IN_AGAIN
    n = len(fake.requests)
    engine.nudge(edit(store, job_id, concern="still here"))
    engine.advance(120, step=1.0)
    assert len(fake.requests) == n  # no hammering while nobody can log in
    assert engine.status.pending == 4


def test_engine_reports_too_old(make_replica: Replica, make_engine: Engine,
                                fake: FakeServer) -> None:
    store = make_replica("a")
    fake.min_schema = 2
    engine = make_engine(store)
    engine.start()
    engine.advance(0.5)
    assert engine.status.error_kind is ErrorKind.TOO_OLD
    assert engine.status.connection is Connection.ERROR


def test_a_push_sends_the_device_clock_and_keeps_the_skew(fake: FakeServer) -> None:
    """The server's own figure is taken; an older server's bare ``server_time`` is compared
    with the middle of the round trip; an answer with neither leaves the figure alone."""
    clock = FakeClock()  # 2026-11-27T08:00:00Z
    answers = [{"clock_skew_seconds": -42.5},
               {"server_time": "2026-11-27T07:50:00Z"},
               {}]
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        resp = fake.handle(request)
        if request.url.path.endswith("/sync/push"):
            sent.append(FakeServer._body(request)["device_time"])
            return httpx.Response(200, json={**resp.json(), **answers.pop(0)})
        return resp

    data = fake.issue_tokens()
    api = ApiClient(SERVER, client_id="11111111-1111-4111-8111-111111111111", clock=clock,
                    transport=httpx.MockTransport(handler),
                    tokens=Tokens(data["access_token"], data["refresh_token"], None))
    api.push([])
    assert api.clock_skew == -42.5
    api.push([])
    assert api.clock_skew == 600.0
    api.push([])
    assert api.clock_skew == 600.0
    assert sent == ["2026-11-27T08:00:00Z"] * 3
