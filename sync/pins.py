"""A kiosk's offline PIN check.

The server sends kiosk device accounts one ``technician_pin`` row per technician with a
PIN: a salted argon2id verifier of the PIN. The replica never stores that verifier as sent.
Before a pulled page is applied, ``Sealer`` replaces it with a *sealed* form: the argon2
parameters and salt, and ``HMAC-SHA256(device_secret, user_id || argon2(pin))`` in place of
the hash. The device secret is 256 random bits kept only in the OS keyring
(``TokenStore.device_secret``). So:

- a stolen replica file alone gives nothing to test PIN guesses against (each guess would
  need the secret);
- a sealed row copied onto another technician's row does not verify (the user id is in
  the MAC);
- checking a PIN costs one argon2id hash with the server's parameters (about 40 ms here
  with the kiosk profile) plus an HMAC.

``check_offline`` is what the kiosk calls when the server cannot be reached. Nothing here
logs a PIN, a verifier or a sealed value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.low_level import hash_secret_raw
from sqlalchemy import select

from app.db import Store
from app.models import Technician, TechnicianPin
from sync.credentials import TokenStore
from sync.errors import SyncError

log = logging.getLogger(__name__)

SEAL_PREFIX = "bls1"
_TYPES = {"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}
#: Refused verifiers that would make a kiosk hash for too long (or exhaust its memory).
MAX_MEMORY_KIB = 256 * 1024
MAX_TIME_COST = 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


@dataclass(frozen=True)
class _Params:
    kind: str
    version: int
    memory_cost: int
    time_cost: int
    parallelism: int
    salt: bytes


def _parse_argon2(encoded: str) -> tuple[_Params, bytes]:
    """``$argon2id$v=19$m=..,t=..,p=..$salt$hash`` → parameters and the raw hash."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] or parts[1] not in _TYPES or not parts[2].startswith("v="):
        raise InvalidHashError("not an argon2 hash")
    try:
        costs = dict(item.split("=", 1) for item in parts[3].split(","))
        params = _Params(parts[1], int(parts[2][2:]), int(costs["m"]), int(costs["t"]),
                         int(costs["p"]), _unb64(parts[4]))
        raw = _unb64(parts[5])
    except (KeyError, ValueError) as exc:
        raise InvalidHashError("not an argon2 hash") from exc
    if not (0 < params.memory_cost <= MAX_MEMORY_KIB and 0 < params.time_cost <= MAX_TIME_COST
            and 0 < params.parallelism <= 16 and 8 <= len(params.salt) <= 64
            and 16 <= len(raw) <= 64):
        raise InvalidHashError("argon2 parameters out of the kiosk's range")
    return params, raw


def _mac(secret: bytes, user_id: str, raw: bytes) -> bytes:
    return hmac.new(secret, user_id.encode("utf-8") + b"\x00" + raw, hashlib.sha256).digest()


def seal(verifier: str, user_id: str, secret: bytes) -> str:
    """The form a replica stores: parameters, salt and the MAC of the hash (never the hash)."""
    p, raw = _parse_argon2(verifier)
    return ":".join((SEAL_PREFIX, p.kind, str(p.version), str(p.memory_cost), str(p.time_cost),
                     str(p.parallelism), _b64(p.salt), str(len(raw)),
                     _b64(_mac(secret, user_id, raw))))


def verify_sealed(sealed: str, user_id: str, pin: str, secret: bytes) -> bool:
    """True when ``pin`` is the PIN whose verifier was sealed as ``sealed`` for ``user_id``."""
    try:
        prefix, kind, version, m, t, p, salt, hash_len, mac = sealed.split(":")
        if prefix != SEAL_PREFIX or kind not in _TYPES:
            return False
        memory, passes, lanes, length = int(m), int(t), int(p), int(hash_len)
        if not (0 < memory <= MAX_MEMORY_KIB and 0 < passes <= MAX_TIME_COST
                and 0 < lanes <= 16 and 16 <= length <= 64):
            return False
        raw = hash_secret_raw(pin.encode("utf-8"), _unb64(salt), time_cost=passes,
                              memory_cost=memory, parallelism=lanes, hash_len=length,
                              type=_TYPES[kind], version=int(version))
        return hmac.compare_digest(_mac(secret, user_id, raw), _unb64(mac))
    except (ValueError, TypeError):
        return False


class Sealer:
    """Seals the verifiers of pulled ``technician_pin`` rows before they are stored. Where
    no device secret can be had (no keyring) the verifier is dropped: the kiosk then checks
    PINs online only, and says so."""

    def __init__(self, secret: Callable[[], bytes | None]) -> None:
        self._secret = secret
        self._warned = False

    @classmethod
    def from_keyring(cls, server_url: str, client_id: str,
                     token_store: TokenStore | None = None) -> Sealer:
        store = token_store or TokenStore()
        return cls(lambda: store.device_secret(server_url, client_id))

    def seal_page(self, changes: list[dict[str, Any]]) -> None:
        """Replace, in place, each pulled verifier by its sealed form (or None)."""
        secret: bytes | None = None
        fetched = False
        for ch in changes:
            row = ch.get("row") if isinstance(ch, dict) else None
            if ch.get("entity") != "technician_pin" or not isinstance(row, dict):
                continue
            verifier, user_id = row.get("verifier"), row.get("user_id")
            if "verifier" not in row:
                continue
            if not fetched:
                fetched = True
                try:
                    secret = self._secret()
                except SyncError as exc:
                    if not self._warned:
                        log.warning("PINs cannot be checked offline on this kiosk: %s",
                                    exc.message)
                        self._warned = True
            sealed: str | None = None
            if secret is not None and isinstance(verifier, str) and isinstance(user_id, str):
                try:
                    sealed = seal(verifier, user_id, secret)
                except InvalidHashError:
                    log.warning("a PIN verifier from the server was not understood; that "
                                "technician signs in online only")
            ch["row"] = {**row, "verifier": sealed}


@dataclass(frozen=True)
class OfflineSignIn:
    """A PIN accepted offline: who it is."""

    user_id: str
    technician_id: str
    name: str


def has_verifier(store: Store, technician_id: str) -> bool:
    """True when this kiosk holds a sealed PIN verifier of the technician (it can check
    their PIN while the server is away)."""
    with store.read() as s:
        return s.scalar(select(TechnicianPin.id).where(
            TechnicianPin.technician_id == technician_id, TechnicianPin.deleted_at.is_(None),
            TechnicianPin.verifier.is_not(None)).limit(1)) is not None


def check_offline(store: Store, technician_id: str, pin: str, secret: bytes | None) -> OfflineSignIn | None:
    """The technician, when ``pin`` is theirs by the verifier this kiosk pulled; None when it
    is not, when they have no PIN here or are not active (each costs one hash, so a wrong
    technician takes as long as a wrong PIN)."""
    with store.read() as s:
        found = s.execute(
            select(TechnicianPin.user_id, TechnicianPin.verifier, Technician.name,
                   Technician.active, Technician.deleted_at)
            .join(Technician, Technician.id == TechnicianPin.technician_id)
            .where(TechnicianPin.technician_id == technician_id,
                   TechnicianPin.deleted_at.is_(None))).first()
    if secret is None:
        return None
    if found is None or found.verifier is None:
        verify_sealed(_DUMMY_SEALED, "", pin, secret)  # the same time as a real check
        return None
    ok = verify_sealed(found.verifier, found.user_id, pin, secret)
    if not ok or not found.active or found.deleted_at is not None:
        return None
    return OfflineSignIn(found.user_id, technician_id, found.name)


_DUMMY_SEALED = seal(
    "$argon2id$v=19$m=19456,t=2,p=1$YmF5bGluZS1kdW1teS1zYWx0"
    "$ZHVtbXlkdW1teWR1bW15ZHVtbXlkdW1teWR1bW15ZHU", "", b"\x00" * 32)
