"""Customers, technicians and bays: the shop's people and places."""

from __future__ import annotations

from typing import Any

from app.db import Writer
from app.models import Bay, Customer, Technician

# The rules of each field (a name, an e-mail, a phone, a colour...) are
# ``app.validators``'; the ``Writer`` applies them to every write, as the server does.


def create_customer(w: Writer, *, name: str, kind: str = "person", phone: str = "",
                    email: str = "", address: str = "", notes: str = "") -> str:
    return w.create(Customer, name=name, kind=kind, phone=phone, email=email,
                    address=address, notes=notes).id


def update_customer(w: Writer, customer_id: str, **fields: Any) -> str:
    row = w.get(Customer, customer_id, what="customer")
    w.update(row, **fields)
    return row.id


def delete_customer(w: Writer, customer_id: str) -> str:
    w.delete(w.get(Customer, customer_id, what="customer"))
    return customer_id


def create_technician(w: Writer, *, name: str, skills: list[str] | None = None,
                      color: str = "#607d8b", daily_capacity_minutes: int = 480,
                      active: bool = True) -> str:
    return w.create(Technician, name=name, skills=skills or [], color=color,
                    daily_capacity_minutes=daily_capacity_minutes, active=active).id


def update_technician(w: Writer, technician_id: str, **fields: Any) -> str:
    row = w.get(Technician, technician_id, what="technician")
    w.update(row, **fields)
    return row.id


def create_bay(w: Writer, *, name: str, kind: str = "general") -> str:
    return w.create(Bay, name=name, kind=kind).id


def update_bay(w: Writer, bay_id: str, **fields: Any) -> str:
    row = w.get(Bay, bay_id, what="bay")
    w.update(row, **fields)
    return row.id
