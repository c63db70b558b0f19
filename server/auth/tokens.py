"""Access tokens (JWT, HS256, short-lived) and refresh tokens (random, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

import jwt

from server.auth.roles import Principal
from server.errors import ApiError

ALGORITHM = "HS256"
ISSUER = "bayline"


def issue_access_token(secret: str, principal: Principal, ttl: int) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": principal.user_id, "sid": principal.session_id,
              "shop": principal.shop_id, "role": principal.role, "typ": "access",
              "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def not_authenticated(detail: str, error: str = "not_authenticated") -> ApiError:
    return ApiError(401, error, detail, headers={"WWW-Authenticate": "Bearer"})


def decode_access_token(secret: str, token: str) -> dict[str, Any]:
    """The claims of a valid access token; 401 ``token_expired`` / ``invalid_token``."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid", "typ"]})
    except jwt.ExpiredSignatureError:
        raise not_authenticated("The access token has expired; refresh it or sign in again.",
                                "token_expired") from None
    except jwt.PyJWTError:
        raise not_authenticated("The access token is not valid.", "invalid_token") from None
    if claims.get("typ") != "access":
        raise not_authenticated("The access token is not valid.", "invalid_token")
    return claims


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token and the hash it is stored under."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    # The token has 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
