"""The report's one-click ranges, across month and year ends and either week start."""

from __future__ import annotations

from datetime import date

import pytest

from app.dateranges import PRESETS, preset_range


@pytest.mark.parametrize(("name", "today", "first_weekday", "expected"), [
    ("this_week", date(2026, 12, 2), 0, (date(2026, 11, 30), date(2026, 12, 2))),
    ("this_week", date(2026, 12, 2), 6, (date(2026, 11, 29), date(2026, 12, 2))),
    ("this_week", date(2026, 11, 30), 0, (date(2026, 11, 30), date(2026, 11, 30))),
    ("last_week", date(2026, 12, 2), 0, (date(2026, 11, 23), date(2026, 11, 29))),
    ("last_week", date(2026, 1, 3), 6, (date(2025, 12, 21), date(2025, 12, 27))),
    ("this_month", date(2026, 12, 2), 0, (date(2026, 12, 1), date(2026, 12, 2))),
    ("last_month", date(2026, 1, 15), 0, (date(2025, 12, 1), date(2025, 12, 31))),
    ("last_month", date(2024, 3, 31), 0, (date(2024, 2, 1), date(2024, 2, 29))),
])
def test_presets(name: str, today: date, first_weekday: int,
                 expected: tuple[date, date]) -> None:
    assert preset_range(name, today, first_weekday) == expected


def test_every_preset_ends_by_today_and_an_unknown_one_is_refused() -> None:
    for name in PRESETS:
        first, last = preset_range(name, date(2026, 7, 1))
        assert first <= last <= date(2026, 7, 1)
    with pytest.raises(ValueError, match="this_week"):
        preset_range("yesterday", date(2026, 7, 1))
