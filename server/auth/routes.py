"""``/api/v1/auth``: login, refresh, logout and kiosk PIN sessions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from server.deps import AddressDep, BearerDep, CtxDep, PrincipalDep, get_principal
from server.errors import ERROR_RESPONSES
from server.schemas import LoginRequest, LogoutRequest, PinRequest, RefreshRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login", operation_id="auth_login", response_model=TokenResponse,
             summary="Sign in with a username and password")
def login(body: LoginRequest, ctx: CtxDep, address: AddressDep) -> dict[str, Any]:
    return ctx.auth.login(body.username, body.password, body.device_name, address)


@router.post("/refresh", operation_id="auth_refresh", response_model=TokenResponse,
             summary="Trade a refresh token for a new pair (the old one is used up)")
def refresh(body: RefreshRequest, ctx: CtxDep) -> dict[str, Any]:
    return ctx.auth.refresh(body.refresh_token)


@router.post("/logout", operation_id="auth_logout", status_code=204, response_class=Response,
             summary="End the session: its refresh token and access tokens stop working")
def logout(ctx: CtxDep, credentials: BearerDep, body: LogoutRequest | None = None) -> Response:
    """Ends the session of the bearer token, or of ``refresh_token`` when one is sent (so a
    client whose access token has expired can still sign out)."""
    if body is not None and body.refresh_token is not None:
        ctx.auth.logout(refresh_token=body.refresh_token)
    else:
        principal = get_principal(ctx, credentials)
        ctx.auth.logout(session_id=principal.session_id)
    return Response(status_code=204)


@router.post("/pin", operation_id="auth_pin", response_model=TokenResponse,
             summary="Open a technician's session on a kiosk with the technician's PIN")
def pin(body: PinRequest, principal: PrincipalDep, ctx: CtxDep,
        address: AddressDep) -> dict[str, Any]:
    return ctx.auth.pin_login(principal, str(body.technician_id), body.pin, address)
