"""A PIN verifier never shows in a log or a traceback: ``TechnicianPin``'s repr (written
once, in ``app.entities``) leaves it out on the replica and on the server."""

from __future__ import annotations

import pytest

from app.models import TechnicianPin as ReplicaPin
from server.models import TechnicianPin as ServerPin


@pytest.mark.parametrize("model", [ReplicaPin, ServerPin], ids=["replica", "server"])
def test_the_repr_names_the_row_but_never_the_verifier(model: type) -> None:
    pin = model(id="u-1", user_id="u-1", technician_id="t-1", verifier="$argon2id$secret")
    shown = repr(pin)
    assert shown == "TechnicianPin(id='u-1', technician_id='t-1')"
    assert "secret" not in shown and "argon2" not in shown
