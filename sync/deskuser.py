"""A shared front-desk PC: unlocking the desk, and switching who is signed in to it.

Who made an edit. The protocol lets only a kiosk's device account push changes in another
person's name (``acting_user_id``; ``server.sync.acting`` refuses it from any other
account), so on a desk the account signed in when a change is *pushed* is its author. A
switch of user therefore sends what the previous person typed while their session is still
the one pushing: ``switch_user`` pushes every waiting change with the current session, and
only when none is left logs the next person in (``account.login``), ends the previous
person's session on the server and forgets their tokens. When the server cannot be
reached nothing switches: the next person's password cannot be checked, and the previous
person's changes would otherwise go up in the next person's name.

Unlocking as the same person checks the password with the server (a fresh session replaces
the old one); when the server cannot be reached, against a salted argon2id verifier of that
person's password kept in the OS keyring since their last sign-in on this PC (as Windows
keeps cached logons), so an outage never locks a clerk out of their own desk. Nothing here
logs a password or a verifier.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import httpx
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.db import Store
from app.models import SyncState
from sync import account
from sync.clock import Clock
from sync.credentials import TokenStore
from sync.errors import ErrorKind, NoKeyring, SyncError
from sync.http import ApiClient
from sync.outbox import pending_count
from sync.settings import SyncSettings

log = logging.getLogger(__name__)

#: OWASP's first argon2id setting (19 MiB, 2 passes): about 40 ms, once per unlock.
_hasher = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
           if os.environ.get("BAYLINE_ARGON2_PROFILE") == "fast"
           else PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))


def remember_password(tokens_at: TokenStore, server_url: str, username: str,
                      password: str) -> None:
    """Keep a verifier of ``username``'s password (just checked by the server) in the
    keyring, for an offline unlock. Best effort: a store that fails only costs that."""
    try:
        tokens_at.save_password_check(server_url, username, _hasher.hash(password))
    except NoKeyring as exc:
        log.info("the password store could not keep the offline unlock check: %s",
                 exc.message)


def check_cached(tokens_at: TokenStore, server_url: str, username: str,
                 password: str) -> bool | None:
    """True/False: the password matches the kept verifier or not; None: none is kept."""
    try:
        stored = tokens_at.password_check(server_url, username)
    except NoKeyring:
        return None
    if not stored:
        return None
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _signed_in(store: Store) -> SyncState:
    state = store.state()
    if not state.server_url:
        raise SyncError(ErrorKind.LOCAL, "This desk is not connected to a server, so it has "
                                         "no users to sign in as.")
    return state


def unlock(store: Store, password: str, *, token_store: TokenStore | None = None,
           transport: httpx.BaseTransport | None = None, settings: SyncSettings | None = None,
           clock: Clock | None = None) -> dict[str, Any]:
    """Check the signed-in person's password: with the server (a new session replaces the
    old, which is ended), or offline against the kept verifier. Returns the user
    (``username``, ``role``, ...) and ``offline``; ``SyncError(auth)`` for a wrong one."""
    tokens_at = token_store or TokenStore()
    state = _signed_in(store)
    server, username = str(state.server_url), str(state.username or "")
    if not username:
        raise SyncError(ErrorKind.AUTH, "Nobody is signed in to this desk; sign in.")
    old = tokens_at.load(server, username)
    try:
        outcome = account.login(store, server, username, password, token_store=tokens_at,
                                transport=transport, settings=settings, clock=clock)
    except SyncError as exc:
        if exc.status is not None or exc.kind is not ErrorKind.NETWORK:
            raise  # the server answered: a wrong password, a disabled account
        match = check_cached(tokens_at, server, username, password)
        if match is None:
            raise SyncError(ErrorKind.NETWORK, "The server cannot be reached to check the "
                            "password, and this PC has not kept a check of it yet (it keeps "
                            "one once you have signed in here while online).",
                            retryable=True) from exc
        if not match:
            raise SyncError(ErrorKind.AUTH, "That password is not right (checked on this "
                                            "PC: the server cannot be reached).") from exc
        return {"username": username, "role": state.role, "id": state.user_id,
                "offline": True}
    remember_password(tokens_at, server, username, password)
    if old is not None:
        _end_session(server, state.client_id, old, settings, transport, clock)
    return {**outcome.user, "offline": False}


def switch_user(store: Store, username: str, password: str, *, push: Callable[[], None],
                token_store: TokenStore | None = None,
                transport: httpx.BaseTransport | None = None,
                settings: SyncSettings | None = None,
                clock: Clock | None = None) -> dict[str, Any]:
    """Send the previous person's waiting changes (``push``, with their session), then sign
    ``username`` in and end the previous session (see the module docstring)."""
    tokens_at = token_store or TokenStore()
    state = _signed_in(store)
    server, previous = str(state.server_url), state.username
    if previous and username == previous:
        return unlock(store, password, token_store=tokens_at, transport=transport,
                      settings=settings, clock=clock)
    try:
        push()
    except SyncError as exc:
        raise SyncError(exc.kind, f"{previous or 'The previous user'}'s changes could not be "
                        f"sent: {exc.message} Switching user waits for them, so that they go "
                        "up in their name; try again when the server answers.",
                        retryable=exc.retryable, status=exc.status) from exc
    with store.read() as s:
        left = pending_count(s)
    if left:
        raise SyncError(ErrorKind.NETWORK, f"{left} of {previous or 'the previous user'}'s "
                        "changes are not sent yet; switching user waits for them.",
                        retryable=True)
    old = tokens_at.load(server, previous) if previous else None
    outcome = account.login(store, server, username, password, token_store=tokens_at,
                            transport=transport, settings=settings, clock=clock)
    remember_password(tokens_at, server, username, password)
    if previous:
        if old is not None:
            _end_session(server, state.client_id, old, settings, transport, clock)
        tokens_at.delete(server, previous)
        tokens_at.delete_password_check(server, previous)
    return {**outcome.user, "offline": False}


def _end_session(server: str, client_id: str, tokens: Any, settings: SyncSettings | None,
                 transport: httpx.BaseTransport | None, clock: Clock | None) -> None:
    """End a session we no longer use on the server (best effort)."""
    api = ApiClient(server, client_id=client_id, settings=settings, clock=clock,
                    transport=transport)
    try:
        api.revoke(tokens)
    finally:
        api.close()
