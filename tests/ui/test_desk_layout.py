"""What a clerk sees at 1366x768: columns never squeezed below readable with the job panel
open (the strip scrolls, and follows the keyboard), an empty filtered column says it is the
filter, a technician past capacity shows a red bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.ops import clock
from tests.ui.helpers import Shop
from ui.boards.queue import COLUMN_MIN_WIDTH


def test_columns_stay_readable_with_the_job_panel_open(make_desk: Any, shop: Shop,
                                                      qtbot: Any) -> None:
    window = make_desk()
    board = window.queue_board
    window.open_job(shop.jobs["queued"])
    qtbot.waitUntil(window.detail_dock.isVisible)
    qtbot.waitUntil(lambda: board.scroll.horizontalScrollBar().maximum() > 0)
    assert all(c.width() >= COLUMN_MIN_WIDTH for c in board.columns.values())
    ready = board.views["ready"]
    ready.setFocus()
    qtbot.waitUntil(ready.hasFocus)
    viewport = board.scroll.viewport()
    left = ready.mapTo(viewport, ready.rect().topLeft()).x()
    assert left >= 0 and left + ready.width() <= viewport.width()  # scrolled into view


def test_an_empty_filtered_column_names_the_filter(make_desk: Any, shop: Shop) -> None:
    window = make_desk()
    board = window.queue_board
    assert board.views["ready"].empty_text == "No jobs"
    board.search.setText("no such plate")
    assert board.views["ready"].empty_text == "No matching jobs"
    board.search.clear()
    assert board.views["ready"].empty_text == "No jobs"


def test_a_technician_past_capacity_has_a_red_bar(make_desk: Any, shop: Shop, store: Any,
                                                 qtbot: Any) -> None:
    window = make_desk()
    grace = shop.techs["Grace Hopper"]
    changes = store.run(clock.clock_on, grace, shop.jobs["in_progress"])
    with qtbot.waitSignal(window.boards_refreshed):
        window.ctx.hub.publish(changes)
    column = window.tech_board.column(grace)
    column.tick(datetime.now(UTC))
    assert not column.load.property("over")
    column.tick(datetime.now(UTC) + timedelta(hours=9))
    assert column.load.property("over") and "chunk" in column.load.styleSheet()
