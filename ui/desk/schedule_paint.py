"""Painting the day schedule (``ui.desk.schedule_view``): the lanes and their names, the
hours (the zone named either side of a clock change), the quarter-hour grid, the now line,
the appointments' blocks and the block being dragged.

Plain functions of the view: they read its geometry (``x_of``, ``lane_top``, ``rect_of``)
and never change it, so what is drawn and what the mouse hits come from the same numbers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from app.queries.schedule import Lane, ScheduleItem
from ui.application import color
from ui.qt import QColor, QFont, QFontMetrics, QPainter, QPen, QPointF, QRectF, Qt

if TYPE_CHECKING:
    from ui.desk.schedule_view import Ghost, ScheduleView

LANE_W = 176  # the lane names' column
HEADER_H = 40  # the hours' row
PX_PER_HOUR = 104
SNAP = timedelta(minutes=15)
PAD = 6

#: status → (fill, edge) colours of a block.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "scheduled": ("#eaf2fe", "#1f6feb"),
    "confirmed": ("#d4e4fc", "#0d47a1"),
    "arrived": ("#e3f3e5", "#2e7d32"),
    "no_show": ("#f1f3f5", "#8a96a6"),
    "cancelled": ("#f1f3f5", "#8a96a6"),
}
STATUS_WORDS: dict[str, str] = {
    "scheduled": "Scheduled", "confirmed": "Confirmed", "arrived": "Arrived",
    "no_show": "No-show", "cancelled": "Cancelled",
}


def paint(view: ScheduleView, p: QPainter) -> None:
    port = view.viewport().rect()
    p.fillRect(port, color("base"))
    if view.schedule is None:
        p.setPen(color("muted"))
        p.drawText(port, Qt.AlignmentFlag.AlignCenter, "Reading the schedule…")
        return
    width, height = port.width(), port.height()
    body = QRectF(LANE_W, HEADER_H, width - LANE_W, height - HEADER_H)
    p.save()
    p.setClipRect(body)
    for n, box in enumerate(view.lanes):
        top = view.lane_top(n)
        if n % 2:
            p.fillRect(QRectF(LANE_W, top, width, box.height), color("alternate_base"))
    paint_grid(view, p, HEADER_H, height)
    if view.now is not None and view.day_start <= view.now < view.day_end:
        x = view.x_of(view.now)
        p.setPen(QPen(color("danger"), 2))
        p.drawLine(QPointF(x, HEADER_H), QPointF(x, height))
    moving = {g.item_id for g in (view.ghost, view.pending) if g is not None}
    for block in view.blocks:
        faded = block.item.id in moving
        paint_block(view, p, block.item, view.block_rect(block), faded=faded)
    for ghost in (view.pending, view.ghost):
        if ghost is not None:
            paint_ghost(view, p, ghost)
    p.restore()
    paint_header(view, p, width)
    paint_lane_names(view, p, height)
    # the corner
    p.fillRect(QRectF(0, 0, LANE_W, HEADER_H), color("column"))
    p.setPen(color("muted"))
    p.drawText(QRectF(PAD + 4, 0, LANE_W - 2 * PAD, HEADER_H),
               Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
               "Bays" if view.mode == "bay" else "Technicians")
    p.setPen(color("mid"))
    p.drawLine(QPointF(LANE_W - 0.5, 0), QPointF(LANE_W - 0.5, height))
    p.drawLine(QPointF(0, HEADER_H - 0.5), QPointF(width, HEADER_H - 0.5))


def paint_grid(view: ScheduleView, p: QPainter, top: float, bottom: float) -> None:
    quarter = QPen(QColor("#edf0f4"), 1)
    half = QPen(QColor("#dde2e8"), 1, Qt.PenStyle.DashLine)
    hour = QPen(color("mid"), 1)
    at = view.day_start
    n = 0
    while at < view.day_end:
        x = round(view.x_of(at)) + 0.5
        p.setPen(hour if n % 4 == 0 else half if n % 2 == 0 else quarter)
        p.drawLine(QPointF(x, top), QPointF(x, bottom))
        at += SNAP
        n += 1
    for n, box in enumerate(view.lanes):
        y = view.lane_top(n) + box.height - 0.5
        p.setPen(QPen(color("card_border"), 1))
        p.drawLine(QPointF(LANE_W, y), QPointF(view.viewport().width(), y))


def paint_header(view: ScheduleView, p: QPainter, width: int) -> None:
    p.save()
    p.setClipRect(QRectF(LANE_W, 0, width - LANE_W, HEADER_H))
    p.fillRect(QRectF(LANE_W, 0, width - LANE_W, HEADER_H), color("column"))
    bold = QFont(view.font())
    bold.setBold(True)
    small = QFont(view.font())
    small.setPointSizeF(max(7.0, view.font().pointSizeF() * 0.85))
    # the zone under the hours either side of a change: the two 02:00s of an autumn
    # night read "CEST" and "CET"
    zoned = {n for n, m in enumerate(view.marks) if m.changed}
    zoned |= {n - 1 for n in zoned if n > 0}
    for n, mark in enumerate(view.marks):
        x = view.x_of(mark.at)
        if x > width or x + PX_PER_HOUR < LANE_W:
            continue
        p.setPen(color("mid"))
        p.drawLine(QPointF(round(x) + 0.5, HEADER_H - 10), QPointF(round(x) + 0.5, HEADER_H))
        p.setFont(bold)
        p.setPen(color("danger") if n in zoned else color("window_text"))
        p.drawText(QRectF(x + 5, 3, PX_PER_HOUR - 8, 20),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, mark.label)
        if n in zoned:
            p.setFont(small)
            p.drawText(QRectF(x + 5, 21, PX_PER_HOUR - 8, 16),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       mark.zone)
    p.restore()


def paint_lane_names(view: ScheduleView, p: QPainter, height: int) -> None:
    p.save()
    p.setClipRect(QRectF(0, HEADER_H, LANE_W, height - HEADER_H))
    p.fillRect(QRectF(0, HEADER_H, LANE_W, height - HEADER_H), color("window"))
    bold = QFont(view.font())
    bold.setBold(True)
    fm = QFontMetrics(bold)
    line = view.fm.lineSpacing()
    for n, box in enumerate(view.lanes):
        top = view.lane_top(n)
        if top > height or top + box.height < HEADER_H:
            continue
        p.setPen(QPen(color("card_border"), 1))
        p.drawLine(QPointF(0, top + box.height - 0.5), QPointF(LANE_W, top + box.height - 0.5))
        p.setFont(bold)
        p.setPen(color("muted") if box.lane.id is None else color("window_text"))
        name = fm.elidedText(box.lane.name, Qt.TextElideMode.ElideRight, LANE_W - 2 * PAD - 4)
        p.drawText(QRectF(PAD + 4, top + 8, LANE_W - 2 * PAD, line), 0, name)
        p.setFont(view.font())
        p.setPen(color("muted"))
        words = lane_words(view, box.lane)
        if box.height >= 3 * line + 12:
            words = words.replace(" · ", "\n")
        for k, text in enumerate(words.split("\n")[:2]):
            p.drawText(QRectF(PAD + 4, top + 8 + (k + 1) * line, LANE_W - 2 * PAD, line), 0,
                       view.fm.elidedText(text, Qt.TextElideMode.ElideRight,
                                           LANE_W - 2 * PAD - 4))
    p.restore()


def lane_words(view: ScheduleView, lane: Lane) -> str:
    """``2 h 30 booked · 1 in work``: the lane's booked time and its open jobs."""
    minutes = lane.booked_minutes
    booked = (f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else
              f"{minutes // 60} h") if minutes else "free"
    jobs = sum(1 for i in lane.items if i.kind == "job")
    words = booked + (" booked" if minutes else "")
    return words + (f" · {jobs} job{'s' if jobs != 1 else ''} in work" if jobs else "")


def paint_block(view: ScheduleView, p: QPainter, item: ScheduleItem, rect: QRectF, *,
                 faded: bool = False) -> None:
    fill, edge = STATUS_COLOURS.get(item.status, STATUS_COLOURS["scheduled"])
    selected = item.id == view.selected_id
    p.save()
    if faded:
        p.setOpacity(0.35)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(fill))
    pen = QPen(QColor(edge), 2.5 if selected else 1)
    if item.status in ("no_show", "cancelled"):
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
    p.fillRect(QRectF(rect.left() + 1, rect.top() + 1, 4, rect.height() - 2), QColor(edge))
    if selected:
        p.setPen(QPen(color("highlight"), 1, Qt.PenStyle.DotLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rect.adjusted(-2.5, -2.5, 2.5, 2.5), 5, 5)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    assert item.starts_at is not None and item.ends_at is not None
    text = rect.adjusted(PAD + 2, 3, -3, -2)
    if text.width() > 12:
        line = view.fm.lineSpacing()
        bold = QFont(view.font())
        bold.setBold(True)
        muted = item.status in ("no_show", "cancelled")
        p.setPen(color("muted") if muted else color("text"))
        p.setFont(bold)
        who = item.customer or "No customer"
        if item.status == "arrived" and item.job_number:
            who = f"{who} · {item.job_number}"
        elif item.status == "no_show":
            who = f"{who} · no-show"
        w = int(text.width())
        p.drawText(QRectF(text.left(), text.top(), w, line), 0,
                   QFontMetrics(bold).elidedText(who, Qt.TextElideMode.ElideRight, w))
        p.setFont(view.font())
        car = time_and_car(view, item, w)
        p.drawText(QRectF(text.left(), text.top() + line, w, line), 0,
                   view.fm.elidedText(car, Qt.TextElideMode.ElideRight, w))
        p.setPen(color("muted"))
        third = " · ".join(x for x in (item.plate, view.other_name(item)) if x)
        if text.height() >= 3 * line - 2 and third:
            p.drawText(QRectF(text.left(), text.top() + 2 * line, w, line), 0,
                       view.fm.elidedText(third, Qt.TextElideMode.ElideRight, w))
    p.restore()


def time_and_car(view: ScheduleView, item: ScheduleItem, width: int) -> str:
    """``09:00–10:30 · 2019 Toyota Corolla`` in ``width`` px: the vehicle is cut
    first, then the end time; the start always shows whole."""
    assert item.starts_at is not None and item.ends_at is not None
    fm = view.fm
    span = view.span(item.starts_at, item.ends_at)
    if fm.horizontalAdvance(span) > width:
        return view.clock(item.starts_at)  # a short block: its start is what counts
    if not item.vehicle:
        return span
    head = f"{span} · "
    room = width - fm.horizontalAdvance(head)
    if room < fm.horizontalAdvance("Toyo…"):
        return span
    return head + fm.elidedText(item.vehicle, Qt.TextElideMode.ElideRight, room)


def paint_ghost(view: ScheduleView, p: QPainter, ghost: Ghost) -> None:
    rect = view.rect_of(ghost.starts_at, ghost.ends_at, ghost.lane)
    p.save()
    item = next((b.item for b in view.blocks if b.item.id == ghost.item_id), None)
    if item is not None:
        paint_block(view, p, item, rect)
    else:
        p.setBrush(QColor(31, 111, 235, 40))
        p.setPen(QPen(color("highlight"), 1.5, Qt.PenStyle.DashLine))
        p.drawRect(rect)
    p.setPen(color("highlight"))
    bold = QFont(view.font())
    bold.setBold(True)
    p.setFont(bold)
    label = view.span(ghost.starts_at, ghost.ends_at)
    tip = QRectF(rect.left(), rect.top() - 2 - view.fm.lineSpacing(),
                 QFontMetrics(bold).horizontalAdvance(label) + 12, view.fm.lineSpacing())
    if item is None:
        tip.moveTop(rect.top() + 3)
        tip.moveLeft(rect.left() + 6)
    else:
        p.fillRect(tip, color("base"))
    p.drawText(tip, Qt.AlignmentFlag.AlignVCenter, label)
    p.restore()
