"""The queue board's query and its partial index must agree with the rules' open statuses."""

from __future__ import annotations

from sqlalchemy import text

from app import rules
from app.db import Store
from app.models import OPEN_JOB_CONDITION
from app.queries.boards import QUEUE_SQL, queue_board
from app.timeutil import utcnow


def test_the_open_job_condition_names_every_open_status_and_no_other() -> None:
    listed = OPEN_JOB_CONDITION.split("IN (")[1].split(")")[0]
    assert sorted(s.strip(" '") for s in listed.split(",")) == sorted(rules.OPEN_STATUSES)


def test_the_board_query_states_the_index_condition() -> None:
    condition = OPEN_JOB_CONDITION.replace("status IN", "job.status IN").replace(
        "AND deleted_at", "AND job.deleted_at")
    assert f"WHERE {condition} ORDER BY" in str(QUEUE_SQL)


def test_the_board_reads_open_jobs_in_order_from_its_indexes(store: Store) -> None:
    with store.read() as session:
        queue_board(session, utcnow())  # INDEXED BY makes SQLite fail if an index cannot serve
        plan = " ".join(str(row) for row in session.execute(
            text("EXPLAIN QUERY PLAN " + str(QUEUE_SQL))).all())
    assert "ix_job_open" in plan and "ix_vehicle_board" in plan and "ix_customer_board" in plan
    assert "TEMP B-TREE" not in plan  # the index gives the board's order: no sort
