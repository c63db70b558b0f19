"""Painting job cards: one ``QStyledItemDelegate`` for every board, so a column of 2,000
cards costs only the few on screen (Qt's Star Delegate example, KDE's mail list).

A card: job number and badges (customer waiting, parts waiting, hold reason, priority);
vehicle and plate; customer; technician and the promised time (red when overdue).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from app import rules
from ui.application import color
from ui.models.rows import ROW_ROLE
from ui.qt import (
    QApplication,
    QColor,
    QFont,
    QFontMetrics,
    QModelIndex,
    QPainter,
    QPen,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
)

PAD = 8
GAP = 6  # between cards


def when(at: datetime | None, now: datetime | None = None) -> str:
    """A promised time as a clerk reads it: ``14:30`` today, ``Tue 09:00`` in the coming
    week, ``28 Nov 17:00`` in the past week, ``3 Dec`` further away."""
    if at is None:
        return ""
    today = (now or datetime.now().astimezone()).astimezone().date()
    return _when(at, today)


@lru_cache(maxsize=8192)
def _when(at: datetime, today: date) -> str:
    """``when`` for one day, cached: a board paints the same promises over and over."""
    local = at.astimezone()
    days = (local.date() - today).days
    if days == 0:
        return local.strftime("%H:%M")
    if 0 < days <= 6:  # this coming week: the weekday is unambiguous
        return local.strftime("%a %H:%M")
    if -7 < days < 0:  # the past week: the date, so "Mon" never means last Monday
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return f"{local.day} {local.strftime('%b')}"


def card_of(row: Any) -> Any:
    """The ``QueueCard`` (or ``AssignedJob``) inside a board row."""
    return getattr(row, "card", row)


def badges(card: Any) -> list[tuple[str, str]]:
    """(text, colour name) of the badges on a card, most important first."""
    out: list[tuple[str, str]] = []
    if getattr(card, "priority", 0) >= 2:
        out.append(("Urgent", "danger"))
    hold = getattr(card, "hold_reason", None)
    if hold:
        out.append((f"Hold: {hold}", "badge_hold"))
    if getattr(card, "customer_waiting", False):
        out.append(("Waiting", "badge_waiting"))
    parts = getattr(card, "parts_waiting", 0)
    if parts:
        out.append((f"Parts {parts}", "badge_parts"))
    return out


def card_text(card: Any) -> str:
    """Everything a card says, in one line (tooltips, accessibility, tests)."""
    parts = [f"Job {card.number}", rules.STATUS_LABELS.get(card.status, card.status),
             card.vehicle]
    plate = getattr(card, "plate", "")
    if plate:
        parts.append(plate)
    customer = getattr(card, "customer", "")
    if customer:
        parts.append(customer)
    tech = getattr(card, "technician", None)
    if hasattr(card, "technician"):
        parts.append(tech or "unassigned")
    if card.promised_at is not None:
        parts.append(("overdue, promised " if card.overdue else "promised ") + when(card.promised_at))
    parts.extend(text for text, _ in badges(card))
    return " · ".join(parts)


class CardDelegate(QStyledItemDelegate):
    """Paints the row of ``ROW_ROLE`` as a card; see the module docstring."""

    def __init__(self, parent: Any = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact

    def _lines(self) -> int:
        return 3 if self.compact else 4

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, self._lines() * (fm.height() + 2) + 2 * PAD + GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card = card_of(index.data(ROW_ROLE))
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect.adjusted(2, GAP // 2, -2, -GAP // 2))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setPen(QPen(color("highlight") if selected else color("card_border"),
                            2 if selected else 1))
        painter.setBrush(color("card_selected") if selected else color("card"))
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        if focused and not selected:
            pen = QPen(color("highlight"), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(2.5, 2.5, -2.5, -2.5), 4, 4)
        if getattr(card, "overdue", False):  # a red edge: overdue at a glance
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color("danger"))
            painter.drawRoundedRect(QRectF(rect.left() + 1, rect.top() + 1, 4,
                                           rect.height() - 2), 2, 2)

        inner = rect.adjusted(PAD + 2, PAD - 2, -PAD, -PAD + 2)
        font = QFont(option.font)
        fm = QFontMetrics(font)
        line_h = fm.height() + 2
        text_color = color("text")
        muted = color("muted")

        # line 1: number, then badges from the right
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        bfm = QFontMetrics(bold)
        number = card.number if not self.compact else (
            f"{card.number} · {rules.STATUS_LABELS.get(card.status, card.status)}")
        number_w = min(bfm.horizontalAdvance(number), inner.width())
        painter.drawText(QRect(inner.left(), inner.top(), number_w, line_h),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, number)
        small = QFont(font)
        small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        small.setBold(True)
        sfm = QFontMetrics(small)
        painter.setFont(small)
        right = inner.right()
        for text, colour in badges(card):
            w = sfm.horizontalAdvance(text) + 10
            if right - w < inner.left() + number_w + 6:
                break  # no room: the tooltip still says it
            badge = QRectF(right - w, inner.top() + (line_h - sfm.height() - 2) / 2, w,
                           sfm.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color(colour))
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            right -= w + 4

        painter.setFont(font)
        y = inner.top() + line_h

        def left_right(left: str, right: str, y: int, left_pen: QColor, right_pen: QColor,
                       right_font: QFont | None = None) -> None:
            """``left`` elided, ``right`` whole at the right edge (the part that matters)."""
            rf = right_font or font
            rw = QFontMetrics(rf).horizontalAdvance(right) if right else 0
            if right:
                painter.setFont(rf)
                painter.setPen(right_pen)
                painter.drawText(QRect(inner.right() - rw - 2, y, rw + 2, line_h),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                                 right)
                painter.setFont(font)
            avail = max(0, inner.width() - rw - (10 if right else 0))
            painter.setPen(left_pen)
            painter.drawText(QRect(inner.left(), y, avail, line_h),
                             Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(left, Qt.TextElideMode.ElideRight, avail))

        # line 2: vehicle, with the plate kept whole at the right
        left_right(card.vehicle or "No vehicle", getattr(card, "plate", ""), y, text_color,
                   text_color)
        y += line_h
        # line 3: customer and the promise (red and bold when overdue)
        promise = ""
        if card.promised_at is not None:
            # red, bold and the red edge say overdue; the words stay short so names fit
            promise = when(card.promised_at)
        pfont = QFont(font)
        pfont.setBold(bool(card.overdue))
        promise_pen = color("danger") if card.overdue else muted
        if self.compact:
            left_right("", promise, y, muted, promise_pen, pfont)
        else:
            left_right(getattr(card, "customer", "") or "No customer", promise, y, muted,
                       promise_pen, pfont)
            y += line_h
            # line 4: who works on it
            tech = getattr(card, "technician", None)
            left_right(f"Technician: {tech}" if tech else "Unassigned", "", y,
                       text_color if tech else muted, muted)
        painter.restore()


def app_font_height() -> int:
    return QFontMetrics(QApplication.font()).height()
