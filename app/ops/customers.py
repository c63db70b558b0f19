"""Customers, technicians and bays: the shop's people and places."""

from __future__ import annotations

import re
from typing import Any

from app.db import Writer
from app.errors import ValidationError
from app.models import Bay, Customer, Technician

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./\- ]{3,40}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean_customer(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ValidationError("A customer needs a name.", field="name")
    if "email" in out:
        out["email"] = (out["email"] or "").strip()
        if out["email"] and not _EMAIL.match(out["email"]):
            raise ValidationError("That e-mail address does not look right.", field="email")
    if "phone" in out:
        out["phone"] = (out["phone"] or "").strip()
        if out["phone"] and not _PHONE.match(out["phone"]):
            raise ValidationError("A phone number has digits, spaces and + ( ) - only.",
                                  field="phone")
    return out


def create_customer(w: Writer, *, name: str, kind: str = "person", phone: str = "",
                    email: str = "", address: str = "", notes: str = "") -> str:
    fields = _clean_customer(dict(name=name, kind=kind, phone=phone, email=email,
                                  address=address, notes=notes))
    return w.create(Customer, **fields).id


def update_customer(w: Writer, customer_id: str, **fields: Any) -> str:
    row = w.get(Customer, customer_id, what="customer")
    w.update(row, **_clean_customer(fields))
    return row.id


def delete_customer(w: Writer, customer_id: str) -> str:
    w.delete(w.get(Customer, customer_id, what="customer"))
    return customer_id


def _clean_technician(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ValidationError("A technician needs a name.", field="name")
    if "daily_capacity_minutes" in out and not 0 <= out["daily_capacity_minutes"] <= 24 * 60:
        raise ValidationError("Daily capacity is between 0 and 1,440 minutes.",
                              field="daily_capacity_minutes")
    if "color" in out and not _COLOR.match(out["color"] or ""):
        raise ValidationError("A colour is written like #1e88e5.", field="color")
    if "skills" in out:
        out["skills"] = sorted({s.strip() for s in out["skills"] if s and s.strip()})
    return out


def create_technician(w: Writer, *, name: str, skills: list[str] | None = None,
                      color: str = "#607d8b", daily_capacity_minutes: int = 480,
                      active: bool = True) -> str:
    fields = _clean_technician(dict(name=name, skills=skills or [], color=color,
                                    daily_capacity_minutes=daily_capacity_minutes,
                                    active=active))
    return w.create(Technician, **fields).id


def update_technician(w: Writer, technician_id: str, **fields: Any) -> str:
    row = w.get(Technician, technician_id, what="technician")
    w.update(row, **_clean_technician(fields))
    return row.id


def create_bay(w: Writer, *, name: str, kind: str = "general") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("A bay needs a name.", field="name")
    return w.create(Bay, name=name, kind=kind).id
