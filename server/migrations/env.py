"""Alembic environment of the central API (PostgreSQL, or SQLite in batch mode)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.models import ServerBase

config = context.config
target_metadata = ServerBase.metadata


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,  # type: ignore[arg-type]
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _run(conn)


run_migrations()
