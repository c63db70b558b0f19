"""Periodic and one-shot timers for the engine. Their jobs only enqueue work.

``SchedulerTimers`` runs them on an APScheduler ``BackgroundScheduler``; ``ManualTimers``
fires them when a test moves its fake clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from sync.clock import Clock


class Timers(Protocol):
    def start(self) -> None: ...

    def shutdown(self) -> None: ...

    def every(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        """Call ``fn`` every ``seconds`` (the first time after ``seconds``)."""
        ...

    def after(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        """Call ``fn`` once after ``seconds``, replacing an earlier timer of that name."""
        ...

    def cancel(self, name: str) -> None: ...


class SchedulerTimers:
    """APScheduler 3 behind the ``Timers`` protocol."""

    def __init__(self) -> None:
        self._scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def every(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        with self._lock:
            self._scheduler.add_job(fn, "interval", seconds=seconds, id=name,
                                    replace_existing=True, coalesce=True, max_instances=1,
                                    misfire_grace_time=None)

    def after(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        when = datetime.now(UTC) + timedelta(seconds=max(0.0, seconds))
        with self._lock:
            self._scheduler.add_job(fn, "date", run_date=when, id=name, replace_existing=True,
                                    misfire_grace_time=None)

    def cancel(self, name: str) -> None:
        with self._lock:
            if self._scheduler.get_job(name) is not None:
                self._scheduler.remove_job(name)


@dataclass
class _Timer:
    due: float
    interval: float | None
    fn: Callable[[], None]


class ManualTimers:
    """Timers on a (fake) clock, fired by ``fire_due``: the synchronous mode for tests."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.timers: dict[str, _Timer] = {}

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        self.timers.clear()

    def every(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        self.timers[name] = _Timer(self.clock.monotonic() + seconds, seconds, fn)

    def after(self, name: str, seconds: float, fn: Callable[[], None]) -> None:
        self.timers[name] = _Timer(self.clock.monotonic() + max(0.0, seconds), None, fn)

    def cancel(self, name: str) -> None:
        self.timers.pop(name, None)

    def due_at(self, name: str) -> float | None:
        timer = self.timers.get(name)
        return timer.due if timer else None

    def fire_due(self) -> int:
        """Run every timer that is due now; return how many ran."""
        now = self.clock.monotonic()
        fired = 0
        for name, timer in sorted(self.timers.items(), key=lambda kv: kv[1].due):
            if timer.due > now:
                continue
            if timer.interval is None:
                self.timers.pop(name, None)
            else:
                while timer.due <= now:
                    timer.due += timer.interval
            timer.fn()
            fired += 1
        return fired
