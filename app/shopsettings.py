"""The shop's settings: their defaults, their limits, and the money rule they drive.

One place for each rule: the domain operation (``app.ops.settings``), the server's apply
and the UI all call ``check_settings``; receipts, the job editor and the printed repair
order all total with ``order_totals``. Pure Python, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app import rules
from app.errors import ValidationError

#: The values of a shop whose settings were never changed (also the columns' defaults).
DEFAULTS: dict[str, Any] = {
    "tax_rate_bp": 0,
    "taxable_kinds": [],
    "rounding_cents": 1,
    "approval_notice_minutes": 60,
    "kiosk_timeout_seconds": 120,
    "header_name": "",
    "header_address": "",
    "header_phone": "",
    "header_tax_number": "",
    "time_zone": "",
}

#: Increments a line total may be rounded to (1 = to the cent; 5 = to the nickel, ...).
ROUNDING_STEPS: tuple[int, ...] = (1, 5, 10, 25, 50, 100)
MAX_TAX_RATE_BP = 10_000  # 100 %
APPROVAL_NOTICE_MINUTES = (0, 7 * 24 * 60)
KIOSK_TIMEOUT_SECONDS = (15, 3600)
TEXT_LIMITS: dict[str, int] = {"header_name": 200, "header_address": 1000,
                               "header_phone": 40, "header_tax_number": 40}
#: A zone's IANA name ("Europe/Berlin") fits in this many characters (the column's width).
TIME_ZONE_CHARS = 64


@lru_cache(maxsize=64)
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # ValueError: "../x", "/abs"
        return False
    return True


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this computer knows, sorted (the settings screen's choices)."""
    return tuple(sorted(available_timezones()))


def check_time_zone(value: Any) -> str:
    """An IANA zone name ``zoneinfo`` knows (``tzdata`` on Windows), or "" for "this
    computer's zone"; ``ValidationError(field="time_zone")`` otherwise."""
    if not isinstance(value, str):
        raise ValidationError("The time zone is a name like Europe/Berlin.", field="time_zone")
    name: str = value.strip()
    if not name:
        return ""
    if len(name) > TIME_ZONE_CHARS or not _known_zone(name):
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise ValidationError(f"Unknown time zone '{shown}': use a name like Europe/Berlin.",
                              field="time_zone")
    return name


def _whole(name: str, value: Any, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"The {what} is a whole number.", field=name)
    if not lo <= value <= hi:
        raise ValidationError(f"The {what} is between {lo:,} and {hi:,}.", field=name)
    return value


def check_setting(name: str, value: Any) -> Any:
    """The clean value of one setting, or ``ValidationError`` naming the field."""
    if name == "tax_rate_bp":
        return _whole(name, value, 0, MAX_TAX_RATE_BP, "tax rate (in basis points, 825 = "
                                                       "8.25 %)")
    if name == "taxable_kinds":
        if not isinstance(value, list | tuple) or not all(isinstance(k, str) for k in value):
            raise ValidationError("Taxable kinds are a list of line kinds.", field=name)
        unknown = sorted(set(value) - set(rules.LINE_KINDS))
        if unknown:
            raise ValidationError(f"'{unknown[0]}' is not a line kind; choose from: "
                                  f"{', '.join(rules.LINE_KINDS)}.", field=name)
        return [k for k in rules.LINE_KINDS if k in value]  # one order, no duplicates
    if name == "rounding_cents":
        if isinstance(value, bool) or value not in ROUNDING_STEPS:
            raise ValidationError("Lines are rounded to 1, 5, 10, 25, 50 or 100 cents.",
                                  field=name)
        return int(value)
    if name == "approval_notice_minutes":
        return _whole(name, value, *APPROVAL_NOTICE_MINUTES, "approval wait (minutes)")
    if name == "kiosk_timeout_seconds":
        return _whole(name, value, *KIOSK_TIMEOUT_SECONDS, "kiosk timeout (seconds)")
    if name == "time_zone":
        return check_time_zone(value)
    if name in TEXT_LIMITS:
        if not isinstance(value, str):
            raise ValidationError("This is text.", field=name)
        value = value.strip()
        if len(value) > TEXT_LIMITS[name]:
            raise ValidationError(f"At most {TEXT_LIMITS[name]:,} characters.", field=name)
        return value
    raise ValidationError(f"The shop settings have no '{name}'.", field=name)


def check_settings(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Every given setting checked and cleaned (the first bad one raises)."""
    return {name: check_setting(name, value) for name, value in fields.items()}


# --- money --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """What totalling needs of a job line."""

    kind: str
    quantity: float
    unit_price_cents: int
    approval: str = "approved"


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    taxable_cents: int
    tax_cents: int
    total_cents: int


def _round_to(value: Decimal, step: int) -> int:
    """``value`` cents rounded half away from zero to a multiple of ``step`` cents."""
    steps = (abs(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    out = int(steps) * step
    return out if value >= 0 else -out


def line_amount_cents(quantity: float, unit_price_cents: int, rounding_cents: int = 1) -> int:
    """A line's total: quantity × unit price, rounded half away from zero to the shop's
    increment. ``Decimal(str(quantity))`` keeps 1.1 h exact (the float is 1.1000000000000001)."""
    return _round_to(Decimal(str(quantity)) * unit_price_cents, rounding_cents)


def order_totals(lines: Iterable[Line], *, tax_rate_bp: int, taxable_kinds: Iterable[str],
                 rounding_cents: int = 1) -> Totals:
    """A repair order's totals. The rule: each line is rounded on its own (to
    ``rounding_cents``); declined lines do not count; tax is the rate on the sum of the
    taxable lines, rounded half away from zero to the cent, once per order (so the tax of
    an order never depends on how its lines were split)."""
    taxable_set = set(taxable_kinds)
    subtotal = taxable = 0
    for line in lines:
        if line.approval == "declined":
            continue
        amount = line_amount_cents(line.quantity, line.unit_price_cents, rounding_cents)
        subtotal += amount
        if line.kind in taxable_set:
            taxable += amount
    tax = _round_to(Decimal(taxable) * tax_rate_bp / 10_000, 1)
    return Totals(subtotal, taxable, tax, subtotal + tax)
