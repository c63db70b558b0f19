"""Keeps ``None`` alive under PySide6 6.12 on Python 3.11 (imported by ``ui.qt`` before
any PySide6 name is used).

PySide6 6.12's bindings return ``None`` from every void method (``painter.save()``,
``widget.setEnabled()`` …) without taking a reference to it, as if ``None`` were immortal,
which it is only from Python 3.12 on. On 3.11 each such call takes one reference from
``None`` (which starts near 5,000), and a window that paints cards aborts within minutes
("Fatal Python error: none_dealloc"). Giving ``None`` 2**40 more references at start makes
it immortal in practice. ``tests/ui/test_qt_binding.py`` fails without this.
"""

from __future__ import annotations

import sys


def keep_none_alive() -> bool:
    """Raise ``None``'s reference count once; True when it was done."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    import ctypes

    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt: PyObject's first field
    if abs(refcount.value - (sys.getrefcount(None) - 1)) >= 100:
        return False  # not that field (an unusual build): leave it alone
    if refcount.value < 1 << 39:
        refcount.value += 1 << 40
    return True


keep_none_alive()
