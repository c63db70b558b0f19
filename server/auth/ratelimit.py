"""Login rate limits, kept in the database so that every server process shares them.

Failures are rows per key (``user:<name>``, ``addr:<ip>``, ``pin:<kiosk>:<technician>``);
a key with too many failures inside the window is refused with 429 and ``Retry-After``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.timeutil import utcnow
from server.errors import ApiError
from server.models import LoginFailure


def check(session: Session, limits: Iterable[tuple[str, int]], window_seconds: int) -> None:
    """Raise 429 when any ``(key, max_failures)`` has reached its limit in the window."""
    now = utcnow()
    since = now - timedelta(seconds=window_seconds)
    for key, limit in limits:
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at))
            .where(LoginFailure.key == key, LoginFailure.at > since)).one()
        if count >= limit and oldest is not None:
            wait = (oldest + timedelta(seconds=window_seconds) - now).total_seconds()
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, "rate_limited",
                           f"Too many failed attempts; try again in {retry_after} seconds.",
                           headers={"Retry-After": str(retry_after)})


def record_failure(session: Session, keys: Iterable[str], window_seconds: int) -> None:
    now = utcnow()
    keys = list(keys)
    session.execute(delete(LoginFailure).where(
        LoginFailure.key.in_(keys), LoginFailure.at <= now - timedelta(seconds=window_seconds)))
    session.add_all([LoginFailure(key=key, at=now) for key in keys])


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
