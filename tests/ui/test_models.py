"""Every item model passes pytest-qt's ``qtmodeltester``, through live refreshes too; a
refresh keeps persistent indexes (selection) and signals only what changed."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.ui.helpers import Shop
from ui.boards.technicians import technician_model
from ui.models.queue import CardFilter, column_model
from ui.models.rows import ROW_ROLE, RowListModel, decode_ids
from ui.qt import QPersistentModelIndex, Qt


class Row(NamedTuple):
    id: str
    text: str


def rows(spec: str) -> list[Row]:
    """``"a b c"`` → rows a, b, c; ``"a:x"`` gives row a the text x."""
    out = []
    for part in spec.split():
        rid, _, text = part.partition(":")
        out.append(Row(rid, text or rid))
    return out


def model_over(spec: str) -> RowListModel:
    m = RowListModel(lambda r: r.id, lambda r: r.text, on_drop=lambda ids: None)
    m.set_rows(rows(spec))
    return m


def ids(m: Any) -> list[str]:
    return [m.index(r, 0).data(ROW_ROLE).id for r in range(m.rowCount())]


@pytest.mark.parametrize("after", [
    "a b c d e", "e d c b a", "a c e", "x a y b z", "", "c a x b", "a b:B c d:D e",
    "f g h", "a e", "b a d c e x",
])
def test_row_model_refresh_reaches_the_new_rows_and_passes_the_tester(
        qtmodeltester: Any, after: str) -> None:
    m = model_over("a b c d e")
    qtmodeltester.check(m)  # stays connected: checks every signal of the refresh below
    keep = {rid: QPersistentModelIndex(m.index(n, 0)) for n, rid in enumerate(ids(m))}
    m.set_rows(rows(after))
    assert ids(m) == [r.id for r in rows(after)]
    assert [m.index(n, 0).data() for n in range(m.rowCount())] == [r.text for r in rows(after)]
    for rid, index in keep.items():  # a selection follows its row, or goes with it
        if rid in ids(m):
            assert index.isValid() and index.data(ROW_ROLE).id == rid
        else:
            assert not index.isValid()
    qtmodeltester.check(m)


def test_a_changed_row_is_one_data_changed_and_nothing_else(qtbot: Any) -> None:
    m = model_over("a b c")
    events: list[str] = []
    for name in ("rowsInserted", "rowsRemoved", "layoutChanged", "modelReset"):
        getattr(m, name).connect(lambda *_, n=name: events.append(n))
    m.dataChanged.connect(lambda top, bottom, roles: events.append(f"changed {top.row()}"))
    m.set_rows(rows("a b:B c"))
    assert events == ["changed 1"]
    events.clear()
    m.set_rows(rows("a b:B c"))
    assert events == []


def test_drop_calls_the_handler_and_never_moves_a_row() -> None:
    dropped: list[list[str]] = []
    source = model_over("a b")
    target = RowListModel(lambda r: r.id, lambda r: r.text, on_drop=dropped.append)
    target.set_rows(rows("c"))
    data = source.mimeData([source.index(1, 0)])
    assert decode_ids(data) == ["b"]
    assert target.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, target.index(-1, 0))
    assert target.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1,
                               target.index(-1, 0)) is False
    assert dropped == [["b"]] and ids(target) == ["c"] and ids(source) == ["a", "b"]
    # its own card dropped back on its column is not a move
    own = target.mimeData([target.index(0, 0)])
    assert not target.canDropMimeData(own, Qt.DropAction.MoveAction, -1, -1,
                                      target.index(-1, 0))


def test_desk_models_pass_the_tester(qtmodeltester: Any, make_desk: Any, shop: Shop,
                                     qtbot: Any) -> None:
    window = make_desk()
    models: list[Any] = []
    for status in window.queue_board.models:
        models += [window.queue_board.models[status], window.queue_board.filters[status]]
    models.append(window.tech_board.unassigned_model)
    models += [c.model for c in window.tech_board.columns.values()]
    for m in models:
        qtmodeltester.check(m)
    # a refresh after a move, and filtering, with the tester connected
    with qtbot.waitSignal(window.boards_refreshed):
        window.move_job(shop.jobs["queued2"], "in_progress")
    window.queue_board.search.setText("honda")
    window.queue_board.technician.setCurrentIndex(2)
    for m in models:
        qtmodeltester.check(m)


def test_standalone_models_pass_the_tester(qtmodeltester: Any) -> None:
    qtmodeltester.check(column_model())
    qtmodeltester.check(technician_model(None))
    proxy = CardFilter()
    proxy.setSourceModel(column_model())
    qtmodeltester.check(proxy)
