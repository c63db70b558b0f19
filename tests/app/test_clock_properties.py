"""Hypothesis: whatever sequence of clock actions several technicians take, the rules hold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import app.db
from app.db import Store
from app.errors import ValidationError
from app.models import TimeEntry
from app.ops import clock as clockops
from app.ops import jobs
from app.timeclock import is_effective
from tests.app.conftest import Clock, make_shop
from tests.app.helpers import last_outbox_id

TECHS = 3
JOBS = 3

actions = st.one_of(
    st.tuples(st.just("on"), st.integers(0, TECHS - 1), st.integers(0, JOBS - 1)),
    st.tuples(st.just("off"), st.integers(0, TECHS - 1)),
    st.tuples(st.just("start_shift"), st.integers(0, TECHS - 1)),
    st.tuples(st.just("end_shift"), st.integers(0, TECHS - 1)),
    st.tuples(st.just("hold"), st.integers(0, JOBS - 1)),
    st.tuples(st.just("resume"), st.integers(0, JOBS - 1)),
    st.tuples(st.just("correct"), st.integers(0, 50), st.booleans()),
)


@pytest.fixture(scope="module")
def clock_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Clock]]:
    """One replica for all examples (each example uses new jobs); the time only goes on."""
    clock = Clock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    patch = pytest.MonkeyPatch()
    patch.setattr(app.db, "utcnow", clock)
    store = Store(Path(tmp_path_factory.mktemp("clock")) / "replica.sqlite")
    yield store, clock
    store.close()
    patch.undo()


def _check_invariants(store: Store, tech_ids: tuple[str, ...]) -> None:
    with store.read() as s:
        rows = s.execute(select(TimeEntry.technician_id, TimeEntry.kind)
                         .where(TimeEntry.ended_at.is_(None), TimeEntry.deleted_at.is_(None),
                                TimeEntry.technician_id.in_(tech_ids),
                                is_effective(TimeEntry))).all()
    for tech in tech_ids:
        open_jobs = sum(1 for t, k in rows if t == tech and k == "job")
        open_shifts = sum(1 for t, k in rows if t == tech and k == "shift")
        assert open_jobs <= 1, "more than one open job entry"
        assert open_shifts <= 1, "more than one open shift"
        if open_jobs:
            assert open_shifts == 1, "a job clock runs without a shift"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(steps=st.lists(actions, min_size=1, max_size=25))
def test_clock_rules_hold_for_any_sequence(clock_store: tuple[Store, Clock],
                                          steps: list[tuple[object, ...]]) -> None:
    store, clock = clock_store
    shop = make_shop(store)
    job_ids = [store.run(jobs.create_job, customer_id=shop.customer_id,
                         vehicle_id=shop.vehicle_id).result for _ in range(JOBS)]
    for job_id in job_ids:
        store.run(jobs.move_status, job_id, "in_progress")
    techs = shop.tech_ids[:TECHS]
    for step in steps:
        clock.advance(minutes=7)
        before = last_outbox_id(store)
        try:
            match step:
                case ("on", t, j):
                    store.run(clockops.clock_on, techs[t], job_ids[j])
                case ("off", t):
                    store.run(clockops.clock_off, techs[t])
                case ("start_shift", t):
                    store.run(clockops.start_shift, techs[t])
                case ("end_shift", t):
                    store.run(clockops.end_shift, techs[t])
                case ("hold", j):
                    store.run(jobs.move_status, job_ids[j], "on_hold")
                case ("resume", j):
                    store.run(jobs.move_status, job_ids[j], "in_progress")
                case ("correct", pick, leave_open):
                    with store.read() as s:
                        mine = s.scalars(select(TimeEntry).where(
                            TimeEntry.technician_id.in_(techs), is_effective(TimeEntry))
                            .order_by(TimeEntry.created_at, TimeEntry.id)).all()
                    if not mine:
                        continue
                    entry = mine[int(pick) % len(mine)]
                    end = None if leave_open else clock.now - timedelta(minutes=1)
                    start = entry.started_at - timedelta(minutes=5)
                    if end is not None and end <= start:
                        end = start + timedelta(minutes=1)
                    store.run(clockops.correct, entry.id, started_at=start, ended_at=end,
                              reason="property test")
        except ValidationError:
            assert last_outbox_id(store) == before, "a refused action wrote something"
        _check_invariants(store, techs)
