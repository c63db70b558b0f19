"""One search box for the front desk: customer name, phone, plate, VIN and job number.

Every field is matched in SQL (parameters, wildcards in the typed text escaped); each
match gets a score, exact before prefix before anywhere-inside, and the best ``limit``
hits are returned. Phone numbers match on their digits only, so "416 555 0142" finds
"(416) 555-0142"; plates and VINs ignore spaces and dashes and case.
"""

from __future__ import annotations

import bisect
import heapq
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


# --- the same search over an index in memory ---------------------------------------------

#: A change naming more rows than this rebuilds the index instead of patching it.
REBUILD_OVER = 2_000
#: More job numbers than this starting with the text: walk the jobs newest first.
WALK_OVER = 200
_SQUEEZE = str.maketrans("", "", " -")
_PHONE_DROP = str.maketrans("", "", _PHONE_PUNCTUATION)


def _graded_py(value: str, text: str, exact: int, prefix: int, inside: int | None,
               suffix: int | None = None) -> int:
    """``_graded``'s score in Python (0: no match), its cases in the same order."""
    if value == text:
        return exact
    if value.startswith(text):
        return prefix
    if suffix is not None and value.endswith(text):
        return suffix
    if inside is not None and text in value:
        return inside
    return 0


class SearchIndex:
    """``search`` answered from memory: the desk's search box asks it on every keystroke
    (milliseconds for tens of thousands of customers, where SQL's LIKE over computed
    columns reads every row each time).

    It holds what ``search`` matches and shows of every customer, vehicle and job, read
    once, then kept by ``refresh`` with the rows each change names (``Changes.rows``:
    local writes and synced ones alike reach the desk's change hub). The same matching,
    scores and words as ``search`` (a test compares them on the demo shop). Not
    thread-safe: one thread uses it (the desk's read worker).
    """

    def __init__(self) -> None:
        self.built = False
        #: id → (lower-cased name, phone digits, name, phone, e-mail, live) of customers.
        self.customers: dict[str, tuple[str, str, str, str, str, bool]] = {}
        #: id → (squeezed plate, squeezed VIN, plate, VIN, label, customer id, live).
        self.vehicles: dict[str, tuple[str, str, str, str, str, str | None, bool]] = {}
        #: id → (upper-cased number, created at, number, status, vehicle id, customer id)
        #: of live jobs.
        self.jobs: dict[str, tuple[str, Any, str, str, str | None, str | None]] = {}
        self._fields: dict[str, _Field] = {}

    # --- keeping it --------------------------------------------------------------------
    def build(self, session: Session) -> None:
        self.customers, self.vehicles, self.jobs = {}, {}, {}
        self._fields = {}
        self._load(session, None, None, None)
        self.built = True
        for field in ("name", "phone", "plate", "vin", "number"):
            self._field(field)

    def refresh(self, session: Session, rows: Any) -> None:
        """Re-read the customers, vehicles and jobs named in ``rows`` (entity → ids)."""
        if not self.built:
            return  # the first search builds it whole
        named = {e: set(rows.get(e, ())) for e in ("customer", "vehicle", "job")}
        if sum(len(ids) for ids in named.values()) > REBUILD_OVER:
            self.build(session)
            return
        for entity, fields in (("customer", ("name", "phone")), ("vehicle", ("plate", "vin")),
                               ("job", ("number",))):
            if named[entity]:
                for field in fields:
                    self._fields.pop(field, None)
        for job_id in named["job"]:
            self.jobs.pop(job_id, None)  # a deleted one stays out
        self._load(session, named["customer"], named["vehicle"], named["job"])

    def _load(self, session: Session, customers: set[str] | None,
              vehicles: set[str] | None, jobs: set[str] | None) -> None:
        def only(query: Any, column: Any, ids: set[str] | None) -> Any:
            return query if ids is None else query.where(column.in_(ids))

        if customers is None or customers:
            for cid, name, phone, email, deleted in session.execute(only(
                    select(Customer.id, Customer.name, Customer.phone, Customer.email,
                           Customer.deleted_at), Customer.id, customers)):
                self.customers[cid] = ((name or "").lower(),
                                       (phone or "").translate(_PHONE_DROP), name or "",
                                       phone or "", email or "", deleted is None)
        if vehicles is None or vehicles:
            for vid, plate, vin, make, model, year, owner, deleted in session.execute(only(
                    select(Vehicle.id, Vehicle.plate, Vehicle.vin, Vehicle.make,
                           Vehicle.model, Vehicle.year, Vehicle.customer_id,
                           Vehicle.deleted_at), Vehicle.id, vehicles)):
                self.vehicles[vid] = ((plate or "").upper().translate(_SQUEEZE),
                                      (vin or "").upper().translate(_SQUEEZE), plate or "",
                                      vin or "", vehicle_label(make, model, year), owner,
                                      deleted is None)
        if jobs is None or jobs:
            for jid, number, created, status, vid, cid in session.execute(only(
                    select(Job.id, Job.number, Job.created_at, Job.status, Job.vehicle_id,
                           Job.customer_id).where(Job.deleted_at.is_(None)), Job.id, jobs)):
                self.jobs[jid] = ((number or "").upper(), created, number or "", status,
                                  vid, cid)

    def _field(self, name: str) -> _Field:
        """The lookup structure of one field, made again after its table changed."""
        made = self._fields.get(name)
        if made is None:
            pairs: list[tuple[str, str]]
            if name in ("name", "phone"):
                pairs = [(c[0] if name == "name" else c[1], i)
                         for i, c in self.customers.items() if c[5]]
            elif name in ("plate", "vin"):
                pairs = [(v[0] if name == "plate" else v[1], i)
                         for i, v in self.vehicles.items() if v[6]]
            else:
                pairs = [(j[0], i) for i, j in self.jobs.items()]
            made = self._fields[name] = _Field([k for k, _ in pairs], [i for _, i in pairs])
            if name == "number":
                made.when = [self.jobs[i][1] for _, i in pairs]
        return made

    # --- searching ---------------------------------------------------------------------
    def search(self, session: Session, text: str, *, limit: int = 20
               ) -> tuple[SearchHit, ...]:
        """``search(session, text, limit=limit)``, answered from memory (``session`` is
        read only to build the index the first time)."""
        if not self.built:
            self.build(session)
        query = " ".join((text or "").split())
        if not query:
            return ()
        digits = "".join(ch for ch in query if ch.isdigit())
        phone_like = all(ch.isdigit() or ch in _PHONE_PUNCTUATION for ch in query)
        squeezed = query.upper().translate(_SQUEEZE)
        found: list[SearchHit] = []
        if not phone_like:
            found += self._names(query.lower(), limit)
        if phone_like and len(digits) >= 4:
            found += self._phones(digits, limit)
        if len(squeezed) >= 2:
            cands = self._field("plate").containing(squeezed)
            found += self._vehicles("plate", 0, squeezed, (990, 850, 550, None), cands, limit)
        if len(squeezed) >= 4 and digits:
            vin = self._field("vin")
            cands = sorted(set(vin.starting(squeezed)) | set(vin.ending(squeezed)))
            found += self._vehicles("vin", 1, squeezed, (995, 750, None, 900), cands, limit)
        if digits:
            found += self._numbers(query.upper(), limit)
        best: dict[tuple[str, str], SearchHit] = {}
        for hit in found:
            key = (hit.kind, hit.id)
            if key not in best or best[key].score < hit.score:
                best[key] = hit
        ranked = sorted(best.values(), key=lambda h: (-h.score, h.kind, h.title))
        return tuple(ranked[:limit])

    def _names(self, lowered: str, limit: int) -> list[SearchHit]:
        field = self._field("name")
        cands = field.starting(lowered)
        if len(cands) < limit:  # the best are not all names that start with the text
            words = lowered.split()
            keys = field.keys
            cands = [i for i in field.containing(max(words, key=len))
                     if all(w in keys[i] for w in words)]
        spaced = " " + lowered
        scored = []
        for i in cands:
            cid = field.ids[i]
            name, _d, shown, _p, _e, _l = self.customers[cid]
            score = (1000 if name == lowered else 800 if name.startswith(lowered) else
                     700 if spaced in name else 500 if lowered in name else 400)
            scored.append((-score, shown, cid))
        hits = []
        for s, _n, cid in heapq.nsmallest(limit, scored):
            _k, _d, name, phone, email, _l = self.customers[cid]
            hits.append(SearchHit("customer", cid, name,
                                  " · ".join(p for p in (phone, email) if p), "name", -s))
        return hits

    def _phones(self, digits: str, limit: int) -> list[SearchHit]:
        field = self._field("phone")
        scored = []
        for i in field.containing(digits):
            cid = field.ids[i]
            c = self.customers[cid]
            score = _graded_py(c[1], digits, 950, 700, 600, suffix=900)
            if score:
                scored.append((-score, c[2], cid))
        return [SearchHit("customer", cid, name, self.customers[cid][3], "phone", -s)
                for s, name, cid in heapq.nsmallest(limit, scored)]

    def _vehicles(self, field: str, at: int, text: str,
                  grades: tuple[int, int, int | None, int | None], cands: list[int],
                  limit: int) -> list[SearchHit]:
        exact, prefix, inside, suffix = grades
        ids = self._field(field).ids
        scored = []
        for i in cands:
            vid = ids[i]
            v = self.vehicles[vid]
            score = _graded_py(v[0] if at == 0 else v[1], text, exact, prefix, inside, suffix)
            if score:
                scored.append((-score, v[2], vid))
        hits = []
        for s, _p, vid in heapq.nsmallest(limit, scored):
            _ps, _vs, plate, vin, label, owner_id, _l = self.vehicles[vid]
            owner = self.customers[owner_id][2] if owner_id in self.customers else ""
            title = " · ".join(p for p in (label, plate) if p)
            hits.append(SearchHit("vehicle", vid, title,
                                  " · ".join(p for p in (owner, vin) if p), field, -s))
        return hits

    def _numbers(self, upper: str, limit: int) -> list[SearchHit]:
        field = self._field("number")
        starting = field.starting(upper)
        if len(starting) > WALK_OVER:
            # Many start with it ("2" when every number does): the newest of them, walking
            # the jobs newest first, after those that are exactly it; none ends-only is
            # better than any of them.
            exact = [(-1000, _neg_time(self.jobs[field.ids[i]][1]), field.ids[i])
                     for i in starting if field.keys[i] == upper]
            rest: list[tuple[int, float, str]] = []
            for i in field.newest_first():
                if len(exact) + len(rest) >= limit:
                    break
                key = field.keys[i]
                if key != upper and key.startswith(upper):
                    rest.append((-800, _neg_time(self.jobs[field.ids[i]][1]), field.ids[i]))
            top = (sorted(exact) + rest)[:limit]
        else:
            cands = starting
            if len(cands) < limit:  # the rest end with it (a lower score than every start)
                cands = sorted(set(cands) | set(field.ending(upper)))
            scored = []
            for i in cands:
                jid = field.ids[i]
                j = self.jobs[jid]
                score = _graded_py(j[0], upper, 1000, 800, None, suffix=650)
                if score:
                    scored.append((-score, _neg_time(j[1]), jid))
            top = heapq.nsmallest(limit, scored)
        hits = []
        for s, _c, jid in top:
            _u, _c2, number, status, vid, cid = self.jobs[jid]
            owner = self.customers[cid][2] if cid in self.customers else ""
            label = self.vehicles[vid][4] if vid in self.vehicles else ""
            hits.append(SearchHit("job", jid, f"Job {number}", " · ".join(
                p for p in (status.replace("_", " "), owner, label) if p), "number", -s))
        return hits


class _Field:
    """One field's keys of the live rows, findable by their start or their end (sorted
    lists and bisection) and by anything inside; a longer text typed after a shorter one
    filters the shorter one's rows instead of reading them all again."""

    def __init__(self, keys: list[str], ids: list[str]) -> None:
        self.keys = keys
        self.ids = ids
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self._sorted = [keys[i] for i in order]
        self._order = order
        backwards = sorted(range(len(keys)), key=lambda i: keys[i][::-1])
        self._reversed = [keys[i][::-1] for i in backwards]
        self._backwards = backwards
        self._last: tuple[str, list[int]] | None = None
        self._newest: list[int] | None = None
        #: The order ``newest_first`` walks (set by the index for job numbers).
        self.when: list[Any] | None = None

    def newest_first(self) -> list[int]:
        """The rows, newest first by ``when`` (job numbers: their creation)."""
        if self._newest is None:
            when = self.when or [None] * len(self.keys)
            self._newest = sorted(range(len(self.keys)), key=lambda i: _neg_time(when[i]))
        return self._newest

    def starting(self, text: str) -> list[int]:
        lo = bisect.bisect_left(self._sorted, text)
        hi = bisect.bisect_left(self._sorted, text + "\U0010ffff", lo)
        return self._order[lo:hi]

    def ending(self, text: str) -> list[int]:
        rev = text[::-1]
        lo = bisect.bisect_left(self._reversed, rev)
        hi = bisect.bisect_left(self._reversed, rev + "\U0010ffff", lo)
        return self._backwards[lo:hi]

    def containing(self, text: str) -> list[int]:
        last = self._last
        keys = self.keys
        if last is not None and text.startswith(last[0]):
            rows = [i for i in last[1] if text in keys[i]]
        else:
            rows = [i for i, key in enumerate(keys) if text in key]
        self._last = (text, rows)
        return rows


def _neg_time(at: Any) -> float:
    return -at.timestamp() if at is not None else 0.0
