"""The kiosk's PIN lockout, written once: five wrong PINs lock that technician out on that
kiosk for five minutes, whether the PIN was checked by the server or offline.

Plain Python with an injectable clock (wall time, so a lockout survives a restart of the
kiosk), kept per kiosk in a small JSON file of the kiosk's data folder. Only wrong PINs
count: a PIN that could not be checked at all (no server and nothing to check against) is
not the technician's mistake. Nothing here ever sees a PIN.

    lock = PinLock(kiosk_dir / "pinlock.json")
    state = lock.state(technician_id)        # .locked, .until, .remaining
    state = lock.failed(technician_id)       # a wrong PIN; the state after it
    lock.succeeded(technician_id)            # a right PIN clears the count
    lockout_words(state, now, tz)            # "2 tries left." / "Locked until 14:35 ..."
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from app.timeutil import parse_rfc3339, to_rfc3339, utcnow

log = logging.getLogger(__name__)

#: Wrong PINs in a row that lock a technician out on one kiosk.
MAX_FAILURES = 5
#: How long the lockout lasts.
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class LockState:
    """One technician's standing on this kiosk."""

    failures: int
    #: When the lockout ends (UTC); None when not locked out.
    until: datetime | None

    @property
    def locked(self) -> bool:
        return self.until is not None

    @property
    def remaining(self) -> int:
        """Wrong PINs left before the lockout (0 while locked)."""
        return 0 if self.locked else max(0, MAX_FAILURES - self.failures)


class PinLock:
    """Wrong PIN counts and lockouts of one kiosk (``path``: where they are kept; None
    keeps them in memory only)."""

    def __init__(self, path: Path | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.path = path
        self.clock = clock
        self._entries: dict[str, dict[str, Any]] = self._load()

    # --- what the kiosk asks ------------------------------------------------------------
    def state(self, technician_id: str) -> LockState:
        now = self.clock()
        entry = self._entries.get(technician_id)
        if entry is None:
            return LockState(0, None)
        until = _time(entry.get("until"))
        if until is not None and until <= now:
            # served: a fresh start with five tries
            self._entries.pop(technician_id, None)
            self._save()
            return LockState(0, None)
        return LockState(int(entry.get("failures") or 0), until)

    def failed(self, technician_id: str) -> LockState:
        """A wrong PIN for ``technician_id``; the fifth in a row locks them out."""
        current = self.state(technician_id)
        if current.locked:
            return current
        failures = current.failures + 1
        until = self.clock() + LOCKOUT if failures >= MAX_FAILURES else None
        self._entries[technician_id] = {"failures": failures, "until": to_rfc3339(until)}
        self._save()
        return LockState(failures, until)

    def succeeded(self, technician_id: str) -> None:
        """A right PIN: the count starts again."""
        if self._entries.pop(technician_id, None) is not None:
            self._save()

    # --- keeping it -------------------------------------------------------------------
    def _load(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("the kiosk's PIN lockouts could not be read (%s); starting afresh", exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)}

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._entries), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # the count still holds for as long as the kiosk runs
            log.warning("the kiosk's PIN lockouts could not be saved: %s", exc)


def _time(text: Any) -> datetime | None:
    try:
        return parse_rfc3339(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _minutes(seconds: float) -> str:
    minutes = max(1, -(-int(seconds) // 60))  # rounded up: "in 1 minute" until it is over
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_words(state: LockState, now: datetime | None = None,
                  tz: tzinfo | None = None) -> str:
    """What the PIN pad says: tries left after a wrong PIN, or until when it is locked."""
    now = now or utcnow()
    if state.until is not None:
        local = state.until.astimezone(tz)  # None: this computer's zone
        wait = (state.until - now).total_seconds()
        return (f"Too many wrong PINs. Locked on this kiosk until {local:%H:%M} "
                f"(in {_minutes(wait)}).")
    left = state.remaining
    if state.failures == 0:
        return ""
    return (f"That PIN is not right. {left} {'try' if left == 1 else 'tries'} left before "
            f"a {int(LOCKOUT.total_seconds() // 60)} minute lockout.")


__all__ = ["LOCKOUT", "MAX_FAILURES", "LockState", "PinLock", "lockout_words"]
