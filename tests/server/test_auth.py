"""Auth: login, token expiry, forged tokens, refresh rotation, revocation, rate limits and
kiosk PIN sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.app import create_app
from server.db import Database, stored_secret
from tests.live_server import ShopSeed
from tests.server.helpers import Api, make_settings, peer

PULL = "/api/v1/sync/pull"


def _login(http: TestClient, seed: ShopSeed, role: str, password: str | None = None,
           **kwargs: object) -> object:
    cred = seed.users[role]
    return http.post("/api/v1/auth/login", json={"username": cred.username,
                                                 "password": password or cred.password,
                                                 "device_name": "t"}, **kwargs)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_the_protocols_shape(api: Api) -> None:
    data = api.login("technician")
    assert set(data) >= {"access_token", "refresh_token", "expires_in", "user"}
    assert data["expires_in"] == 15 * 60
    user = data["user"]
    assert set(user) >= {"id", "username", "display_name", "role", "shop_id", "technician_id"}
    assert user["role"] == "technician" and user["technician_id"] == api.technician_id
    assert user["shop_id"] == api.shop_id


def test_wrong_password_and_unknown_user_are_401(api: Api) -> None:
    r = _login(api.http, api.seed, "clerk", password="wrong password")
    assert r.status_code == 401 and r.json()["error"] == "invalid_credentials"  # type: ignore[attr-defined]
    r2 = api.http.post("/api/v1/auth/login", json={"username": "nobody-at-all",
                                                   "password": "whatever"})
    assert r2.status_code == 401 and r2.json()["detail"]


def test_missing_forged_and_expired_tokens_are_401(api: Api, pg_url: str) -> None:
    assert api.http.get(PULL).status_code == 401
    r = api.http.get(PULL, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    r = api.http.get(PULL, headers=_bearer("not.a.jwt"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    good = jwt.decode(api.token("clerk"), options={"verify_signature": False})
    forged = jwt.encode({**good, "role": "admin"}, "a-guessed-secret-that-is-long-enough-to-pass", algorithm="HS256")
    r = api.http.get(PULL, headers=_bearer(forged))
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert r.headers["www-authenticate"] == "Bearer"
    db = Database.from_url(pg_url)
    secret = stored_secret(db)
    db.dispose()
    assert secret
    expired = jwt.encode({**good, "exp": int(time.time()) - 5}, secret, algorithm="HS256")
    r = api.http.get(PULL, headers=_bearer(expired))
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    none_alg = jwt.encode(good, key=None, algorithm="none")  # type: ignore[arg-type]
    assert api.http.get(PULL, headers=_bearer(none_alg)).status_code == 401


@pytest.fixture
def short_app(pg_url: str) -> Iterator[TestClient]:
    app: FastAPI = create_app(make_settings(pg_url, access_token_ttl=3, refresh_reuse_grace=0,
                                            login_max_failures_user=3,
                                            login_max_failures_address=5,
                                            login_window_seconds=60))
    with TestClient(app, client=peer()) as client:
        yield client


def test_access_tokens_expire_and_refresh_rotates(short_app: TestClient, shop: ShopSeed) -> None:
    data = _login(short_app, shop, "clerk").json()  # type: ignore[attr-defined]
    # A JWT's exp is in whole seconds: a 1 s token may already be dead when a loaded machine
    # gets to use it, so the token lives 3 s and the test waits it out.
    assert data["expires_in"] == 3
    assert short_app.get(PULL, headers=_bearer(data["access_token"])).status_code == 200
    time.sleep(4.1)
    r = short_app.get(PULL, headers=_bearer(data["access_token"]))
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    r = short_app.post("/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert r.status_code == 200
    fresh = r.json()
    assert fresh["refresh_token"] != data["refresh_token"]
    assert short_app.get(PULL, headers=_bearer(fresh["access_token"])).status_code == 200
    # The old refresh token is used up; using it again (outside the grace time) looks like
    # theft and ends the whole session, fresh tokens included.
    time.sleep(1.1)
    r = short_app.post("/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert r.status_code == 401
    r = short_app.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"] == "session_revoked"


def test_a_retried_refresh_within_the_grace_time_still_works(api: Api) -> None:
    data = api.login("clerk")
    first = api.http.post("/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]})
    again = api.http.post("/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert first.status_code == 200 and again.status_code == 200
    for r in (first, again):
        token = r.json()["access_token"]
        assert api.http.get(PULL, headers=_bearer(token)).status_code == 200


def test_logout_revokes_refresh_and_access_tokens(api: Api) -> None:
    data = api.login("manager")
    h = _bearer(data["access_token"])
    assert api.http.post("/api/v1/auth/logout", headers=h).status_code == 204
    r = api.http.get(PULL, headers=h)
    assert r.status_code == 401 and r.json()["error"] == "session_revoked"
    r = api.http.post("/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert r.status_code == 401
    # Logging out with only the refresh token (the access token expired meanwhile):
    other = api.login("manager")
    r = api.http.post("/api/v1/auth/logout", json={"refresh_token": other["refresh_token"]})
    assert r.status_code == 204
    assert api.http.get(PULL, headers=_bearer(other["access_token"])).status_code == 401
    assert api.http.post("/api/v1/auth/refresh",
                         json={"refresh_token": "made-up"}).status_code == 401


def test_login_failures_per_username_are_rate_limited(short_app: TestClient,
                                                      shop: ShopSeed) -> None:
    for _ in range(3):
        assert _login(short_app, shop, "clerk", "wrong pw").status_code == 401  # type: ignore[attr-defined]
    r = _login(short_app, shop, "clerk")  # even the right password waits now
    assert r.status_code == 429  # type: ignore[attr-defined]
    assert int(r.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
    assert r.json()["error"] == "rate_limited"  # type: ignore[attr-defined]
    assert _login(short_app, shop, "manager").status_code == 200  # type: ignore[attr-defined]


def test_login_failures_per_address_are_rate_limited(short_app: TestClient,
                                                     shop: ShopSeed) -> None:
    headers = {"X-Forwarded-For": "ignored"}  # the address is the peer's, not a header's
    names = [f"ghost-{i}" for i in range(6)]
    codes = [short_app.post("/api/v1/auth/login", headers=headers,
                            json={"username": n, "password": "nope nope"}).status_code
             for n in names]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    r = _login(short_app, shop, "admin")
    assert r.status_code == 429  # type: ignore[attr-defined]


def test_kiosk_pin_opens_a_technician_session(api: Api) -> None:
    tech = api.seed.users["technician"]
    kiosk_headers = api.headers("kiosk")
    r = api.http.post("/api/v1/auth/pin", headers=kiosk_headers,
                      json={"technician_id": api.technician_id, "pin": tech.pin})
    assert r.status_code == 200, r.text
    session = r.json()
    assert session["user"]["role"] == "technician"
    assert session["user"]["technician_id"] == api.technician_id
    c = api.client("technician")
    h = {**_bearer(session["access_token"]), "X-Client-Id": c.client_id}
    r = api.http.post("/api/v1/sync/push", headers=h, json=c.body([
        c.m("time_entry", fields={"technician_id": api.technician_id,
                                  "started_at": "2026-11-27T08:00:00Z"})]))
    assert r.json()["results"][0]["status"] == "applied"
    r = api.http.post("/api/v1/auth/pin", headers=kiosk_headers,
                      json={"technician_id": api.technician_id, "pin": "0000"})
    assert r.status_code == 401
    r = api.http.post("/api/v1/auth/pin", headers=api.headers("manager"),
                      json={"technician_id": api.technician_id, "pin": tech.pin})
    assert r.status_code == 403


def test_pin_attempts_are_rate_limited(short_app: TestClient, shop: ShopSeed) -> None:
    kiosk = _login(short_app, shop, "kiosk").json()  # type: ignore[attr-defined]
    h = _bearer(kiosk["access_token"])
    body = {"technician_id": shop.technician_id, "pin": "9999"}
    codes = [short_app.post("/api/v1/auth/pin", headers=h, json=body).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
