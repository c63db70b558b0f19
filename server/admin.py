"""Shops and users, made from the command line, the admin API and tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.shopsettings import DEFAULTS as SETTINGS_DEFAULTS
from app.timeutil import utcnow
from server.auth.passwords import check_password, hash_secret
from server.auth.roles import ROLES, TECHNICIAN
from server.models import Shop, ShopSettings, Technician, User
from server.pins import PinError, store_pin
from server.sync.changes import lock_shop, record_changes


class AdminError(ValueError):
    """Input a person must fix (a taken username, an unknown shop, a short password)."""


@dataclass(frozen=True)
class CreatedUser:
    id: str
    username: str
    role: str
    shop_id: str
    technician_id: str | None


def create_shop(engine: Engine, name: str) -> str:
    """Make a shop, with its settings row (id = the shop's id); the shop's id."""
    name = name.strip()
    if not name or len(name) > 200:
        raise AdminError("A shop name has 1 to 200 characters.")
    shop_id = str(uuid.uuid4())
    with Session(engine) as session, session.begin():
        session.connection(execution_options={"bayline_write": True})
        now = utcnow()
        session.add(Shop(id=shop_id, name=name, head=0, purged_seq=0, next_job_number=1,
                         created_at=now))
        session.flush()
        session.add(ShopSettings(id=shop_id, shop_id=shop_id, created_at=now, updated_at=now,
                                 deleted_at=None, **{**SETTINGS_DEFAULTS, "header_name": name}))
        session.flush()
        lock = lock_shop(session, shop_id)
        assert lock is not None
        record_changes(session, lock, [("shop_settings", shop_id, False)])
    return shop_id


def add_user(session: Session, *, shop_id: str, username: str, password: str, role: str,
             display_name: str | None = None, technician_id: str | None = None,
             pin: str | None = None) -> CreatedUser:
    """Add a user in ``session``'s transaction. A technician without ``technician_id`` gets a
    new technician row (synced to the shop's clients like any other row)."""
    username = username.strip()
    if not username or len(username) > 100:
        raise AdminError("A username has 1 to 100 characters.")
    if role not in ROLES:
        raise AdminError(f"'{role}' is not a role; choose one of: {', '.join(ROLES)}.")
    try:
        check_password(password)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    if technician_id is not None:
        try:
            technician_id = str(uuid.UUID(technician_id))
        except ValueError:
            raise AdminError("The technician id must be a UUID.") from None
    lock = lock_shop(session, shop_id)
    if lock is None:
        raise AdminError(f"There is no shop {shop_id}.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AdminError(f"The username '{username}' is taken.")
    now = utcnow()
    name = display_name or username
    if role == TECHNICIAN:
        existing = session.get(Technician, technician_id) if technician_id else None
        if existing is not None and existing.shop_id != shop_id:
            raise AdminError("That technician belongs to another shop.")
        if existing is None:
            technician_id = technician_id or str(uuid.uuid4())
            session.add(Technician(id=technician_id, shop_id=shop_id, created_at=now,
                                   updated_at=now, deleted_at=None, name=name, skills=[],
                                   color="#607d8b", daily_capacity_minutes=480, active=True))
            session.flush()
            record_changes(session, lock, [("technician", technician_id, False)])
    user = User(id=str(uuid.uuid4()), shop_id=shop_id, username=username, display_name=name,
                role=role, password_hash=hash_secret(password), technician_id=technician_id,
                pin_hash=None, active=True, created_at=now)
    session.add(user)
    session.flush()
    if pin is not None:
        try:
            store_pin(session, user, pin)  # the one PIN rule; the caller's rollback undoes all
        except PinError as exc:
            raise AdminError(str(exc)) from None
    return CreatedUser(user.id, username, role, shop_id, technician_id)


def create_user(engine: Engine, **kwargs: str | None) -> CreatedUser:
    """``add_user`` in its own transaction."""
    with Session(engine) as session, session.begin():
        session.connection(execution_options={"bayline_write": True})
        return add_user(session, **kwargs)  # type: ignore[arg-type]
