"""The one module of ``ui/`` that imports PySide6: everything else takes Qt names from here.

Like Anki's ``aqt.qt``: one place to see which parts of Qt Bayline uses, and one place to
change when the binding moves (PySide6 6.12 today). Only QtCore, QtGui and QtWidgets, and
QtNetwork for the single-instance socket: all in PySide6-Essentials.
"""

from __future__ import annotations

import ui.pyside_none  # noqa: F401 - first: PySide6 6.12 on Python 3.11 needs it (see there)

# isort: split
from PySide6 import __version__ as PYSIDE_VERSION  # noqa: F401, E402
from PySide6.QtCore import *  # noqa: F403
from PySide6.QtCore import Property, Signal, Slot  # noqa: F401, E402
from PySide6.QtGui import *  # noqa: F403
from PySide6.QtNetwork import QLocalServer, QLocalSocket  # noqa: F401
from PySide6.QtWidgets import *  # noqa: F403
