"""One search box for the front desk: customer name, phone, plate, VIN and job number.

Every field is matched in SQL (parameters, wildcards in the typed text escaped); each
match gets a score, exact before prefix before anywhere-inside, and the best ``limit``
hits are returned. Phone numbers match on their digits only, so "416 555 0142" finds
"(416) 555-0142"; plates and VINs ignore spaces and dashes and case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from app.models import Customer, Job, Vehicle
from app.queries.common import vehicle_label

#: Characters a phone number may contain besides digits (``app.ops.customers``).
_PHONE_PUNCTUATION = "+()./- "


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "customer" | "vehicle" | "job"
    id: str
    title: str
    detail: str
    #: Which field matched: name, phone, plate, vin or number.
    matched: str
    score: int


def _digits_only(column: Any) -> Any:
    expr = column
    for ch in _PHONE_PUNCTUATION:
        expr = func.replace(expr, ch, "")
    return expr


def _squeezed(column: Any) -> Any:
    """Upper case, without spaces and dashes (plates, VINs)."""
    return func.replace(func.replace(func.upper(column), " ", ""), "-", "")


def _graded(expr: Any, text: str, exact: int, prefix: int, inside: int | None,
            suffix: int | None = None) -> tuple[Any, Any]:
    """A score column and a WHERE clause for matching ``expr`` against ``text``."""
    whens = [(expr == text, exact), (expr.startswith(text, autoescape=True), prefix)]
    conds = [expr.startswith(text, autoescape=True)]
    if suffix is not None:
        whens.append((expr.endswith(text, autoescape=True), suffix))
        conds.append(expr.endswith(text, autoescape=True))
    if inside is not None:
        whens.append((expr.contains(text, autoescape=True), inside))
        conds.append(expr.contains(text, autoescape=True))
    return case(*whens, else_=literal(0)), or_(*conds)


def search(session: Session, text: str, *, limit: int = 20) -> tuple[SearchHit, ...]:
    """The best ``limit`` customers, vehicles and jobs for ``text``, best first.

    Text made only of digits and phone punctuation is looked for as a phone number (with 4+
    digits), never as a name; a VIN or job number only when the text has a digit.
    """
    query = " ".join((text or "").split())
    if not query:
        return ()
    digits = "".join(ch for ch in query if ch.isdigit())
    phone_like = all(ch.isdigit() or ch in _PHONE_PUNCTUATION for ch in query)
    squeezed = "".join(ch for ch in query.upper() if ch not in " -")
    found: list[SearchHit] = []
    if not phone_like:
        found += _by_name(session, query.lower(), limit)
    if phone_like and len(digits) >= 4:
        found += _by_phone(session, digits, limit)
    if len(squeezed) >= 2:
        found += _by_vehicle(session, "plate", *_graded(_squeezed(Vehicle.plate), squeezed, 990, 850, 550),
                             limit=limit)
    if len(squeezed) >= 4 and digits:  # a VIN by its whole, its start or its last digits
        found += _by_vehicle(session, "vin", *_graded(_squeezed(Vehicle.vin), squeezed, 995, 750, None,
                                      suffix=900), limit=limit)
    if digits:
        found += _by_number(session, query.upper(), limit)
    best: dict[tuple[str, str], SearchHit] = {}
    for hit in found:
        key = (hit.kind, hit.id)
        if key not in best or best[key].score < hit.score:
            best[key] = hit
    ranked = sorted(best.values(), key=lambda h: (-h.score, h.kind, h.title))
    return tuple(ranked[:limit])


def _by_name(session: Session, lowered: str, limit: int) -> list[SearchHit]:
    """Customers whose name holds the whole text (best at the start of the name or of a
    word), or every word of it somewhere ("smith jo" finds "John Smith")."""
    name = func.lower(Customer.name)
    score = case((name == lowered, 1000),
                 (name.startswith(lowered, autoescape=True), 800),
                 (name.contains(" " + lowered, autoescape=True), 700),
                 (name.contains(lowered, autoescape=True), 500), else_=literal(400))
    every_word = and_(*(name.contains(w, autoescape=True) for w in lowered.split()))
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.phone, Customer.email, score)
        .where(Customer.deleted_at.is_(None), every_word)
        .order_by(score.desc(), Customer.name).limit(limit))
    return [SearchHit("customer", cid, cname, " · ".join(p for p in (phone, email) if p),
                      "name", int(s)) for cid, cname, phone, email, s in rows]


def _by_phone(session: Session, digits: str, limit: int) -> list[SearchHit]:
    score, where = _graded(_digits_only(Customer.phone), digits, 950, 700, 600, suffix=900)
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.phone, score)
        .where(Customer.deleted_at.is_(None), where)
        .order_by(score.desc(), Customer.name).limit(limit))
    return [SearchHit("customer", cid, cname, phone, "phone", int(s))
            for cid, cname, phone, s in rows]


def _by_vehicle(session: Session, field: str, score: Any, where: Any, *,
                limit: int) -> list[SearchHit]:
    rows = session.execute(
        select(Vehicle.id, Vehicle.make, Vehicle.model, Vehicle.year, Vehicle.plate,
               Vehicle.vin, Customer.name, score)
        .outerjoin(Customer, Customer.id == Vehicle.customer_id)
        .where(Vehicle.deleted_at.is_(None), where)
        .order_by(score.desc(), Vehicle.plate).limit(limit))
    hits = []
    for vid, make, model, year, plate, vin, owner, s in rows:
        title = " · ".join(p for p in (vehicle_label(make, model, year), plate) if p)
        hits.append(SearchHit("vehicle", vid, title,
                              " · ".join(p for p in (owner or "", vin) if p), field, int(s)))
    return hits


def _by_number(session: Session, upper: str, limit: int) -> list[SearchHit]:
    """Jobs by number: exact, its start, or its last digits ("352" finds job 10352)."""
    score, where = _graded(func.upper(Job.number), upper, 1000, 800, None, suffix=650)
    rows = session.execute(
        select(Job.id, Job.number, Job.status, Vehicle.make, Vehicle.model, Vehicle.year,
               Customer.name, score)
        .outerjoin(Vehicle, Vehicle.id == Job.vehicle_id)
        .outerjoin(Customer, Customer.id == Job.customer_id)
        .where(Job.deleted_at.is_(None), where)
        .order_by(score.desc(), Job.created_at.desc()).limit(limit))
    return [SearchHit("job", jid, f"Job {number}",
                      " · ".join(p for p in (status.replace("_", " "), owner or "",
                                             vehicle_label(make, model, year)) if p),
                      "number", int(s))
            for jid, number, status, make, model, year, owner, s in rows]
