"""Typed dependencies of the routes: the app context, the signed-in principal, sync headers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import WithJsonSchema

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


assert 1 <= MIN_SCHEMA_VERSION <= 9, "VERSION_PATTERN below assumes one digit"
#: The versions this server takes, as the text of a header (declared in the OpenAPI
#: document; an older one is answered 426, not 422).
VERSION_PATTERN = f"^([{MIN_SCHEMA_VERSION}-9]|[1-9][0-9]{{1,8}})$"


async def sync_headers(
    # (Absent, not "null", when there is none: the header's text is a UUID.)
    x_client_id: Annotated[uuid.UUID | None, WithJsonSchema(
        {"type": "string", "format": "uuid"}), Header(
        description="The local replica's id (made at first start, kept with it).")] = None,
    x_schema_version: Annotated[str | None, WithJsonSchema(
        {"type": "string", "pattern": VERSION_PATTERN}), Header(
        max_length=11, description="The client's sync schema version, a whole number (older "
        "than the server's minimum: 426).")] = None,
) -> str | None:
    """The ``X-Client-Id`` of a sync request (checked ``X-Schema-Version`` first)."""
    if x_schema_version is not None:
        text = x_schema_version.strip()
        if not re.fullmatch(r"-?[0-9]{1,10}", text) or not -(2**31) <= int(text) < 2**31:
            raise ApiError(422, "invalid_request",
                           "X-Schema-Version must be a whole number (the app's schema version).")
        check_schema_version(int(text))
    return str(x_client_id) if x_client_id is not None else None


ClientIdDep = Annotated[str | None, Depends(sync_headers)]
