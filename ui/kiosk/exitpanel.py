"""Closing the kiosk: a manager's user name and password, checked by the server
(``sync.manager``). A passer-by has no other way out of the full screen."""

from __future__ import annotations

from ui.kiosk.touch import MIN_GAP_PX, MIN_TARGET_PX
from ui.qt import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

FIELD_WIDTH = 420


class ManagerExit(QWidget):
    """"Close the kiosk": two fields, a message line, Close and Cancel."""

    submitted = Signal(str, str)  # user name, password
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("managerExit")
        title = QLabel("Close the kiosk", self)
        title.setObjectName("kioskTitle")
        hint = QLabel("A manager signs in here to close the kiosk. Technicians: tap Cancel.",
                      self)
        hint.setObjectName("kioskHint")
        hint.setWordWrap(True)
        self.username = QLineEdit(self)
        self.username.setObjectName("exitUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("exitPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.username, self.password):
            field.setMinimumSize(FIELD_WIDTH, MIN_TARGET_PX + 8)
            field.returnPressed.connect(self._submit)
        self.message = QLabel(self)
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(56)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(MIN_GAP_PX * 2)
        form.setHorizontalSpacing(MIN_GAP_PX * 2)
        user_label = QLabel("Manager's user name", self)
        user_label.setBuddy(self.username)
        password_label = QLabel("Password", self)
        password_label.setBuddy(self.password)
        for label in (user_label, password_label):
            label.setMinimumHeight(MIN_TARGET_PX + 8)
        form.addRow(user_label, self.username)
        form.addRow(password_label, self.password)
        self.close_button = QPushButton("Close the kiosk", self)
        self.close_button.setObjectName("exitConfirm")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("kioskBack")
        for button in (self.close_button, self.cancel_button):
            button.setMinimumSize(220, MIN_TARGET_PX + 16)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self._submit)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.setSpacing(MIN_GAP_PX * 3)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        col = QVBoxLayout(self)
        col.setContentsMargins(48, 32, 48, 32)
        col.setSpacing(16)
        col.addWidget(title)
        col.addWidget(hint)
        col.addLayout(form)
        col.addWidget(self.message)
        col.addLayout(buttons)
        col.addStretch(1)

    def start(self, message: str = "") -> None:
        self.username.clear()
        self.password.clear()
        self.set_busy(False)
        self.say(message, "info")
        self.username.setFocus()

    def say(self, text: str, kind: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def set_busy(self, busy: bool) -> None:
        self.close_button.setEnabled(not busy)
        if busy:
            self.say("Checking with the server …", "info")

    def _submit(self) -> None:
        if not self.close_button.isEnabled():
            return
        self.submitted.emit(self.username.text(), self.password.text())
