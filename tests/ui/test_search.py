"""The desk's one search field: Ctrl+F anywhere, results as you type, a newer keystroke's
results never replaced by an older one's, arrow keys and Enter to open."""

from __future__ import annotations

import threading
from typing import Any

from app.queries.search import search
from tests.ui.helpers import Shop, job_number
from ui.desk.checkin import CheckInDialog
from ui.desk.search import NEW_KIND
from ui.models.rows import ROW_ROLE
from ui.qt import QApplication, Qt


def _kinds(window: Any) -> list[str]:
    model = window.search.popup.model
    return [model.index(i, 0).data(ROW_ROLE).kind for i in range(model.rowCount())]


def _type(qtbot: Any, window: Any, text: str) -> None:
    with qtbot.waitSignal(window.search.shown, timeout=5000,
                          check_params_cb=lambda t, _hits: t == text):
        qtbot.keyClicks(window.search, text)


def test_ctrl_f_anywhere_then_results_as_you_type(make_desk: Any, shop: Shop,
                                                   qtbot: Any) -> None:
    window = make_desk()
    window.show_board(1)  # from the technician board
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    shown: list[str] = []
    window.search.shown.connect(lambda text, _hits: shown.append(text))
    qtbot.keyClicks(window.search, "cafe")
    # one read per keystroke, each shown (the synchronous worker answers at once)
    assert shown == ["c", "ca", "caf", "cafe"]
    assert window.search.popup.isVisible()
    assert _kinds(window) == ["vehicle", NEW_KIND]
    assert window.search.popup.current_hit().id == shop.vehicle_id  # the best is highlighted
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)  # closes the results ...
    assert not window.search.popup.isVisible() and window.search.text() == "cafe"
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)  # ... then clears the field
    assert window.search.text() == ""


def test_a_job_number_and_enter_opens_the_job(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    window = make_desk()
    number = job_number(window.ctx.store, shop.jobs["queued2"])
    window.start_search()
    _type(qtbot, window, number)
    hit = window.search.popup.current_hit()
    assert (hit.kind, hit.id) == ("job", shop.jobs["queued2"])
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.detail_dock.isVisible() and window.detail.job_id == shop.jobs["queued2"]
    assert not window.search.popup.isVisible()


def test_arrow_keys_choose_and_enter_opens_the_check_in(make_desk: Any, shop: Shop,
                                                         qtbot: Any) -> None:
    window = make_desk()
    window.start_search()
    _type(qtbot, window, "ada")
    assert _kinds(window)[0] == "customer" and _kinds(window)[-1] == NEW_KIND
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.search.popup.current_hit().kind == NEW_KIND
    qtbot.keyClick(window.search, Qt.Key.Key_Down)  # stays on the last row
    assert window.search.popup.current_hit().kind == NEW_KIND
    qtbot.keyClick(window.search, Qt.Key.Key_Up)
    assert window.search.popup.current_hit().id == shop.customer_id
    assert window.search.hasFocus()  # the list never takes the focus from the field
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    dialog = window._dialogs["checkin"]
    assert isinstance(dialog, CheckInDialog) and dialog.isVisible()
    assert dialog.customer_id == shop.customer_id
    assert dialog.chosen_vehicle() == shop.vehicle_id  # Ada's only car
    dialog.reject()


def test_nobody_found_opens_a_new_check_in_with_what_was_typed(make_desk: Any, shop: Shop,
                                                               qtbot: Any) -> None:
    window = make_desk()
    window.start_search()
    _type(qtbot, window, "905 555 7777")
    assert _kinds(window) == [NEW_KIND]
    assert "Nothing found" in window.search.popup.status.text()
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    dialog = window._dialogs["checkin"]
    assert dialog.phone.text() == "905 555 7777"
    assert dialog.focusWidget() is dialog.name, dialog.focusWidget()


def test_a_click_on_a_hit_opens_it(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    window = make_desk()
    window.start_search()
    _type(qtbot, window, "CAFE 123")
    view = window.search.popup.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(0, 0)).center())
    assert window._dialogs["checkin"].chosen_vehicle() == shop.vehicle_id


def test_a_newer_keystroke_is_never_replaced_by_an_older_result(make_desk: Any, shop: Shop,
                                                                qtbot: Any) -> None:
    """The real threaded worker: the read of "a" is held until "ad" was typed; its result
    arrives after it, and is dropped (the read key "search")."""
    window = make_desk(synchronous=False)
    gate = threading.Event()
    started = threading.Event()

    def slow_search(session: Any, text: str, **kw: Any) -> Any:
        if text == "a":
            started.set()
            gate.wait(10)
        return search(session, text, **kw)

    window.search.query = slow_search
    shown: list[str] = []
    window.search.shown.connect(lambda text, _hits: shown.append(text))
    window.start_search()
    qtbot.keyClicks(window.search, "a")
    assert started.wait(5)  # the read of "a" runs, held at the gate
    qtbot.keyClicks(window.search, "d")
    gate.set()
    qtbot.waitUntil(lambda: "ad" in shown, timeout=5000)
    qtbot.wait(100)
    QApplication.processEvents()
    assert shown == ["ad"]  # "a"'s hits were dropped
    assert [h.title for h in (window.search.popup.model.index(i, 0).data(ROW_ROLE)
                              for i in range(window.search.popup.model.rowCount()))][0] \
        == "Ada Lovelace"


def test_the_board_filter_is_ctrl_shift_f(make_desk: Any, shop: Shop, qtbot: Any) -> None:
    window = make_desk()
    window.show_board(1)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.currentWidget() is window.queue_board
    assert window.queue_board.search.hasFocus()


def test_the_results_model(make_desk: Any, shop: Shop, qtbot: Any, qtmodeltester: Any
                           ) -> None:
    window = make_desk()
    window.start_search()
    _type(qtbot, window, "a")
    qtmodeltester.check(window.search.popup.model)
    assert window.search.popup.model.rowCount() >= 2


def test_the_search_follows_changes_from_the_hub(make_desk: Any, shop: Shop,
                                                 qtbot: Any) -> None:
    """The index in memory hears of every change (here a write on the worker; synced rows
    reach the hub the same way): a new customer is found, a renamed one by the new name."""
    from app.ops import customers

    window = make_desk()
    window.start_search()
    _type(qtbot, window, "zed")
    assert _kinds(window) == [NEW_KIND]
    window.ctx.worker.write(customers.create_customer, name="Zed Newman")
    window.ctx.worker.write(customers.update_customer, shop.customer_id, name="Augusta King")
    window.search.clear()
    _type(qtbot, window, "zed")
    assert [window.search.popup.model.index(0, 0).data(ROW_ROLE).title] == ["Zed Newman"]
    window.search.clear()
    _type(qtbot, window, "augusta")
    assert window.search.popup.current_hit().id == shop.customer_id
    assert window.search.pending is not None and not any(window.search.pending.values())
