"""A manager's password checked by the server: how a kiosk lets a manager close it.

The kiosk runs signed in as its device account, and managers have no PIN (PINs are a
technician's). So a manager closes the kiosk with their own username and password, which
the kiosk's server checks: a throwaway client logs them in (never the engine's client,
whose session is the kiosk's), the role must be manager or admin of this replica's shop,
and the session opened for the check is ended at once. Offline nothing can be checked:
the kiosk says so (``SyncError(network)``), and the computer's own sign-out remains the
way out. Nothing here logs the password.
"""

from __future__ import annotations

import httpx

from app.db import Store
from sync.errors import ErrorKind, SyncError
from sync.http import ApiClient

#: Roles whose password closes a kiosk.
MANAGER_ROLES = ("manager", "admin")


def check_manager(store: Store, username: str, password: str, *,
                  transport: httpx.BaseTransport | None = None) -> dict[str, object]:
    """The manager's user (``id``, ``username``, ``role``, ...) when ``username`` and
    ``password`` are a manager's or admin's of this replica's shop; otherwise
    ``SyncError``: ``auth`` (wrong, or not a manager: ``code`` ``invalid_credentials`` or
    ``not_manager``), ``network`` when the server cannot be reached. Blocking: call it off
    the GUI thread."""
    state = store.state()
    if not state.server_url:
        raise SyncError(ErrorKind.LOCAL, "This kiosk is not connected to a server, so a "
                                         "manager's password cannot be checked.")
    if not username.strip() or not password:
        raise SyncError(ErrorKind.AUTH, "Type the manager's user name and password.",
                        code="invalid_credentials")
    api = ApiClient(state.server_url, client_id=state.client_id, transport=transport)
    try:
        result = api.login(username.strip(), password, "kiosk exit check")
        api.revoke(result.tokens)
    finally:
        api.close()
    user = result.user
    if user.get("role") not in MANAGER_ROLES or str(user.get("shop_id")) != state.shop_id:
        raise SyncError(ErrorKind.AUTH, "Only a manager of this shop can close the kiosk.",
                        code="not_manager")
    return dict(user)


__all__ = ["MANAGER_ROLES", "check_manager"]
