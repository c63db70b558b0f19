"""``localhost`` means 127.0.0.1 to the client.

Windows resolves ``localhost`` to ``::1`` first, and a connection to a port bound on
127.0.0.1 only (the server's default) then waits about 2 s for the IPv6 attempt to fail,
on every new connection. The client therefore never hands ``localhost`` to the network.
"""

from __future__ import annotations

import httpx
import pytest

from sync.http import ApiClient, normalize_server_url


@pytest.mark.parametrize(("given", "used"), [
    ("http://localhost:8765", "http://127.0.0.1:8765"),
    ("http://LocalHost:8765/", "http://127.0.0.1:8765"),
    ("http://localhost.:8765/api/v1", "http://127.0.0.1:8765"),
    ("http://localhost", "http://127.0.0.1"),
    (" http://localhost:8765/api/v1/ ", "http://127.0.0.1:8765"),
    # TLS checks the certificate against the name: an https address is kept as written
    ("https://localhost:8443", "https://localhost:8443"),
    ("http://localhost-shop:8765", "http://localhost-shop:8765"),
    ("http://shop.example:8765/", "http://shop.example:8765"),
    ("http://[::1]:8765", "http://[::1]:8765"),
])
def test_localhost_becomes_the_ipv4_loopback(given: str, used: str) -> None:
    assert normalize_server_url(given) == used


def test_the_client_connects_to_127_0_0_1() -> None:
    hosts: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(200, json={"status": "ok"})

    api = ApiClient("http://localhost:8765", client_id="11111111-1111-4111-8111-111111111111",
                    transport=httpx.MockTransport(answer))
    try:
        api.health()
    finally:
        api.close()
    assert hosts == ["127.0.0.1"]
