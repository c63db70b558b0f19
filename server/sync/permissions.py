"""The role table of ``app.roles`` asked about a ``Principal`` (see there for who may do
what); the server and the replica give the same answer in the same words."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from app import roles
from app.entities import entity_label, plural
from app.roles import DESK_ONLY_STATUSES, ROLE_NAMES, TECHNICIAN_MOVE_FIELDS, Decision
from server.auth.roles import Principal

__all__ = ["DESK_ONLY_STATUSES", "ROLE_NAMES", "TECHNICIAN_MOVE_FIELDS", "can",
           "entity_label", "hidden_fields", "may_delete", "may_read", "may_write", "plural",
           "refused"]


def can(principal: Principal, entity: str, action: str,
        fields: Mapping[str, Any] | Collection[str] | None = None) -> Decision:
    return roles.can(principal.role, entity, action, fields)


def may_write(principal: Principal, entity: str) -> bool:
    """May create or change some rows of ``entity``."""
    access = roles.TABLE.get(principal.role)
    return access is not None and (entity in access.create or entity in access.update)


def may_read(principal: Principal, entity: str) -> bool:
    return bool(roles.can(principal.role, entity, "read"))


def may_delete(principal: Principal, entity: str) -> bool:
    return bool(roles.can(principal.role, entity, "delete"))


def hidden_fields(principal: Principal, entity: str) -> frozenset[str]:
    return roles.hidden_fields(principal.role, entity)


def refused(principal: Principal, what: str) -> str:
    return roles.refused(principal.role, what)
