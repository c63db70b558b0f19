"""The kiosk keeps the screen on (Windows: SetThreadExecutionState); elsewhere it does
nothing and says so."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import pytest

from ui.kiosk import awake


class Setter:
    """``kernel32.SetThreadExecutionState`` as ctypes gives it (restype, argtypes)."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.restype: Any = None
        self.argtypes: Any = None

    def __call__(self, flags: int) -> int:
        self.calls.append(flags)
        return 0x80000000  # the previous state: non-zero is success


def test_on_windows_the_display_and_system_stay_on_until_allowed_to_sleep(
        monkeypatch: pytest.MonkeyPatch) -> None:
    setter = Setter()
    kernel = type("Kernel32", (), {"SetThreadExecutionState": setter})()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", type("W", (), {"kernel32": kernel})(), raising=False)
    assert awake.keep_awake() is True
    assert awake.allow_sleep() is True
    assert setter.calls == [0x80000000 | 0x2 | 0x1, 0x80000000]


def test_elsewhere_nothing_is_done() -> None:
    if sys.platform == "win32":
        pytest.skip("this is the non-Windows branch")
    assert awake.keep_awake() is False
    assert awake.allow_sleep() is False
