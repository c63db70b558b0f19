"""Small helpers shared by the queries: days in the shop's time zone, labels, clipping,
what a job's payments leave to pay."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

import tzlocal

if TYPE_CHECKING:
    from app.shopsettings import Totals

log = logging.getLogger(__name__)


def shop_tz(tz: tzinfo | None) -> tzinfo:
    """``tz``, or the computer's own zone (the shop's wall clock) when None.

    The computer's zone is a real one (``zoneinfo``, found by ``tzlocal`` from the TZ
    variable, /etc/localtime or Windows' settings; ``tzdata`` supplies the rules on
    Windows), so a day across a daylight-saving change has 23 or 25 hours. Only when no
    zone can be found is today's fixed offset used, with a warning.
    """
    if tz is not None:
        return tz
    try:
        return tzlocal.get_localzone()
    except Exception as exc:  # a missing or unknown zone: tzlocal raises several kinds
        log.warning("the computer's time zone is unknown (%s); using today's UTC offset", exc)
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else UTC


def day_bounds(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` starts and ends on the shop's wall clock ([start, end))."""
    zone = shop_tz(tz)
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def range_bounds(first: date, last: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The UTC instants of the days ``first`` to ``last`` inclusive ([start, end))."""
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


def local_day(at: datetime, tz: tzinfo | None = None) -> date:
    return at.astimezone(shop_tz(tz)).date()


def clipped_seconds(start: datetime, end: datetime | None, lo: datetime, hi: datetime,
                    now: datetime) -> float:
    """Seconds of [start, end) inside [lo, hi); an open entry (end None) runs until ``now``."""
    stop = min(end if end is not None else now, hi)
    begin = max(start, lo)
    return max(0.0, (stop - begin).total_seconds())


def vehicle_label(make: str | None, model: str | None, year: int | None) -> str:
    """``2019 Toyota Corolla``; empty parts are left out."""
    parts = [str(year) if year else "", make or "", model or ""]
    return " ".join(p for p in parts if p)


def stored_time(text: str | None) -> datetime | None:
    """A ``UTCDateTime`` column read as text (``type_coerce(column, String)``), as an aware
    UTC time: what the column type returns, for a tenth of the cost on large reads."""
    if text is None:
        return None
    return datetime.fromisoformat(text + "+00:00")  # stored naive UTC; one C call


class _Amount(Protocol):
    @property
    def amount_cents(self) -> int: ...


class PaidBalance:
    """``paid_cents`` and ``balance_cents`` of a job's row that has its ``totals`` and the
    ``payments`` taken (the editor's and the printed invoice's)."""

    # Declared only (a dataclass below gives the fields; a value here would become its default).
    totals: Totals
    payments: Sequence[_Amount]

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def balance_cents(self) -> int:
        """What is still to be taken: the total less the payments taken."""
        return self.totals.total_cents - self.paid_cents
