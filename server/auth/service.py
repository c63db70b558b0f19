"""Signing in and out: login, PIN sessions, refresh with rotation, logout, and turning an
access token back into a ``Principal`` on every request."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.timeutil import utcnow
from server.auth import ratelimit
from server.auth.passwords import verify_secret
from server.auth.roles import KIOSK, TECHNICIAN, Principal
from server.auth.tokens import (
    decode_access_token,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    not_authenticated,
)
from server.config import Settings
from server.db import Database
from server.errors import ApiError
from server.models import AuthSession, RefreshToken, User


class AuthService:
    """The auth operations of one server process."""

    def __init__(self, db: Database, settings: Settings, secret: str) -> None:
        self.db = db
        self.settings = settings
        self._secret = secret
        # token -> (principal, valid until): spares a query per request. Revocations made
        # through this process drop entries at once; other processes see them within
        # ``auth_cache_seconds``.
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._cache_lock = threading.Lock()

    # --- per request --------------------------------------------------------------------
    def authenticate(self, token: str) -> Principal:
        """The principal of a valid, unrevoked access token of an active user; else 401."""
        claims = decode_access_token(self._secret, token)
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(token)
        if hit is not None and hit[1] > now:
            return hit[0]
        principal = self._load_principal(claims)
        ttl = self.settings.auth_cache_seconds
        if ttl > 0:
            with self._cache_lock:
                if len(self._cache) > 10_000:
                    self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
                    if len(self._cache) > 10_000:
                        self._cache.clear()
                self._cache[token] = (principal, now + ttl)
        return principal

    def forget(self, *, session_id: str | None = None, user_id: str | None = None) -> None:
        """Drop cached principals of a revoked session or user."""
        with self._cache_lock:
            self._cache = {k: v for k, v in self._cache.items()
                           if v[0].session_id != session_id and v[0].user_id != user_id}

    def _load_principal(self, claims: dict[str, Any]) -> Principal:
        with self.db.read() as session:
            row = session.execute(
                select(User, AuthSession.revoked_at, AuthSession.kiosk_user_id)
                .join(AuthSession, AuthSession.user_id == User.id)
                .where(User.id == str(claims["sub"]), AuthSession.id == str(claims["sid"]))
            ).first()
        if row is None:
            raise not_authenticated("The access token is not valid.", "invalid_token")
        user, revoked_at, kiosk_user_id = row
        if revoked_at is not None:
            raise not_authenticated("This session was signed out; sign in again.",
                                    "session_revoked")
        if not user.active:
            raise not_authenticated("This account is disabled.", "account_disabled")
        return _principal(user, str(claims["sid"]), kiosk_user_id)

    # --- sign in ------------------------------------------------------------------------
    def login(self, username: str, password: str, device_name: str,
              address: str) -> dict[str, Any]:
        s = self.settings
        user_key, addr_key = f"user:{username.strip().lower()}", f"addr:{address}"
        with self.db.read() as session:
            ratelimit.check(session, [(user_key, s.login_max_failures_user),
                                      (addr_key, s.login_max_failures_address)],
                            s.login_window_seconds)
            user = session.scalar(select(User).where(User.username == username.strip()))
        # Verify outside any transaction: argon2 takes a while and SQLite has one writer.
        ok = verify_secret(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            with self.db.write() as session:
                ratelimit.record_failure(session, [user_key, addr_key], s.login_window_seconds)
            raise ApiError(401, "invalid_credentials", "The username or password is wrong.")
        with self.db.write() as session:
            ratelimit.clear(session, user_key)
            return self._open_session(session, user, device_name, None,
                                      s.refresh_token_ttl)

    def pin_login(self, kiosk: Principal, technician_id: str, pin: str,
                  address: str) -> dict[str, Any]:
        """A session for one technician, opened from a kiosk's device account."""
        if kiosk.role != KIOSK:
            raise ApiError(403, "forbidden", "Only a kiosk's device account can open PIN "
                                             "sessions.")
        s = self.settings
        pin_key, addr_key = f"pin:{kiosk.user_id}:{technician_id}", f"addr:{address}"
        with self.db.read() as session:
            ratelimit.check(session, [(pin_key, s.login_max_failures_user),
                                      (addr_key, s.login_max_failures_address)],
                            s.login_window_seconds)
            user = session.scalar(select(User).where(
                User.shop_id == kiosk.shop_id, User.technician_id == technician_id,
                User.role == TECHNICIAN, User.active.is_(True), User.pin_hash.is_not(None)))
        if not verify_secret(user.pin_hash if user else None, pin) or user is None:
            with self.db.write() as session:
                ratelimit.record_failure(session, [pin_key, addr_key], s.login_window_seconds)
            raise ApiError(401, "invalid_credentials", "The technician or PIN is wrong.")
        with self.db.write() as session:
            ratelimit.clear(session, pin_key)
            return self._open_session(session, user, f"kiosk {kiosk.username}", kiosk.user_id,
                                      s.pin_refresh_token_ttl)

    def refresh(self, token: str) -> dict[str, Any]:
        """Rotate a refresh token: the old one is used up, a new pair comes back."""
        now = utcnow()
        with self.db.write() as session:
            stored = session.scalar(select(RefreshToken)
                                    .where(RefreshToken.token_hash == hash_refresh_token(token))
                                    .with_for_update())
            if stored is None:
                raise ApiError(401, "invalid_refresh_token", "The refresh token is not valid.")
            auth = session.get(AuthSession, stored.session_id)
            user = session.get(User, auth.user_id) if auth else None
            if auth is None or user is None or auth.revoked_at is not None:
                raise ApiError(401, "session_revoked", "This session was signed out; "
                                                       "sign in again.")
            if not user.active:
                raise ApiError(401, "account_disabled", "This account is disabled.")
            if stored.expires_at <= now:
                raise ApiError(401, "refresh_token_expired",
                               "The session has expired; sign in again.")
            reused = stored.used_at is not None and (
                now - stored.used_at > timedelta(seconds=self.settings.refresh_reuse_grace))
            if reused:
                # Used twice, long apart: it may be stolen. End the whole session (committed
                # before the 401 below).
                auth.revoked_at = now
                self.forget(session_id=auth.id)
            else:
                # A second use within the grace time is a retry after a lost response.
                stored.used_at = stored.used_at or now
                ttl = (self.settings.pin_refresh_token_ttl if auth.kiosk_user_id
                       else self.settings.refresh_token_ttl)
                return self._tokens(session, user, auth, ttl)
        raise ApiError(401, "session_revoked", "This refresh token was already used; "
                                               "sign in again.")

    def logout(self, session_id: str | None = None, refresh_token: str | None = None) -> None:
        now = utcnow()
        with self.db.write() as session:
            if refresh_token is not None:
                stored = session.get(RefreshToken, hash_refresh_token(refresh_token))
                if stored is None:
                    raise ApiError(401, "invalid_refresh_token",
                                   "The refresh token is not valid.")
                session_id = stored.session_id
            session.execute(update(AuthSession)
                            .where(AuthSession.id == session_id,
                                   AuthSession.revoked_at.is_(None))
                            .values(revoked_at=now))
        self.forget(session_id=session_id)

    def revoke_user_sessions(self, session: Session, user_id: str) -> None:
        session.execute(update(AuthSession)
                        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))
        self.forget(user_id=user_id)

    # --- helpers ------------------------------------------------------------------------
    def _open_session(self, session: Session, user: User, device_name: str,
                      kiosk_user_id: str | None, ttl: int) -> dict[str, Any]:
        auth = AuthSession(id=str(uuid.uuid4()), user_id=user.id,
                           device_name=device_name[:200], kiosk_user_id=kiosk_user_id,
                           created_at=utcnow(), revoked_at=None)
        session.add(auth)
        session.flush()
        return self._tokens(session, user, auth, ttl)

    def _tokens(self, session: Session, user: User, auth: AuthSession,
                ttl: int) -> dict[str, Any]:
        now = utcnow()
        refresh, refresh_hash = new_refresh_token()
        session.add(RefreshToken(token_hash=refresh_hash, session_id=auth.id, created_at=now,
                                 expires_at=now + timedelta(seconds=ttl), used_at=None))
        principal = _principal(user, auth.id, auth.kiosk_user_id)
        access = issue_access_token(self._secret, principal, self.settings.access_token_ttl)
        return {"access_token": access, "refresh_token": refresh,
                "expires_in": self.settings.access_token_ttl, "token_type": "bearer",
                "user": user_json(user)}


def _principal(user: User, session_id: str, kiosk_user_id: str | None) -> Principal:
    return Principal(user_id=user.id, shop_id=user.shop_id, role=user.role,
                     username=user.username, technician_id=user.technician_id,
                     session_id=session_id, kiosk_user_id=kiosk_user_id)


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "shop_id": user.shop_id, "technician_id": user.technician_id}
