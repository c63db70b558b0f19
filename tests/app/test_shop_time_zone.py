"""The shop's time zone (a shop setting): the rule, the replica's migration, and
``shop_time_zone`` reading it for the schedule and every "today"."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from app import validators
from app.db import Store, make_engine, upgrade
from app.errors import ValidationError
from app.models import ShopSettings
from app.ops.settings import update_shop_settings
from app.queries.common import shop_tz
from app.queries.settings import replica_settings, shop_time_zone
from app.shopsettings import check_setting, check_time_zone

SHOP = "00000000-0000-4000-8000-00000000000a"


@pytest.mark.parametrize(("given", "kept"), [
    ("Europe/Berlin", "Europe/Berlin"), ("  America/New_York ", "America/New_York"),
    ("UTC", "UTC"), ("", ""), ("   ", ""),
])
def test_a_known_zone_or_empty_is_kept(given: str, kept: str) -> None:
    assert check_time_zone(given) == kept
    assert check_setting("time_zone", given) == kept


@pytest.mark.parametrize("bad", ["Europe/Berln", "Europe", "Mars/Olympus", "../etc/passwd",
                                 "/etc/localtime", "x" * 65, 7, None])
def test_an_unknown_zone_is_refused_in_words(bad: object) -> None:
    with pytest.raises(ValidationError) as err:
        check_time_zone(bad)
    assert err.value.field == "time_zone"
    assert "Europe/Berlin" in err.value.message


def test_the_message_names_the_zone_typed() -> None:
    with pytest.raises(ValidationError) as err:
        check_setting("time_zone", "Europe/Berln")
    assert err.value.message == "Unknown time zone 'Europe/Berln': use a name like Europe/Berlin."


def test_the_field_rule_is_the_settings_rule() -> None:
    """The replica's writer and the server's apply go through the same field rule."""
    rule = validators.FIELD_RULES[("shop_settings", "time_zone")]
    assert "Europe/Berln" in rule.refused
    with pytest.raises(ValidationError):
        validators.validate_fields("shop_settings", {"time_zone": "Europe/Berln"})


def test_the_operation_stores_the_zone_and_refuses_a_bad_one(store: Store) -> None:
    store.run(update_shop_settings, time_zone=" Europe/Berlin ")
    with store.read() as s:
        assert replica_settings(s).time_zone == "Europe/Berlin"
    pending = store.pending_count()
    with pytest.raises(ValidationError) as err:
        store.run(update_shop_settings, time_zone="Europe/Berln")
    assert err.value.field == "time_zone"
    assert store.pending_count() == pending  # nothing of the refused change was written


def test_shop_time_zone_reads_the_setting(store: Store) -> None:
    with store.read() as s:  # no row yet: this computer's zone, as before
        assert str(shop_time_zone(s)) == str(shop_tz(None))
    store.run(update_shop_settings, time_zone="Pacific/Auckland")
    with store.read() as s:
        assert shop_time_zone(s) == ZoneInfo("Pacific/Auckland")
    store.run(update_shop_settings, time_zone="")
    with store.read() as s:  # "" again: the computer's zone
        assert str(shop_time_zone(s)) == str(shop_tz(None))
    assert str(shop_time_zone()) == str(shop_tz(None))  # no session: the computer's


def test_a_zone_this_computer_does_not_know_falls_back(store: Store,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """A name from a newer tzdata (the server's) that this replica cannot read: the
    computer's zone, with a warning, never a crash."""
    store.run(update_shop_settings, tax_rate_bp=0)
    with store.write_session() as s:  # as a pull would write it, past the rule
        row = s.get(ShopSettings, store.state().shop_id)
        assert row is not None
        row.time_zone = "Mars/Olympus"
    with store.read() as s:
        assert str(shop_time_zone(s)) == str(shop_tz(None))
    assert "Mars/Olympus" in caplog.text


def test_a_0009_replica_keeps_its_settings_and_gets_an_empty_zone(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = make_engine(path)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO sync_state (id, client_id, device_code, shop_id, cursor, "
            "acked_mutation_id, next_provisional) VALUES (1, 'c', 'AB12', :s, 5, 0, 1)"),
            {"s": SHOP})
        conn.execute(text(
            "INSERT INTO shop_settings (id, shop_id, created_at, updated_at, tax_rate_bp, "
            "taxable_kinds, rounding_cents, approval_notice_minutes, kiosk_timeout_seconds, "
            "header_name, header_address, header_phone, header_tax_number) VALUES "
            "(:s, :s, '2026-11-20 08:00:00', '2026-11-20 08:00:00', 825, '[\"part\"]', 5, 30, "
            "90, 'Bayline Motors', '1 Main St', '416 555 0100', 'GST 1')"), {"s": SHOP})
    engine.dispose()
    store = Store(path)  # opening upgrades to head
    try:
        with store.read() as s:
            view = replica_settings(s)
            assert (view.tax_rate_bp, view.taxable_kinds, view.rounding_cents,
                    view.approval_notice_minutes, view.kiosk_timeout_seconds,
                    view.header_name, view.header_tax_number) == \
                (825, ("part",), 5, 30, 90, "Bayline Motors", "GST 1")
            assert view.time_zone == ""
            assert str(shop_time_zone(s)) == str(shop_tz(None))
        store.run(update_shop_settings, time_zone="Europe/Berlin")
        with store.read() as s:
            assert shop_time_zone(s) == ZoneInfo("Europe/Berlin")
            assert replica_settings(s).header_name == "Bayline Motors"
    finally:
        store.close()
