"""When to push: a quiet window after the last edit, a maximum wait after the first one,
and at once for urgent edits (status moves, clock on and off)."""

from __future__ import annotations


class Debouncer:
    """Tracks unsent edits on a monotonic clock; pure, so tests move time by hand."""

    def __init__(self, quiet_window: float, max_wait: float) -> None:
        self.quiet_window = quiet_window
        self.max_wait = max_wait
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.urgent = False

    def edit(self, now: float, *, urgent: bool = False) -> None:
        """An edit was committed locally at ``now``."""
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.urgent |= urgent

    @property
    def waiting(self) -> bool:
        return self.first_at is not None

    def due_at(self) -> float | None:
        """When the unsent edits should go (None: nothing waits)."""
        if self.first_at is None or self.last_at is None:
            return None
        if self.urgent:
            return self.last_at
        return min(self.last_at + self.quiet_window, self.first_at + self.max_wait)

    def is_due(self, now: float) -> bool:
        due = self.due_at()
        return due is not None and now >= due

    def taken(self) -> None:
        """A push is starting and takes every edit made so far."""
        self.first_at = None
        self.last_at = None
        self.urgent = False
