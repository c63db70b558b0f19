"""Keeping the kiosk's screen on while it runs.

Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)``
from the GUI thread (the state belongs to the thread that set it, which lives as long as
the kiosk); ``allow_sleep`` clears it. Elsewhere nothing is done (a kiosk on Linux turns
its screen blanking off in the session's own settings) and both return False.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


def _set(flags: int) -> bool:
    if sys.platform != "win32":
        return False
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        kernel32.SetThreadExecutionState.restype = ctypes.c_uint
        kernel32.SetThreadExecutionState.argtypes = [ctypes.c_uint]
        return bool(kernel32.SetThreadExecutionState(flags))
    except (AttributeError, OSError) as exc:
        log.warning("could not keep the screen on: %s", exc)
        return False


def keep_awake() -> bool:
    """Keep the display and the computer awake until ``allow_sleep``; True when done."""
    return _set(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)


def allow_sleep() -> bool:
    """Let the display and the computer sleep again as the power settings say."""
    return _set(ES_CONTINUOUS)


__all__ = ["allow_sleep", "keep_awake"]
