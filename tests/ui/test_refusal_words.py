"""A refused click in words: names and numbers for ids (``app.queries.labels``), never an id."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db import Store
from app.models import Job
from app.queries.labels import row_labels
from sync.outcomes import RefusedChange, TakenAlong
from tests.ui.helpers import Shop
from ui.desk.refusals import refs_of, refusal_words

AT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_row_labels_name_jobs_people_and_vehicles(store: Store, shop: Shop) -> None:
    job_id = shop.jobs["queued"]
    with store.read() as s:
        number = s.get(Job, job_id).number
        labels = row_labels(s, {("job", job_id), ("technician", shop.techs["Grace Hopper"]),
                                ("vehicle", shop.vehicle_id), ("job", "not-here")})
    assert labels[("job", job_id)] == f"Job {number}"
    assert labels[("technician", shop.techs["Grace Hopper"])] == "Grace Hopper"
    assert "(" in labels[("vehicle", shop.vehicle_id)]  # year make model (plate)
    assert ("job", "not-here") not in labels


def test_a_refused_assignment_names_the_technician_not_the_id(store: Store, shop: Shop) -> None:
    job_id, tech_id = shop.jobs["queued2"], shop.techs["Grace Hopper"]
    change = RefusedChange(1, "rejected", "job", job_id, "Grace is not on shift.",
                           {"technician_id": tech_id}, {"technician_id": None}, AT)
    event = RefusedChange(2, "rejected", "status_event", "gone", "No.",
                          {"job_id": job_id, "to_status": "ready"}, {}, AT, others=(
                              TakenAlong(3, "note", "gone-too", {"body": "x"}),))
    with store.read() as s:
        labels = row_labels(s, refs_of([change, event]))
        number = s.get(Job, job_id).number
    words = refusal_words(change, labels)
    assert words.what == f"Job {number}: technician → Grace Hopper"
    assert tech_id not in words.what + words.mine + words.theirs
    assert refusal_words(event, labels).what == f"Job {number} → Ready"
