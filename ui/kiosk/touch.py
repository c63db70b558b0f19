"""The kiosk's touch rules, written once: every screen sizes itself from these, and the
test that walks every kiosk screen checks against them (``too_small``).

Gloved fingers need targets of at least 48 device-independent pixels at 100 % scaling
(about 9 mm on a typical kiosk panel) with 8 px between them, text of 14 pt or more, and
nothing that needs hover, a right click, a double click or a drag.
"""

from __future__ import annotations

from ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)

#: Smallest width and height of anything a finger presses.
MIN_TARGET_PX = 48
#: Smallest gap between two targets.
MIN_GAP_PX = 8
#: Smallest text on a kiosk screen.
MIN_TEXT_PT = 14

#: The widgets a finger can press; anything else (labels, frames) is not a target.
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider,
               QAbstractItemView, QTextEdit)


def too_small(root: QWidget) -> list[str]:
    """The visible interactive widgets under ``root`` smaller than ``MIN_TARGET_PX`` in
    either direction, each described for a test's failure message."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or not widget.isVisible():
            continue
        if widget.width() < MIN_TARGET_PX or widget.height() < MIN_TARGET_PX:
            label = getattr(widget, "text", lambda: "")() if isinstance(widget, QAbstractButton) else ""
            found.append(f"{type(widget).__name__} {widget.objectName() or label!r} "
                         f"{widget.width()}x{widget.height()}")
    return found
