"""``python dev.py bench`` runs on Windows, which has no ``resource`` module."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.memory import ProcessMemoryCounters, peak_rss_kb, windows_peak_kb

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, importlib.abc, pkgutil, sys

class NoResource(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "resource":
            raise ModuleNotFoundError("No module named 'resource' (as on Windows)")
        return None

sys.modules.pop("resource", None)
sys.meta_path.insert(0, NoResource())
import bench
for info in pkgutil.iter_modules(bench.__path__):
    importlib.import_module("bench." + info.name)
print("ok")
"""


def test_every_bench_module_imports_without_resource() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


class FakeKernel32:
    def GetCurrentProcess(self) -> int:  # noqa: N802 - the Win32 name
        return -1


class FakePsapi:
    def __init__(self, peak_bytes: int, ok: bool = True) -> None:
        self.peak_bytes, self.ok, self.sizes = peak_bytes, ok, []

    def GetProcessMemoryInfo(self, process: int, counters: Any, size: int) -> int:  # noqa: N802
        self.sizes.append(size)
        counters.contents.PeakWorkingSetSize = self.peak_bytes
        return int(self.ok)


def test_the_windows_branch_reads_the_peak_working_set() -> None:
    psapi = FakePsapi(150 * 1024 * 1024)
    assert windows_peak_kb(FakeKernel32(), psapi) == 150 * 1024
    assert psapi.sizes == [ctypes.sizeof(ProcessMemoryCounters)]
    assert windows_peak_kb(FakeKernel32(), FakePsapi(1, ok=False)) is None


def test_this_platform_reports_a_peak() -> None:
    peak = peak_rss_kb()
    assert peak is not None and 1024 < peak < 64 * 1024 * 1024
