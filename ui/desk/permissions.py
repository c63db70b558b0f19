"""What the person signed in to this desk may do: the one place the desk asks.

The role comes from the replica's sync state (``SyncState.role``, written by
``sync.account.login`` and by a switch of user); a replica nobody signed in to (the demo)
has every right, as ``app.roles.can`` says for a role of None. The answers are the role
table's (``app.roles``), the same the replica's ``Writer`` and the server give, so an
action offered here is never refused later for the role, and one not offered carries the
reason in its tooltip.

Use::

    perms = ctx.permissions
    ok, why = perms.allowed("technician", "update")
    perms.bind(action_or_widget, "time_entry", "create")   # enabled or disabled + why
    perms.changed.connect(...)                              # after a switch of user
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app import roles
from app.db import Store
from ui.qt import QAction, QObject, QWidget, Signal
from ui.worker import DbWorker

#: Who sees the Administration menu.
ADMIN_ROLES = frozenset({roles.ADMIN, roles.MANAGER})


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in to the desk (all None on a demo replica)."""

    username: str | None = None
    user_id: str | None = None
    role: str | None = None
    server_url: str | None = None


def _signed_in(store: Store) -> SignedIn:
    state = store.state()
    return SignedIn(state.username, state.user_id, state.role, state.server_url)


class Permissions(QObject):
    """See the module docstring; ``reload()`` after the signed-in person changed."""

    #: The signed-in person (and so the answers) changed.
    changed = Signal()

    def __init__(self, worker: DbWorker, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._store = store
        self.who = SignedIn()
        self.loaded = False
        self._bound: list[tuple[Any, Callable[[], roles.Decision], str]] = []

    # --- who ----------------------------------------------------------------------------
    @property
    def role(self) -> str | None:
        return self.who.role

    @property
    def username(self) -> str | None:
        return self.who.username

    @property
    def has_server(self) -> bool:
        """True when the replica is bound to a server (users and PINs live there)."""
        return bool(self.who.server_url)

    def reload(self) -> None:
        """Read who is signed in (on the worker) and tell everyone bound."""
        store = self._store
        self._worker.call(lambda: _signed_in(store), on_done=self.set_signed_in)

    def set_signed_in(self, who: SignedIn) -> None:
        self.who = who
        self.loaded = True
        self._apply_all()
        self.changed.emit()

    # --- the questions ------------------------------------------------------------------
    def decision(self, entity: str, action: str,
                 fields: Mapping[str, Any] | Collection[str] | None = None) -> roles.Decision:
        return roles.can(roles.writing_role(self.role), entity, action, fields)

    def allowed(self, entity: str, action: str,
                fields: Mapping[str, Any] | Collection[str] | None = None) -> tuple[bool, str]:
        """(may the signed-in role do it, the reason in words when not)."""
        d = self.decision(entity, action, fields)
        return d.allowed, d.reason or ""

    def is_manager(self) -> bool:
        """Administration is offered: a manager, an admin, or a demo (every right); not
        before the role is known."""
        return self.loaded and (self.role is None or self.role in ADMIN_ROLES)

    def users(self) -> roles.Decision:
        return roles.can_manage_users(self.role)

    def pins(self) -> roles.Decision:
        return roles.can_set_pins(self.role)

    # --- binding actions and widgets ----------------------------------------------------
    def bind(self, target: QAction | QWidget, entity: str, action: str,
             fields: Mapping[str, Any] | Collection[str] | None = None) -> None:
        """Keep ``target`` enabled only while the role may do it; disabled, its tooltip
        says why (the target's own tooltip otherwise)."""
        self.bind_rule(target, lambda: self.decision(entity, action, fields))

    def bind_rule(self, target: QAction | QWidget, rule: Callable[[], roles.Decision]) -> None:
        """``bind`` with any rule that answers a ``Decision`` (users, PINs)."""
        self._bound.append((target, rule, target.toolTip()))
        self._apply(target, rule, target.toolTip())

    def _apply_all(self) -> None:
        alive = []
        for target, rule, tip in self._bound:
            try:
                self._apply(target, rule, tip)
            except RuntimeError:  # the widget was deleted: forget it
                continue
            alive.append((target, rule, tip))
        self._bound = alive

    @staticmethod
    def _apply(target: Any, rule: Callable[[], roles.Decision], tip: str) -> None:
        d = rule()
        target.setEnabled(d.allowed)
        target.setToolTip(tip if d.allowed else (d.reason or "Your account may not do this."))
