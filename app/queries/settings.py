"""The shop's settings as a plain value (defaults until the shop's row has arrived)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ShopSettings
from app.shopsettings import DEFAULTS


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


def shop_settings(session: Session, shop_id: str) -> ShopSettingsView:
    """The settings of ``shop_id``; the defaults when its row has not been pulled yet."""
    row = session.get(ShopSettings, shop_id)
    values = dict(DEFAULTS)
    if row is not None and row.deleted_at is None:
        values = {name: getattr(row, name) for name in DEFAULTS}
    values["taxable_kinds"] = tuple(values["taxable_kinds"] or ())
    return ShopSettingsView(**values)
