"""The ``SyncEngine``'s callbacks (on its own thread) as Qt signals, and the sync state in
words for the status bar.

The engine calls our listeners on its thread; we only emit signals there (queued to the
GUI thread, since the bridge lives there) and hand synced ``Changes`` to the hub's
thread-safe ``post``. Without an engine (a replica not logged in) the bridge says so and
does nothing else.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.changes import Changes
from sync.errors import ErrorKind
from sync.status import Connection, SyncStatus
from ui.hub import ChangeHub
from ui.qt import QObject, Qt, Signal

if TYPE_CHECKING:
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def ago(seconds: float) -> str:
    """``12 s ago``, ``3 min ago``, ``2 h ago``."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s ago"
    if s < 3600:
        return f"{s // 60} min ago"
    return f"{s // 3600} h ago"


def status_words(status: SyncStatus | None, now: datetime | None = None, *,
                 has_engine: bool = True) -> str:
    """The sync state as a clerk reads it, e.g. ``Online · synced 12 s ago``,
    ``Offline · 37 changes waiting · retrying in 8 s``, ``2 changes refused — review``."""
    now = now or datetime.now(UTC)
    if not has_engine or status is None:
        return "Working on this computer only · not connected to a server"
    parts: list[str] = []
    c = status.connection
    if session_ended(status):
        parts.append("Session ended · sign in again")
    elif c is Connection.SIGNED_OUT:
        parts.append("Signed out · changes are kept on this computer")
    elif c is Connection.ERROR:
        parts.append("Sync needs attention")
    elif c is Connection.OFFLINE:
        parts.append("Offline")
    elif c is Connection.SYNCING:
        parts.append("Online · syncing")
    else:
        synced = (f"synced {ago((now - status.last_sync_at).total_seconds())}"
                  if status.last_sync_at is not None else "")
        parts.append("Online" + (f" · {synced}" if synced and not status.pending else ""))
    if status.pending:
        parts.append(f"{_plural(status.pending, 'change')} waiting")
    if status.retry_at is not None and c in (Connection.OFFLINE, Connection.ERROR):
        wait = (status.retry_at - now).total_seconds()
        parts.append(f"retrying in {max(0, round(wait))} s" if wait > 0.5 else "retrying")
    text = " · ".join(parts)
    trouble = []
    if status.refused:
        trouble.append(f"{_plural(status.refused, 'change')} refused")
    if status.open_conflicts and not status.refused:
        # A conflict is one of the refused clicks, which are counted above (one click is
        # one refusal); an open conflict alone (its refusal dismissed) still asks a choice.
        trouble.append(f"{_plural(status.open_conflicts, 'conflict')} to settle")
    if status.not_applied:
        trouble.append(f"{_plural(status.not_applied, 'change')} from the server not applied")
    if trouble:
        text += " · " + " and ".join(trouble) + " — review"
    if status.clock_warning:
        text += " · this computer's clock is wrong"
    return text


def session_ended(status: SyncStatus) -> bool:
    """The server ended this computer's session (revoked, expired, tokens gone): only a
    person signing in again brings sync back."""
    return (status.error_kind is ErrorKind.AUTH
            and status.connection in (Connection.ERROR, Connection.SIGNED_OUT))


def severity(status: SyncStatus | None, *, has_engine: bool = True) -> str:
    """``ok``, ``warn`` or ``bad``: the colour of the status bar's words."""
    if not has_engine or status is None:
        return "ok"
    if (status.connection is Connection.ERROR or session_ended(status) or status.refused
            or status.open_conflicts or status.not_applied):
        return "bad"
    if status.connection in (Connection.OFFLINE, Connection.SIGNED_OUT) or status.clock_warning:
        return "warn"
    return "ok"


class SyncBridge(QObject):
    """Signals for one ``SyncEngine`` (or none); see the module docstring."""

    #: A new ``SyncStatus`` (GUI thread).
    status_changed = Signal(object)
    #: The server ended the session (revoked or expired): ask the person to sign in.
    session_ended = Signal(str)
    #: The live stream went down (False) or came back (True).
    live_changed = Signal(bool)
    _status = Signal(object)

    def __init__(self, engine: SyncEngine | None, hub: ChangeHub,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.hub = hub
        self.status: SyncStatus | None = None
        self.live = False
        self._was_live = False
        self._asked_sign_in = False
        self._status.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        if engine is not None:
            self.status = engine.status
            engine.add_status_listener(self._status.emit)  # engine thread → queued
            engine.add_changes_listener(hub.post)  # thread-safe

    @property
    def has_engine(self) -> bool:
        return self.engine is not None

    def words(self, now: datetime | None = None) -> str:
        return status_words(self.status, now, has_engine=self.has_engine)

    def severity(self) -> str:
        return severity(self.status, has_engine=self.has_engine)

    def live_paused(self) -> bool:
        """True when edits from other devices may not be showing: the stream is down
        after having been up, or the server cannot be reached."""
        if self.engine is None or self.status is None:
            return False
        if self.status.connection is Connection.SIGNED_OUT:
            return False
        if self.status.live:
            return False
        return self._was_live or self.status.connection in (Connection.OFFLINE,
                                                            Connection.ERROR)

    # --- what the window calls ----------------------------------------------------------
    def start(self) -> None:
        if self.engine is not None:
            self.engine.start()

    def stop(self) -> None:
        """Stop sync (blocking up to the engine's timeout: call it off the GUI thread)."""
        if self.engine is not None:
            self.engine.stop()

    def sync_now(self) -> None:
        if self.engine is not None:
            self._asked_sign_in = False
            self.engine.sync_now()

    def nudge(self, changes: Changes) -> None:
        """Thread-safe: called by the database worker after every local write."""
        if self.engine is not None:
            self.engine.nudge(changes)

    def signed_in(self) -> None:
        """New credentials were saved: rebuild the engine's client and sync."""
        self._asked_sign_in = False
        if self.engine is not None:
            self.engine.relogin()

    # --- from the engine ----------------------------------------------------------------
    def _on_status(self, status: SyncStatus) -> None:
        self.publish_status(status)

    def publish_status(self, status: SyncStatus) -> None:
        """Take ``status`` as the engine's new state (GUI thread; tests call it directly)."""
        self.status = status
        if status.live:
            self._was_live = True
        if status.live != self.live:
            self.live = status.live
            self.live_changed.emit(status.live)
        self.status_changed.emit(status)
        ended = session_ended(status)
        if ended and not self._asked_sign_in:
            self._asked_sign_in = True
            self.session_ended.emit(status.last_error or "Your session has ended.")
        elif not ended:
            self._asked_sign_in = False
