"""outbox entries and refused-mutation outcomes carry the id of the operation that wrote them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00

One domain operation (one ``Store.run``, one click) may write several outbox entries: a
status move writes the job's change and its ``status_event``. ``operation_id`` is the id of
the operation's first entry; the push never splits an operation between two requests and
the server lets its mutations stand or fall together (docs/protocol-notes.md). Entries
already waiting were written before operations were recorded: each counts as an operation
of its own (``operation_id = id``). Outcomes keep the operation, and the mutation whose
refusal took them along (``refused_with``), so the person sees one refusal per click.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the outbox keeps its AUTOINCREMENT memory.
    op.add_column("outbox", sa.Column("operation_id", sa.Integer(), nullable=True))
    op.execute("UPDATE outbox SET operation_id = id")
    op.add_column("mutation_outcome", sa.Column("operation_id", sa.Integer(), nullable=True))
    op.execute("UPDATE mutation_outcome SET operation_id = mutation_id")
    op.add_column("mutation_outcome", sa.Column("refused_with", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (a batch rebuild would lose AUTOINCREMENT).
    op.execute("ALTER TABLE mutation_outcome DROP COLUMN refused_with")
    op.execute("ALTER TABLE mutation_outcome DROP COLUMN operation_id")
    op.execute("ALTER TABLE outbox DROP COLUMN operation_id")
