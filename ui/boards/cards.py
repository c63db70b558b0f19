"""Painting job cards: one ``QStyledItemDelegate`` for every board, so a column of 2,000
cards costs only the few on screen (Qt's Star Delegate example, KDE's mail list).

A card: job number and badges (customer waiting, parts waiting, hold reason, priority);
vehicle and plate; customer; technician and the promised time (red when overdue).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from app import rules
from ui.application import color
from ui.models.rows import ROW_ROLE
from ui.qt import (
    QApplication,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QModelIndex,
    QPainter,
    QPen,
    QPersistentModelIndex,
    QPoint,
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
#: Room around a cached card frame for the selected border's outer half.
FRAME_MARGIN = 2


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


def promise_words(at: datetime | None, overdue: bool, now: datetime | None = None) -> str:
    """The promise on a card in words, so red is not the only signal: ``due 17:00``,
    ``due Tue 09:00``, ``due 3 Dec``; ``overdue 17:00`` (today) or ``overdue 28 Nov``
    (before). A past day is the date alone: the words stay short so the customer's name
    beside them fits."""
    if at is None:
        return ""
    today = (now or datetime.now().astimezone()).astimezone().date()
    local = at.astimezone()
    days = (local.date() - today).days
    if days < 0:
        return f"{'overdue' if overdue else 'due'} {local.day} {local.strftime('%b')}"
    if overdue:
        return f"overdue {local.strftime('%H:%M')}"
    return f"due {_when(at, today)}"


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


@lru_cache(maxsize=64)
def _color(name: str) -> QColor:
    """A palette colour, looked up once (``ui.application.color`` reads the palette file)."""
    return color(name)


class _Text(NamedTuple):
    """One text of a card's layout, in coordinates relative to the card's top left."""

    font: int  # index into CardLayout.fonts
    pen: QColor
    rect: QRect
    flags: int
    text: str


class _Badge(NamedTuple):
    rect: QRectF
    brush: QColor
    text: str


class CardLayout(NamedTuple):
    """Everything a card paints apart from its frame, worked out once per card, size and
    font: the elided strings, the badges that fit, where each goes."""

    fonts: tuple[QFont, ...]
    badge_font: int
    texts: tuple[_Text, ...]
    badges: tuple[_Badge, ...]


#: Cards whose layout is kept (a board of 2,000 cards shows a few dozen at once; the rest
#: of the cache serves scrolling back and the other columns).
LAYOUT_CACHE_SIZE = 4096


class CardDelegate(QStyledItemDelegate):
    """Paints the row of ``ROW_ROLE`` as a card; see the module docstring.

    The strings and positions of a card (``CardLayout``) are cached by the card's value,
    its size, the font and the day (promises read "14:30" today, "Tue 09:00" later), so a
    repaint of unchanged cards only replays them; a changed card is a new value, so it is
    laid out afresh. Only the frame (selection, focus) is painted anew every time.
    """

    def __init__(self, parent: Any = None, *, compact: bool = False,
                 technician_line: bool = True) -> None:
        super().__init__(parent)
        self.compact = compact
        #: The "Technician: …" / "Unassigned" line; off in the Unassigned column, where
        #: every card would say "Unassigned" under a header that already says it.
        self.technician_line = technician_line and not compact
        self._layouts: OrderedDict[tuple[Any, ...], CardLayout] = OrderedDict()
        self._frames: dict[tuple[Any, ...], QImage] = {}
        #: Layouts made and layouts reused (tests and benches read them).
        self.misses = 0
        self.hits = 0

    def _lines(self) -> int:
        return 4 if self.technician_line else 3

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(200, self._lines() * (fm.height() + 2) + 2 * PAD + GAP)

    def layout(self, card: Any, width: int, height: int, font: QFont) -> CardLayout:
        """The card's layout in a card rectangle of ``width`` x ``height`` (cached)."""
        key = (card, width, height, font.key(), date.today())
        found = self._layouts.get(key)
        if found is not None:
            self.hits += 1
            self._layouts.move_to_end(key)
            return found
        self.misses += 1
        made = self._layout(card, QRect(0, 0, width, height), font)
        self._layouts[key] = made
        if len(self._layouts) > LAYOUT_CACHE_SIZE:
            self._layouts.popitem(last=False)
        return made

    def clear_cache(self) -> None:
        self._layouts.clear()
        self._frames.clear()

    def frame(self, width: int, height: int, selected: bool, focused: bool, overdue: bool,
              ratio: float = 1.0) -> QImage:
        """The card's frame (border, fill, focus ring, the red edge when overdue), drawn once
        per size and state: antialiased rounded rectangles are most of a card's paint. The
        image has ``FRAME_MARGIN`` around the card for the selected border's outer half."""
        key = (width, height, selected, focused, overdue, ratio)
        image = self._frames.get(key)
        if image is not None:
            return image
        if len(self._frames) > 64:
            self._frames.clear()  # sizes change when the window does; a few are in use
        m = FRAME_MARGIN
        image = QImage(round((width + 2 * m) * ratio), round((height + 2 * m) * ratio),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(m, m)
        rect = QRect(0, 0, width, height)
        painter.setPen(QPen(_color("highlight") if selected else _color("card_border"),
                            2 if selected else 1))
        painter.setBrush(_color("card_selected") if selected else _color("card"))
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        if focused:
            painter.setPen(QPen(_color("highlight"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(2.5, 2.5, -2.5, -2.5), 4, 4)
        if overdue:  # a red edge: overdue at a glance
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_color("danger"))
            painter.drawRoundedRect(QRectF(1, 1, 4, height - 2), 2, 2)
        painter.end()
        self._frames[key] = image
        return image

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card = card_of(index.data(ROW_ROLE))
        if card is None:
            return
        rect = QRect(option.rect.adjusted(2, GAP // 2, -2, -GAP // 2))
        lay = self.layout(card, rect.width(), rect.height(), option.font)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.drawImage(rect.topLeft() - QPoint(FRAME_MARGIN, FRAME_MARGIN), self.frame(
            rect.width(), rect.height(), selected, focused and not selected,
            bool(getattr(card, "overdue", False)), painter.device().devicePixelRatioF()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        fonts = lay.fonts
        # badges first, then the texts: the order the card was always painted in
        first_texts = 1  # the job number comes before the badges
        for t in lay.texts[:first_texts]:
            painter.setFont(fonts[t.font])
            painter.setPen(t.pen)
            painter.drawText(t.rect, t.flags, t.text)
        if lay.badges:
            painter.setFont(fonts[lay.badge_font])
            white = QColor("#ffffff")
            for b in lay.badges:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(b.brush)
                painter.drawRoundedRect(b.rect, b.rect.height() / 2, b.rect.height() / 2)
                painter.setPen(white)
                painter.drawText(b.rect, Qt.AlignmentFlag.AlignCenter, b.text)
        for t in lay.texts[first_texts:]:
            painter.setFont(fonts[t.font])
            painter.setPen(t.pen)
            painter.drawText(t.rect, t.flags, t.text)
        painter.restore()

    def _layout(self, card: Any, rect: QRect, base: QFont) -> CardLayout:
        """Work out the card's texts and badges in ``rect`` (the card at 0, 0)."""
        inner = rect.adjusted(PAD + 2, PAD - 2, -PAD, -PAD + 2)
        font = QFont(base)
        fm = QFontMetrics(font)
        line_h = fm.height() + 2
        text_color = _color("text")
        muted = _color("muted")
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        small.setBold(True)
        pfont = QFont(font)
        pfont.setBold(bool(getattr(card, "overdue", False)))
        fonts = (font, bold, small, pfont)
        FONT, BOLD, SMALL, PFONT = range(4)
        texts: list[_Text] = []
        left_mid = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)

        # line 1: number, then badges from the right
        bfm = QFontMetrics(bold)
        number = card.number if not self.compact else (
            f"{card.number} · {rules.STATUS_LABELS.get(card.status, card.status)}")
        number_w = min(bfm.horizontalAdvance(number), inner.width())
        texts.append(_Text(BOLD, text_color, QRect(inner.left(), inner.top(), number_w, line_h),
                           left_mid, number))
        sfm = QFontMetrics(small)
        right = inner.right()
        placed: list[_Badge] = []
        for text, colour in badges(card):
            w = sfm.horizontalAdvance(text) + 10
            if right - w < inner.left() + number_w + 6:
                break  # no room: the tooltip still says it
            placed.append(_Badge(QRectF(right - w, inner.top() + (line_h - sfm.height() - 2) / 2,
                                        w, sfm.height() + 2), _color(colour), text))
            right -= w + 4

        y = inner.top() + line_h

        def left_right(left: str, right: str, y: int, left_pen: QColor, right_pen: QColor,
                       right_font: int = FONT) -> None:
            """``left`` elided, ``right`` whole at the right edge (the part that matters)."""
            rw = QFontMetrics(fonts[right_font]).horizontalAdvance(right) if right else 0
            if right:
                texts.append(_Text(right_font, right_pen,
                                   QRect(inner.right() - rw - 2, y, rw + 2, line_h),
                                   int(Qt.AlignmentFlag.AlignVCenter
                                       | Qt.AlignmentFlag.AlignRight), right))
            avail = max(0, inner.width() - rw - (10 if right else 0))
            texts.append(_Text(FONT, left_pen, QRect(inner.left(), y, avail, line_h),
                               int(Qt.AlignmentFlag.AlignVCenter),
                               fm.elidedText(left, Qt.TextElideMode.ElideRight, avail)))

        # line 2: vehicle, with the plate kept whole at the right
        left_right(card.vehicle or "No vehicle", getattr(card, "plate", ""), y, text_color,
                   text_color)
        y += line_h
        # line 3: customer and the promise ("due 17:00"; "overdue 17:00" in red and
        # bold, with the red edge: the words say it too, not the colour alone)
        promise = promise_words(card.promised_at, bool(getattr(card, "overdue", False)))
        promise_pen = _color("danger") if card.overdue else muted
        if self.compact:
            left_right("", promise, y, muted, promise_pen, PFONT)
        else:
            left_right(getattr(card, "customer", "") or "No customer", promise, y, muted,
                       promise_pen, PFONT)
            y += line_h
        if self.technician_line:
            # line 4: who works on it
            tech = getattr(card, "technician", None)
            left_right(f"Technician: {tech}" if tech else "Unassigned", "", y,
                       text_color if tech else muted, muted)
        return CardLayout(fonts, SMALL, tuple(texts), tuple(placed))


def app_font_height() -> int:
    return QFontMetrics(QApplication.font()).height()
