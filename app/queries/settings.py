"""The shop's settings as a plain value (defaults until the shop's row has arrived)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from app.models import ShopSettings, SyncState
from app.queries.common import shop_tz
from app.shopsettings import DEFAULTS, Line, Totals, line_amount_cents, order_totals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShopSettingsView:
    tax_rate_bp: int
    taxable_kinds: tuple[str, ...]
    rounding_cents: int
    approval_notice_minutes: int
    kiosk_timeout_seconds: int
    header_name: str
    header_address: str
    header_phone: str
    header_tax_number: str
    time_zone: str

    def line_cents(self, quantity: float, unit_price_cents: int) -> int:
        """One line's amount by the shop's rounding (``app.shopsettings.line_amount_cents``)."""
        return line_amount_cents(quantity, unit_price_cents, self.rounding_cents)

    def totals(self, lines: Iterable[Line]) -> Totals:
        """An order's totals by this shop's rule (``app.shopsettings.order_totals``)."""
        return order_totals(lines, tax_rate_bp=self.tax_rate_bp,
                            taxable_kinds=self.taxable_kinds, rounding_cents=self.rounding_cents)


def shop_settings(session: Session, shop_id: str) -> ShopSettingsView:
    """The settings of ``shop_id``; the defaults when its row has not been pulled yet."""
    row = session.get(ShopSettings, shop_id)
    values = dict(DEFAULTS)
    if row is not None and row.deleted_at is None:
        values = {name: getattr(row, name) for name in DEFAULTS}
    values["taxable_kinds"] = tuple(values["taxable_kinds"] or ())
    return ShopSettingsView(**values)


def replica_settings(session: Session) -> ShopSettingsView:
    """The settings of the shop this replica belongs to (read once per query, then used for
    every line and total it returns)."""
    state = session.get(SyncState, 1)
    if state is None:
        return ShopSettingsView(**{**DEFAULTS, "taxable_kinds": tuple(DEFAULTS["taxable_kinds"])})
    return shop_settings(session, state.shop_id)


def shop_time_zone(session: Session | None = None) -> tzinfo:
    """The zone of the shop's wall clock, for the schedule and every "today".

    The shop settings' ``time_zone`` (an IANA name, ``app.shopsettings.check_time_zone``)
    when set; when it is "" (the default), when no session is given or when the name is not
    known on this computer (a replica whose ``tzdata`` is older than the server's), the
    computer's real zone (``zoneinfo`` through ``tzlocal``, daylight saving included).
    Views read it here, on the database worker.
    """
    if session is not None:
        name = replica_settings(session).time_zone
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                log.warning("the shop's time zone %r is unknown here; using the computer's",
                            name)
    return shop_tz(None)
