"""Days on the shop's wall clock follow its real time zone, daylight saving included.

A fixed UTC offset (what ``datetime.now().astimezone()`` gives) makes every day 24 hours
long; in Berlin the last Sunday of March has 23 and the last Sunday of October 25.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import tzlocal

from app.queries.common import day_bounds, local_day, shop_tz

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)  # clocks go 02:00 -> 03:00
AUTUMN = date(2026, 10, 25)  # clocks go 03:00 -> 02:00


@pytest.fixture
def computer_in_berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The computer's own zone set to Europe/Berlin, as Windows' settings or TZ would."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset to change the process's zone")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    tzlocal.reload_localzone()
    yield
    monkeypatch.undo()
    time.tzset()
    tzlocal.reload_localzone()


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (AUTUMN, 25),
                                            (date(2026, 7, 1), 24)])
def test_a_given_zone_gives_days_of_their_real_length(day: date, hours: int) -> None:
    start, end = day_bounds(day, BERLIN)
    assert end - start == timedelta(hours=hours)
    assert start == datetime.combine(day, datetime.min.time(), BERLIN).astimezone(UTC)


@pytest.mark.parametrize(("day", "hours"), [(SPRING, 23), (AUTUMN, 25)])
def test_the_computer_zone_is_a_real_zone_not_todays_offset(
        computer_in_berlin: None, day: date, hours: int) -> None:
    start, end = day_bounds(day)
    assert end - start == timedelta(hours=hours)


def test_late_evening_after_the_change_is_still_that_day(computer_in_berlin: None) -> None:
    # 23:30 in Berlin on the autumn Sunday is 22:30 UTC (CET, +1), not 21:30
    assert local_day(datetime(2026, 10, 25, 22, 30, tzinfo=UTC)) == AUTUMN
    assert local_day(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == AUTUMN + timedelta(days=1)
    assert local_day(datetime(2026, 3, 29, 21, 30, tzinfo=UTC)) == SPRING
    assert local_day(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == SPRING + timedelta(days=1)


def test_the_zone_falls_back_to_a_fixed_offset_when_unknown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise LookupError("no zone database")  # what a Windows PC without tzdata would do

    monkeypatch.setattr(tzlocal, "get_localzone", broken)
    zone = shop_tz(None)
    assert datetime.now(zone).utcoffset() == datetime.now().astimezone().utcoffset()

