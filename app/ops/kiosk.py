"""What a technician does at the kiosk that is more than one plain operation.

Clocking on is how a technician says "I am working on this now": a job still queued, or
back from a hold, is moved to in progress in the same transaction (one tap, one
operation, pushed together), then the clock starts (``app.ops.clock.clock_on``, which
ends any other open job clock of the technician).
"""

from __future__ import annotations

from app.db import Writer
from app.models import Job
from app.ops import clock, jobs

#: Statuses a job leaves for "in progress" when its technician clocks on to it.
STARTED_BY_CLOCKING_ON: tuple[str, ...] = ("queued", "on_hold")


def start_work(w: Writer, technician_id: str, job_id: str) -> str:
    """Clock ``technician_id`` on to ``job_id``, starting the job first when it is queued
    or on hold (the status event is the technician's). Returns the new time entry's id."""
    job = w.get(Job, job_id, what="job")
    if job.status in STARTED_BY_CLOCKING_ON:
        jobs.move_status(w, job_id, "in_progress", by_id=technician_id)
    return clock.clock_on(w, technician_id, job_id)


def clock_status_after_start(status: str) -> str:
    """The status a job in ``status`` has once its technician clocked on (``start_work``)."""
    return "in_progress" if status in STARTED_BY_CLOCKING_ON else status
