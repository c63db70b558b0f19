"""Makers for the kiosk's tests: a fake engine that checks PINs, a stand-in work screen."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sync.errors import ErrorKind, SyncError
from tests.ui.helpers import FakeEngine
from ui.qt import QLabel, QVBoxLayout, QWidget, Signal


@dataclass
class PinEngine(FakeEngine):
    """``FakeEngine`` plus ``pin_login``: ``pins`` maps technician id → PIN; ``offline``
    makes the answer say it was checked on the kiosk; ``unreachable`` fails as a kiosk
    with nothing to check against does."""

    pins: dict[str, str] = field(default_factory=dict)
    offline: bool = False
    unreachable: bool = False
    checked: list[str] = field(default_factory=list)

    def pin_login(self, technician_id: str, pin: str) -> Future[dict[str, Any]]:
        self.checked.append(technician_id)
        fut: Future[dict[str, Any]] = Future()
        if self.unreachable:
            fut.set_exception(SyncError(ErrorKind.NETWORK, "The server cannot be reached, and "
                                        "this kiosk has no PIN of this technician to check "
                                        "against yet.", retryable=True))
        elif self.pins.get(technician_id) == pin:
            fut.set_result({"id": f"user-{technician_id}", "technician_id": technician_id,
                            "display_name": "Tech", "offline": self.offline})
        else:
            fut.set_exception(SyncError(ErrorKind.AUTH, "That PIN is not right.", status=401,
                                        code="invalid_credentials"))
        return fut

    def end_pin_session(self) -> Future[Any]:
        self.calls.append("end_pin_session")
        fut: Future[Any] = Future()
        fut.set_result(None)
        return fut


class StandInWork(QWidget):
    """The work screen's interface (``ui.kiosk.work.WorkScreen``) and nothing more."""

    activity = Signal()
    sign_out = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user: dict[str, Any] | None = None
        self.label = QLabel("work", self)
        QVBoxLayout(self).addWidget(self.label)

    def show_technician(self, user: dict[str, Any]) -> None:
        self.user = user
        self.label.setText(str(user.get("display_name")))
