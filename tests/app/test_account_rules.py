"""The account rules the server's admin endpoints and the desk's administration share:
the PIN and password formats, and who manages users and PINs (``app.validators``,
``app.roles``); the server takes them from there."""

from __future__ import annotations

import pytest

from app import roles, validators


@pytest.mark.parametrize("pin", ["1234", "00000000", "2468"])
def test_a_pin_is_4_to_8_digits(pin: str) -> None:
    assert validators.pin_problem(pin) is None


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", " 1234", "１２３４"])
def test_other_pins_are_refused_in_words(pin: str) -> None:
    assert validators.pin_problem(pin) == "A PIN is 4 to 8 digits."


def test_password_lengths() -> None:
    assert validators.password_problem("x" * 7) == "A password has at least 8 characters."
    assert validators.password_problem("x" * 8) is None
    assert validators.password_problem("x" * 1025) == "A password has at most 1024 characters."


def test_who_manages_users_and_pins() -> None:
    assert roles.can_manage_users("admin") and roles.can_manage_users(None)
    for role in ("manager", "clerk", "technician", "kiosk"):
        assert roles.can_manage_users(role).reason == "Only an admin manages users."
    assert roles.can_set_pins("admin") and roles.can_set_pins("manager")
    for role in ("clerk", "technician", "kiosk"):
        assert roles.can_set_pins(role).reason == ("Only a manager or an admin sets "
                                                   "technicians' PINs.")


def test_the_server_uses_the_same_rules() -> None:
    from server.auth import passwords
    from server.schemas import PinSet

    with pytest.raises(ValueError, match="A PIN is 4 to 8 digits."):
        passwords.check_pin("12")
    with pytest.raises(ValueError, match="at least 8"):
        passwords.check_password("short")
    assert PinSet.model_json_schema()["properties"]["pin"]["pattern"] == (
        f"^{validators.PIN_PATTERN.pattern}$")
