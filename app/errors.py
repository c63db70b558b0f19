"""The errors of the domain. Every one carries a message a person can read."""

from __future__ import annotations


class BaylineError(Exception):
    """Root of every error Bayline raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(BaylineError):
    """Input that breaks a rule; ``field`` names where it was typed (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(BaylineError):
    """The role of the user signed in may not do this; the message is the server's own
    reason (``app.roles``), given before the change is made instead of hours later."""


class NotFound(BaylineError):
    """The row asked for does not exist (or is deleted)."""


class TransitionError(ValidationError):
    """A job status move that the table of moves does not allow."""

    def __init__(self, message: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message, field="status")
        self.allowed = allowed


class ConfirmationRequired(ValidationError):
    """The input is possible but unusual; the caller must confirm it (``confirm=True``)."""


class DoubleBooking(ValidationError):
    """An appointment would overlap another one of the same technician or bay."""

    def __init__(self, message: str, field: str, clash_id: str) -> None:
        super().__init__(message, field=field)
        self.clash_id = clash_id


class StorageError(BaylineError):
    """The disk is full, locked or unreadable: not a bug, tell the user calmly.

    ``reason`` says which (``app.storage``): ``busy``, ``full``, ``not_a_database``,
    ``damaged``, ``permission``, ``io`` or ``other``. Every one is worth retrying later
    except a file that is not a database or is damaged (``damaged``): that one is set aside
    and rebuilt from the server (``app.recovery``).
    """

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason

    @property
    def damaged(self) -> bool:
        return self.reason in ("not_a_database", "damaged")
