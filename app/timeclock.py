"""Which time entries count.

Time entries are append-only: a correction is a new row whose ``corrects_id`` names the
original (always the first row of the chain), and the latest correction of an original
replaces it and every earlier correction. The replica and the central API both use this.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement


def is_effective(model: Any) -> ColumnElement[bool]:
    """A SQL condition true for the rows of ``model`` (a mapped time-entry class) that count:
    those no live later correction replaces. "Later" is by ``created_at``, then by id, so
    two corrections made offline on two devices settle the same way everywhere."""
    later = aliased(model)
    return ~exists().where(
        later.corrects_id == func.coalesce(model.corrects_id, model.id),
        later.id != model.id,
        later.deleted_at.is_(None),
        or_(model.corrects_id.is_(None),
            later.created_at > model.created_at,
            and_(later.created_at == model.created_at, later.id > model.id)),
    )
