"""Opening a replica made by an older version upgrades it in place and keeps its data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app.db import Store, alembic_config, make_engine, upgrade
from app.models import Base
from app.ops import clock as clockops

T = "2026-11-20 08:00:00.000000"


def _seed_at_0001(path: Path) -> None:
    """A replica at the first migration, with rows written the way that version wrote them."""
    engine = make_engine(path)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO sync_state (id, client_id, device_code, shop_id, cursor, "
            "acked_mutation_id, next_provisional) VALUES (1, :c, 'AB12', :s, 1207, 41, 8)"),
            {"c": "00000000-0000-4000-8000-000000000001",
             "s": "00000000-0000-4000-8000-00000000000a"})
        conn.execute(text(
            "INSERT INTO technician (id, shop_id, created_at, updated_at, name, skills, color, "
            "daily_capacity_minutes, active) VALUES ('t1', 's', :t, :t, 'Grace', '[]', "
            "'#607d8b', 480, 1)"), {"t": T})
        conn.execute(text(
            "INSERT INTO time_entry (id, shop_id, created_at, updated_at, technician_id, kind, "
            "started_at, ended_at, reason) VALUES "
            "('e1', 's', :t, :t, 't1', 'shift', :t, NULL, ''), "
            "('e2', 's', :t, :t, 't1', 'job', :t, NULL, '')"), {"t": T})
        conn.execute(text(
            "INSERT INTO outbox (entity, row_id, op, fields, base, created_at, urgent) "
            "VALUES ('technician', 't1', 'upsert', '{\"name\": \"Grace\"}', '{}', :t, 0)"),
            {"t": T})
    engine.dispose()


def test_a_0001_replica_is_upgraded_in_place_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _seed_at_0001(path)
    store = Store(path)  # opening upgrades to head
    try:
        with store.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("time_entry")}
            assert {"ix_time_entry_corrects_id", "ix_time_entry_ended_at",
                    "ix_time_entry_open"} <= indexes
        state = store.state()
        assert (state.cursor, state.acked_mutation_id, state.next_provisional) == (1207, 41, 8)
        assert state.client_id == "00000000-0000-4000-8000-000000000001"
        assert store.pending_count() == 1
        with store.write() as w:  # the old open entries still read as open, through the index
            entry = clockops.open_entry(w, "t1", "job")
            assert entry is not None and entry.id == "e2"
            assert entry.started_at == datetime(2026, 11, 20, 8, tzinfo=UTC)
    finally:
        store.close()


def test_opening_twice_changes_nothing(tmp_path: Path) -> None:
    first = Store(tmp_path / "r.sqlite")
    client_id = first.state().client_id
    first.close()
    again = Store(tmp_path / "r.sqlite")
    assert again.state().client_id == client_id
    again.close()


# SQLite cannot reflect the expression index ix_job_open, so autogenerate skips it (and says
# so); test_boards_index checks that index through the query plan instead.
@pytest.mark.filterwarnings("ignore:.*ix_job_open")
def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    store = Store(tmp_path / "r.sqlite")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        store.close()
