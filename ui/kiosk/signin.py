"""The kiosk's sign-in: a tile per active technician, then a PIN pad with glove-sized keys.

Both screens only show and collect: the window (``ui.kiosk.window``) reads the tiles, runs
the PIN check off the GUI thread and decides what a wrong PIN means (``app.pinlock``).
Every target is at least ``MIN_TARGET_PX`` with ``MIN_GAP_PX`` between targets
(``ui.kiosk.touch``); nothing needs hover, a double tap or a drag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.queries.kiosk import TechnicianTile
from ui.kiosk.touch import MIN_GAP_PX, MIN_TARGET_PX
from ui.qt import (
    QColor,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: Tiles in a row at 1280 px (fewer on a narrower screen).
TILE_COLUMNS = 4
TILE_MIN_WIDTH = 240
TILE_HEIGHT = 150
#: PIN pad keys: about 2 cm wide on a 1280x800 10" panel.
KEY_WIDTH = 132
KEY_HEIGHT = 80
#: The longest PIN (server.auth.passwords.PIN_PATTERN: 4 to 8 digits).
PIN_MAX = 8
PIN_MIN = 4


def _local_time(at: datetime | None) -> str:
    return at.astimezone().strftime("%H:%M") if at is not None else ""


def tile_state_words(tile: TechnicianTile) -> str:
    """What a tile says under the name: on which job since when, on shift, or not in."""
    if tile.clocked_on:
        job = f"job {tile.job_number}" if tile.job_number else "a job"
        return f"On {job} since {_local_time(tile.since)}"
    if tile.on_shift:
        return f"On shift since {_local_time(tile.since)}"
    return "Not clocked on"


def _ink_on(background: str) -> str:
    """Near-black on a light colour, white on a dark one (the initials stay readable on a
    technician's yellow as on their navy)."""
    color = QColor(background)
    if not color.isValid():
        return "#ffffff"

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = (0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF())
           + 0.0722 * linear(color.blueF()))
    # the text colour with the higher WCAG contrast ratio against the background
    ink = 0.0087  # the relative luminance of #111820
    return "#111820" if (lum + 0.05) / (ink + 0.05) > 1.05 / (lum + 0.05) else "#ffffff"


class TechnicianTileButton(QPushButton):
    """One technician: initials in their colour, the name, and whether they are clocked on.
    The labels inside pass every press to the button."""

    def __init__(self, tile: TechnicianTile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("techTile")
        self.setMinimumSize(TILE_MIN_WIDTH, TILE_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.badge = QLabel(self)
        self.badge.setObjectName("tileInitials")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setFixedSize(72, 72)
        self.name = QLabel(self)
        self.name.setObjectName("tileName")
        self.name.setWordWrap(True)
        self.state = QLabel(self)
        self.state.setObjectName("tileState")
        self.state.setWordWrap(True)
        for label in (self.badge, self.name, self.state):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.name)
        text.addWidget(self.state)
        text.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(14)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        self.tile = tile
        self.set_tile(tile)

    def set_tile(self, tile: TechnicianTile) -> None:
        self.tile = tile
        self.badge.setText(tile.initials)
        self.badge.setStyleSheet(f"background: {tile.color}; color: {_ink_on(tile.color)};")
        self.name.setText(tile.name)
        self.state.setText(tile_state_words(tile))
        self.setProperty("clockedOn", tile.clocked_on)
        for widget in (self, self.state):  # the state's colour follows the tile's property
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.setAccessibleName(f"{tile.name}: {tile_state_words(tile)}")


class TilesScreen(QWidget):
    """"Tap your name": the shop's active technicians as big tiles (scrolls by finger when
    there are more than fit)."""

    chosen = Signal(object)  # TechnicianTile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tilesScreen")
        title = QLabel("Tap your name to sign in", self)
        title.setObjectName("kioskTitle")
        self.empty = QLabel("No technicians yet. They appear here once this kiosk has "
                            "the shop's data.", self)
        self.empty.setObjectName("kioskHint")
        self.empty.setWordWrap(True)
        self.grid_host = QWidget()
        self.grid_host.setObjectName("tilesGrid")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(MIN_GAP_PX * 2)
        self.grid.setVerticalSpacing(MIN_GAP_PX * 2)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("tilesScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.grid_host)
        QScroller.grabGesture(self.scroll.viewport(),
                              QScroller.ScrollerGestureType.TouchGesture)
        col = QVBoxLayout(self)
        col.setContentsMargins(32, 24, 32, 24)
        col.setSpacing(16)
        col.addWidget(title)
        col.addWidget(self.empty)
        col.addWidget(self.scroll, 1)
        self.buttons: dict[str, TechnicianTileButton] = {}
        self._order: list[str] = []

    def set_tiles(self, tiles: Sequence[TechnicianTile]) -> None:
        """Show ``tiles``; a tile already shown is updated in place (no flicker)."""
        order = [t.technician_id for t in tiles]
        for tile in tiles:
            button = self.buttons.get(tile.technician_id)
            if button is None:
                button = TechnicianTileButton(tile, self.grid_host)
                button.clicked.connect(lambda _=False, b=button: self.chosen.emit(b.tile))
                self.buttons[tile.technician_id] = button
            elif button.tile != tile:
                button.set_tile(tile)
        for gone in set(self.buttons) - set(order):
            self.buttons.pop(gone).deleteLater()
        if order != self._order:
            for tech_id in self._order:
                if tech_id in self.buttons:
                    self.grid.removeWidget(self.buttons[tech_id])
            for i, tech_id in enumerate(order):
                self.grid.addWidget(self.buttons[tech_id], i // TILE_COLUMNS, i % TILE_COLUMNS)
            self.grid.setRowStretch(self.grid.rowCount(), 1)
            self._order = order
        self.empty.setVisible(not tiles)


class PinPad(QWidget):
    """"Marco Rossi, type your PIN": dots for the digits typed, a message line, and keys
    1–9, Clear, 0, OK, with Back to the tiles. A physical number pad works too."""

    submitted = Signal(str, str)  # technician id, PIN
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.tile: TechnicianTile | None = None
        self._digits = ""
        self._busy = False
        self.title = QLabel(self)
        self.title.setObjectName("kioskTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots = QLabel(self)
        self.dots.setObjectName("pinDots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel(self)
        self.message.setObjectName("pinMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(56)
        keys = QGridLayout()
        keys.setHorizontalSpacing(MIN_GAP_PX * 2)
        keys.setVerticalSpacing(MIN_GAP_PX * 2)
        self.keys: dict[str, QPushButton] = {}
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "OK"]
        for i, name in enumerate(layout):
            key = QPushButton(name, self)
            key.setObjectName("pinKey" if name.isdigit() else f"pin{name}")
            key.setFixedSize(KEY_WIDTH, KEY_HEIGHT)
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            key.setAutoRepeat(False)
            key.clicked.connect(lambda _=False, n=name: self.press(n))
            keys.addWidget(key, i // 3, i % 3)
            self.keys[name] = key
        self.back_button = QPushButton("‹  Back", self)
        self.back_button.setObjectName("kioskBack")
        self.back_button.setMinimumSize(160, MIN_TARGET_PX + 16)
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back)
        balance = QWidget(self)  # as wide as Back, so the title stays in the middle
        balance.setFixedSize(self.back_button.minimumSize())
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(balance)
        pad = QHBoxLayout()
        pad.addStretch(1)
        pad.addLayout(keys)
        pad.addStretch(1)
        col = QVBoxLayout(self)
        col.setContentsMargins(32, 16, 32, 16)
        col.setSpacing(8)
        col.addLayout(top)
        col.addWidget(self.dots)
        col.addWidget(self.message)
        col.addLayout(pad)
        col.addStretch(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._show_dots()

    # --- what the window calls ----------------------------------------------------------
    def start(self, tile: TechnicianTile, message: str = "") -> None:
        """A fresh pad for ``tile``'s technician."""
        self.tile = tile
        self._digits = ""
        self.set_busy(False)
        self.title.setText(f"{tile.name}, type your PIN")
        self.say(message)
        self._show_dots()
        self.setFocus()

    def say(self, text: str, kind: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def set_busy(self, busy: bool) -> None:
        """While the PIN is checked the keys wait (Back stays, so nobody is stuck)."""
        self._busy = busy
        for key in self.keys.values():
            key.setEnabled(not busy)
        if busy:
            self.say("Checking …", "info")

    def clear(self) -> None:
        self._digits = ""
        self._show_dots()

    @property
    def digits(self) -> str:
        return self._digits

    # --- keys -------------------------------------------------------------------------
    def press(self, name: str) -> None:
        if self._busy or self.tile is None:
            return
        if name == "Clear":
            self.clear()
        elif name == "OK":
            if len(self._digits) < PIN_MIN:
                self.say(f"A PIN has {PIN_MIN} to {PIN_MAX} digits.")
                return
            self.submitted.emit(self.tile.technician_id, self._digits)
        elif name.isdigit() and len(self._digits) < PIN_MAX:
            self._digits += name
            self._show_dots()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        text = event.text()
        if text.isdigit() and len(text) == 1:
            self.press(text)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("OK")
        elif key == Qt.Key.Key_Backspace:
            if not self._busy:
                self._digits = self._digits[:-1]
                self._show_dots()
        elif key == Qt.Key.Key_Escape:
            self.press("Clear")
        else:
            super().keyPressEvent(event)

    def _show_dots(self) -> None:
        shown = "●" * len(self._digits)
        self.dots.setText(shown or "○ ○ ○ ○")
        self.dots.setProperty("empty", not self._digits)
        self.dots.style().unpolish(self.dots)
        self.dots.style().polish(self.dots)
