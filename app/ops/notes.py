"""Notes and technicians' findings on a job (append-only)."""

from __future__ import annotations

from app.db import Writer
from app.models import Job, Note


def add_note(w: Writer, job_id: str, body: str, *, kind: str = "note",
             author_id: str | None = None) -> str:
    w.get(Job, job_id, what="job")
    # The body's and the kind's rules are app.validators' (the Writer applies them).
    return w.create(Note, job_id=job_id, author_id=author_id, kind=kind, body=body).id
