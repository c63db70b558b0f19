"""The change hub: every ``Changes`` — from a local operation or applied by sync — reaches
every open view through here, and each view decides what to re-query (Anki's ``OpChanges``).

Subscribers are called on the GUI thread, in the order they subscribed. ``post`` may be
called from any thread; ``publish`` only on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.changes import Changes
from ui.qt import QObject, Qt, Signal

log = logging.getLogger(__name__)

Subscriber = Callable[[Changes], None]


class ChangeHub(QObject):
    """One channel of ``Changes`` for the whole window (see the module docstring)."""

    #: Emitted after the subscribers ran, with the same ``Changes`` (for tests and benches).
    delivered = Signal(object)
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._subscribers: list[Subscriber] = []
        # A queued connection: post() from a worker or the sync thread lands on our thread.
        self._posted.connect(self.publish, Qt.ConnectionType.QueuedConnection)

    def subscribe(self, fn: Subscriber) -> None:
        if fn not in self._subscribers:
            self._subscribers.append(fn)

    def unsubscribe(self, fn: Subscriber) -> None:
        if fn in self._subscribers:
            self._subscribers.remove(fn)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def post(self, changes: Changes) -> None:
        """Deliver ``changes`` on the GUI thread soon (safe from any thread)."""
        if not changes.empty:
            self._posted.emit(changes)

    def publish(self, changes: Changes) -> None:
        """Deliver ``changes`` now (GUI thread only)."""
        if changes.empty:
            return
        for fn in list(self._subscribers):
            try:
                fn(changes)
            except Exception:  # noqa: BLE001 - one view's bug must not starve the others
                log.exception("a view failed to handle a change")
        self.delivered.emit(changes)
