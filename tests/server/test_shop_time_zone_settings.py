"""The shop settings' ``time_zone`` on the server (an additive wire field, migration 0005):
the same rule as the desk's (``app.shopsettings.check_time_zone`` through the shared field
rules), round trip through push and pull on PostgreSQL."""

from __future__ import annotations

from tests.server.helpers import Api, reasons, statuses


def test_the_shop_time_zone_settings_round_trip(api: Api) -> None:
    rows, _ = api.pull_all("technician")
    assert rows[("shop_settings", api.shop_id)]["time_zone"] == ""  # the default: each computer's
    m = api.client("manager")
    r = m.push(m.m("shop_settings", api.shop_id, {"time_zone": " Europe/Berlin "}))
    assert statuses(r) == ["applied"], reasons(r)
    for role in ("kiosk", "clerk"):
        rows, _ = api.pull_all(role)
        assert rows[("shop_settings", api.shop_id)]["time_zone"] == "Europe/Berlin"
    r = m.push(m.m("shop_settings", api.shop_id, {"time_zone": ""}, {"time_zone": "Europe/Berlin"}))
    assert statuses(r) == ["applied"], reasons(r)
    assert api.row("shop_settings", api.shop_id)["time_zone"] == ""


def test_an_unknown_time_zone_settings_change_is_refused_in_words(api: Api) -> None:
    m = api.client("manager")
    r = m.push(m.m("shop_settings", api.shop_id, {"time_zone": "Europe/Berln"}),
               m.m("shop_settings", api.shop_id, {"time_zone": "../etc/passwd"}))
    assert statuses(r) == ["rejected", "rejected"]
    assert "Unknown time zone 'Europe/Berln': use a name like Europe/Berlin." in (
        reasons(r)[0] or "")
    assert api.row("shop_settings", api.shop_id)["time_zone"] == ""
    clerk = api.client("clerk")
    r = clerk.push(clerk.m("shop_settings", api.shop_id, {"time_zone": "UTC"}))
    assert statuses(r) == ["rejected"]  # managers and admins only, as every setting
