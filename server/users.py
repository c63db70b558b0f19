"""``/api/v1/users``: the admin's accounts of the shop (not synced rows)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy import select

from app import roles
from server.admin import AdminError, add_user
from server.auth.passwords import hash_secret
from server.auth.roles import Principal
from server.deps import CtxDep, PrincipalDep
from server.errors import ERROR_RESPONSES, ApiError, ErrorBody
from server.models import User
from server.pins import PinError, refresh_verifier, store_pin
from server.schemas import UserCreate, UserInfo, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


def _admin(principal: Principal) -> None:
    decision = roles.can_manage_users(principal.role)  # the desk asks the same
    if not decision:
        raise ApiError(403, "forbidden", decision.reason or "Only an admin manages users.")


def _info(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "shop_id": user.shop_id, "technician_id": user.technician_id,
            "active": user.active}


@router.get("", operation_id="users_list", response_model=list[UserInfo],
            summary="The shop's users (admin only)")
def list_users(principal: PrincipalDep, ctx: CtxDep) -> list[dict[str, Any]]:
    _admin(principal)
    with ctx.db.read() as session:
        users = session.scalars(select(User).where(User.shop_id == principal.shop_id)
                                .order_by(User.username))
        return [_info(u) for u in users]


@router.post("", operation_id="users_create", response_model=UserInfo, status_code=201,
             summary="Add a user to the shop (admin only)",
             responses={409: {"model": ErrorBody, "description": "The username is taken"},
                        201: {"description": "The new user", "links": {"UpdateUser": {
                            "operationId": "users_update",
                            "parameters": {"user_id": "$response.body#/id"}}}}})
def create_user(body: UserCreate, principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    _admin(principal)
    try:
        with ctx.db.write() as session:
            created = add_user(session, shop_id=principal.shop_id, username=body.username,
                               password=body.password, role=body.role,
                               display_name=body.display_name,
                               technician_id=str(body.technician_id) if body.technician_id
                               else None, pin=body.pin)
            user = session.get(User, created.id)
            assert user is not None
            return _info(user)
    except AdminError as exc:
        status = 409 if "taken" in str(exc) else 422
        raise ApiError(status, "username_taken" if status == 409 else "invalid_user",
                       str(exc)) from None


@router.patch("/{user_id}", operation_id="users_update", response_model=UserInfo,
              summary="Change a user's role, name, password, PIN or active flag (admin only)",
              responses={404: {"model": ErrorBody, "description": "No such user"},
                         409: {"model": ErrorBody, "description": "not_a_technician: a PIN "
                               "for a user who is not a technician"}})
def update_user(user_id: Annotated[uuid.UUID, Path()], body: UserUpdate,
                principal: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    _admin(principal)
    with ctx.db.write() as session:
        user = session.get(User, str(user_id))
        if user is None or user.shop_id != principal.shop_id:
            raise ApiError(404, "not_found", "There is no such user in your shop.")
        if body.role is not None and body.role != user.role and user.id == principal.user_id:
            raise ApiError(422, "invalid_user", "You cannot change your own role.")
        if body.display_name is not None:
            user.display_name = body.display_name
        if body.role is not None:
            user.role = body.role
        if body.pin is not None:
            try:  # store_pin holds the rule (a technician's, well formed) for every path
                store_pin(session, user, body.pin)
            except PinError as exc:
                if exc.not_technician and body.role is None:
                    # valid by itself: it conflicts with the user's role as it is
                    raise ApiError(409, "not_a_technician", "Only a technician has a PIN; "
                                   "this user is not one.") from None
                raise ApiError(422, "invalid_user", str(exc)) from None
        if body.password is not None:
            user.password_hash = hash_secret(body.password)
        if body.active is not None:
            user.active = body.active
        if body.password is not None or body.active is False or body.role is not None:
            # A new password, a disabled account or a new role: sign out everywhere.
            ctx.auth.revoke_user_sessions(session, user.id)
        if body.active is not None or body.role is not None:
            refresh_verifier(session, user)  # kiosks stop (or again) taking their PIN
        session.flush()
        return _info(user)
