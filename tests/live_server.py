"""A real ``python -m server serve`` process on a free loopback port, for integration tests.

    with temporary_database() as url, LiveServer(url) as srv:
        srv.base_url                  # "http://127.0.0.1:PORT"  (the API is under /api/v1)
        srv.shop_id                   # a fresh shop made for this server
        srv.users["clerk"]            # Credentials(username, password, user_id, role, technician_id, pin)
        srv.login("clerk")            # the JSON of POST /api/v1/auth/login (tokens + user)
        srv.restart()                 # stop and start again, same port, same database
        srv.stop()                    # also done on leaving the block

The database is migrated and seeded in this process (``server.db`` / ``server.admin``):
one shop and one user per role — ``admin``, ``manager``, ``clerk``, ``technician`` (linked
to a technician row of the shop, with PIN ``srv.users["technician"].pin``) and ``kiosk``.
A second server on the same database and shop: ``LiveServer(url, seed=first.seed)``.
``sqlite:///path`` URLs work as well as PostgreSQL ones.

Options: ``keepalive`` (seconds between SSE keepalives), ``access_ttl`` (seconds an access
token lives), ``env`` (extra environment for the process), ``port`` (default: a free one).
The server's output goes to ``srv.log_path`` (a temporary file), shown in the error when it
does not come up.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

# Cheap password hashes for the users seeded here (a hash keeps its own parameters, so
# the server verifies them either way); set before any server module is imported.
os.environ.setdefault("BAYLINE_ARGON2_PROFILE", "fast")

REPO = Path(__file__).resolve().parents[1]
ROLES = ("admin", "manager", "clerk", "technician", "kiosk")


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    user_id: str
    role: str
    technician_id: str | None = None
    pin: str | None = None


@dataclass(frozen=True)
class ShopSeed:
    """A shop and one user per role, made in a database."""

    database_url: str
    shop_id: str
    users: dict[str, Credentials] = field(default_factory=dict)

    @property
    def technician_id(self) -> str:
        tech = self.users["technician"].technician_id
        assert tech is not None
        return tech


def seed_shop(database_url: str, name: str = "Test Garage", *, migrate: bool = True) -> ShopSeed:
    """Migrate ``database_url`` (idempotent) and make a shop with one user per role."""
    from server import admin
    from server.db import make_engine
    from server.db import migrate as run_migrations

    if migrate:
        run_migrations(database_url)
    engine = make_engine(database_url)
    try:
        shop_id = admin.create_shop(engine, name)
        users: dict[str, Credentials] = {}
        for role in ROLES:
            username = f"{role}-{shop_id[:8]}"
            password = f"pw-{role}-{shop_id[:6]}"
            pin = "2468" if role == "technician" else None
            user = admin.create_user(engine, shop_id=shop_id, username=username,
                                     password=password, role=role, pin=pin,
                                     display_name=f"{role.title()} {shop_id[:4]}")
            users[role] = Credentials(username, password, user.id, role, user.technician_id, pin)
    finally:
        engine.dispose()
    return ShopSeed(database_url, shop_id, users)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``python -m server serve`` in a subprocess; see the module docstring."""

    def __init__(self, database_url: str, *, seed: ShopSeed | None = None,
                 port: int | None = None, keepalive: float | None = None,
                 access_ttl: int | None = None, env: dict[str, str] | None = None,
                 startup_timeout: float = 30.0) -> None:
        self.database_url = database_url
        self.seed = seed or seed_shop(database_url)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base_url}/api/v1"
        self.startup_timeout = startup_timeout
        self._env = dict(env or {})
        if keepalive is not None:
            self._env["BAYLINE_SSE_KEEPALIVE"] = str(keepalive)
        if access_ttl is not None:
            self._env["BAYLINE_ACCESS_TOKEN_TTL"] = str(access_ttl)
        self._proc: subprocess.Popen[bytes] | None = None
        fd, name = tempfile.mkstemp(prefix="bayline-server-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)

    # --- what tests use -----------------------------------------------------------------
    @property
    def shop_id(self) -> str:
        return self.seed.shop_id

    @property
    def users(self) -> dict[str, Credentials]:
        return self.seed.users

    @property
    def technician_id(self) -> str:
        return self.seed.technician_id

    def login(self, role: str = "admin", device_name: str = "tests") -> dict[str, Any]:
        """Log in as the seeded user of ``role``; the login response as JSON."""
        cred = self.users[role]
        r = httpx.post(f"{self.api_url}/auth/login", timeout=30,
                       json={"username": cred.username, "password": cred.password,
                             "device_name": device_name})
        r.raise_for_status()
        data: dict[str, Any] = r.json()
        return data

    # --- life cycle ---------------------------------------------------------------------
    def start(self) -> LiveServer:
        if self._proc is not None:
            return self
        env = {**os.environ, "BAYLINE_DATABASE_URL": self.database_url, **self._env}
        env.setdefault("PYTHONUNBUFFERED", "1")
        log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1",
             "--port", str(self.port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self._wait_healthy()
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def kill(self) -> None:
        """Stop the process at once (SIGKILL), as a crash would."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                break
            try:
                if httpx.get(f"{self.api_url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        output = self.log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"the server did not come up on {self.base_url}:\n{output}")

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


__all__ = ["Credentials", "LiveServer", "ROLES", "ShopSeed", "free_port", "seed_shop"]
