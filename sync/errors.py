"""The one error root of ``sync/``: every failure carries a kind the UI can act on.

Nothing from httpx leaves ``sync/``: ``sync.http`` turns every transport exception and
every unexpected status into a ``SyncError`` at the edge.
"""

from __future__ import annotations

from enum import StrEnum

from app.errors import BaylineError


class ErrorKind(StrEnum):
    #: Not logged in, the session ended or was revoked: ask the person to log in again.
    AUTH = "auth"
    #: The server could not be reached (offline, DNS, refused, connection dropped).
    NETWORK = "network"
    #: Protocol state disagrees (a replica bound to another shop, a mutation gap that
    #: cannot be repaired): needs a person or support.
    CONFLICT = "conflict"
    #: The server answered with an error (5xx, 429, a malformed answer, 4xx we did not expect).
    SERVER = "server"
    #: 426: this version of Bayline is too old for the server; update it.
    TOO_OLD = "too_old"
    #: This computer: no secure password store, the local database locked or full.
    LOCAL = "local"


class SyncError(BaylineError):
    """A sync failure with a ``kind``, a message a person can read, and retry hints."""

    def __init__(self, kind: ErrorKind, message: str, *, retryable: bool = False,
                 retry_after: float | None = None, status: int | None = None,
                 code: str | None = None, reached: bool = True) -> None:
        super().__init__(message)
        self.kind = kind
        #: True when trying the same request again later may succeed.
        self.retryable = retryable
        #: Seconds the server asked us to wait (``Retry-After``), if it said.
        self.retry_after = retry_after
        #: The HTTP status, when there was an answer.
        self.status = status
        #: The protocol's ``error`` code, when the body had one.
        self.code = code
        #: False when the request cannot have reached the server (the connection failed):
        #: retrying then costs the server nothing.
        self.reached = reached

    def __repr__(self) -> str:
        return f"SyncError({self.kind.value}, {self.message!r}, status={self.status})"


class MutationGap(SyncError):
    """409 ``mutation_gap``: the server's LMID is behind the first id we sent."""

    def __init__(self, last_mutation_id: int, message: str) -> None:
        super().__init__(ErrorKind.CONFLICT, message, status=409, code="mutation_gap")
        self.last_mutation_id = last_mutation_id


class NoKeyring(SyncError):
    """No secure password store on this computer; tokens are never written to a file."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorKind.LOCAL, message)


LOG_IN_AGAIN = "Your session has ended. Log in again to keep this computer in sync."
TOO_OLD = ("This version of Bayline is too old for the server. Install the new version; "
           "your changes are kept and will be sent after the update.")
