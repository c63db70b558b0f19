"""A change naming a few jobs re-reads those jobs alone (``board_rows_by_id``) and patches
the boards (``patch_desk``) into exactly what a whole re-read would show; a change naming
many jobs, or one that reshapes the boards, re-reads them whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.changes import Changes
from app.db import Store
from app.ops import customers, jobs
from app.queries.board_rows import board_rows_by_id
from tests.ui.helpers import Shop
from ui.models.queue import DeskData, load_desk, patch_desk
from ui.models.rows import ID_ROLE


def test_patching_the_changed_jobs_gives_the_whole_read(store: Store, shop: Shop) -> None:
    now = datetime.now(UTC) + timedelta(hours=4)  # the shop's promises (in 3 h) are overdue
    grace, linus = shop.techs["Grace Hopper"], shop.techs["Linus Torvalds"]
    j = shop.jobs
    steps: list[Callable[[], Changes]] = [
        lambda: store.run(jobs.move_status, j["queued2"], "in_progress"),
        lambda: store.run(jobs.assign, j["queued2"], technician_id=linus),
        lambda: store.run(jobs.assign, j["queued"], technician_id=linus, bay_id=None),
        lambda: store.run(jobs.assign, j["in_progress"], technician_id=None),
        lambda: store.run(jobs.update_job, j["estimate"], priority=3, customer_waiting=True),
        lambda: store.run(jobs.update_job, j["queued"], promised_at=None),
        lambda: store.run(jobs.add_line, j["on_hold"], kind="part", description="Belt",
                          part_status="ordered"),
        lambda: store.run(jobs.create_job, customer_id=shop.customer_id,
                          vehicle_id=shop.vehicle_id, concern="new",
                          promised_at=now - timedelta(days=1)),
        lambda: store.run(jobs.move_status, j["ready"], "closed"),
        lambda: store.run(jobs.move_status, j["estimate"], "cancelled"),
        lambda: store.run(jobs.move_status, j["in_progress"], "on_hold", hold_reason="approval"),
        lambda: store.run(jobs.assign, j["queued2"], technician_id=grace),
    ]
    with store.read() as s:
        data = load_desk(s, now)
    for n, step in enumerate(steps):
        changes = step()
        with store.read() as s:
            rows = board_rows_by_id(s, changes.rows.get("job", ()), now,
                                    line_ids=changes.rows.get("job_line", ()))
            whole = load_desk(s, now)
        patched = patch_desk(data, rows)
        assert patched == whole, f"step {n}"
        data = patched
    assert [c.job_id for c in data.columns["in_progress"]] == [j["queued2"]]
    assert data.overdue == 4


class ReadSpy:
    """Records the functions the window reads with, and runs them."""

    def __init__(self, window: Any) -> None:
        self.calls: list[Any] = []
        real = window.ctx.worker.read

        def read(fn: Any, *args: Any, **kwargs: Any) -> None:
            self.calls.append(fn)
            real(fn, *args, **kwargs)

        window.ctx.worker.read = read


def ids_in(window: Any, status: str) -> list[str]:
    m = window.queue_board.views[status].model()
    return [m.index(r, 0).data(ID_ROLE) for r in range(m.rowCount())]


def test_a_move_re_reads_only_the_moved_job_keeping_the_clerks_place(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    queued = window.queue_board.views["queued"]
    assert queued.select_id(shop.jobs["queued"])
    queued.setFocus()
    qtbot.waitUntil(queued.hasFocus)
    spy = ReadSpy(window)
    moved = shop.jobs["queued2"]
    with qtbot.waitSignal(window.boards_refreshed):
        changes = store.run(jobs.move_status, moved, "in_progress")
        window.ctx.hub.publish(Changes(changes.rows, source="sync"))
    assert spy.calls == [board_rows_by_id]
    assert moved in ids_in(window, "in_progress") and moved not in ids_in(window, "queued")
    tech_col = window.tech_board.unassigned_model
    assert moved in tech_col.ids()
    assert queued.current_id() == shop.jobs["queued"] and queued.hasFocus()
    assert window.queue_board.columns["queued"].count.text() == "1"
    data: DeskData = window.data
    with store.read() as s:
        assert data.columns == load_desk(s, data.at).columns


def test_many_jobs_or_a_reshaping_change_re_read_the_whole_boards(
        make_desk: Any, shop: Shop, store: Store, qtbot: Any) -> None:
    window = make_desk()
    spy = ReadSpy(window)
    with qtbot.waitSignal(window.boards_refreshed):
        window.ctx.hub.publish(Changes({"job": frozenset(f"j{n}" for n in range(60))}))
    with qtbot.waitSignal(window.boards_refreshed):
        tech = store.run(customers.create_technician, name="Ada Byron")
        window.ctx.hub.publish(tech)
    assert spy.calls == [load_desk, load_desk]
    assert "Ada Byron" in [c.name for c in window.data.pickers.technicians]
    with qtbot.assertNotEmitted(window.boards_refreshed, wait=50):
        window.ctx.hub.publish(Changes({"note": frozenset({"n1"})}))
    assert spy.calls == [load_desk, load_desk]
