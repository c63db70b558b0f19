"""Exponential backoff with jitter, and reading ``Retry-After``."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class Backoff:
    """Delays of ``base`` doubling up to ``cap``, each drawn from [(1 - jitter) * d, d].

    Jitter spreads the retries of a shop's many devices after an outage so they do not
    all hit the server in the same second.
    """

    def __init__(self, base: float, cap: float, jitter: float,
                 rng: random.Random | None = None) -> None:
        if not 0 <= jitter <= 1:
            raise ValueError("jitter is a fraction between 0 and 1")
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.rng = rng or random.Random()
        self.failures = 0

    def ceiling(self, failures: int | None = None, cap: float | None = None) -> float:
        """The delay before jitter after ``failures`` consecutive failures (1 → base)."""
        n = self.failures if failures is None else failures
        limit = self.cap if cap is None else min(cap, self.cap)
        return min(limit, self.base * 2.0 ** max(0, n - 1))

    def next_delay(self, *, cap: float | None = None) -> float:
        """Count one more failure and return how long to wait before the next attempt."""
        self.failures += 1
        d = self.ceiling(cap=cap)
        return d * (1.0 - self.jitter * self.rng.random())

    def reset(self) -> None:
        self.failures = 0


def parse_retry_after(value: str | None, *, now: datetime | None = None,
                      cap: float = 300.0) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(cap, seconds))
