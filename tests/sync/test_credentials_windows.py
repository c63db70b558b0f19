"""Windows Credential Manager's failures become a keyring failure in Windows' words.

keyring's Windows backend turns only "not found" into ``None`` or ``PasswordDeleteError``;
anything else (no logon session under a scheduled task, access denied, a full vault) comes
through as ``pywintypes.error`` (pywin32's class, or pywin32-ctypes' copy in
``win32ctypes.pywin32.pywintypes``). A fake backend raises a class with that name here.
"""

from __future__ import annotations

from typing import Any

import pytest
from keyring.backend import KeyringBackend

from sync.credentials import NoKeyring, Tokens, TokenStore


def _pywintypes_error(module: str) -> type[Exception]:
    """A stand-in for ``pywintypes.error``: ``error(winerror, funcname, strerror)``."""

    def __init__(self: Any, winerror: int, funcname: str, strerror: str) -> None:
        Exception.__init__(self, winerror, funcname, strerror)
        self.winerror, self.funcname, self.strerror = winerror, funcname, strerror

    return type("error", (Exception,), {"__module__": module, "__init__": __init__})


class WinVault(KeyringBackend):
    """Fails every call the way the Windows vault does when it cannot be reached."""

    priority = 5  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


NO_SESSION = (1312, "CredRead", "A specified logon session does not exist. "
                                "It may already have been terminated.")


@pytest.mark.parametrize("module", ["pywintypes", "win32ctypes.pywin32.pywintypes"])
def test_every_call_says_the_windows_store_failed(module: str) -> None:
    store = TokenStore(WinVault(_pywintypes_error(module)(*NO_SESSION)))
    calls = [lambda: store.load("https://s", "ann"),
             lambda: store.save("https://s", "ann", Tokens("a", "r")),
             lambda: store.delete("https://s", "ann")]
    for call in calls:
        with pytest.raises(NoKeyring) as caught:
            call()
        message = caught.value.message
        assert "Windows Credential Manager" in message
        assert "1312" in message and "signed-in Windows user" in message


def test_another_windows_error_is_named_with_its_number() -> None:
    error = _pywintypes_error("pywintypes")(5, "CredWrite", "Access is denied.")
    with pytest.raises(NoKeyring) as caught:
        TokenStore(WinVault(error)).save("https://s", "ann", Tokens("a", "r"))
    assert "Windows error 5" in caught.value.message and "Access is denied" in caught.value.message


def test_a_bug_is_not_dressed_up_as_a_keyring_failure() -> None:
    with pytest.raises(ZeroDivisionError):
        TokenStore(WinVault(ZeroDivisionError())).load("https://s", "ann")
