"""Settings of one server process, from the command line and ``BAYLINE_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import URL

from app.paths import default_data_dir

#: The newest sync schema this server speaks, and the oldest it still accepts.
SCHEMA_VERSION = 1
MIN_SCHEMA_VERSION = 1

MAX_MUTATIONS = 500
MAX_BODY_BYTES = 1024 * 1024
MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 1000
TOMBSTONE_DAYS = 90


def default_database_url() -> str:
    """``BAYLINE_DATABASE_URL``, else a SQLite file in the platform's data folder."""
    url = os.environ.get("BAYLINE_DATABASE_URL")
    if url:
        return url
    path = Path(default_data_dir()) / "server.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    # URL.create encodes the path, so a folder like "a%41b" is not decoded to "aAb".
    return URL.create("sqlite", database=str(path)).render_as_string()


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass
class Settings:
    """Everything a server process can be tuned by; tests shorten the times."""

    database_url: str = field(default_factory=default_database_url)
    #: From ``BAYLINE_SECRET_KEY``, else the key made at migrate time and kept in the database.
    secret_key: str | None = field(default_factory=lambda: os.environ.get("BAYLINE_SECRET_KEY"))
    access_token_ttl: int = field(
        default_factory=lambda: _env_int("BAYLINE_ACCESS_TOKEN_TTL", 15 * 60))
    refresh_token_ttl: int = field(
        default_factory=lambda: _env_int("BAYLINE_REFRESH_TOKEN_TTL", 30 * 24 * 3600))
    pin_refresh_token_ttl: int = field(
        default_factory=lambda: _env_int("BAYLINE_PIN_REFRESH_TOKEN_TTL", 12 * 3600))
    #: A refresh token used again within this many seconds of its rotation is a retry
    #: (a lost response), not a theft: it gets a new pair instead of ending the session.
    refresh_reuse_grace: int = 60
    #: Seconds a checked access token is trusted without asking the database again; a
    #: session revoked through another process stops working within this time.
    auth_cache_seconds: float = field(
        default_factory=lambda: _env_float("BAYLINE_AUTH_CACHE_SECONDS", 5.0))
    keepalive_seconds: float = field(
        default_factory=lambda: _env_float("BAYLINE_SSE_KEEPALIVE", 15.0))
    login_window_seconds: int = field(
        default_factory=lambda: _env_int("BAYLINE_LOGIN_WINDOW", 15 * 60))
    login_max_failures_user: int = field(
        default_factory=lambda: _env_int("BAYLINE_LOGIN_MAX_FAILURES_USER", 5))
    login_max_failures_address: int = field(
        default_factory=lambda: _env_int("BAYLINE_LOGIN_MAX_FAILURES_ADDRESS", 30))
    tombstone_days: int = TOMBSTONE_DAYS
    #: Seconds between tombstone purges run by ``serve`` (0: never).
    purge_interval: float = field(
        default_factory=lambda: _env_float("BAYLINE_PURGE_INTERVAL", 24 * 3600.0))
