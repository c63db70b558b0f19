"""The roles of PROTOCOL.md, plus ``kiosk`` (a shared touch kiosk's device account)."""

from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
MANAGER = "manager"
CLERK = "clerk"
TECHNICIAN = "technician"
KIOSK = "kiosk"
ROLES: tuple[str, ...] = (ADMIN, MANAGER, CLERK, TECHNICIAN, KIOSK)


@dataclass(frozen=True)
class Principal:
    """Who is asking: the signed-in user of a valid access token."""

    user_id: str
    shop_id: str
    role: str
    username: str
    technician_id: str | None = None
    session_id: str | None = None
    #: For a PIN session: the kiosk device account it was opened from.
    kiosk_user_id: str | None = None
