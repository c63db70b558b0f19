"""Who is asking (``Principal``). The roles and what each may do are ``app.roles``, the one
table the replica and the server share."""

from __future__ import annotations

from dataclasses import dataclass

from app.roles import ADMIN, CLERK, KIOSK, MANAGER, ROLES, TECHNICIAN

__all__ = ["ADMIN", "CLERK", "KIOSK", "MANAGER", "ROLES", "TECHNICIAN", "Principal"]


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
