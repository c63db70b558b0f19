"""The card delegate lays a card out once (strings elided, badges placed) and replays it on
every repaint; a changed card is laid out afresh, and a replayed card looks the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.queries.boards import QueueCard
from ui.boards.cards import CardDelegate, promise_words
from ui.models.queue import BoardCard, column_model
from ui.qt import QImage, QListView, QPainter, QRect, QStyle, QStyleOptionViewItem, Qt

NOW = datetime.now(UTC)


def card(**kw: Any) -> QueueCard:
    fields: dict[str, Any] = dict(
        job_id="a", number="10422", status="on_hold", vehicle="2003 Honda Accord EX-L V6",
        plate="CAFE 123", customer="Ada Lovelace", technician="Grace Hopper",
        promised_at=NOW - timedelta(hours=30), overdue=True, hold_reason="parts",
        customer_waiting=True, priority=3, parts_waiting=2)
    fields.update(kw)
    return QueueCard(**fields)


def render(delegate: CardDelegate, view: QListView, row: int = 0, width: int = 300,
           selected: bool = False) -> QImage:
    index = view.model().index(row, 0)
    opt = QStyleOptionViewItem()
    opt.initFrom(view)
    opt.font = view.font()
    height = delegate.sizeHint(opt, index).height()
    opt.rect = QRect(0, 0, width, height)
    if selected:
        opt.state |= QStyle.StateFlag.State_Selected
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    delegate.paint(painter, opt, index)
    painter.end()
    return image


def texts(delegate: CardDelegate) -> list[str]:
    (layout,) = list(delegate._layouts.values())[-1:]
    return [t.text for t in layout.texts] + [b.text for b in layout.badges]


def test_a_card_is_laid_out_once_and_replayed_the_same(qapp: Any) -> None:
    view = QListView()
    model = column_model()
    view.setModel(model)
    model.set_rows([BoardCard(card(), None, None)])
    delegate = CardDelegate(view)
    cold = render(delegate, view)
    assert (delegate.misses, delegate.hits) == (1, 0)
    assert set(texts(delegate)) >= {"10422", "CAFE 123", "Ada Lovelace",
                                    "Technician: Grace Hopper", "Urgent", "Hold: parts"}
    warm = render(delegate, view)
    assert (delegate.misses, delegate.hits) == (1, 1)
    assert warm == cold
    # the frame is not cached: a selected card paints its highlight over the same layout
    selected = render(delegate, view, selected=True)
    assert (delegate.misses, delegate.hits) == (1, 2)
    assert selected != cold
    assert len(delegate._frames) == 2  # the frame: drawn once per size and state
    # another width is another layout (elision, which badges fit)
    narrow = render(delegate, view, width=180)
    assert delegate.misses == 2 and narrow.width() == 180


def test_a_changed_card_is_laid_out_afresh(qapp: Any) -> None:
    view = QListView()
    model = column_model()
    view.setModel(model)
    model.set_rows([BoardCard(card(), None, None)])
    delegate = CardDelegate(view)
    before = render(delegate, view)
    model.set_rows([BoardCard(card(customer="Grace Hopper", technician=None,
                                   customer_waiting=False), None, None)])
    after = render(delegate, view)
    assert delegate.misses == 2
    assert "Grace Hopper" in texts(delegate) and "Unassigned" in texts(delegate)
    assert "Waiting" not in texts(delegate)
    assert after != before
    # the fresh layout is what an empty cache makes of the same card
    delegate.clear_cache()
    assert render(delegate, view) == after


def test_the_promise_says_due_or_overdue_in_words(qapp: Any) -> None:
    now = datetime(2026, 12, 1, 15, 0).astimezone()
    today_17 = now.replace(hour=17)
    assert promise_words(today_17, False, now) == "due 17:00"
    assert promise_words(now.replace(hour=11), True, now) == "overdue 11:00"
    earlier = now - timedelta(days=2)
    assert promise_words(earlier, True, now) == f"overdue {earlier.day} {earlier:%b}"
    assert promise_words(earlier, False, now) == f"due {earlier.day} {earlier:%b}"  # ready
    assert promise_words(None, False, now) == ""
    view = QListView()
    model = column_model()
    view.setModel(model)
    model.set_rows([BoardCard(card(), None, None)])
    delegate = CardDelegate(view)
    render(delegate, view)
    assert any(t.startswith("overdue ") for t in texts(delegate))


def test_the_unassigned_column_does_not_repeat_unassigned_on_each_card(qapp: Any) -> None:
    view = QListView()
    model = column_model()
    view.setModel(model)
    model.set_rows([BoardCard(card(technician=None), None, None)])
    plain, column = CardDelegate(view), CardDelegate(view, technician_line=False)
    render(plain, view)
    short = render(column, view)
    assert "Unassigned" in texts(plain) and "Unassigned" not in texts(column)
    assert short.height() < render(plain, view).height()  # no empty line left behind
