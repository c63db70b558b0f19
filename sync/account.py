"""Logging a replica in to a server, and out; building its ``ApiClient``.

Binding rules (a replica belongs to one shop on one server for life):

- A replica never bound to a server, with no rows and no changes, adopts the server's shop.
- A replica that already holds rows but was never bound — the demo shop ``app.demo`` makes,
  or work typed before anyone logged in — is NOT merged into a real shop: its demo rows
  would be pushed or shown among real ones. Login refuses, and ``fresh=True`` (the CLI's
  ``--fresh``) sets the file aside under a new name (nothing is deleted) and starts an
  empty replica.
- A replica bound to the same server and shop logs in again (any user of that shop); a
  replica of another server or shop is refused the same way.

Tokens go to the keyring only after the replica is bound.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from app import identity
from app.db import Store
from app.errors import StorageError
from app.fsutil import set_aside_file
from app.models import MODELS, Outbox, SyncState
from app.timeutil import to_rfc3339, utcnow
from sync import quarantine
from sync.clock import Clock
from sync.credentials import Tokens, TokenStore
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient, normalize_server_url
from sync.outbox import count_refused, pending_count, sync_state
from sync.replica import open_conflicts
from sync.settings import SyncSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginOutcome:
    user: dict[str, Any]
    store: Store
    #: Where the previous replica was set aside (``fresh``), if it was.
    set_aside: Path | None = None


def device_name() -> str:
    return f"{platform.node() or 'computer'} ({platform.system()})"


def replica_has_data(store: Store) -> bool:
    with store.read() as s:
        if s.scalar(select(Outbox.id).limit(1)) is not None:
            return True
        for model in MODELS.values():
            if s.scalar(select(model.id).limit(1)) is not None:  # type: ignore[attr-defined]
                return True
    return False


def set_aside(store: Store, *, sleep: Callable[[float], None] = time.sleep) -> Path:
    """Close ``store`` and rename its file (with WAL and SHM) so a fresh one can start.

    On Windows a file another process holds open cannot be renamed: retried for a few
    seconds, then ``StorageError`` says so (``app.fsutil``, shared with ``app.recovery``).
    """
    store.close()
    return set_aside_file(store.path, utcnow().strftime("%Y%m%dT%H%M%SZ"), sleep=sleep)


def _refusal(state: SyncState, server_url: str, shop_id: str, has_data: bool) -> str | None:
    """Why this replica cannot be logged in to ``server_url``/``shop_id`` (None: it can)."""
    if state.server_url is None:
        if has_data:
            return ("This data folder holds a shop that was never connected to a server (the "
                    "demo, or work typed before logging in). It is not merged into the "
                    "server's shop. Use --fresh to set it aside (it is renamed, not deleted) "
                    "and start an empty replica, or choose another --data-dir.")
        return None
    if state.server_url != server_url:
        return (f"This data folder is connected to {state.server_url}. Use --fresh to set it "
                "aside and start an empty replica for the new server, or another --data-dir.")
    if state.shop_id != shop_id:
        return ("This data folder belongs to another shop on that server. Use --fresh to set it "
                "aside and start an empty replica, or another --data-dir.")
    return None


def login(store: Store, server_url: str, username: str, password: str, *,
          fresh: bool = False, settings: SyncSettings | None = None,
          token_store: TokenStore | None = None,
          transport: httpx.BaseTransport | None = None, clock: Clock | None = None,
          open_store: Callable[[Path], Store] = Store) -> LoginOutcome:
    """Log ``username`` in, bind the replica to the server's shop, keep the tokens.

    Returns the store to use from now on: a new one when ``fresh`` set the old one aside.
    """
    server_url = normalize_server_url(server_url)
    tokens_at = token_store or TokenStore()
    tokens_at.check()  # no secure store: say so before a session is even opened
    state = store.state()
    api = ApiClient(server_url, client_id=state.client_id, settings=settings, clock=clock,
                    transport=transport)
    try:
        result = api.login(username, password, device_name())
    finally:
        api.close()
    user = result.user
    shop_id = str(user.get("shop_id") or "")
    if not shop_id:
        raise SyncError(ErrorKind.SERVER, "The server did not say which shop this user is in.")
    aside: Path | None = None
    why = _refusal(state, server_url, shop_id, replica_has_data(store))
    if why is not None:
        if not fresh:
            _revoke(server_url, state.client_id, result.tokens, settings, transport, clock)
            raise SyncError(ErrorKind.CONFLICT, why)
        try:
            aside = set_aside(store)
        except StorageError:
            # The file is held open elsewhere: the session just opened is not kept either.
            _revoke(server_url, state.client_id, result.tokens, settings, transport, clock)
            raise
        store = open_store(aside.with_name(_original_name(aside)))
        log.info("set the previous replica aside as %s", aside)
    with store.write_session() as s:
        st = sync_state(s)
        if st.server_url is None:
            st.shop_id = shop_id
            st.server_url = server_url
        st.username = str(user.get("username") or username)
        st.user_id = str(user.get("id")) if user.get("id") else None
        st.role = str(user.get("role")) if user.get("role") else None
        st.last_error = None
    tokens_at.save(server_url, str(user.get("username") or username), result.tokens)
    identity.remember(store)  # the client id beside the replica, for a rebuild after damage
    return LoginOutcome(user, store, aside)


def _original_name(aside: Path) -> str:
    stem = aside.stem.split("-set-aside-")[0]
    return f"{stem}{aside.suffix}"


def _revoke(server_url: str, client_id: str, tokens: Tokens, settings: SyncSettings | None,
            transport: httpx.BaseTransport | None, clock: Clock | None) -> None:
    """End a session we will not keep (best effort)."""
    api = ApiClient(server_url, client_id=client_id, settings=settings, clock=clock,
                    transport=transport, tokens=tokens)
    try:
        api.logout()
    except SyncError:
        pass
    finally:
        api.close()


def client_for(store: Store, *, settings: SyncSettings | None = None,
               token_store: TokenStore | None = None,
               transport: httpx.BaseTransport | None = None,
               clock: Clock | None = None) -> ApiClient:
    """The ``ApiClient`` of a logged-in replica; ``SyncError(auth)`` when not logged in."""
    state = store.state()
    if not state.server_url or not state.username:
        raise SyncError(ErrorKind.AUTH, "This computer is not logged in to a server. Log in "
                                        "first (python main.py login --server URL --username U).")
    tokens_at = token_store or TokenStore()
    tokens = tokens_at.load(state.server_url, state.username)
    if tokens is None:
        raise SyncError(ErrorKind.AUTH, "Your session has ended. Log in again to keep this "
                                        "computer in sync.")
    server_url, username = state.server_url, state.username

    def keep(new: Tokens) -> None:
        tokens_at.save(server_url, username, new)

    return ApiClient(server_url, client_id=state.client_id, settings=settings, clock=clock,
                     transport=transport, tokens=tokens, on_tokens=keep)


def logout(store: Store, *, settings: SyncSettings | None = None,
           token_store: TokenStore | None = None,
           transport: httpx.BaseTransport | None = None, clock: Clock | None = None) -> bool:
    """Revoke the session on the server (if reachable), forget the tokens and the user.

    The replica stays bound to its shop and keeps its pending changes: whoever logs in next
    (to the same shop) sends them. Returns False when the server could not be told.
    """
    state = store.state()
    if not state.server_url or not state.username:
        return True
    tokens_at = token_store or TokenStore()
    told = True
    tokens = tokens_at.load(state.server_url, state.username)
    if tokens is not None:
        api = ApiClient(state.server_url, client_id=state.client_id, settings=settings,
                        clock=clock, transport=transport, tokens=tokens)
        try:
            api.logout()
        except SyncError as exc:
            told = False
            log.info("could not tell the server about the logout: %s", exc.message)
        finally:
            api.close()
    tokens_at.delete(state.server_url, state.username)
    with store.write_session() as s:
        st = sync_state(s)
        st.username = None
        st.user_id = None
        st.role = None
    return told


def describe(store: Store) -> dict[str, Any]:
    """The replica's sync facts, for ``status`` and support."""
    with store.read() as s:
        st = sync_state(s)
        outcomes = count_refused(s)  # refused operations: one per click
        held = quarantine.count(s)
        return {
            "server": st.server_url,
            "user": st.username,
            "role": st.role,
            "shop_id": st.shop_id,
            "client_id": st.client_id,
            "cursor": st.cursor,
            "acked_mutation_id": st.acked_mutation_id,
            "changes_waiting": pending_count(s),
            "open_conflicts": open_conflicts(s, st.client_id),
            "refused_changes": outcomes,
            "last_sync_at": st.last_sync_at.isoformat().replace("+00:00", "Z")
            if st.last_sync_at else None,
            "last_error": st.last_error,
            "recovered_from": st.recovered_from,
            "not_applied": held,
            "not_applied_summary": quarantine.summary(held),
            "not_applied_reason": quarantine.first_reason(s) if held else None,
            "not_applied_details": [
                {"id": q.id, "entity": q.entity, "row_id": q.row_id, "reason": q.reason,
                 "held_by": q.held_by, "at": to_rfc3339(q.at), "attempts": q.attempts}
                for q in quarantine.not_applied(s)],
        }
