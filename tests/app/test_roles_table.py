"""The role table of ``app.roles`` as the UI asks it: a pure ``can`` with its reason."""

from __future__ import annotations

import pytest

from app import roles
from app.entities import ENTITY_MIXINS


@pytest.mark.parametrize("entity", list(ENTITY_MIXINS))
def test_every_entity_has_an_answer_for_every_role_and_action(entity: str) -> None:
    for role in roles.ROLES:
        for action in roles.ACTIONS:
            decision = roles.can(role, entity, action)
            assert decision.allowed or decision.reason, (role, entity, action)
    assert all(roles.can(None, entity, a) for a in roles.ACTIONS)  # a demo: every right


def test_what_the_ui_asks() -> None:
    clock_on = roles.can("clerk", "time_entry", "create")
    assert not clock_on and clock_on.reason == "A clerk cannot add time entries."
    assert roles.can("clerk", "time_entry", "update", {"ended_at"})  # a job leaving work
    assert not roles.can("clerk", "time_entry", "update", {"started_at"})
    close = roles.can("technician", "job", "update", {"status": "closed"})
    assert close.reason == ("A technician cannot close or cancel a job; the front desk does "
                            "that.")
    assert roles.can("technician", "job", "update", {"status": "ready"})
    assert roles.can("technician", "job", "update", {"concern"}).reason == \
        "A technician cannot change concern of a job."
    assert not roles.can("clerk", "shop_settings", "update")
    assert roles.can("manager", "shop_settings", "update")
    assert not roles.can("manager", "technician_pin", "read")
    assert roles.can("kiosk", "technician_pin", "read")
    assert roles.hidden_fields("technician", "customer") == roles.CONTACT_FIELDS
    assert roles.writing_role("kiosk") == "technician"  # a kiosk writes for its technician
