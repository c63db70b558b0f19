"""What a write changed: every operation, local or applied by sync, returns one of these.

Views look at it and decide whether to refresh (the way Anki's ``OpChanges`` works).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Changes:
    """Rows changed by one transaction, by entity; plus what the caller should know."""

    rows: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: True when the change should reach the server without the debounce wait.
    urgent: bool = False
    #: "local" for an operation of this device, "sync" for rows applied from the server.
    source: str = "local"
    #: Things the person should be told though the write went through (a VIN warning...).
    warnings: tuple[str, ...] = ()
    #: The operation's main result (the id of a created row, for instance).
    result: Any = None

    def touches(self, *entities: str) -> bool:
        """True when any of ``entities`` changed."""
        return any(self.rows.get(e) for e in entities)

    @property
    def empty(self) -> bool:
        return not any(self.rows.values())

    def merged(self, other: Changes) -> Changes:
        rows = {k: frozenset(v) for k, v in self.rows.items()}
        for k, v in other.rows.items():
            rows[k] = rows.get(k, frozenset()) | v
        return Changes(rows, self.urgent or other.urgent, self.source,
                       self.warnings + other.warnings, other.result)


class ChangeCollector:
    """Accumulates the rows one transaction touches."""

    def __init__(self) -> None:
        self._rows: dict[str, set[str]] = {}
        self.urgent = False
        self.warnings: list[str] = []

    def add(self, entity: str, row_ids: Iterable[str]) -> None:
        self._rows.setdefault(entity, set()).update(row_ids)

    def freeze(self, *, source: str = "local", result: Any = None) -> Changes:
        return Changes({k: frozenset(v) for k, v in self._rows.items()}, self.urgent, source,
                       tuple(self.warnings), result)
