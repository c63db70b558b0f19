"""Keeps ``None``, ``True`` and ``False`` alive under PySide6 6.12 on Python 3.11
(imported by ``ui.qt`` before any PySide6 name is used).

PySide6 6.12's bindings return ``None`` from every void method (``painter.save()``,
``widget.setEnabled()`` …) without taking a reference to it, as if ``None`` were immortal,
which it is only from Python 3.12 on. On 3.11 each such call takes one reference from
``None`` (which starts near 5,000), and a window that paints cards aborts within minutes
("Fatal Python error: none_dealloc"). ``True`` and ``False`` lose references somewhere
in the same way (a test session ended in "bool_dealloc"). Giving each 2**40 more
references at start makes them immortal in practice, as they are from 3.12 on.
``tests/ui/test_qt_binding.py`` fails without this.
"""

from __future__ import annotations

import sys


def keep_none_alive() -> bool:
    """Raise the reference counts of ``None``, ``True`` and ``False`` once; True when it
    was done."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    import ctypes

    done = False
    for singleton in (None, True, False):
        # ob_refcnt is PyObject's first field in a release build of CPython.
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        if abs(refcount.value - (sys.getrefcount(singleton) - 1)) >= 100:
            continue  # not that field (an unusual build): leave it alone
        if refcount.value < 1 << 39:
            refcount.value += 1 << 40
        done = True
    return done


keep_none_alive()
