"""Tokens live in the OS password store (``keyring``), never in a file or a log.

Service "Bayline", one entry per server and user. On a computer with no secure store (a
headless Linux box without a Secret Service), ``keyring`` would quietly pick a plain-text
file backend if one is installed; we refuse that unless the person chose it explicitly
(``PYTHON_KEYRING_BACKEND`` or keyring's own config file), and say what to do instead.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend

from sync.errors import NoKeyring

log = logging.getLogger(__name__)

SERVICE = "Bayline"
#: Windows Credential Manager holds at most 2,560 bytes of UTF-16 (1,280 characters).
_MAX_SECRET_CHARS = 1200

NO_KEYRING_MESSAGE = (
    "This computer has no secure password store, so Bayline cannot keep you logged in. "
    "On Linux, install and unlock a Secret Service (GNOME Keyring or KWallet). To accept "
    "another store knowingly, set PYTHON_KEYRING_BACKEND to it. Bayline never writes "
    "your session to a plain file on its own.")


#: What to do about the Windows errors a clerk's PC is known to give (winerror codes).
_WINDOWS_HINTS = {
    1312: "Windows keeps no passwords for this kind of sign-in (Bayline started as a "
          "service or scheduled task?). Start Bayline as the signed-in Windows user.",
    5: "Windows refused access to the stored passwords. Sign out of Windows and in again, "
       "or ask whoever looks after this PC to check Credential Manager.",
}
_WINDOWS_HINT = ("Sign out of Windows and in again; if it persists, ask whoever looks after "
                 "this PC to check Windows Credential Manager.")


def _is_windows_store_error(exc: BaseException) -> bool:
    """True for ``pywintypes.error`` (pywin32) or pywin32-ctypes' copy of it: what keyring's
    Windows backend lets through for anything but "not found". Matched by name, as neither
    module exists off Windows."""
    return any(cls.__name__ == "error" and cls.__module__.split(".")[-1] == "pywintypes"
               for cls in type(exc).__mro__)


def _windows_message(exc: BaseException, action: str) -> str:
    args: tuple[Any, ...] = tuple(exc.args)
    code = getattr(exc, "winerror", args[0] if args else None)
    text = str(getattr(exc, "strerror", args[2] if len(args) > 2 else "") or "").strip()
    detail = f"Windows error {code}" + (f": {text.rstrip('.')}" if text else "")
    hint = _WINDOWS_HINTS.get(code, _WINDOWS_HINT) if isinstance(code, int) else _WINDOWS_HINT
    return (f"Windows Credential Manager could not {action} your Bayline session "
            f"({detail}). {hint}")


def _store_failure(exc: Exception, action: str, words: str) -> NoKeyring | None:
    """The ``NoKeyring`` for a password store's failure, or None when ``exc`` is a bug."""
    if isinstance(exc, keyring.errors.KeyringError):
        return NoKeyring(f"The password store could not be {words}: {exc}")
    if _is_windows_store_error(exc):
        return NoKeyring(_windows_message(exc, action))
    return None


@dataclass(frozen=True)
class Tokens:
    """A session: the short-lived access token, the refresh token, and when access ends."""

    access_token: str
    refresh_token: str
    #: Wall-clock expiry of the access token (seconds since the epoch), if known.
    expires_at: float | None = None

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return f"Tokens(expires_at={self.expires_at!r})"


def _explicitly_chosen() -> bool:
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        return keyring.core.load_config() is not None
    except Exception:  # noqa: BLE001 - a broken config file is not a choice
        return False


def secure_backend() -> KeyringBackend:
    """The process's keyring backend, if it is a real password store; else ``NoKeyring``."""
    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail") or name.startswith("keyring.backends.null"):
        raise NoKeyring(NO_KEYRING_MESSAGE)
    backends = getattr(backend, "backends", None)
    if backends is not None and not backends:  # a chainer with nothing behind it
        raise NoKeyring(NO_KEYRING_MESSAGE)
    if getattr(backend, "priority", 0) < 1 and not _explicitly_chosen():
        # keyring's auto-detection fell back to something it does not recommend, such as
        # keyrings.alt's plain-text file.
        raise NoKeyring(NO_KEYRING_MESSAGE)
    return backend


class TokenStore:
    """Reads and writes sessions in the keyring. ``backend`` given = chosen explicitly."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def _kr(self) -> KeyringBackend:
        return self._backend if self._backend is not None else secure_backend()

    def check(self) -> None:
        """Raise ``NoKeyring`` now if tokens could not be kept (before logging in)."""
        self._kr()

    @staticmethod
    def key(server_url: str, username: str) -> str:
        return f"{server_url.rstrip('/')} {username}"

    def load(self, server_url: str, username: str) -> Tokens | None:
        try:
            raw = self._kr().get_password(SERVICE, self.key(server_url, username))
        except Exception as exc:
            failure = _store_failure(exc, "read", "read")
            if failure is None:
                raise
            raise failure from exc
        if not raw:
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            return Tokens(str(data.get("access") or ""), str(data["refresh"]),
                          data.get("expires_at"))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable session entry in the password store")
            return None

    def save(self, server_url: str, username: str, tokens: Tokens) -> None:
        data = {"access": tokens.access_token, "refresh": tokens.refresh_token,
                "expires_at": tokens.expires_at}
        raw = json.dumps(data, separators=(",", ":"))
        if len(raw) > _MAX_SECRET_CHARS:
            # Keep the long-lived part; the access token is refreshed on next start.
            raw = json.dumps({"access": "", "refresh": tokens.refresh_token,
                              "expires_at": None}, separators=(",", ":"))
        try:
            self._kr().set_password(SERVICE, self.key(server_url, username), raw)
        except Exception as exc:
            failure = _store_failure(exc, "save", "written")
            if failure is None:
                raise
            raise failure from exc

    def delete(self, server_url: str, username: str) -> None:
        try:
            self._kr().delete_password(SERVICE, self.key(server_url, username))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already logged out
        except Exception as exc:
            failure = _store_failure(exc, "remove", "changed")
            if failure is None:
                raise
            raise failure from exc

    # --- a kiosk's device secret ------------------------------------------------------
    @staticmethod
    def secret_key(server_url: str, client_id: str) -> str:
        return f"{server_url.rstrip('/')} device-secret {client_id}"

    def device_secret(self, server_url: str, client_id: str, *, create: bool = True) -> bytes | None:
        """The replica's own 256-bit secret (made on first use), kept only in the keyring:
        a kiosk seals its PIN verifiers with it (``sync.pins``), so a copy of the replica
        file alone does not let anyone try PINs. None when absent and ``create`` is False."""
        key = self.secret_key(server_url, client_id)
        try:
            raw = self._kr().get_password(SERVICE, key)
            if raw:
                try:
                    return base64.b64decode(raw, validate=True)
                except ValueError:
                    log.warning("ignoring an unreadable device secret in the password store")
            if not create:
                return None
            secret = secrets.token_bytes(32)
            self._kr().set_password(SERVICE, key, base64.b64encode(secret).decode("ascii"))
            return secret
        except Exception as exc:
            failure = _store_failure(exc, "use", "used")
            if failure is None:
                raise
            raise failure from exc

    # --- a desk user's offline unlock check (sync.deskuser) ----------------------------
    @staticmethod
    def check_key(server_url: str, username: str) -> str:
        return f"{server_url.rstrip('/')} password-check {username}"

    def password_check(self, server_url: str, username: str) -> str | None:
        """The kept verifier of ``username``'s password (an argon2id hash), if any."""
        try:
            return self._kr().get_password(SERVICE, self.check_key(server_url, username))
        except Exception as exc:
            failure = _store_failure(exc, "read", "read")
            if failure is None:
                raise
            raise failure from exc

    def save_password_check(self, server_url: str, username: str, verifier: str) -> None:
        try:
            self._kr().set_password(SERVICE, self.check_key(server_url, username), verifier)
        except Exception as exc:
            failure = _store_failure(exc, "save", "written")
            if failure is None:
                raise
            raise failure from exc

    def delete_password_check(self, server_url: str, username: str) -> None:
        try:
            self._kr().delete_password(SERVICE, self.check_key(server_url, username))
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            failure = _store_failure(exc, "remove", "changed")
            if failure is None:
                raise
            raise failure from exc
