"""Technicians' kiosk PINs: set and reset by a manager, and the verifiers kiosks receive.

A PIN is kept twice on the server: ``User.pin_hash`` checks it online (``auth/pin``), and a
``technician_pin`` row holds a separate salted argon2id verifier made with the kiosk's
hashing profile. The row is a synced entity that only kiosk device accounts read, so a new
or reset PIN reaches every kiosk of the shop with its next pull, and a kiosk can check a
PIN while the network is down. Neither hash is ever logged or returned by an endpoint.

``PUT /api/v1/technicians/{technician_id}/pin`` sets (or changes) a PIN and
``DELETE`` of the same path removes it: managers and admins of the technician's shop.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import roles
from app.timeutil import utcnow
from server.auth.passwords import check_pin, hash_pin_verifier, hash_secret
from server.auth.roles import TECHNICIAN, Principal
from server.deps import CtxDep, PrincipalDep
from server.errors import ERROR_RESPONSES, ApiError, ErrorBody
from server.models import TechnicianPin, User
from server.schemas import PinSet
from server.sync.changes import lock_shop, record_changes


class PinError(ValueError):
    """A PIN that cannot be set: a malformed PIN, or (``not_technician``) a user who is not
    a technician."""

    def __init__(self, message: str, *, not_technician: bool = False) -> None:
        super().__init__(message)
        self.not_technician = not_technician


def store_pin(session: Session, user: User, pin: str | None) -> None:
    """Give ``user`` (a technician) the PIN ``pin``, or none (``None``), in ``session``'s
    transaction: the login hash, and the verifier row kiosks pull (tombstoned when none)."""
    if pin is not None:
        try:
            check_pin(pin)
        except ValueError as exc:
            raise PinError(str(exc)) from None
        if user.role != TECHNICIAN or user.technician_id is None:
            raise PinError("Only a technician has a PIN.", not_technician=True)
    user.pin_hash = hash_secret(pin) if pin is not None else None
    sync_verifier(session, user, hash_pin_verifier(pin) if pin is not None else None)


def sync_verifier(session: Session, user: User, verifier: str | None) -> None:
    """Make the kiosks' verifier row of ``user`` match: ``verifier``, or tombstoned when the
    user has no PIN, is not an active technician any more, or ``verifier`` is None."""
    lock = lock_shop(session, user.shop_id)
    assert lock is not None
    now = utcnow()
    row = session.get(TechnicianPin, user.id)
    alive = (verifier is not None and user.active and user.role == TECHNICIAN
             and user.technician_id is not None)
    if alive:
        assert user.technician_id is not None
        if row is None:
            row = TechnicianPin(id=user.id, shop_id=user.shop_id, created_at=now,
                                updated_at=now, deleted_at=None, user_id=user.id,
                                technician_id=user.technician_id, verifier=verifier)
            session.add(row)
        else:
            row.verifier, row.technician_id = verifier, user.technician_id
            row.deleted_at, row.updated_at = None, now
        session.flush()
        record_changes(session, lock, [("technician_pin", user.id, False)])
    elif row is not None and row.deleted_at is None:
        if verifier is None:
            row.verifier = None  # a reset PIN is gone; a disabled user's comes back with them
        row.deleted_at = row.updated_at = now
        session.flush()
        record_changes(session, lock, [("technician_pin", user.id, True)])


def refresh_verifier(session: Session, user: User) -> None:
    """After ``user``'s role or active flag changed: their verifier row follows (sent to
    kiosks again when they are an active technician with a PIN, withdrawn otherwise)."""
    row = session.get(TechnicianPin, user.id)
    verifier = row.verifier if row is not None else None
    if user.pin_hash is None:
        verifier = None
    sync_verifier(session, user, verifier)


# --- the manager's endpoints ---------------------------------------------------------------

router = APIRouter(prefix="/technicians", tags=["pins"], responses=ERROR_RESPONSES)

_PIN_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "No technician of your shop signs in as this "
                                             "technician"},
}


def _manager(principal: Principal) -> None:
    decision = roles.can_set_pins(principal.role)  # the desk asks the same
    if not decision:
        raise ApiError(403, "forbidden", decision.reason or "Only a manager or an admin sets "
                                                            "technicians' PINs.")


def _technician_user(session: Session, principal: Principal, technician_id: uuid.UUID) -> User:
    user = session.scalars(select(User).where(
        User.shop_id == principal.shop_id, User.technician_id == str(technician_id),
        User.role == TECHNICIAN).order_by(User.created_at)).first()
    if user is None:
        raise ApiError(404, "not_found", "No technician of your shop signs in as this "
                                         "technician.")
    return user


@router.put("/{technician_id}/pin", operation_id="pins_set", status_code=204,
            response_class=Response, responses=_PIN_RESPONSES,
            summary="Set or change a technician's kiosk PIN (manager or admin)")
def set_pin(technician_id: Annotated[uuid.UUID, Path()], body: PinSet,
            principal: PrincipalDep, ctx: CtxDep) -> Response:
    _manager(principal)
    with ctx.db.write() as session:
        user = _technician_user(session, principal, technician_id)
        try:
            store_pin(session, user, body.pin)
        except PinError as exc:
            raise ApiError(422, "invalid_pin", str(exc)) from None
    return Response(status_code=204)


@router.delete("/{technician_id}/pin", operation_id="pins_reset", status_code=204,
               response_class=Response, responses=_PIN_RESPONSES,
               summary="Remove a technician's kiosk PIN: they cannot sign in on a kiosk until "
                       "a new one is set (manager or admin)")
def reset_pin(technician_id: Annotated[uuid.UUID, Path()], principal: PrincipalDep,
              ctx: CtxDep) -> Response:
    _manager(principal)
    with ctx.db.write() as session:
        user = _technician_user(session, principal, technician_id)
        store_pin(session, user, None)
    return Response(status_code=204)
