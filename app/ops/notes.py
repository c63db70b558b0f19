"""Notes and technicians' findings on a job (append-only)."""

from __future__ import annotations

from app import rules
from app.db import Writer
from app.errors import ValidationError
from app.models import Job, Note


def add_note(w: Writer, job_id: str, body: str, *, kind: str = "note",
             author_id: str | None = None) -> str:
    w.get(Job, job_id, what="job")
    body = (body or "").strip()
    if not body:
        raise ValidationError("The note is empty.", field="body")
    if len(body) > 20_000:
        raise ValidationError("A note can be at most 20,000 characters.", field="body")
    if kind not in rules.NOTE_KINDS:
        raise ValidationError("A note is a note or a finding.", field="kind")
    return w.create(Note, job_id=job_id, author_id=author_id, kind=kind, body=body).id
