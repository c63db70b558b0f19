"""Vehicles: the VIN rule of PROTOCOL.md, the model year, odometer readings."""

from __future__ import annotations

from datetime import date

import pytest

from app import rules
from app.db import Store
from app.errors import ConfirmationRequired, ValidationError
from app.models import Vehicle
from app.ops import jobs, vehicles
from tests.app.conftest import Shop

NA_VIN = "1HGCM82633A004352"  # Honda Accord, built in Ohio: check digit 3
EU_VIN = "WVWZZZ1JZ3W386752"  # VW Golf, built in Germany: 'Z' where a check digit would be


def _vin_of(store: Store, vehicle_id: str) -> str:
    with store.read() as s:
        v = s.get(Vehicle, vehicle_id)
        assert v is not None
        return v.vin


def _create(store: Store, shop: Shop, **fields: object) -> str:
    fields.setdefault("plate", "ABCD 123")
    vehicle_id: str = store.run(vehicles.create_vehicle, customer_id=shop.customer_id,
                                **fields).result
    return vehicle_id


def test_check_digit_of_a_known_vin() -> None:
    assert rules.vin_check_digit(NA_VIN) == "3"
    assert rules.vin_check_digit("11111111111111111") == "1"  # the classic test VIN


def test_a_valid_vin_is_kept(store: Store, shop: Shop) -> None:
    changes = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, vin=NA_VIN,
                        make="Honda", model="Accord", year=2003)
    assert changes.warnings == () or all("duplicate" in w for w in changes.warnings)
    assert _vin_of(store, changes.result) == NA_VIN


def test_a_lower_case_vin_with_spaces_is_upper_cased_and_stripped(store: Store,
                                                                   shop: Shop) -> None:
    vehicle_id = _create(store, shop, vin=" 1hgcm8263 3a004352 ")
    assert _vin_of(store, vehicle_id) == NA_VIN


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_i_o_q_are_refused_and_named(store: Store, shop: Shop, letter: str) -> None:
    vin = NA_VIN[:11] + letter + NA_VIN[12:]
    with pytest.raises(ValidationError) as refused:
        _create(store, shop, vin=vin)
    assert refused.value.field == "vin"
    assert f"found {letter}" in refused.value.message


@pytest.mark.parametrize("vin", [NA_VIN[:16], NA_VIN + "1", "1HGCM82633"])
def test_a_vin_of_the_wrong_length_is_refused(store: Store, shop: Shop, vin: str) -> None:
    with pytest.raises(ValidationError, match=f"17 characters; this one has {len(vin)}"):
        _create(store, shop, vin=vin)


def test_other_characters_are_refused(store: Store, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="only letters and digits"):
        _create(store, shop, vin=NA_VIN[:16] + "*")


def test_a_wrong_check_digit_in_north_america_is_refused(store: Store, shop: Shop) -> None:
    wrong = NA_VIN[:8] + "4" + NA_VIN[9:]
    with pytest.raises(ValidationError) as refused:
        _create(store, shop, vin=wrong)
    assert "should be 3, not 4" in refused.value.message
    assert refused.value.field == "vin"


def test_a_wrong_check_digit_in_europe_is_only_a_warning(store: Store, shop: Shop) -> None:
    assert rules.vin_check_digit(EU_VIN) != EU_VIN[8]
    changes = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, vin=EU_VIN,
                        make="Volkswagen", model="Golf", year=2003)
    assert any("not the check digit" in w for w in changes.warnings)
    assert _vin_of(store, changes.result) == EU_VIN


def test_an_empty_vin_is_allowed_with_a_plate(store: Store, shop: Shop) -> None:
    vehicle_id = _create(store, shop, vin="", year=1967, make="Ford", model="Mustang")
    assert _vin_of(store, vehicle_id) == ""
    with pytest.raises(ValidationError, match="plate or a VIN"):
        store.run(vehicles.create_vehicle, customer_id=shop.customer_id, vin="", plate="")


def test_the_same_vin_twice_warns_of_a_duplicate(store: Store, shop: Shop) -> None:
    changes = store.run(vehicles.create_vehicle, customer_id=shop.customer_id, vin=NA_VIN)
    assert any("duplicate" in w for w in changes.warnings)  # the shop fixture has it already


@pytest.mark.parametrize("year", [rules.MIN_VEHICLE_YEAR, 2003, date.today().year + 1])
def test_years_in_range_are_accepted(store: Store, shop: Shop, year: int) -> None:
    _create(store, shop, year=year)


@pytest.mark.parametrize("year", [rules.MIN_VEHICLE_YEAR - 1, 0, date.today().year + 2, 20003])
def test_years_out_of_range_are_refused(store: Store, shop: Shop, year: int) -> None:
    with pytest.raises(ValidationError, match="year must be between") as refused:
        _create(store, shop, year=year)
    assert refused.value.field == "year"


def test_a_lower_odometer_needs_confirmation(store: Store, shop: Shop) -> None:
    # the shop's vehicle reads 120,000 km
    with pytest.raises(ConfirmationRequired, match="lower than the last reading"):
        store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=119_000)
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=119_000, confirm=True)
    with store.read() as s:
        v = s.get(Vehicle, shop.vehicle_id)
        assert v is not None and v.odometer == 119_000
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=130_000)  # higher: fine


def test_a_job_odometer_counts_as_a_reading(store: Store, shop: Shop) -> None:
    store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
              odometer_in=125_000)
    with store.read() as s:
        v = s.get(Vehicle, shop.vehicle_id)
        assert v is not None and v.odometer == 125_000  # the vehicle follows the job
    with pytest.raises(ConfirmationRequired):
        store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                  odometer_in=124_000)
    store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
              odometer_in=124_000, confirm_odometer=True)


def test_a_negative_odometer_is_refused(store: Store, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="negative"):
        _create(store, shop, odometer=-1)
