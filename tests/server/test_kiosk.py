"""The kiosk's protocol: acting users, one open clock per technician across devices, shop
settings, the manager's PIN endpoints and the verifiers kiosks pull, the device clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher

from app.timeutil import to_rfc3339
from tests.server.helpers import Api, new_id, reasons, statuses

T0, T1, T2 = "2026-11-27T08:00:00Z", "2026-11-27T08:30:00Z", "2026-11-27T09:00:00Z"


def _acting(m: dict[str, Any], user_id: str | None) -> dict[str, Any]:
    return {**m, "acting_user_id": user_id}


def _queued_job(api: Api, technician_id: str | None) -> str:
    m = api.client("manager")
    job = new_id()
    r = m.push(m.m("job", job, {"number": "P", "status": "queued",
                                "technician_id": technician_id}))
    assert statuses(r) == ["applied"], r
    return job


def _tech_user(api: Api) -> str:
    return api.seed.users["technician"].user_id


def test_a_kiosk_acts_for_its_technician_and_records_them(api: Api) -> None:
    tech, user = api.technician_id, _tech_user(api)
    job = _queued_job(api, tech)
    k = api.client("kiosk")
    entry, event, note = new_id(), new_id(), new_id()
    r = k.push(
        _acting(k.m("time_entry", entry, {"technician_id": tech, "job_id": job,
                                          "kind": "job", "started_at": T0}), user),
        _acting(k.m("job", job, {"status": "in_progress"}, {"status": "queued"}), user),
        _acting(k.m("status_event", event, {"job_id": job, "from_status": "queued",
                                            "to_status": "in_progress", "at": T0}), user),
        _acting(k.m("note", note, {"job_id": job, "kind": "finding", "body": "worn pads"}),
                user))
    assert statuses(r) == ["applied"] * 4, r
    rows, _ = api.pull_all("admin")
    assert rows[("status_event", event)]["by_id"] == tech
    assert rows[("note", note)]["author_id"] == tech
    assert rows[("time_entry", entry)]["technician_id"] == tech
    assert rows[("job", job)]["status"] == "in_progress"


def test_a_kiosk_without_an_acting_technician_changes_nothing(api: Api) -> None:
    job = _queued_job(api, api.technician_id)
    k = api.client("kiosk")
    r = k.push(k.m("job", job, {"status": "in_progress"}, {"status": "queued"}))
    assert statuses(r) == ["rejected"] and "kiosk" in (reasons(r)[0] or "")


def test_only_active_technicians_of_the_shop_may_act(api: Api, shop_b: Api) -> None:
    job = _queued_job(api, api.technician_id)
    k = api.client("kiosk")
    move = {"status": "in_progress"}, {"status": "queued"}
    r = k.push(_acting(k.m("job", job, *move), api.seed.users["manager"].user_id),
               _acting(k.m("job", job, *move), shop_b.seed.users["technician"].user_id),
               _acting(k.m("job", job, *move), new_id()))
    assert statuses(r) == ["rejected"] * 3
    assert "not a technician" in (reasons(r)[0] or "")
    assert "not a user of this shop" in (reasons(r)[1] or "")
    # A disabled technician's edits, however late they arrive, are refused.
    tech_user = _tech_user(api)
    resp = api.http.patch(f"/api/v1/users/{tech_user}", headers=api.headers("admin"),
                          json={"active": False})
    assert resp.status_code == 200
    r = k.push(_acting(k.m("job", job, *move), tech_user))
    assert statuses(r) == ["rejected"] and "no longer an active technician" in r["results"][0][
        "reason"]


def test_the_acting_technicians_permissions_apply(api: Api) -> None:
    m = api.client("manager")
    other = new_id()
    assert statuses(m.push(m.m("technician", other, {"name": "Other"}))) == ["applied"]
    theirs = _queued_job(api, other)
    k = api.client("kiosk")
    user = _tech_user(api)
    r = k.push(
        _acting(k.m("job", theirs, {"status": "in_progress"}, {"status": "queued"}), user),
        _acting(k.m("time_entry", new_id(), {"technician_id": other, "started_at": T0}), user),
        _acting(k.m("customer", new_id(), {"name": "Ann"}), user))
    assert statuses(r) == ["rejected"] * 3, r


def test_only_a_kiosk_acts_for_someone_else(api: Api) -> None:
    job = _queued_job(api, api.technician_id)
    c = api.client("clerk")
    r = c.push(_acting(c.m("note", new_id(), {"job_id": job, "body": "x"}), _tech_user(api)),
               _acting(c.m("note", new_id(), {"job_id": job, "body": "y"}),
                       api.seed.users["clerk"].user_id))
    assert statuses(r) == ["rejected", "applied"]
    assert "kiosk" in (reasons(r)[0] or "")


def _entries(api: Api) -> dict[str, dict[str, Any]]:
    rows, _ = api.pull_all("admin")
    return {rid: row for (e, rid), row in rows.items() if e == "time_entry" and row}


def test_two_offline_kiosks_clocking_one_technician_on_keep_one_clock_open(api: Api) -> None:
    """The later start ends the earlier entry, at the later start, whichever arrives first."""
    tech, user = api.technician_id, _tech_user(api)
    job_a, job_b = _queued_job(api, tech), _queued_job(api, tech)
    for first_pushed in ("early", "late"):
        a, b = api.client("kiosk"), api.client("kiosk")
        early, late = new_id(), new_id()
        clock_early = _acting(a.m("time_entry", early, {
            "technician_id": tech, "job_id": job_a, "kind": "job", "started_at": T0}), user)
        clock_late = _acting(b.m("time_entry", late, {
            "technician_id": tech, "job_id": job_b, "kind": "job", "started_at": T1}), user)
        order = [(a, clock_early), (b, clock_late)]
        for kiosk, mutation in (order if first_pushed == "early" else order[::-1]):
            assert statuses(kiosk.push(mutation)) == ["applied"]
        entries = _entries(api)
        assert entries[early]["ended_at"] == T1, first_pushed
        assert entries[late]["ended_at"] is None, first_pushed
        open_ones = [e for e in entries.values()
                     if e["technician_id"] == tech and e["kind"] == "job" and e["ended_at"] is None]
        assert len(open_ones) == 1
        # The early kiosk later clocks its technician off: the entry had already ended.
        r = a.push(_acting(a.m("time_entry", early, {"ended_at": T2}, {"ended_at": None}), user))
        assert statuses(r) == ["rejected"] and "already ended" in (reasons(r)[0] or "")
        # Close the late one so the next round starts clean.
        b.push(_acting(b.m("time_entry", late, {"ended_at": T2}, {"ended_at": None}), user))


def test_shop_settings_are_read_by_all_and_changed_by_managers(api: Api) -> None:
    rows, _ = api.pull_all("technician")
    settings = rows[("shop_settings", api.shop_id)]
    assert settings["kiosk_timeout_seconds"] == 120
    assert settings["header_name"] == "Test Garage"
    m = api.client("manager")
    r = m.push(m.m("shop_settings", api.shop_id, {"tax_rate_bp": 825,
                                                  "taxable_kinds": ["fee", "part", "part"],
                                                  "rounding_cents": 5}),
               m.m("shop_settings", api.shop_id, {"rounding_cents": 3}),
               m.m("shop_settings", api.shop_id, {"tax_rate_bp": 10_001}),
               m.m("shop_settings", api.shop_id, {"taxable_kinds": ["beer"]}),
               m.m("shop_settings", new_id(), {"tax_rate_bp": 1}),
               m.delete("shop_settings", api.shop_id))
    assert statuses(r) == ["applied"] + ["rejected"] * 5, r
    assert "rounding_cents" in (reasons(r)[1] or "") and "tax_rate_bp" in (reasons(r)[2] or "")
    clerk = api.client("clerk")
    r = clerk.push(clerk.m("shop_settings", api.shop_id, {"tax_rate_bp": 0}))
    assert statuses(r) == ["rejected"] and "clerk" in (reasons(r)[0] or "").lower()
    rows, _ = api.pull_all("kiosk")
    settings = rows[("shop_settings", api.shop_id)]
    assert (settings["tax_rate_bp"], settings["taxable_kinds"], settings["rounding_cents"]) \
        == (825, ["part", "fee"], 5)


def _pin_rows(api: Api, cursor: int = 0) -> dict[str, Any]:
    rows, _ = api.pull_all("kiosk", cursor=cursor)
    return {rid: row for (e, rid), row in rows.items() if e == "technician_pin"}


def _pin_login(api: Api, pin: str) -> int:
    r = api.http.post("/api/v1/auth/pin", headers=api.headers("kiosk"),
                      json={"technician_id": api.technician_id, "pin": pin})
    return r.status_code


def test_managers_set_and_reset_pins_and_kiosks_pull_the_verifier(api: Api) -> None:
    user = _tech_user(api)
    before = _pin_rows(api)
    assert PasswordHasher().verify(before[user]["verifier"], "2468")
    cursor = api.pull(role="kiosk")["cursor"]
    while True:  # to the head
        page = api.pull(cursor, role="kiosk")
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    url = f"/api/v1/technicians/{api.technician_id}/pin"
    r = api.http.put(url, headers=api.headers("manager"), json={"pin": "97531"})
    assert r.status_code == 204, r.text
    changed = _pin_rows(api, cursor)
    assert set(changed) == {user}
    verifier = changed[user]["verifier"]
    assert verifier != before[user]["verifier"] and PasswordHasher().verify(verifier, "97531")
    assert _pin_login(api, "97531") == 200 and _pin_login(api, "2468") == 401
    r = api.http.delete(url, headers=api.headers("admin"))
    assert r.status_code == 204
    page = api.pull(cursor, role="kiosk")
    marker = [c for c in page["changes"] if c["entity"] == "technician_pin"]
    assert marker == [{"seq": marker[0]["seq"], "entity": "technician_pin", "row_id": user,
                       "op": "delete", "row": None}]
    assert _pin_login(api, "97531") == 401


def test_pin_endpoints_check_role_shop_and_pin(api: Api, shop_b: Api) -> None:
    url = f"/api/v1/technicians/{api.technician_id}/pin"
    for role in ("clerk", "technician", "kiosk"):
        assert api.http.put(url, headers=api.headers(role), json={"pin": "1234"}).status_code \
            == 403
        assert api.http.delete(url, headers=api.headers(role)).status_code == 403
    assert api.http.put(url, headers=shop_b.headers("manager"),
                        json={"pin": "1234"}).status_code == 404
    r = api.http.put(url, headers=api.headers("manager"), json={"pin": "12a4"})
    assert r.status_code == 422
    r = api.http.put(f"/api/v1/technicians/{new_id()}/pin", headers=api.headers("manager"),
                     json={"pin": "1234"})
    assert r.status_code == 404 and r.json()["detail"]
    assert _pin_login(api, "2468") == 200  # nothing above changed the PIN


def test_a_push_answers_the_servers_time_and_the_devices_skew(api: Api) -> None:
    c = api.client("clerk")
    ahead = datetime.now(UTC) + timedelta(minutes=5)
    body = c.body([c.m("customer", new_id(), {"name": "Ann"})])
    r = api.http.post("/api/v1/sync/push", headers=api.headers("clerk", c.client_id),
                      json={**body, "device_time": to_rfc3339(ahead)})
    answer = r.json()
    assert r.status_code == 200 and 290 < answer["clock_skew_seconds"] < 301
    server_time = datetime.fromisoformat(answer["server_time"].replace("Z", "+00:00"))
    assert abs((server_time - datetime.now(UTC)).total_seconds()) < 5
    c.next_id = 1
    r = api.http.post("/api/v1/sync/push", headers=api.headers("clerk", c.client_id),
                      json={**body, "device_time": "yesterday-ish"})
    assert r.status_code == 200 and "clock_skew_seconds" not in r.json()


def test_a_disabled_technicians_verifier_leaves_the_kiosks_and_comes_back(api: Api) -> None:
    user = _tech_user(api)
    before = _pin_rows(api)[user]["verifier"]
    url = f"/api/v1/users/{user}"
    assert api.http.patch(url, headers=api.headers("admin"), json={"active": False}) \
        .status_code == 200
    assert user not in _pin_rows(api)  # a snapshot has no tombstones
    assert api.http.patch(url, headers=api.headers("admin"), json={"active": True}) \
        .status_code == 200
    assert _pin_rows(api)[user]["verifier"] == before


def test_only_a_technician_has_a_pin_and_a_bad_one_makes_no_user(api: Api) -> None:
    """One rule (``server.pins.store_pin``) behind users' create and change: the 4xx says
    why, and a refused create leaves neither a user nor a technician behind."""
    h = api.headers("admin")
    before = {u["username"] for u in api.http.get("/api/v1/users", headers=h).json()}
    def technicians() -> set[str]:
        return {rid for (e, rid) in api.pull_all("manager")[0] if e == "technician"}

    techs_before = technicians()
    for role, pin in (("clerk", "1234"), ("technician", "12a4")):
        r = api.http.post("/api/v1/users", headers=h, json={
            "username": f"pin-{role}-{new_id()[:8]}", "password": "long enough", "role": role,
            "pin": pin})
        assert r.status_code == 422 and r.json()["detail"], r.text
    assert "technician" in api.http.post("/api/v1/users", headers=h, json={
        "username": f"pin-{new_id()[:8]}", "password": "long enough", "role": "clerk",
        "pin": "1234"}).json()["detail"]
    assert {u["username"] for u in api.http.get("/api/v1/users", headers=h).json()} == before
    assert technicians() == techs_before
    clerk = api.seed.users["clerk"].user_id
    r = api.http.patch(f"/api/v1/users/{clerk}", headers=h, json={"pin": "1234"})
    assert r.status_code == 409 and "technician" in r.json()["detail"]  # the user as it is
    r = api.http.patch(f"/api/v1/users/{clerk}", headers=h, json={"pin": "1234",
                                                                  "role": "manager"})
    assert r.status_code == 422 and "technician" in r.json()["detail"]  # the body itself
    r = api.http.patch(f"/api/v1/users/{_tech_user(api)}", headers=h, json={"pin": "12"})
    assert r.status_code == 422 and r.json()["detail"]
    assert _pin_login(api, "2468") == 200  # nothing above changed the PIN
