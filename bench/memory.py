"""Peak memory of the running process, on Linux, Windows and macOS.

Windows has no ``resource`` module, so it is imported only where it exists; ``python
dev.py bench`` runs on a clerk's kind of PC too.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path
from typing import Any


def peak_rss_kb() -> int | None:
    """This process's peak resident set (Windows: peak working set), in KiB; None when the
    platform offers no way to know."""
    if sys.platform == "win32":
        return windows_peak_kb(ctypes.WinDLL("kernel32"), ctypes.WinDLL("psapi"))  # type: ignore[attr-defined]
    # Linux's ru_maxrss carries the parent's peak across fork and exec (the kernel keeps the
    # larger of the old and new images), so a child started by a big bench process would
    # report the parent's memory; VmHWM is the high-water mark of this image alone.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB elsewhere


class ProcessMemoryCounters(ctypes.Structure):
    """``PROCESS_MEMORY_COUNTERS`` of psapi.h."""

    _fields_ = [("cb", ctypes.c_uint32), ("PageFaultCount", ctypes.c_uint32),
                ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPagedPoolUsage", ctypes.c_size_t),
                ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
                ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]


def windows_peak_kb(kernel32: Any, psapi: Any) -> int | None:
    """Peak working set from ``GetProcessMemoryInfo`` (the DLLs are passed in for tests)."""
    counters = ProcessMemoryCounters()
    counters.cb = ctypes.sizeof(counters)
    ok = psapi.GetProcessMemoryInfo(kernel32.GetCurrentProcess(), ctypes.pointer(counters),
                                    counters.cb)
    if not ok:
        return None
    return int(counters.PeakWorkingSetSize) // 1024
