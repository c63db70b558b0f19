"""Typed dependencies of the routes: the app context, the signed-in principal, sync headers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.auth.roles import Principal
from server.auth.service import AuthService
from server.auth.tokens import not_authenticated
from server.config import MIN_SCHEMA_VERSION, Settings
from server.db import Database
from server.errors import ApiError
from server.live.hub import Hub


@dataclass
class AppContext:
    """What the routes of one app share."""

    settings: Settings
    db: Database
    auth: AuthService
    hub: Hub


# Dependencies without I/O are ``async``: a plain ``def`` would cost a threadpool hop each.
async def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]

_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_principal(ctx: CtxDep, credentials: BearerDep) -> Principal:
    if credentials is None:
        raise not_authenticated("Sign in first: this request needs an access token "
                                "(Authorization: Bearer <token>).")
    return ctx.auth.authenticate(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


AddressDep = Annotated[str, Depends(client_address)]


def check_schema_version(version: int | None) -> None:
    if version is not None and version < MIN_SCHEMA_VERSION:
        raise ApiError(426, "schema_version_unsupported",
                       f"Schema version {version} is no longer supported; update the app "
                       f"(this server needs at least {MIN_SCHEMA_VERSION}).",
                       min=MIN_SCHEMA_VERSION)


async def sync_headers(
    x_client_id: Annotated[uuid.UUID | None, Header(
        description="The local replica's id (made at first start, kept with it).")] = None,
    x_schema_version: Annotated[int | None, Header(
        ge=-(2**31), le=2**31 - 1, description="The client's sync schema version.")] = None,
) -> str | None:
    """The ``X-Client-Id`` of a sync request (checked ``X-Schema-Version`` first)."""
    check_schema_version(x_schema_version)
    return str(x_client_id) if x_client_id is not None else None


ClientIdDep = Annotated[str | None, Depends(sync_headers)]
