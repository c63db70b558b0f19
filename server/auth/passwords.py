"""Argon2 hashes for passwords and kiosk PINs."""

from __future__ import annotations

import logging
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.validators import (
    MIN_PASSWORD_LENGTH,
    PIN_PATTERN,
    password_problem,
    pin_problem,
)

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

__all__ = ["MIN_PASSWORD_LENGTH", "PIN_PATTERN", "check_password", "check_pin",
           "hash_pin_verifier", "hash_secret", "verify_secret"]


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
    """The rule of ``app.validators.password_problem`` (one rule for the server and desk)."""
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)


def check_pin(pin: str) -> None:
    """The rule of ``app.validators.pin_problem``."""
    problem = pin_problem(pin)
    if problem is not None:
        raise ValueError(problem)
