"""The kiosk's PIN lockout rule (app.pinlock): five wrong PINs lock a technician out on
that kiosk for five minutes; a right PIN clears the count; it survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from app.pinlock import LOCKOUT, MAX_FAILURES, PinLock, lockout_words


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_five_wrong_pins_lock_for_five_minutes_then_five_tries_again() -> None:
    clock = Clock()
    lock = PinLock(clock=clock)
    assert MAX_FAILURES == 5
    assert timedelta(minutes=5) == LOCKOUT
    for n in range(1, 5):
        state = lock.failed("t1")
        assert not state.locked and state.remaining == 5 - n
    state = lock.failed("t1")
    assert state.locked and state.until == clock.now + LOCKOUT
    assert lock.state("t2").remaining == 5  # per technician
    clock.now += timedelta(minutes=4, seconds=59)
    assert lock.state("t1").locked
    assert lock.failed("t1").until == state.until  # a try while locked does not extend it
    clock.now += timedelta(seconds=1)
    fresh = lock.state("t1")
    assert not fresh.locked and fresh.remaining == 5


def test_a_right_pin_clears_the_count() -> None:
    lock = PinLock(clock=Clock())
    for _ in range(4):
        lock.failed("t1")
    lock.succeeded("t1")
    assert lock.state("t1").remaining == 5
    assert not lock.failed("t1").locked


def test_the_lockout_survives_a_restart_of_the_kiosk(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "kiosk" / "pinlock.json"
    first = PinLock(path, clock=clock)
    for _ in range(5):
        first.failed("t1")
    first.failed("t2")
    again = PinLock(path, clock=clock)
    assert again.state("t1").locked
    assert again.state("t2").remaining == 4
    path.write_text("not json", encoding="utf-8")  # a damaged file starts afresh
    assert PinLock(path, clock=clock).state("t1").remaining == 5


def test_the_words_say_tries_left_and_the_unlock_time() -> None:
    clock = Clock()
    lock = PinLock(clock=clock)
    assert lockout_words(lock.state("t1"), clock.now) == ""
    assert "4 tries left" in lockout_words(lock.failed("t1"), clock.now)
    for _ in range(3):
        state = lock.failed("t1")
    assert "1 try left" in lockout_words(state, clock.now)
    locked = lock.failed("t1")
    toronto = timezone(timedelta(hours=-5))
    words = lockout_words(locked, clock.now, toronto)
    assert "until 08:35" in words and "in 5 minutes" in words
    assert "in 1 minute)" in lockout_words(locked, clock.now + timedelta(minutes=4, seconds=30),
                                           toronto)
