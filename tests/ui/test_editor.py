"""The job editor: fields commit on Enter and focus-out and revert on Esc, the domain's
message beside a field, a change from another desk never written over typing, lines and
approval with the shop's totals, declined lines on the next visit, and hand-back."""

from __future__ import annotations

import sys
import types
from datetime import UTC, datetime
from typing import Any

import pytest

from app.db import Store
from app.models import Job, JobLine, Payment
from app.ops import jobs
from app.ops.settings import update_shop_settings
from app.queries.editor import job_editor
from tests.ui.helpers import Shop
from ui.desk.editor import JobEditor
from ui.desk.handback import PRINT_MISSING, HandBackDialog
from ui.qt import QApplication, Qt


def _job(store: Store, job_id: str) -> Job:
    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        s.expunge(job)
        return job


def _lines(store: Store, job_id: str) -> list[JobLine]:
    with store.read() as s:
        rows = s.query(JobLine).filter(JobLine.job_id == job_id,
                                       JobLine.deleted_at.is_(None)).order_by(
            JobLine.created_at, JobLine.id).all()
        for r in rows:
            s.expunge(r)
        return rows


def _open(window: Any, qtbot: Any, job_id: str) -> JobEditor:
    window.open_job(job_id)
    editor: JobEditor = window.job_editors[job_id]
    qtbot.waitUntil(lambda: editor.data is not None, timeout=5_000)
    qtbot.waitUntil(editor.isActiveWindow, timeout=5_000)  # on top, as for a clerk
    return editor


def _settle(qtbot: Any, editor: JobEditor) -> None:
    """Let the hub's queued re-read land (the worker is synchronous in these tests)."""
    qtbot.waitUntil(lambda: not editor._reload_queued, timeout=5_000)
    QApplication.processEvents()


def _type(qtbot: Any, widget: Any, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


@pytest.fixture
def priced(store: Store, shop: Shop) -> str:
    """The in-progress job with three lines, taxed at 8.25 % on parts and labor."""
    store.run(update_shop_settings, tax_rate_bp=825, taxable_kinds=["labor", "part"])
    job_id = shop.jobs["in_progress"]
    store.run(jobs.add_line, job_id, kind="labor", description="Replace front pads",
              quantity=1.5, unit_price_cents=12_000, approval="approved")
    store.run(jobs.add_line, job_id, kind="part", description="Brake pads",
              quantity=1, unit_price_cents=6_499, approval="approved", part_number="BP-1")
    store.run(jobs.add_line, job_id, kind="fee", description="Shop supplies",
              quantity=1, unit_price_cents=500, approval="pending")
    return job_id


# --- committing, reverting, messages ---------------------------------------------------------

def test_a_field_commits_on_enter(make_desk: Any, qtbot: Any, store: Store, shop: Shop) -> None:
    editor = _open(make_desk(), qtbot, shop.jobs["queued"])
    _type(qtbot, editor.f_concern.edit, "grinding noise front left")
    assert _job(store, shop.jobs["queued"]).concern == "brakes squeal"  # nothing yet
    qtbot.keyClick(editor.f_concern.edit, Qt.Key.Key_Return)
    assert _job(store, shop.jobs["queued"]).concern == "grinding noise front left"
    _settle(qtbot, editor)
    assert editor.data is not None and editor.data.concern == "grinding noise front left"


def test_a_field_commits_when_it_loses_focus(make_desk: Any, qtbot: Any, store: Store,
                                             shop: Shop) -> None:
    editor = _open(make_desk(), qtbot, shop.jobs["queued"])
    _type(qtbot, editor.f_odometer.edit, "120500")
    assert editor.f_odometer.edit.hasFocus()
    editor.f_concern.edit.setFocus()  # Tab, a click elsewhere: the focus leaves the field
    qtbot.waitUntil(lambda: _job(store, shop.jobs["queued"]).odometer_in == 120_500,
                    timeout=3_000)


def test_closing_the_window_keeps_what_is_typed_in_an_open_editor(
        make_desk: Any, qtbot: Any, store: Store, shop: Shop) -> None:
    window = make_desk()
    editor = _open(window, qtbot, shop.jobs["queued"])
    _type(qtbot, editor.f_concern.edit, "brakes squeal, front left")
    assert editor.f_concern.editing()  # typed, not committed: neither Enter nor focus-out
    window.close()
    qtbot.waitUntil(lambda: _job(store, shop.jobs["queued"]).concern
                    == "brakes squeal, front left", timeout=5_000)


def test_esc_reverts_the_field_and_writes_nothing(make_desk: Any, qtbot: Any, store: Store,
                                                  shop: Shop) -> None:
    editor = _open(make_desk(), qtbot, shop.jobs["queued"])
    _type(qtbot, editor.f_concern.edit, "typo typo")
    qtbot.keyClick(editor.f_concern.edit, Qt.Key.Key_Escape)
    assert editor.f_concern.edit.text() == "brakes squeal"
    assert not editor.f_concern.editing()
    editor.f_priority.setFocus()  # leaving the field after Esc saves nothing either
    QApplication.processEvents()
    assert _job(store, shop.jobs["queued"]).concern == "brakes squeal"


def test_the_domains_message_shows_next_to_the_field(make_desk: Any, qtbot: Any, store: Store,
                                                     shop: Shop, priced: str) -> None:
    editor = _open(make_desk(), qtbot, priced)
    editor.lines_view.selectRow(0)
    assert editor.l_quantity.edit.text() == "1.5"
    _type(qtbot, editor.l_quantity.edit, "0")
    qtbot.keyClick(editor.l_quantity.edit, Qt.Key.Key_Return)
    assert editor.l_quantity.message.isVisible()
    assert editor.l_quantity.message.text() == "The quantity must be more than 0."  # validators
    assert _lines(store, priced)[0].quantity == 1.5
    _type(qtbot, editor.f_odometer.edit, "-4")
    qtbot.keyClick(editor.f_odometer.edit, Qt.Key.Key_Return)
    assert editor.f_odometer.message.text() == "The odometer cannot be negative."
    _type(qtbot, editor.l_quantity.edit, "2")  # fixed: the message goes
    qtbot.keyClick(editor.l_quantity.edit, Qt.Key.Key_Return)
    assert not editor.l_quantity.message.isVisible()
    assert _lines(store, priced)[0].quantity == 2.0


def test_a_refusal_of_the_operation_lands_beside_the_field(make_desk: Any, qtbot: Any,
                                                           store: Store, shop: Shop,
                                                           priced: str) -> None:
    editor = _open(make_desk(), qtbot, priced)
    editor.lines_view.selectRow(0)  # a labor line: a part number is a row rule's refusal
    editor.l_part_number.setEnabled(True)
    _type(qtbot, editor.l_part_number.edit, "X-1")
    qtbot.keyClick(editor.l_part_number.edit, Qt.Key.Key_Return)
    assert editor.l_part_number.message.text() == "Only a part line has a part number."
    assert editor.l_part_number.edit.text() == "X-1"  # the typing stays


# --- another desk's change while typing ---------------------------------------------------------

def test_a_remote_change_never_overwrites_typing_and_is_offered(make_desk: Any, qtbot: Any,
                                                                store: Store, shop: Shop) -> None:
    window = make_desk()
    job_id = shop.jobs["queued"]
    editor = _open(window, qtbot, job_id)
    _type(qtbot, editor.f_concern.edit, "my words")
    # another desk's edit arrives through sync (applied to the replica, posted to the hub)
    changes = store.run(jobs.update_job, job_id, concern="their words")
    window.ctx.hub.post(changes)
    qtbot.waitUntil(lambda: editor.data is not None and editor.data.concern == "their words",
                    timeout=3_000)
    assert editor.f_concern.edit.text() == "my words"
    assert editor.f_concern.offer.isVisible()
    assert "their words" in editor.f_concern.offer.text()
    qtbot.mouseClick(editor.f_concern.offer, Qt.MouseButton.LeftButton)
    assert editor.f_concern.edit.text() == "their words"
    assert not editor.f_concern.offer.isVisible()
    assert _job(store, job_id).concern == "their words"  # taking theirs wrote nothing of mine
    # a field nobody types in simply follows
    changes = store.run(jobs.update_job, job_id, priority=3)
    window.ctx.hub.post(changes)
    qtbot.waitUntil(lambda: editor.f_priority.combo.currentData() == 3, timeout=3_000)


def test_typing_kept_over_a_remote_change_can_still_be_saved(make_desk: Any, qtbot: Any,
                                                             store: Store, shop: Shop) -> None:
    window = make_desk()
    job_id = shop.jobs["queued"]
    editor = _open(window, qtbot, job_id)
    _type(qtbot, editor.f_concern.edit, "mine")
    window.ctx.hub.post(store.run(jobs.update_job, job_id, concern="theirs"))
    qtbot.waitUntil(lambda: editor.f_concern.offer.isVisible(), timeout=3_000)
    qtbot.keyClick(editor.f_concern.edit, Qt.Key.Key_Return)
    assert _job(store, job_id).concern == "mine"
    assert not editor.f_concern.offer.isVisible()


# --- lines, approval, totals ---------------------------------------------------------------

def test_add_a_line_then_type_its_quantity(make_desk: Any, qtbot: Any, store: Store,
                                           shop: Shop, priced: str) -> None:
    editor = _open(make_desk(), qtbot, priced)
    editor.add_kind.setCurrentIndex(editor.add_kind.findData("part"))
    _type(qtbot, editor.add_description, "Brake rotor")
    qtbot.keyClick(editor.add_description, Qt.Key.Key_Return)
    _settle(qtbot, editor)
    added = _lines(store, priced)[-1]
    assert (added.kind, added.description, added.approval, added.part_status) == (
        "part", "Brake rotor", "pending", "needed")
    assert editor.lines.rowCount() == 4
    assert editor.selected_line_ids() == [added.id]
    assert editor.l_quantity.edit.hasFocus()  # straight on to the quantity
    qtbot.keyClicks(editor.l_quantity.edit, "2")
    qtbot.keyClick(editor.l_quantity.edit, Qt.Key.Key_Return)
    _type(qtbot, editor.l_price.edit, "89.90")
    qtbot.keyClick(editor.l_price.edit, Qt.Key.Key_Return)
    _type(qtbot, editor.l_part_number.edit, "RT-778")
    qtbot.keyClick(editor.l_part_number.edit, Qt.Key.Key_Return)
    added = _lines(store, priced)[-1]
    assert (added.quantity, added.unit_price_cents, added.part_number) == (2.0, 8_990, "RT-778")
    assert editor.add_description.text() == ""


def test_an_empty_new_line_is_refused_beside_the_field(make_desk: Any, qtbot: Any,
                                                       store: Store, shop: Shop,
                                                       priced: str) -> None:
    editor = _open(make_desk(), qtbot, priced)
    _type(qtbot, editor.add_description, "   ")
    qtbot.keyClick(editor.add_description, Qt.Key.Key_Return)
    assert editor.add_message.text() == "A line needs a description."
    assert len(_lines(store, priced)) == 3


def test_approval_per_line_changes_the_totals(make_desk: Any, qtbot: Any, store: Store,
                                              shop: Shop, priced: str) -> None:
    editor = _open(make_desk(), qtbot, priced)
    assert editor.data is not None
    before = editor.data.totals
    # labor 1.5 h × 120.00 = 180.00, part 64.99, fee 5.00: tax 8.25 % of 244.99 = 20.21
    assert (before.subtotal_cents, before.tax_cents, before.total_cents) == (
        24_999, 2_021, 27_020)
    assert "270.20" in editor.totals_label.text() and "Tax 8.25 %" in editor.totals_label.text()
    editor.lines_view.selectRow(1)
    qtbot.mouseClick(editor.approval_buttons["declined"], Qt.MouseButton.LeftButton)
    _settle(qtbot, editor)
    assert _lines(store, priced)[1].approval == "declined"
    after = editor.data.totals
    assert (after.subtotal_cents, after.tax_cents, after.total_cents) == (18_500, 1_485, 19_985)
    assert "199.85" in editor.totals_label.text()
    assert "1 declined line not counted" in editor.totals_label.text()
    with store.read() as s:  # the editor shows the app's own totals, nothing of its own
        assert editor.data.totals == job_editor(s, priced, datetime.now(UTC)).totals


def test_declined_lines_show_on_the_vehicles_next_visit(make_desk: Any, qtbot: Any,
                                                        store: Store, shop: Shop) -> None:
    first = shop.jobs["ready"]
    store.run(jobs.add_line, first, kind="labor", description="Flush brake fluid",
              quantity=0.8, unit_price_cents=12_000, approval="declined")
    later = store.run(jobs.create_job, customer_id=shop.customer_id,
                      vehicle_id=shop.vehicle_id, concern="next visit").result
    editor = _open(make_desk(), qtbot, later)
    assert editor.declined_box.isVisibleTo(editor)
    assert [d.description for d in editor.declined.rows()] == ["Flush brake fluid"]
    qtbot.mouseClick(editor.readd_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, editor)
    again = _lines(store, later)
    assert [(ln.description, ln.quantity, ln.approval) for ln in again] == [
        ("Flush brake fluid", 0.8, "pending")]


def test_technician_and_bay_are_assigned_from_the_editor(make_desk: Any, qtbot: Any,
                                                         store: Store, shop: Shop) -> None:
    window = make_desk()
    editor = _open(window, qtbot, shop.jobs["queued2"])
    combo = editor.f_technician.combo
    combo.setCurrentIndex(combo.findData(shop.techs["Linus Torvalds"]))
    combo.activated.emit(combo.currentIndex())
    bay = editor.f_bay.combo
    bay.setCurrentIndex(bay.findData(shop.bays["Bay 2"]))
    bay.activated.emit(bay.currentIndex())
    job = _job(store, shop.jobs["queued2"])
    assert (job.technician_id, job.bay_id) == (shop.techs["Linus Torvalds"], shop.bays["Bay 2"])

    def on_board() -> Any:  # the boards follow through the hub, as for any write
        cards = [c for col in window.data.columns.values() for c in col
                 if c.job_id == shop.jobs["queued2"]]
        return cards[0].technician_id, cards[0].bay_id

    qtbot.waitUntil(lambda: on_board() == (shop.techs["Linus Torvalds"], shop.bays["Bay 2"]),
                    timeout=3_000)


# --- hand-back ---------------------------------------------------------------------------------

def test_hand_back_records_the_payment_and_closes_the_job(make_desk: Any, qtbot: Any,
                                                          store: Store, shop: Shop,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = shop.jobs["ready"]
    store.run(jobs.add_line, job_id, kind="labor", description="Wipers", quantity=0.5,
              unit_price_cents=10_000, approval="approved")
    editor = _open(make_desk(), qtbot, job_id)
    assert editor.handback_button.isEnabled()
    dialog = editor.hand_back()
    assert isinstance(dialog, HandBackDialog)
    assert dialog.amount.text() == "50.00"  # the balance, from the app's totals
    dialog.method.setCurrentIndex(dialog.method.findData("card"))
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert _job(store, job_id).status == "closed"
    with store.read() as s:
        pay = s.query(Payment).filter_by(job_id=job_id).one()
        assert (pay.method, pay.amount_cents) == ("card", 5_000)
    assert dialog.print_button.isVisible() and "is closed" in dialog.done_label.text()
    _settle(qtbot, editor)
    assert not editor.f_concern.isEnabled()  # a closed job is kept as it was
    # the print feature is not there: the dialog says so
    monkeypatch.setitem(sys.modules, "ui.desk.printing", None)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert dialog.print_message.text() == PRINT_MISSING
    # ...and once it is, the invoice of this job is asked of it
    calls: list[tuple[Any, ...]] = []
    fake = types.ModuleType("ui.desk.printing")
    fake.print_job = lambda parent, ctx, jid, kind: calls.append((parent, jid, kind))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.desk.printing", fake)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert calls == [(dialog, job_id, "invoice")]


def test_a_bad_amount_is_refused_beside_the_field(make_desk: Any, qtbot: Any, store: Store,
                                                  shop: Shop) -> None:
    editor = _open(make_desk(), qtbot, shop.jobs["ready"])
    dialog = editor.hand_back()
    for text, message in (("abc", "Write an amount, like 12.50."),
                          ("0", "The amount taken must be more than 0.")):
        dialog.amount.setText(text)
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        assert dialog.amount_message.text() == message
    assert _job(store, shop.jobs["ready"]).status == "ready"


def test_only_a_ready_job_is_handed_back(make_desk: Any, qtbot: Any, shop: Shop) -> None:
    editor = _open(make_desk(), qtbot, shop.jobs["queued"])
    assert not editor.handback_button.isEnabled()


# --- models --------------------------------------------------------------------------------------

def test_every_editor_model_passes_the_model_tester(make_desk: Any, qtbot: Any, qtmodeltester: Any,
                                                    store: Store, shop: Shop, priced: str) -> None:
    store.run(jobs.set_approval, _lines(store, priced)[2].id, "declined")
    editor = _open(make_desk(), qtbot, priced)
    qtbot.waitUntil(lambda: editor.side is not None, timeout=5_000)
    for model in (editor.lines, editor.history, editor.clocked, editor.declined,
                  editor.payments, editor.visits, editor.maintenance):
        qtmodeltester.check(model)
    assert editor.lines.rowCount() == 3 and editor.history.rowCount() >= 2
    assert editor.maintenance.rowCount() > 0


def test_opening_the_same_job_twice_raises_its_editor(make_desk: Any, qtbot: Any,
                                                      shop: Shop) -> None:
    window = make_desk()
    first = _open(window, qtbot, shop.jobs["queued"])
    window.open_job(shop.jobs["queued"])
    assert window.job_editors[shop.jobs["queued"]] is first


def test_a_closed_editor_is_reused_for_the_next_job_with_nothing_left_over(
        make_desk: Any, qtbot: Any, store: Store, shop: Shop, priced: str) -> None:
    window = make_desk()
    editor = _open(window, qtbot, priced)
    editor.lines_view.selectRow(0)
    _type(qtbot, editor.l_quantity.edit, "0")
    qtbot.keyClick(editor.l_quantity.edit, Qt.Key.Key_Return)
    assert editor.l_quantity.message.isVisible()
    editor.close()
    assert shop.jobs["queued"] not in window.job_editors
    again = _open(window, qtbot, shop.jobs["queued"])
    assert again is editor  # the widgets were kept, not made again
    assert again.data is not None and again.data.job_id == shop.jobs["queued"]
    assert again.f_concern.edit.text() == "brakes squeal"
    assert again.lines.rowCount() == 0 and not again.line_form.isEnabled()
    assert not again.l_quantity.message.isVisible()
    assert _lines(store, priced)[0].quantity == 1.5  # the refused 0 was never written


def test_another_customer_and_vehicle_are_picked_by_search(make_desk: Any, qtbot: Any,
                                                           store: Store, shop: Shop) -> None:
    from app.ops import customers, vehicles
    from ui.desk.pickers import CustomerPicker

    grace = store.run(customers.create_customer, name="Grace Brewster",
                      phone="416 555 0199").result
    van = store.run(vehicles.create_vehicle, customer_id=grace, plate="VAN 42", make="Ford",
                    model="Transit", year=2020).result
    job_id = shop.jobs["queued2"]
    editor = _open(make_desk(), qtbot, job_id)
    editor.pick_customer()
    picker = editor.findChild(CustomerPicker)
    assert picker is not None
    qtbot.keyClicks(picker.search, "Brewster")
    qtbot.waitUntil(lambda: picker.hits.count() > 0, timeout=3_000)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # the first hit: the customer
    _settle(qtbot, editor)
    job = _job(store, job_id)
    assert (job.customer_id, job.vehicle_id) == (grace, van)  # with her only vehicle
    assert editor.customer_label.text().startswith("Grace Brewster")
    assert editor.f_vehicle.combo.currentData() == van


def test_the_handed_back_job_offers_its_invoice_from_the_print_feature(
        make_desk: Any, qtbot: Any, store: Store, shop: Shop) -> None:
    from ui.desk.printing import PrintDialog

    editor = _open(make_desk(), qtbot, shop.jobs["ready"])
    dialog = editor.hand_back()
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    printed = dialog.print_invoice()
    assert isinstance(printed, PrintDialog) and printed.kind == "invoice"
    qtbot.waitUntil(lambda: printed.data is not None, timeout=3_000)
    assert printed.pdf_button.isEnabled()  # the closed job's invoice, ready to save
    printed.close()
    order = editor.print_order()  # the editor's own Print…: the repair order
    assert isinstance(order, PrintDialog) and order.kind == "order"
    order.close()
