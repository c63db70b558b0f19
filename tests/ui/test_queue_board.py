"""The queue board: columns with counts, moves by drag and drop and by keyboard through
one operation, a refused move explained, filters and search."""

from __future__ import annotations

from typing import Any

from app.db import Store
from tests.ui.helpers import Shop, drag_and_drop, job_number, job_status
from ui.models.rows import ID_ROLE
from ui.qt import QApplication, Qt


def ids_in(window: Any, status: str) -> list[str]:
    view = window.queue_board.views[status]
    m = view.model()
    return [m.index(r, 0).data(ID_ROLE) for r in range(m.rowCount())]


def test_columns_show_open_jobs_with_counts(make_desk: Any, shop: Shop) -> None:
    window = make_desk()
    board = window.queue_board
    assert ids_in(window, "queued") == [shop.jobs["queued"], shop.jobs["queued2"]] or \
        set(ids_in(window, "queued")) == {shop.jobs["queued"], shop.jobs["queued2"]}
    assert board.columns["queued"].count.text() == "2"
    assert board.columns["estimate"].count.text() == "1"
    assert "6 open jobs" in board.summary.text()


def test_move_by_drag_and_drop_goes_through_the_operation(make_desk: Any, shop: Shop,
                                                          store: Store, qtbot: Any) -> None:
    window = make_desk()
    board = window.queue_board
    job = shop.jobs["queued2"]
    with qtbot.waitSignal(window.boards_refreshed):
        accepted = drag_and_drop(board.views["queued"], job, board.views["in_progress"])
    assert accepted is False  # the model never moves the card itself: the hub repaints
    assert job_status(store, job)[0] == "in_progress"
    assert job in ids_in(window, "in_progress") and job not in ids_in(window, "queued")
    assert board.columns["in_progress"].count.text() == "2"


def test_a_refused_drop_says_why_and_which_moves_are_possible(make_desk: Any, shop: Shop,
                                                              store: Store) -> None:
    window = make_desk()
    board = window.queue_board
    job = shop.jobs["queued2"]
    refused: list[tuple[str, str]] = []
    window.refused.connect(lambda j, text: refused.append((j, text)))
    drag_and_drop(board.views["queued"], job, board.views["ready"])
    assert job_status(store, job)[0] == "queued"  # nothing happened
    assert job in ids_in(window, "queued")
    number = job_number(store, job)
    assert refused and refused[0][0] == job
    text = window.notice.label.text()
    assert window.notice.isVisibleTo(window)
    assert f"Job {number} was not moved" in text
    assert "from Queued to Ready" in text
    assert "In progress, On hold, Cancelled" in text


def test_move_by_keyboard_uses_the_same_path_and_follows_the_card(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    board = window.queue_board
    job = shop.jobs["queued2"]
    view = board.views["queued"]
    assert view.select_id(job)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    with qtbot.waitSignal(window.boards_refreshed):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert job_status(store, job)[0] == "in_progress"
    # the card keeps the keyboard: it is selected in its new column
    target = board.views["in_progress"]
    assert target.current_id() == job and target.hasFocus()
    # Alt+Right again: in progress → on hold asks which hold
    window.ask_hold_reason = lambda: "approval"
    with qtbot.waitSignal(window.boards_refreshed):
        qtbot.keyClick(target, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert job_status(store, job)[0] == "on_hold"


def test_a_refused_keyboard_move_is_explained(make_desk: Any, shop: Shop, store: Store,
                                              qtbot: Any) -> None:
    window = make_desk()
    view = window.queue_board.views["ready"]
    job = shop.jobs["ready"]
    assert view.select_id(job)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    asked: list[bool] = []
    window.ask_hold_reason = lambda: asked.append(True) or "parts"
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # ready → on hold?
    assert not asked  # a move the table refuses does not ask which hold first
    assert job_status(store, job)[0] == "ready"
    text = window.notice.label.text()
    assert "from Ready to On hold" in text and "Closed, In progress" in text


def test_context_menu_offers_legal_moves_and_explains_the_others(make_desk: Any,
                                                                shop: Shop) -> None:
    window = make_desk()
    menu = window.queue_board.build_menu(shop.jobs["queued"], "queued")
    move = next(a.menu() for a in menu.actions() if a.text() == "Move to")
    acts = {a.text(): a for a in move.actions()}
    assert acts["In progress"].isEnabled() and acts["Cancelled"].isEnabled()
    assert not acts["Ready"].isEnabled()
    assert "from Queued it can move to" in acts["Ready"].toolTip()


def test_context_menu_move_calls_move_job(make_desk: Any, shop: Shop, store: Store,
                                          qtbot: Any) -> None:
    window = make_desk()
    menu = window.queue_board.build_menu(shop.jobs["estimate"], "estimate")
    move = next(a.menu() for a in menu.actions() if a.text() == "Move to")
    with qtbot.waitSignal(window.boards_refreshed):
        next(a for a in move.actions() if a.text() == "Queued").trigger()
    assert job_status(store, shop.jobs["estimate"])[0] == "queued"


def test_filters_by_technician_and_bay_and_search(make_desk: Any, shop: Shop,
                                                  store: Store) -> None:
    window = make_desk()
    board = window.queue_board
    grace = shop.techs["Grace Hopper"]
    board.technician.setCurrentIndex(board.technician.findData(grace))
    assert ids_in(window, "queued") == [shop.jobs["queued"]]
    assert ids_in(window, "in_progress") == [shop.jobs["in_progress"]]
    assert ids_in(window, "ready") == []
    assert board.columns["queued"].count.text() == "1 of 2"
    board.technician.setCurrentIndex(board.technician.findData(""))  # unassigned
    assert set(ids_in(window, "queued")) == {shop.jobs["queued2"]}
    board.technician.setCurrentIndex(0)
    board.bay.setCurrentIndex(board.bay.findData(shop.bays["Bay 2"]))
    assert ids_in(window, "on_hold") == [shop.jobs["on_hold"]]
    assert ids_in(window, "queued") == []
    board.bay.setCurrentIndex(0)
    number = job_number(store, shop.jobs["ready"])
    board.search.setText(number.lower())
    assert ids_in(window, "ready") == [shop.jobs["ready"]]
    assert sum(len(ids_in(window, s)) for s in board.views) == 1
    board.search.setText("cafe123")  # a plate typed without its space
    assert sum(len(ids_in(window, s)) for s in board.views) == 6
    assert "of 6 open jobs" not in board.summary.text()


def test_enter_opens_the_card_in_the_detail_panel(make_desk: Any, shop: Shop, store: Store,
                                                  qtbot: Any) -> None:
    window = make_desk()
    view = window.queue_board.views["in_progress"]
    view.select_id(shop.jobs["in_progress"])
    view.setFocus()
    with qtbot.waitSignal(window.detail.loaded) as got:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    detail = got.args[0]
    assert detail.job_id == shop.jobs["in_progress"]
    assert window.detail_dock.isVisible()
    text = window.detail.browser.toPlainText()
    assert f"Job {detail.number}" in text and "engine light" in text
    assert "Queued → In progress" in text  # the status history
    QApplication.processEvents()


def test_left_and_right_go_to_the_neighbouring_column(make_desk: Any, shop: Shop,
                                                      qtbot: Any) -> None:
    window = make_desk()
    views = window.queue_board.views
    views["queued"].select_id(shop.jobs["queued2"])
    views["queued"].setFocus()
    qtbot.waitUntil(views["queued"].hasFocus)
    qtbot.keyClick(views["queued"], Qt.Key.Key_Right)
    assert views["in_progress"].hasFocus() and views["in_progress"].current_id()
    qtbot.keyClick(views["in_progress"], Qt.Key.Key_Left)
    qtbot.keyClick(views["queued"], Qt.Key.Key_Left)
    assert views["estimate"].hasFocus()
    assert views["estimate"].current_id() == shop.jobs["estimate"]


def test_the_job_menu_of_the_menu_bar_acts_on_the_selected_card(make_desk: Any, shop: Shop,
                                                                 store: Store,
                                                                 qtbot: Any) -> None:
    window = make_desk()
    view = window.queue_board.views["estimate"]
    view.select_id(shop.jobs["estimate"])
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    window.job_menu.aboutToShow.emit()
    move = next(a.menu() for a in window.job_menu.actions() if a.text() == "Move to")
    with qtbot.waitSignal(window.boards_refreshed):
        next(a for a in move.actions() if a.text() == "Queued").trigger()
    assert job_status(store, shop.jobs["estimate"])[0] == "queued"
