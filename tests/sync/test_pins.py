"""The offline PIN check: sealing a verifier with the device secret, checking a PIN, and
what a stolen replica alone does not give away."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from sync import pins

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET, OTHER_SECRET = b"s" * 32, b"t" * 32


def test_a_sealed_verifier_checks_the_right_pin_only() -> None:
    verifier = FAST.hash("2468")
    sealed = pins.seal(verifier, "user-a", SECRET)
    assert pins.verify_sealed(sealed, "user-a", "2468", SECRET)
    assert not pins.verify_sealed(sealed, "user-a", "2469", SECRET)
    assert not pins.verify_sealed(sealed, "user-a", "2468", OTHER_SECRET)  # stolen file only
    assert not pins.verify_sealed(sealed, "user-b", "2468", SECRET)  # copied to another row
    # Nothing of the server's hash is in the sealed form (only its parameters and salt).
    assert verifier.rsplit("$", 1)[1] not in sealed


@pytest.mark.parametrize("sealed", ["", "bls1:argon2id:19:1024:1:1:c2FsdHNhbHQ:32",
                                    "bls1:argon2id:19:99999999:1:1:c2FsdHNhbHQ:32:AAAA",
                                    "bls1:argon2x:19:1024:1:1:c2FsdHNhbHQ:32:AAAA",
                                    "bls1:argon2id:19:1024:1:1:!!!:32:AAAA"])
def test_a_damaged_sealed_value_never_verifies_nor_raises(sealed: str) -> None:
    assert not pins.verify_sealed(sealed, "user-a", "2468", SECRET)


def test_pages_are_sealed_in_place_and_dropped_without_a_secret() -> None:
    verifier = FAST.hash("1357")
    page = [{"entity": "technician_pin", "row": {"id": "u", "user_id": "u",
                                                 "technician_id": "t", "verifier": verifier}},
            {"entity": "job", "row": {"id": "j", "verifier": "untouched"}},
            {"entity": "technician_pin", "row": None}]
    pins.Sealer(lambda: SECRET).seal_page(page)
    assert pins.verify_sealed(page[0]["row"]["verifier"], "u", "1357", SECRET)
    assert page[1]["row"]["verifier"] == "untouched"
    page[0]["row"]["verifier"] = verifier

    def no_keyring() -> bytes:
        from sync.errors import NoKeyring

        raise NoKeyring("no password store")
    pins.Sealer(no_keyring).seal_page(page)
    assert page[0]["row"]["verifier"] is None  # never stored as sent
