"""The technician board: a column per active technician, the unassigned jobs beside them,
assign by dropping a card, elapsed time that ticks without a re-query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.db import Store
from app.ops import clock
from tests.ui.helpers import Shop, drag_and_drop, job_status
from ui.models.rows import ID_ROLE


def ids(view: Any) -> list[str]:
    m = view.model()
    return [m.index(r, 0).data(ID_ROLE) for r in range(m.rowCount())]


def test_columns_per_active_technician_and_unassigned(make_desk: Any, shop: Shop) -> None:
    window = make_desk()
    board = window.tech_board
    assert list(board.columns) == [shop.techs["Grace Hopper"], shop.techs["Linus Torvalds"]]
    grace = board.column(shop.techs["Grace Hopper"])
    assert set(ids(grace.view)) == {shop.jobs["queued"], shop.jobs["in_progress"]}
    assert set(ids(board.unassigned_view)) == {shop.jobs["estimate"], shop.jobs["queued2"],
                                               shop.jobs["on_hold"]}
    assert board.unassigned.count.text() == "3"
    assert "2 jobs · <i>not on shift</i>" in grace.clock.text()


def test_assign_by_drop_on_a_technician_and_unassign_by_drop_on_unassigned(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    window.show_board(1)
    board = window.tech_board
    linus = board.column(shop.techs["Linus Torvalds"])
    job = shop.jobs["queued2"]
    with qtbot.waitSignal(window.boards_refreshed):
        assert drag_and_drop(board.unassigned_view, job, linus.view) is False
    assert job_status(store, job)[1] == shop.techs["Linus Torvalds"]
    assert job in ids(linus.view) and job not in ids(board.unassigned_view)
    # and back
    with qtbot.waitSignal(window.boards_refreshed):
        drag_and_drop(linus.view, job, board.unassigned_view)
    assert job_status(store, job)[1] is None
    assert job in ids(board.unassigned_view)
    # a queue card dropped on a technician too: the same operation
    with qtbot.waitSignal(window.boards_refreshed):
        drag_and_drop(window.queue_board.views["on_hold"], shop.jobs["on_hold"],
                      board.column(shop.techs["Grace Hopper"]).view)
    assert job_status(store, shop.jobs["on_hold"])[1] == shop.techs["Grace Hopper"]


def test_the_clocked_job_ticks_without_a_requery(make_desk: Any, shop: Shop,
                                                 store: Store) -> None:
    grace_id = shop.techs["Grace Hopper"]
    store.run(clock.clock_on, grace_id, shop.jobs["in_progress"])
    window = make_desk()
    col = window.tech_board.column(grace_id)
    assert "On " in col.clock.text()
    reads: list[int] = []
    window.ctx.worker.read = lambda *a, **k: reads.append(1)  # type: ignore[method-assign]
    since = col.row.clocked.since
    col.tick(since + timedelta(hours=1, minutes=2, seconds=3))
    assert "1:02:03" in col.clock.text()
    col.tick(datetime.now(UTC) + timedelta(hours=2))
    assert "Today 2:" in col.today.text() and col.load.value() > 20
    assert not reads
