"""Every rule of every field of every entity holds on both sides.

The test walks ``app.entities.ENTITY_MIXINS`` (so a new entity is walked too) and, for each
value ``app.validators.refusals`` lists — a field's kind, emptiness, length, range and
choices, its own rule, the rules between fields — proves that the replica's ``Writer``
raises ``ValidationError`` naming the field, and that the real server rejects the same
mutation with the same words, storing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app import roles, validators
from app.db import Store, Writer
from app.entities import ENTITY_MIXINS, WIRE
from app.errors import ValidationError
from app.models import MODELS
from server.sync.fields import REFERENCES
from tests.server.helpers import Api, new_id, reasons, statuses

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

#: A valid new row where the kinds' stand-ins would not do (or would break a rule).
BASE: dict[str, dict[str, Any]] = {
    "customer": {"name": "Ann Example", "email": "ann@example.com", "phone": "555 0142"},
    "vehicle": {"plate": "AB 123", "vin": "1HGCM82633A004352", "year": 2003},
    "technician": {"name": "Sam", "skills": ["brakes"]},
    "bay": {"name": "Bay 1"},
    "job": {"number": "P-TEST-1", "status": "queued", "priority": 1},
    "job_line": {"kind": "part", "description": "Pads", "quantity": 2.0,
                 "unit_price_cents": 1500, "part_status": "needed"},
    "appointment": {"starts_at": T0, "ends_at": T0.replace(hour=9)},
    "time_entry": {"started_at": T0, "kind": "job"},
    "note": {"body": "Worn pads"},
    "status_event": {"to_status": "queued", "at": T0},
    "conflict": {"entity": "job", "row_id": new_id(), "field": "status",
                 "client_id": new_id(), "mutation_id": 1, "client_value": "on_hold",
                 "server_value": "in_progress"},
}

_STAND_IN: dict[str, Any] = {"str": "x", "int": 1, "float": 1.0, "bool": False, "time": T0,
                             "json": []}


def base_row(entity: str, refs: dict[str, str]) -> dict[str, Any]:
    """A valid new row of ``entity`` whose references name rows of ``refs``."""
    row: dict[str, Any] = {}
    for name in validators.required(entity):
        kind = WIRE[entity].fields[name].kind
        row[name] = refs.get(REFERENCES.get(name, ""), new_id()) if kind == "id" \
            else _STAND_IN[kind]
    for name, target in REFERENCES.items():
        if name in WIRE[entity].fields and target in refs and target != entity:
            row[name] = refs[target]
    row.update(BASE.get(entity, {}))
    return row


def wire(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    spec = WIRE[entity].fields
    return {k: spec[k].to_wire(v) if isinstance(v, datetime) and k in spec else v
            for k, v in row.items()}


def cases() -> list[tuple[str, validators.Refusal]]:
    return [(e, r) for e in ENTITY_MIXINS for r in validators.refusals(e)]


def _id(case: tuple[str, validators.Refusal]) -> str:
    entity, r = case
    shown = ",".join(f"{k}={v!r}"[:30] for k, v in r.values.items())
    return f"{entity}.{r.field}[{r.why}:{shown}]"


CASES = cases()


def test_every_field_of_every_entity_has_a_refused_value() -> None:
    covered = {(e, r.field) for e, r in CASES}
    missing = [(e, f) for e in ENTITY_MIXINS for f in WIRE[e].fields if (e, f) not in covered]
    assert not missing
    assert {e for e, _ in CASES} == set(ENTITY_MIXINS)


def test_the_base_rows_are_valid() -> None:
    refs = {e: new_id() for e in ENTITY_MIXINS}
    for entity in ENTITY_MIXINS:
        validators.validate_new(entity, base_row(entity, refs))


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(tmp_path_factory.mktemp("walk") / "replica.sqlite")


def _local_error(store: Store, fn: Callable[[Writer], Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        store.run(fn)
    return info.value


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_the_replica_refuses(replica: Store, case: tuple[str, validators.Refusal]) -> None:
    entity, refusal = case
    model = MODELS[entity]
    refs = {e: new_id() for e in ENTITY_MIXINS}
    row = {**base_row(entity, refs), **refusal.values}
    err = _local_error(replica, lambda w: w.create(model, **row))
    assert err.field == refusal.field and err.message
    existing = replica.run(lambda w: w.create(model, **base_row(entity, refs)).id).result
    err = _local_error(replica, lambda w: w.update(w.get(model, existing), **refusal.values))
    assert err.message


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    """One row the references of a new row can name, per entity the shop needs."""
    m = api.client("manager")
    refs = {"customer": new_id(), "vehicle": new_id(), "job": new_id(), "bay": new_id(),
            "technician": api.technician_id, "time_entry": new_id()}
    r = m.push(m.m("customer", refs["customer"], {"name": "Ann"}),
               m.m("vehicle", refs["vehicle"], {"customer_id": refs["customer"],
                                                "plate": "AB 1"}),
               m.m("bay", refs["bay"], {"name": "Bay 9"}),
               m.m("job", refs["job"], {"number": "P", "customer_id": refs["customer"],
                                        "status": "queued"}),
               m.m("time_entry", refs["time_entry"], {"technician_id": api.technician_id,
                                                      "started_at": "2026-11-27T07:00:00Z"}))
    assert set(statuses(r)) == {"applied"}, r
    return refs


#: One row per shop, made with the shop (its id is the shop's).
SINGLETONS = {"shop_settings"}


def _made_through_sync(entity: str) -> bool:
    return entity not in SINGLETONS and bool(roles.can("manager", entity, "create"))


def _existing(api: Api, entity: str, world: dict[str, str]) -> str:
    """A row of ``entity`` on the server (a conflict: made by a stale move; the shop's
    settings and a technician's PIN verifier: made with the shop and its users)."""
    if entity == "shop_settings":
        return api.shop_id
    if entity == "technician_pin":
        return api.seed.users["technician"].user_id
    m = api.client("manager")
    if entity == "conflict":
        m.push(m.m("job", world["job"], {"status": "in_progress"}, {"status": "queued"}))
        r = m.push(m.m("job", world["job"], {"status": "on_hold"}, {"status": "queued"}))
        assert statuses(r) == ["conflict"]
        rows, _ = api.pull_all("manager")
        return next(rid for (e, rid) in rows if e == "conflict")
    row_id = new_id()
    row = base_row(entity, world)
    if entity == "appointment":  # another time: a second booking must not clash with it
        row.update(starts_at=T0.replace(day=1, month=12), ends_at=T0.replace(day=2, month=12))
    r = m.push(m.m(entity, row_id, wire(entity, row)))
    assert statuses(r) == ["applied"], r
    return row_id


def test_the_server_refuses_every_entity(api: Api, world: dict[str, str],
                                         replica: Store) -> None:
    """One push per entity: each refused value as a new row and as a change of a row;
    every one rejected with the replica's own words, nothing stored or changed."""
    for entity in ENTITY_MIXINS:
        refusals = [r for e, r in CASES if e == entity]
        existing = _existing(api, entity, world)
        before = api.row(entity, existing)
        m = api.client("manager")
        new_ids = [new_id() for _ in refusals]
        creates = [m.m(entity, rid, wire(entity, {**base_row(entity, world), **r.values}))
                   for rid, r in zip(new_ids, refusals, strict=True)]
        updates = [m.m(entity, existing, wire(entity, r.values)) for r in refusals]
        result = m.push(*creates, *updates)
        assert set(statuses(result)) == {"rejected"}, (entity, result)
        said = reasons(result)
        assert all(said), (entity, result)
        if _made_through_sync(entity):  # (else refused before its fields are looked at)
            for r, reason, rid in zip(refusals, said[:len(refusals)], new_ids, strict=True):
                row = {**base_row(entity, world), **r.values}
                local = _local_error(replica, lambda w, e=entity, row=row: w.create(
                    MODELS[e], **row))
                # (the shop settings' messages get the setting's name on the server)
                assert reason in (local.message, f"{local.message} ('{local.field}')"), \
                    (entity, r)
                assert api.row(entity, rid) is None
        assert api.row(entity, existing) == before, entity


def test_ops_refuse_what_the_server_refuses(tmp_path: Path) -> None:
    """The desk's operations give the same words (they go through the same Writer)."""
    from app.ops import customers, jobs

    store = Store(tmp_path / "r.sqlite")
    try:
        with pytest.raises(ValidationError) as info:
            store.run(customers.create_customer, name="Bob", phone="call me maybe")
        assert info.value.field == "phone"
        cust = store.run(customers.create_customer, name="Bob").result
        job = store.run(jobs.create_job, customer_id=cust, vehicle_id=None).result
        for fields, field in (({"quantity": 0}, "quantity"), ({"description": " "},
                              "description"), ({"unit_price_cents": -1}, "unit_price_cents"),
                              ({"part_status": "ordered"}, "part_status")):
            with pytest.raises(ValidationError) as info:
                store.run(jobs.add_line, job, **{"kind": "labor", "description": "x", **fields})
            assert info.value.field == field
        with pytest.raises(ValidationError) as info:
            store.run(jobs.update_job, job, priority=99)
        assert info.value.field == "priority"
    finally:
        store.close()


# --- the role table, on both sides ------------------------------------------------------

def _set_role(store: Store, role: str | None) -> None:
    from app.models import SyncState

    with store.write_session() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        state.role = role


def _local(store: Store, fn: Callable[[Writer], Any]) -> str | None:
    """None when the replica did it, else the reason it refused."""
    from app.errors import NotAllowed

    try:
        store.run(fn)
    except NotAllowed as exc:
        return exc.message
    return None


@pytest.mark.parametrize("role", ["admin", "manager", "clerk", "technician"])
def test_the_replica_refuses_what_the_role_may_not_do_in_the_servers_words(
        api: Api, world: dict[str, str], tmp_path: Path, role: str) -> None:
    """Every entity, created and deleted by a replica signed in as ``role``: refused there
    exactly when the server refuses it, with the same reason."""
    m = api.client("manager")
    m.push(m.m("job", world["job"], {"technician_id": api.technician_id}))
    store = Store(tmp_path / "r.sqlite")
    try:
        for entity in ENTITY_MIXINS:
            if entity in SINGLETONS:
                continue  # made with the shop: its id is the server's shop's
            row = base_row(entity, world)
            local_id = store.run(lambda w, e=entity, row=row: w.create(MODELS[e], **row).id).result
            _set_role(store, role)
            said_here = _local(store, lambda w, e=entity, row=row: w.create(MODELS[e], **row))
            deleted_here = _local(store, lambda w, e=entity, i=local_id: w.delete(
                w.get(MODELS[e], i)))
            _set_role(store, None)
            c = api.client(role)
            existing = _existing(api, entity, world)
            r = c.push(c.m(entity, new_id(), wire(entity, row)), c.delete(entity, existing))
            for here, status, reason in zip((said_here, deleted_here), statuses(r), reasons(r),
                                            strict=True):
                if here is None:
                    assert status == "applied", (role, entity, reason)
                else:
                    assert (status, reason) == ("rejected", here), (role, entity)
    finally:
        store.close()


def test_a_clerk_cannot_clock_a_technician_on_even_offline(tmp_path: Path) -> None:
    """A clerk's clock-on fails at once, in the server's words, instead of being accepted
    offline and refused hours later; the demo (no one signed in) keeps every right."""
    from app.errors import NotAllowed
    from app.ops import clock, customers, jobs

    store = Store(tmp_path / "r.sqlite")
    try:
        tech = store.run(customers.create_technician, name="Sam").result
        job = store.run(jobs.create_job, customer_id=None, vehicle_id=None).result
        _set_role(store, "clerk")
        with pytest.raises(NotAllowed, match="A clerk cannot add time entries"):
            store.run(clock.clock_on, tech, job)
        assert store.pending_count() == 3  # technician, job, its status event; nothing more
        store.run(jobs.move_status, job, "in_progress")  # the desk's own work goes on
        _set_role(store, None)
        store.run(clock.clock_on, tech, job)
    finally:
        store.close()
