"""The date ranges a report offers at one click: this week, last week, this month, last
month. Weeks start on the locale's first day (Monday in most of the world, Sunday in North
America); the UI passes it. Pure Python."""

from __future__ import annotations

from datetime import date, timedelta

#: name → the words on the picker, in the order offered.
PRESETS: dict[str, str] = {
    "this_week": "This week",
    "last_week": "Last week",
    "this_month": "This month",
    "last_month": "Last month",
}


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of ``day``'s week; ``first_weekday`` as ``date.weekday()`` counts
    (0 = Monday, 6 = Sunday)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def preset_range(name: str, today: date, first_weekday: int = 0) -> tuple[date, date]:
    """(first, last) day, both inclusive, of the preset ``name`` around ``today``. A range
    that is still going on ends today (a report of the future is empty)."""
    if name == "this_week":
        return week_start(today, first_weekday), today
    if name == "last_week":
        start = week_start(today, first_weekday) - timedelta(days=7)
        return start, start + timedelta(days=6)
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    raise ValueError(f"unknown range {name!r}; choose from {', '.join(PRESETS)}")
