"""What the engine tells the UI: one immutable value, passed to plain callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sync.errors import ErrorKind

#: A device clock further off the server's than this is worth a word in the status. (Anki
#: refuses to sync beyond 5 minutes; device times are audit only here, so we only warn.)
CLOCK_SKEW_WARNING_SECONDS = 120.0


class Connection(StrEnum):
    SIGNED_OUT = "signed_out"  # not logged in to a server: working on this computer only
    OFFLINE = "offline"  # the server cannot be reached; changes wait
    SYNCING = "syncing"  # a push or pull is running
    ONLINE = "online"  # in touch with the server
    ERROR = "error"  # the server answered, but something needs a person (see the error)


@dataclass(frozen=True)
class SyncStatus:
    connection: Connection = Connection.SIGNED_OUT
    #: Local changes not yet acknowledged by the server.
    pending: int = 0
    last_sync_at: datetime | None = None
    last_error: str | None = None
    error_kind: ErrorKind | None = None
    #: Unresolved conflicts that name this replica (a person must choose).
    open_conflicts: int = 0
    #: Rejected or conflicting changes of this replica not yet dismissed.
    refused: int = 0
    #: True when the event stream is connected (edits on other devices show at once).
    live: bool = False
    #: When the engine next retries after a failure (wall clock, UTC); None when not waiting.
    retry_at: datetime | None = None
    #: Pulled changes this replica could not apply (quarantined or held with them); a bug
    #: to report, retried at every start (``sync.quarantine``).
    not_applied: int = 0
    #: Why the first of them could not be applied, for the details.
    not_applied_reason: str | None = None
    #: Seconds this computer's clock is ahead of the server's (negative: behind), from
    #: the last push; None before one.
    clock_skew: float | None = None

    @property
    def clock_warning(self) -> str | None:
        """A sentence when the clock is more than 2 minutes off the server's, else None."""
        skew = self.clock_skew
        if skew is None or abs(skew) <= CLOCK_SKEW_WARNING_SECONDS:
            return None
        minutes = round(abs(skew) / 60)
        amount = (f"{minutes} minutes" if minutes < 120
                  else f"{round(abs(skew) / 3600)} hours")
        side = "ahead of" if skew > 0 else "behind"
        return (f"This computer's clock is {amount} {side} the server's; set it right, or "
                "clock times and status moves will be recorded at the wrong time")

    def summary(self) -> str:
        """One line for a status bar, e.g. "Offline — 37 changes waiting"."""
        waiting = (f"{self.pending} change{'s' if self.pending != 1 else ''} waiting"
                   if self.pending else "")
        if self.connection is Connection.SIGNED_OUT:
            text = "Not connected to a server"
        elif self.connection is Connection.OFFLINE:
            text = "Offline"
        elif self.connection is Connection.SYNCING:
            text = "Syncing"
        elif self.connection is Connection.ERROR:
            text = self.last_error or "Sync needs attention"
        else:
            text = "Up to date" if not self.pending else "Online"
        parts = [text] + ([waiting] if waiting else [])
        if self.open_conflicts:
            parts.append(f"{self.open_conflicts} conflict{'s' if self.open_conflicts != 1 else ''}"
                         " to resolve")
        if self.not_applied:
            parts.append(f"{self.not_applied} change{'s' if self.not_applied != 1 else ''} "
                         "from the server could not be applied")
        warning = self.clock_warning
        if warning:
            parts.append(warning)
        return " — ".join(parts)

    def details(self) -> list[str]:
        """Lines for a details pane under the summary (empty when all is well)."""
        out: list[str] = []
        if self.last_error:
            out.append(self.last_error)
        if self.not_applied and self.not_applied_reason:
            out.append(f"Not applied: {self.not_applied_reason}. It is kept and tried again "
                       "at the next start; if it stays, tell support.")
        return out
