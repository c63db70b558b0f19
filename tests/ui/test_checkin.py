"""Check-in at the desk: a known vehicle to a queued job in at most four actions (counted),
a new customer and vehicle typed inline with the VIN checked as it is typed, a lower
odometer asked about, a likely duplicate customer offered before a new one is made."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import Store
from app.models import Customer, Job, Vehicle
from app.ops import vehicles
from tests.ui.helpers import Shop
from ui.desk.checkin import CheckInDialog
from ui.qt import QApplication, QLabel, QPushButton, Qt

LAST_READING = 120_500
EU_VIN_BAD_CHECK = "WVWZZZ1JZ3W386752"  # a Golf made in Germany: 'Z' is no check digit
NA_VIN_BAD_CHECK = "1HGCM82643A004352"  # the Accord's VIN with its check digit 3 made 4
NA_VIN_GOOD = "1M8GDM9AXKP042788"  # a valid North American VIN (check digit X)


class Actions:
    """Performs the clerk's actions and counts them: a click, a shortcut or Enter is one;
    typing into one field is one."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.done: list[str] = []

    def enter(self, widget: Any) -> None:
        self.qtbot.keyClick(widget, Qt.Key.Key_Return)
        self.done.append(f"Enter in {widget.objectName() or type(widget).__name__}")

    def type(self, widget: Any, text: str) -> None:
        self.qtbot.keyClicks(widget, text)
        self.done.append(f"type {text!r} into {widget.objectName()}")

    def click(self, button: QPushButton) -> None:
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.done.append(f"click {button.text()!r}")


def _jobs(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(Job)) or 0)


def _job(store: Store, job_id: str) -> Job:
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _found(qtbot: Any, window: Any, text: str) -> None:
    """The hit is on screen: the search was typed (before the counted actions)."""
    window.start_search()
    with qtbot.waitSignal(window.search.shown, check_params_cb=lambda t, _h: t == text):
        qtbot.keyClicks(window.search, text)


def _created(window: Any) -> list[str]:
    made: list[str] = []
    window.ctx.hub.subscribe(lambda c: made.append(c.result) if c.touches("job") else None)
    return made


@pytest.mark.parametrize("preset", [None, "Tomorrow 12:00"])
def test_a_known_vehicle_becomes_a_queued_job_in_at_most_four_actions(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any, preset: str | None) -> None:
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=LAST_READING)
    window = make_desk()
    made = _created(window)
    _found(qtbot, window, "CAFE 123")
    assert window.search.popup.current_hit().id == shop.vehicle_id

    act = Actions(qtbot)
    act.enter(window.search)  # 1: open the highlighted hit: the check-in, focus in concern
    dialog = window._dialogs["checkin"]
    assert isinstance(dialog, CheckInDialog)
    assert dialog.focusWidget() is dialog.concern
    assert dialog.odometer.text() == f"{LAST_READING:,}"  # the last reading, prefilled
    act.type(dialog.concern, "brakes squeal when cold")  # 2
    if preset is not None:
        act.click(dialog.preset_buttons[preset])  # 3: one click on a promised time ...
        assert dialog.focusWidget() is dialog.concern  # ... leaves the focus in the concern
    promised = dialog.value_of("promised_at")
    act.enter(dialog.focusWidget())  # 3 or 4: Enter in the concern makes the job

    assert len(act.done) <= 4, act.done
    assert len(made) == 1 and not dialog.isVisible()
    job = _job(store, made[0])
    assert (job.status, job.concern, job.odometer_in) == ("queued", "brakes squeal when cold",
                                                          LAST_READING)
    assert (job.customer_id, job.vehicle_id) == (shop.customer_id, shop.vehicle_id)
    assert job.promised_at == promised
    if preset is not None:
        assert promised == dialog.preset_times[preset]
    assert window.detail.job_id == job.id  # the new job is open beside the board


def _new_check_in(window: Any, qtbot: Any, **prefill: str) -> CheckInDialog:
    dialog = window.check_in(prefill=prefill or None)
    qtbot.waitExposed(dialog)
    return dialog  # type: ignore[no-any-return]


def test_the_vin_is_checked_as_it_is_typed(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    window = make_desk()
    dialog = _new_check_in(window, qtbot)
    vin = dialog.messages["vin"]
    qtbot.keyClicks(dialog.vin, "1HGCM8")
    assert vin.state == "hint" and "17 characters; this one has 6" in vin.text()
    qtbot.keyClicks(dialog.vin, "O")  # a letter a VIN never has: refused at once
    assert vin.state == "error" and "never contains the letters I, O or Q" in vin.text()
    dialog.vin.clear()
    qtbot.keyClicks(dialog.vin, NA_VIN_GOOD)
    assert vin.state == "ok"
    dialog.vin.clear()
    qtbot.keyClicks(dialog.vin, NA_VIN_BAD_CHECK)
    assert vin.state == "error" and "should be 3, not 4" in vin.text()
    dialog.vin.clear()
    qtbot.keyClicks(dialog.vin, EU_VIN_BAD_CHECK)
    assert vin.state == "warning" and "normal for many European VINs" in vin.text()
    # the other fields, each with the domain's own words
    qtbot.keyClicks(dialog.year, "1800")
    assert dialog.messages["year"].state == "error"
    assert "year" in dialog.messages["year"].text().lower()
    qtbot.keyClicks(dialog.phone, "call me")
    assert dialog.messages["phone"].text() == \
        "A phone number has digits, spaces and + ( ) - only."
    qtbot.keyClicks(dialog.email, "ann@")
    assert dialog.messages["email"].text() == "That e-mail address does not look right."
    qtbot.keyClicks(dialog.odometer, "12 km")
    assert dialog.messages["odometer_in"].state == "error"


def _fill_new(qtbot: Any, dialog: CheckInDialog, *, name: str, vin: str,
              phone: str = "") -> None:
    qtbot.keyClicks(dialog.name, name)
    if phone:
        qtbot.keyClicks(dialog.phone, phone)
    qtbot.keyClicks(dialog.vin, vin)
    for edit, text in ((dialog.plate, "NEW 42"), (dialog.make, "Volkswagen"),
                       (dialog.model, "Golf"), (dialog.year, "2003"),
                       (dialog.concern, "rattle at speed"), (dialog.odometer, "98 400")):
        qtbot.keyClicks(edit, text)


def test_a_north_american_vin_with_a_wrong_check_digit_is_refused(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    before = _jobs(store)
    dialog = _new_check_in(window, qtbot)
    _fill_new(qtbot, dialog, name="Sam Doe", vin=NA_VIN_BAD_CHECK)
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    assert dialog.isVisible() and _jobs(store) == before  # nothing made
    assert dialog.messages["vin"].state == "error"
    assert "North American VIN should be 3" in dialog.messages["vin"].text()
    assert dialog.focusWidget() is dialog.vin  # the clerk is taken to the field
    # the right digit: made
    dialog.vin.clear()
    qtbot.keyClicks(dialog.vin, "1HGCM82633A004352")
    with qtbot.waitSignal(dialog.created):
        qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    assert _jobs(store) == before + 1


def test_a_european_vin_with_a_wrong_check_digit_is_saved_with_a_warning(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    dialog = _new_check_in(window, qtbot)
    _fill_new(qtbot, dialog, name="Hans Meier", vin=EU_VIN_BAD_CHECK, phone="+49 30 1234567")
    assert dialog.messages["vin"].state == "warning"
    with qtbot.waitSignal(dialog.created) as made:
        qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    job = _job(store, made.args[0])
    with store.read() as s:
        vehicle = s.get(Vehicle, job.vehicle_id)
        customer = s.get(Customer, job.customer_id)
    assert vehicle is not None and customer is not None
    assert (vehicle.vin, vehicle.plate, vehicle.make, vehicle.model, vehicle.year) == (
        EU_VIN_BAD_CHECK, "NEW 42", "Volkswagen", "Golf", 2003)
    assert (customer.name, customer.phone) == ("Hans Meier", "+49 30 1234567")
    assert (job.status, job.odometer_in, job.concern) == ("queued", 98_400, "rattle at speed")
    assert "normal for many European VINs" in window.notice.label.text()


def test_a_lower_odometer_asks_for_confirmation(make_desk: Any, shop: Shop, store: Store,
                                                qtbot: Any) -> None:
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=LAST_READING)
    window = make_desk()
    before = _jobs(store)
    dialog = window.check_in(vehicle_id=shop.vehicle_id)
    qtbot.keyClicks(dialog.concern, "cluster replaced")
    dialog.odometer.clear()
    qtbot.keyClicks(dialog.odometer, "1,200")
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    assert _jobs(store) == before and dialog.isVisible()
    message = dialog.messages["odometer_in"]
    assert message.state == "error" and "lower than the last reading (120,500 km)" in \
        message.text()
    assert not dialog.confirm_button.isHidden()
    with qtbot.waitSignal(dialog.created) as made:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert _job(store, made.args[0]).odometer_in == 1_200


def test_a_changed_reading_must_be_confirmed_again(make_desk: Any, shop: Shop, store: Store,
                                                    qtbot: Any) -> None:
    store.run(vehicles.update_vehicle, shop.vehicle_id, odometer=LAST_READING)
    window = make_desk()
    dialog = window.check_in(vehicle_id=shop.vehicle_id)
    qtbot.keyClicks(dialog.concern, "x")
    dialog.odometer.clear()
    qtbot.keyClicks(dialog.odometer, "1200")
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    assert not dialog.confirm_button.isHidden()
    qtbot.keyClicks(dialog.odometer, "0")
    assert dialog.confirm_button.isHidden() and not dialog.confirm_odometer


def test_a_likely_duplicate_customer_is_offered_before_a_new_one_is_made(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    with store.read() as s:
        customers_before = s.scalar(select(func.count()).select_from(Customer))
    dialog = _new_check_in(window, qtbot)
    qtbot.keyClicks(dialog.name, "ada lovelace")  # offered as it is typed
    assert not dialog.duplicates_box.isHidden()
    assert [m.id for m in dialog.duplicates] == [shop.customer_id]
    for edit, text in ((dialog.plate, "SECOND 2"), (dialog.concern, "her 2nd car")):
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)  # not made: asked first
    assert dialog.isVisible()
    assert any("Is it one of these" in label.text()
               for label in dialog.duplicates_box.findChildren(QLabel))
    use = dialog.use_buttons[0]
    assert use.text() == "Use Ada Lovelace"
    assert dialog.focusWidget() is use
    qtbot.mouseClick(use, Qt.MouseButton.LeftButton)
    assert dialog.customer_id == shop.customer_id and dialog.new_customer.isHidden()
    assert not dialog.new_vehicle.isHidden() and dialog.plate.text() == "SECOND 2"  # kept
    with qtbot.waitSignal(dialog.created) as made:
        qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    job = _job(store, made.args[0])
    assert job.customer_id == shop.customer_id and job.vehicle_id != shop.vehicle_id
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == customers_before


def test_a_new_customer_after_all(make_desk: Any, shop: Shop, store: Store,
                                  qtbot: Any) -> None:
    window = make_desk()
    dialog = _new_check_in(window, qtbot)
    qtbot.keyClicks(dialog.name, "Someone New")
    qtbot.keyClicks(dialog.phone, "(416) 555-0142")  # Ada's number
    assert [m.why for m in dialog.duplicates] == ["phone"]
    for edit, text in ((dialog.plate, "NEW 7"), (dialog.concern, "tyres")):
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    assert dialog.isVisible()
    anyway = dialog.anyway_button
    with qtbot.waitSignal(dialog.created) as made:
        qtbot.mouseClick(anyway, Qt.MouseButton.LeftButton)
    job = _job(store, made.args[0])
    assert job.customer_id != shop.customer_id


def test_every_field_says_what_is_wrong_when_saving(make_desk: Any, shop: Shop,
                                                     store: Store, qtbot: Any) -> None:
    window = make_desk()
    before = _jobs(store)
    dialog = _new_check_in(window, qtbot)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # nothing typed at all
    assert _jobs(store) == before
    assert dialog.messages["name"].text() == "A customer needs a name."
    assert dialog.focusWidget() is dialog.name
    qtbot.keyClicks(dialog.name, "Pat Blank")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.messages["name"].text() == ""
    # the refusals only the operation can give come back beside their field
    assert "concern" in dialog.messages["concern"].text()
    qtbot.keyClicks(dialog.concern, "squeak")
    qtbot.keyClick(dialog.concern, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert dialog.messages["plate"].text() == "A vehicle needs a plate or a VIN."
    assert _jobs(store) == before
