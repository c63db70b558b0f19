"""The replica's identity in a small file beside it, so a damaged replica can be rebuilt
under the same client id.

The client id is what the server keys this replica's last mutation id (LMID) on. If the
SQLite file is damaged, the id inside it may be unreadable; a fresh replica with a new id
would have the server apply again whatever of the old outbox is re-sent. So the id (and
what is needed to find the session in the keyring again) is also kept in
``<replica file>.id.json``: client id, device code, shop, server address, user name. No
secrets: no token, no password, no PIN hash.

Written when the replica is bound to a server (at log in) and checked at every open of a
bound replica (rewritten when it differs). A replica never bound to a server has nothing on
a server to recover, so it has no such file.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    client_id: str
    device_code: str
    shop_id: str
    server_url: str | None = None
    username: str | None = None


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".id.json")


def read(path: Path) -> Identity | None:
    """The identity kept beside the replica ``path``, or None (none, or unreadable)."""
    try:
        data: Any = json.loads(sidecar(path).read_text(encoding="utf-8"))
        return Identity(client_id=str(data["client_id"]), device_code=str(data["device_code"]),
                        shop_id=str(data["shop_id"]), server_url=data.get("server_url"),
                        username=data.get("username"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the identity file beside %s cannot be read: %s", path, exc)
        return None


def write(path: Path, ident: Identity) -> None:
    """Write the identity atomically (a temporary file, then a rename); best effort."""
    from app.fsutil import replace_with_retry

    target = sidecar(path)
    temp = target.with_name(target.name + ".tmp")
    try:
        temp.write_text(json.dumps(asdict(ident), indent=2) + "\n", encoding="utf-8")
        replace_with_retry(temp, target, attempts=3)
    except Exception as exc:  # noqa: BLE001 - the replica works without it; say so
        log.warning("could not write %s: %s", target, exc, extra={"console": False})
        temp.unlink(missing_ok=True)


def of(store: Store) -> Identity:
    st = store.state()
    return Identity(st.client_id, st.device_code, st.shop_id, st.server_url, st.username)


def remember(store: Store) -> None:
    """Keep the identity of a replica bound to a server beside it (if it changed)."""
    try:
        ident = of(store)
    except Exception as exc:  # noqa: BLE001 - never a reason not to open
        log.warning("could not read the replica's identity: %s", exc, extra={"console": False})
        return
    if ident.server_url is None:
        return
    if read(store.path) != ident:
        write(store.path, ident)


def forget(path: Path) -> None:
    """Remove the identity file of ``path`` (its replica was set aside for another shop)."""
    try:
        os.unlink(sidecar(path))
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not remove %s: %s", sidecar(path), exc)


__all__ = ["Identity", "forget", "of", "read", "remember", "sidecar", "write"]
