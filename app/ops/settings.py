"""Changing the shop's settings (managers and admins; the server checks the role too)."""

from __future__ import annotations

from typing import Any

from app.db import Writer
from app.models import ShopSettings
from app.shopsettings import DEFAULTS, check_settings


def update_shop_settings(w: Writer, **fields: Any) -> str:
    """Change the given settings of this shop. The one row's id is the shop's id, so a
    replica that has not pulled it yet (or two offline desks) still name the same row."""
    clean = check_settings(fields)
    row = w.session.get(ShopSettings, w.shop_id)
    if row is None:
        values = {**DEFAULTS, **clean}
        return w.create(ShopSettings, with_id=w.shop_id, **values).id
    w.update(row, **clean)
    return row.id
