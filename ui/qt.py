"""The one module of ``ui/`` that imports PySide6: everything else takes Qt names from here.

Like Anki's ``aqt.qt``: one place to see which parts of Qt Bayline uses, and one place to
change when the binding moves (PySide6 6.12 today). Only QtCore, QtGui and QtWidgets, and
QtNetwork for the single-instance socket, QtPrintSupport for printing: all in
PySide6-Essentials.
"""

from __future__ import annotations

from PySide6 import __version__ as PYSIDE_VERSION  # noqa: F401, E402
from PySide6.QtCore import *  # noqa: F403
from PySide6.QtCore import Property, Signal, Slot  # noqa: F401, E402
from PySide6.QtGui import *  # noqa: F403
from PySide6.QtNetwork import QLocalServer, QLocalSocket  # noqa: F401
from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: F401
from PySide6.QtWidgets import *  # noqa: F403
from shiboken6 import isValid as qt_object_alive  # noqa: F401, E402


def _keep_singletons_alive() -> None:
    """Work around PySide6 6.12.0 returning ``True`` and ``None`` to Python without a new
    reference: ``SignalInstance.emit()`` (returns ``True``) and ``QModelIndex.data()`` for
    an empty value (returns ``None``) each take one reference away per call. On CPython
    before 3.12 (where these are not immortal) a desk dies with "bool_dealloc" or
    "none_dealloc" after a few thousand calls — at exit, or mid-day. Giving ``True``,
    ``False`` and ``None`` a huge reference count makes them as good as immortal, as
    CPython 3.12 does itself. ``tests/ui/test_pyside_workaround.py`` notices when PySide
    no longer needs this."""
    import sys

    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40  # ob_refcnt comes first


_keep_singletons_alive()
