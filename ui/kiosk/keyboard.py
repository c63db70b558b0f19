"""An on-screen keyboard with glove-sized keys, for the kiosk's notes.

The system's touch keyboard may not appear for Qt widgets, and its keys are small. This
one types into the editor it is attached to (a ``QPlainTextEdit`` or a ``QLineEdit``):
digits, QWERTY letters, a little punctuation, Shift (the next letter in capitals),
Backspace, Space and Enter. Its keys never take the focus, so the caret stays where it was.
"""

from __future__ import annotations

from ui.kiosk.touch import MIN_GAP_PX, MIN_TARGET_PX
from ui.qt import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: The rows of keys; the special keys are named in brackets.
ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "[Backspace]"),
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "-"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "'", "[Enter]"),
    ("[Shift]", "z", "x", "c", "v", "b", "n", "m", ",", ".", "/"),
    ("[Space]",),
)
#: How many letter keys wide a special key is.
_WIDTH = {"[Backspace]": 2, "[Enter]": 2, "[Shift]": 2, "[Space]": 8}
_LABEL = {"[Backspace]": "⌫ Delete", "[Enter]": "Enter ⏎", "[Shift]": "⇧ Shift",
          "[Space]": "Space"}
#: Height of a key: a gloved fingertip with room to spare.
KEY_HEIGHT = MIN_TARGET_PX + 8


class Keyboard(QWidget):
    """See the module docstring. ``pressed`` fires on every key (for the inactivity timer)."""

    pressed = Signal()
    #: Enter was pressed (after the newline went into a multi-line editor).
    entered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboard")
        self._target: QPlainTextEdit | QLineEdit | None = None
        self.keys: dict[str, QPushButton] = {}
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(MIN_GAP_PX)
        for keys in ROWS:
            line = QHBoxLayout()
            line.setSpacing(MIN_GAP_PX)
            for key in keys:
                button = QPushButton(_LABEL.get(key, key))
                button.setObjectName(f"key-{key.strip('[]').lower()}")
                button.setProperty("kiosk", "key")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setAutoRepeat(key == "[Backspace]")
                button.setMinimumSize(MIN_TARGET_PX, KEY_HEIGHT)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                if key == "[Shift]":
                    button.setCheckable(True)
                button.pressed.connect(self.pressed)
                button.clicked.connect(lambda _checked=False, k=key: self.press(k))
                line.addWidget(button, _WIDTH.get(key, 1))
                self.keys[key] = button
            if keys == ("[Space]",):
                line.insertStretch(0, 1)
                line.addStretch(1)
            rows.addLayout(line)

    def attach(self, editor: QPlainTextEdit | QLineEdit | None) -> None:
        """Type into ``editor`` from now on (None: nowhere)."""
        self._target = editor

    @property
    def shifted(self) -> bool:
        return self.keys["[Shift]"].isChecked()

    def press(self, key: str) -> None:
        """What tapping ``key`` does (a letter, a digit, or a bracketed special key)."""
        editor = self._target
        if key == "[Shift]":
            return  # the button's own checked state is the shift
        if editor is None:
            return
        if key == "[Backspace]":
            if isinstance(editor, QLineEdit):
                editor.backspace()
            else:
                editor.textCursor().deletePreviousChar()
            return
        if key == "[Enter]":
            if isinstance(editor, QPlainTextEdit):
                editor.insertPlainText("\n")
            self.entered.emit()
            return
        text = " " if key == "[Space]" else key
        if self.shifted and len(text) == 1 and text.isalpha():
            text = text.upper()
            self.keys["[Shift]"].setChecked(False)  # one capital, as phones do
        if isinstance(editor, QLineEdit):
            editor.insert(text)
        else:
            editor.insertPlainText(text)
            editor.ensureCursorVisible()
