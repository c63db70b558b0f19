"""UTC times and their RFC 3339 form on the wire."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, timezone-aware UTC, to the microsecond."""
    return datetime.now(UTC)


def to_rfc3339(value: datetime | None) -> str | None:
    """``2026-11-27T08:15:00Z`` (microseconds kept when present)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def parse_rfc3339(text: str | None) -> datetime | None:
    """Parse an RFC 3339 string into an aware UTC datetime; naive input is taken as UTC."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("a time must be an RFC 3339 string")
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
