"""Argon2 hashes for passwords and kiosk PINs."""

from __future__ import annotations

import logging
import os
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's low-memory profile (argon2-cffi's default, ~0.2 s here). Tests and benchmarks
# set BAYLINE_ARGON2_PROFILE=fast for cheap hashes; a hash records its own parameters, so
# hashes made either way verify under both.
if os.environ.get("BAYLINE_ARGON2_PROFILE") == "fast":
    logging.getLogger(__name__).warning(
        "BAYLINE_ARGON2_PROFILE=fast: passwords are hashed cheaply; for tests only")
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
else:
    _hasher = PasswordHasher()
#: A kiosk checks a PIN against its verifier offline, on the kiosk's own (modest) CPU, within
#: 300 ms: argon2id at OWASP's first recommended setting (19 MiB, 2 passes, one lane), about
#: 40 ms here. The verifier never leaves the server except to kiosk device accounts, and a
#: kiosk keeps it only sealed with a secret from its keyring (``sync.pins``).
if os.environ.get("BAYLINE_ARGON2_PROFILE") == "fast":
    _pin_verifier_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
else:
    _pin_verifier_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Checked against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("bayline-not-a-real-password")

MIN_PASSWORD_LENGTH = 8
PIN_PATTERN = re.compile(r"[0-9]{4,8}")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def hash_pin_verifier(pin: str) -> str:
    """The kiosk's offline verifier of a PIN: its own salt, the kiosk's hashing profile."""
    return _pin_verifier_hasher.hash(pin)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; an unknown user (None) costs the same time and fails."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"A password has at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise ValueError("A password has at most 1024 characters.")


def check_pin(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin):
        raise ValueError("A PIN is 4 to 8 digits.")
