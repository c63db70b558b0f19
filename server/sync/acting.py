"""The acting user of a mutation: a technician working on a shared kiosk.

A kiosk pushes with its device account's token, and each mutation may name the technician
who made it (``acting_user_id``, signed in on the kiosk with a PIN, online or offline). The
server takes that technician as the mutation's principal, so the technician's permissions
apply and the rows record them, however late the mutation arrives. A kiosk may name only
active technicians of its own shop; any other account may name only itself.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from server.auth.roles import KIOSK, TECHNICIAN, Principal
from server.models import Technician, User
from server.sync.fields import Rejected


class ActingUsers:
    """Resolves acting users for one push, each user once."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self._cache: dict[str, Principal | str] = {}

    def principal_for(self, acting_user_id: str | None) -> Principal:
        """The principal a mutation is applied as; ``Rejected`` with the reason."""
        p = self.principal
        if acting_user_id is None or acting_user_id == p.user_id:
            return p
        if p.role != KIOSK:
            raise Rejected("Only a kiosk's device account may make changes in another "
                           "person's name.")
        found = self._cache.get(acting_user_id)
        if found is None:
            found = self._resolve(acting_user_id)
            self._cache[acting_user_id] = found
        if isinstance(found, str):
            raise Rejected(found)
        return found

    def _resolve(self, user_id: str) -> Principal | str:
        p = self.principal
        user = self.session.get(User, user_id)
        if user is None or user.shop_id != p.shop_id:
            return "The person named as having made this change is not a user of this shop."
        if user.role != TECHNICIAN or user.technician_id is None:
            return (f"{user.display_name or user.username} is not a technician; a kiosk "
                    "takes changes from technicians only.")
        tech = self.session.get(Technician, user.technician_id)
        if not user.active or tech is None or tech.deleted_at is not None or not tech.active \
                or tech.shop_id != p.shop_id:
            return (f"{user.display_name or user.username} is no longer an active technician "
                    "of this shop, so the kiosk's change in their name was not applied.")
        return replace(p, user_id=user.id, role=TECHNICIAN, username=user.username,
                       technician_id=user.technician_id, kiosk_user_id=p.user_id)
