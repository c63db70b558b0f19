"""The day schedule's drawing surface: lanes (bays or technicians) down, the day's hours
across, appointments as blocks; create by dragging across a lane, move and resize by drag,
and the same by keyboard.

A custom-painted ``QAbstractScrollArea`` rather than a ``QGraphicsScene``: a day holds a
few dozen blocks, the hour header and the lane names must stay put while the day scrolls,
and every position is one function of time (``x_of`` / ``time_at``) that a test and the
keyboard use as well as the mouse. A scene would keep a second copy of the day in items
that every re-read has to reconcile; here a re-read replaces one list and repaints.

Time runs by real elapsed time from the start of the day on the shop's clock, so a block
is as wide as the appointment is long, and the labels come from ``app.queries.schedule
.hour_marks``: 23 of them on the spring day the clocks go forward, 25 in autumn.

The view never writes: it emits what the person asked for (``create_requested``,
``change_requested``, ``edit_requested``, ``menu_requested``) and the board calls the
domain operation; the change hub's re-read moves the block. Until then the block is drawn
where it was dropped (``pending``), and a refusal puts it back. The drawing itself is
``ui.desk.schedule_paint``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from app.queries.schedule import DaySchedule, HourMark, Lane, ScheduleItem, hour_marks
from ui.desk.schedule_paint import (
    HEADER_H,
    LANE_W,
    PAD,
    PX_PER_HOUR,
    SNAP,
    STATUS_WORDS,
    paint,
)
from ui.qt import (
    QAbstractScrollArea,
    QApplication,
    QContextMenuEvent,
    QEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPoint,
    QPointF,
    QRectF,
    QResizeEvent,
    QSize,
    Qt,
    QToolTip,
    QWheelEvent,
    QWidget,
    Signal,
)

EDGE = 7  # px at a block's ends that resize it
#: Where a day opens when nothing is booked earlier (the shop's morning).
OPEN_AT_HOUR = 7

#: Blocks that no longer hold their lane are drawn faded; these may be dragged.
MOVABLE = ("scheduled", "confirmed", "arrived")


@dataclass(frozen=True)
class LaneBox:
    """One lane on screen: its rows of blocks (overlaps get a row each) and its top."""

    lane: Lane
    top: int
    rows: int
    height: int


@dataclass(frozen=True)
class Block:
    item: ScheduleItem
    lane: int  # index into ``lanes``
    row: int


@dataclass(frozen=True)
class Ghost:
    """A block being dragged (or dropped and waiting for the write): where it goes."""

    item_id: str | None  # None: a new appointment being drawn
    starts_at: datetime
    ends_at: datetime
    lane: int


def _rows(items: list[ScheduleItem]) -> tuple[dict[str, int], int]:
    """A row for each appointment so that overlapping ones sit one under the other (the
    "no bay" lane holds many at once; a replica can briefly hold two that clashed)."""
    ends: list[datetime] = []
    where: dict[str, int] = {}
    for item in sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id)):
        assert item.starts_at is not None and item.ends_at is not None
        for n, end in enumerate(ends):
            if end <= item.starts_at:
                ends[n] = item.ends_at
                where[item.id] = n
                break
        else:
            where[item.id] = len(ends)
            ends.append(item.ends_at)
    return where, max(1, len(ends))


class ScheduleView(QAbstractScrollArea):
    """See the module docstring."""

    #: A new appointment drawn: (starts_at, ends_at, lane id or None).
    create_requested = Signal(object, object, object)
    #: A block moved or resized: (appointment id, starts_at, ends_at, lane id or None).
    change_requested = Signal(str, object, object, object)
    #: Open the appointment's dialog: (appointment id,).
    edit_requested = Signal(str)
    #: The context menu: (appointment id or "", time under the pointer, lane id, global pos).
    menu_requested = Signal(str, object, object, object)
    #: The selected appointment changed: (id or "",).
    selection_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheduleView")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAccessibleName("Day schedule")
        self.mode = "bay"
        self.zone: tzinfo | None = None
        self.day: date | None = None
        self.schedule: DaySchedule | None = None
        self.marks: tuple[HourMark, ...] = ()
        self.lanes: list[LaneBox] = []
        self.blocks: list[Block] = []
        self.selected_id: str | None = None
        self.now: datetime | None = None
        self.pending: Ghost | None = None
        self._drag: dict[str, object] | None = None
        self.ghost: Ghost | None = None
        self._scrolled_for: date | None = None
        f = QFont(self.font())
        self.fm = QFontMetrics(f)
        line = self.fm.lineSpacing()
        #: A row of blocks: two lines of text at least, three (with plate and technician or
        #: bay) when the lanes fit the window that way.
        self.min_row_h = 2 * line + 14
        self.max_row_h = 3 * line + 12
        self.row_h = self.max_row_h

    # --- data ---------------------------------------------------------------------------
    def set_schedule(self, schedule: DaySchedule, zone: tzinfo, mode: str | None = None,
                     now: datetime | None = None) -> None:
        """Show ``schedule`` (a fresh read) drawn in ``zone``; selection survives."""
        if mode is not None:
            self.mode = mode
        new_zone = self.zone is None or str(zone) != str(self.zone)  # the shop's zone changed
        self.zone = zone
        self.schedule = schedule
        self.now = now
        if self.day != schedule.day or new_zone:
            self.day = schedule.day
            self.marks = hour_marks(schedule.day, zone)
        self.pending = None
        self._layout()
        if self.selected_id is not None and self.block_of(self.selected_id) is None:
            self.select(None)
        if self._scrolled_for != schedule.day:
            self._scrolled_for = schedule.day
            self.scroll_to_morning()
        self.viewport().update()

    def set_mode(self, mode: str) -> None:
        if mode != self.mode and self.schedule is not None and self.zone is not None:
            self.set_schedule(self.schedule, self.zone, mode, self.now)

    def lane_list(self) -> tuple[Lane, ...]:
        """The lanes of the mode: every bay (or technician) and, always last, the lane of
        what has none, so a block can be dragged off its bay."""
        if self.schedule is None:
            return ()
        lanes = self.schedule.by_bay if self.mode == "bay" else self.schedule.by_technician
        if not any(lane.id is None for lane in lanes):
            lanes = (*lanes, Lane(None, "No bay" if self.mode == "bay" else "Unassigned", ()))
        return lanes

    def _layout(self) -> None:
        self.lanes, self.blocks = [], []
        placed: list[tuple[Lane, dict[str, int], int, list[ScheduleItem]]] = []
        for lane in self.lane_list():
            timed = [i for i in lane.items if i.kind == "appointment"
                     and i.starts_at is not None and i.ends_at is not None]
            where, rows = _rows(timed)
            placed.append((lane, where, rows, timed))
        # rows as tall as the window allows, between two and three lines of text
        total = sum(rows for _, _, rows, _ in placed) or 1
        height = self.viewport().height() - HEADER_H
        bar = self.horizontalScrollBar()
        if not bar.isVisible():  # it will be (a day is wider than the window)
            height -= bar.sizeHint().height()
        room = height // total
        self.row_h = max(self.min_row_h, min(self.max_row_h, room))
        top = HEADER_H
        for n, (lane, where, rows, timed) in enumerate(placed):
            box = LaneBox(lane, top, rows, rows * self.row_h)
            self.lanes.append(box)
            self.blocks += [Block(i, n, where[i.id]) for i in timed]
            top += box.height
        self._update_scrollbars()

    # --- geometry -----------------------------------------------------------------------
    @property
    def day_start(self) -> datetime:
        assert self.schedule is not None
        return self.schedule.starts_at

    @property
    def day_end(self) -> datetime:
        assert self.schedule is not None
        return self.schedule.ends_at

    def content_size(self) -> QSize:
        if self.schedule is None:
            return QSize(0, 0)
        hours = (self.day_end - self.day_start).total_seconds() / 3600
        height = (self.lanes[-1].top + self.lanes[-1].height) if self.lanes else HEADER_H
        return QSize(LANE_W + round(hours * PX_PER_HOUR), height)

    def _update_scrollbars(self) -> None:
        size, port = self.content_size(), self.viewport().size()
        self.horizontalScrollBar().setRange(0, max(0, size.width() - port.width()))
        self.horizontalScrollBar().setPageStep(port.width())
        self.horizontalScrollBar().setSingleStep(PX_PER_HOUR // 4)
        self.verticalScrollBar().setRange(0, max(0, size.height() - port.height()))
        self.verticalScrollBar().setPageStep(port.height())
        self.verticalScrollBar().setSingleStep(self.row_h // 2)

    def x_of(self, at: datetime) -> float:
        """The viewport x of the instant ``at``."""
        hours = (at - self.day_start).total_seconds() / 3600
        return LANE_W + hours * PX_PER_HOUR - self.horizontalScrollBar().value()

    def time_at(self, x: float) -> datetime:
        hours = (x + self.horizontalScrollBar().value() - LANE_W) / PX_PER_HOUR
        return self.day_start + timedelta(hours=hours)

    def snap(self, at: datetime, *, up: bool = False) -> datetime:
        """To the nearest quarter hour of the shop's clock (the next one with ``up``),
        inside the day."""
        exact = (at - self.day_start) / SNAP
        steps = math.ceil(exact) if up else round(exact)
        snapped = self.day_start + steps * SNAP
        return min(max(snapped, self.day_start), self.day_end)

    def lane_top(self, index: int) -> int:
        return self.lanes[index].top - self.verticalScrollBar().value()

    def lane_at(self, y: float) -> int | None:
        """The lane under viewport ``y`` (None above the first or below the last)."""
        if y < HEADER_H:
            return None
        for n, box in enumerate(self.lanes):
            top = self.lane_top(n)
            if top <= y < top + box.height:
                return n
        return None

    def lane_index(self, lane_id: str | None) -> int | None:
        return next((n for n, b in enumerate(self.lanes) if b.lane.id == lane_id), None)

    def block_of(self, item_id: str) -> Block | None:
        return next((b for b in self.blocks if b.item.id == item_id), None)

    def rect_of(self, starts_at: datetime, ends_at: datetime, lane: int, row: int = 0
                ) -> QRectF:
        top = self.lane_top(lane) + row * self.row_h
        x0, x1 = self.x_of(starts_at), self.x_of(ends_at)
        return QRectF(x0 + 1, top + 3, max(6.0, x1 - x0 - 2), self.row_h - 6)

    def block_rect(self, block: Block) -> QRectF:
        item = block.item
        assert item.starts_at is not None and item.ends_at is not None
        return self.rect_of(item.starts_at, item.ends_at, block.lane, block.row)

    def block_at(self, pos: QPointF) -> Block | None:
        if pos.x() < LANE_W or pos.y() < HEADER_H:
            return None
        for block in reversed(self.blocks):
            if self.block_rect(block).contains(pos):
                return block
        return None

    def slot_point(self, at: datetime, lane_id: str | None) -> QPoint:
        """The viewport point of ``at`` in the middle of the lane ``lane_id`` (tests and
        the keyboard's menu use it)."""
        n = self.lane_index(lane_id)
        assert n is not None
        return QPoint(round(self.x_of(at)), self.lane_top(n) + self.lanes[n].height // 2)

    def scroll_to_morning(self) -> None:
        """Show the shop's morning (or the day's first booking, if earlier)."""
        if self.schedule is None or self.zone is None:
            return
        morning = next((m.at for m in self.marks
                        if m.at.astimezone(self.zone).hour >= OPEN_AT_HOUR), self.day_start)
        first = min((b.item.starts_at for b in self.blocks if b.item.starts_at is not None),
                    default=morning)
        start = max(min(morning, first - timedelta(minutes=30)), self.day_start)
        self.scroll_to_time(start)

    def scroll_to_time(self, at: datetime) -> None:
        hours = (at - self.day_start).total_seconds() / 3600
        self.horizontalScrollBar().setValue(round(hours * PX_PER_HOUR))

    def ensure_visible(self, block: Block) -> None:
        rect = self.block_rect(block)
        port = self.viewport().rect()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        if rect.left() < LANE_W:
            h.setValue(h.value() - round(LANE_W - rect.left()) - PAD)
        elif rect.right() > port.right():
            h.setValue(h.value() + round(min(rect.right() - port.right(),
                                             rect.left() - LANE_W)) + PAD)
        if rect.top() < HEADER_H:
            v.setValue(v.value() - round(HEADER_H - rect.top()) - 3)
        elif rect.bottom() > port.bottom():
            v.setValue(v.value() + round(rect.bottom() - port.bottom()) + 3)

    # --- selection ----------------------------------------------------------------------
    def select(self, item_id: str | None) -> None:
        if item_id == self.selected_id:
            return
        self.selected_id = item_id
        if item_id is not None:
            block = self.block_of(item_id)
            if block is not None:
                self.ensure_visible(block)
        self.selection_changed.emit(item_id or "")
        self.viewport().update()

    def selected_item(self) -> ScheduleItem | None:
        block = self.block_of(self.selected_id) if self.selected_id else None
        return block.item if block is not None else None

    # --- words --------------------------------------------------------------------------
    def clock(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%H:%M")

    def span(self, starts_at: datetime, ends_at: datetime) -> str:
        return f"{self.clock(starts_at)}–{self.clock(ends_at)}"

    def other_name(self, item: ScheduleItem) -> str:
        """In bay lanes the technician's name, in technician lanes the bay's."""
        if self.schedule is None:
            return ""
        if self.mode == "bay":
            wanted, lanes = item.technician_id, self.schedule.by_technician
        else:
            wanted, lanes = item.bay_id, self.schedule.by_bay
        if wanted is None:
            return ""
        return next((lane.name for lane in lanes if lane.id == wanted), "")

    def describe(self, item: ScheduleItem) -> str:
        assert item.starts_at is not None and item.ends_at is not None
        parts = [self.span(item.starts_at, item.ends_at), item.customer or "No customer"]
        car = " ".join(p for p in (item.vehicle, item.plate) if p)
        if car:
            parts.append(car)
        other = self.other_name(item)
        if other:
            parts.append(other)
        parts.append(STATUS_WORDS.get(item.status, item.status))
        if item.job_number:
            parts.append(f"job {item.job_number}")
        if item.notes:
            parts.append(item.notes)
        return " · ".join(parts)

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self.viewport())
        try:
            paint(self, p)
        finally:
            p.end()

    # --- the mouse ----------------------------------------------------------------------
    def _edge(self, block: Block, pos: QPointF) -> str:
        rect = self.block_rect(block)
        if block.item.status not in MOVABLE:
            return "none"
        grab = min(EDGE, rect.width() / 4)
        if pos.x() >= rect.right() - grab:
            return "end"
        if pos.x() <= rect.left() + grab:
            return "start"
        return "move"

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton or self.schedule is None:
            super().mousePressEvent(event)
            return
        pos = event.position()
        block = self.block_at(pos)
        if block is not None:
            self.select(block.item.id)
            item = block.item
            self._drag = {"kind": self._edge(block, pos), "id": item.id, "press": pos,
                          "starts": item.starts_at, "ends": item.ends_at, "lane": block.lane,
                          "active": False}
        else:
            lane = self.lane_at(pos.y())
            if lane is not None and pos.x() >= LANE_W:
                self._drag = {"kind": "create", "id": None, "press": pos, "lane": lane,
                              "active": False}
            self.select(None)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        drag = self._drag
        if drag is None:
            block = self.block_at(pos)
            edge = self._edge(block, pos) if block is not None else ""
            shape = (Qt.CursorShape.SizeHorCursor if edge in ("start", "end") else
                     Qt.CursorShape.OpenHandCursor if edge == "move" else
                     Qt.CursorShape.ArrowCursor)
            self.viewport().setCursor(shape)
            return
        press = drag["press"]
        assert isinstance(press, QPointF)
        if not drag["active"]:
            if (pos - press).manhattanLength() < QApplication.startDragDistance():
                return
            if drag["kind"] == "none":
                return
            drag["active"] = True
        self.ghost = self._ghost(drag, pos)
        self.viewport().update()

    def _ghost(self, drag: dict[str, object], pos: QPointF) -> Ghost:
        kind = drag["kind"]
        press = drag["press"]
        assert isinstance(press, QPointF)
        if kind == "create":
            lane = drag["lane"]
            assert isinstance(lane, int)
            a, b = self.snap(self.time_at(press.x())), self.snap(self.time_at(pos.x()))
            start, end = min(a, b), max(a, b)
            if end == start:
                end = min(start + SNAP, self.day_end)
                start = end - SNAP
            return Ghost(None, start, end, lane)
        starts, ends, lane = drag["starts"], drag["ends"], drag["lane"]
        assert isinstance(starts, datetime) and isinstance(ends, datetime)
        assert isinstance(lane, int)
        item_id = str(drag["id"])
        if kind == "move":
            delta = timedelta(hours=(pos.x() - press.x()) / PX_PER_HOUR)
            new_start = self.snap(starts + delta)
            new_lane = self.lane_at(pos.y())
            return Ghost(item_id, new_start, new_start + (ends - starts),
                         lane if new_lane is None else new_lane)
        if kind == "end":
            end = max(self.snap(self.time_at(pos.x())), starts + SNAP)
            return Ghost(item_id, starts, end, lane)
        start = min(self.snap(self.time_at(pos.x())), ends - SNAP)
        return Ghost(item_id, start, ends, lane)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self._drag = self._drag, None
        ghost, self.ghost = self.ghost, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        if not drag["active"] or ghost is None:
            self.viewport().update()
            return
        lane_id = self.lanes[ghost.lane].lane.id
        if ghost.item_id is None:
            self.viewport().update()
            self.create_requested.emit(ghost.starts_at, ghost.ends_at, lane_id)
            return
        block = self.block_of(ghost.item_id)
        if block is not None and block.lane == ghost.lane and (
                ghost.starts_at, ghost.ends_at) == (block.item.starts_at, block.item.ends_at):
            self.viewport().update()
            return  # dropped where it was
        self.pending = ghost
        self.viewport().update()
        self.change_requested.emit(ghost.item_id, ghost.starts_at, ghost.ends_at, lane_id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.schedule is None or event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        self._drag = None
        block = self.block_at(pos)
        if block is not None:
            self.edit_requested.emit(block.item.id)
            return
        lane = self.lane_at(pos.y())
        if lane is not None and pos.x() >= LANE_W:
            start = self.snap(self.time_at(pos.x()) - SNAP)
            end = min(start + timedelta(hours=1), self.day_end)
            self.create_requested.emit(start, end, self.lanes[lane].lane.id)

    def cancel_pending(self) -> None:
        """The write was refused: the block goes back where it is."""
        self.pending = None
        self.viewport().update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if self.schedule is None:
            return
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self.open_menu_for_selection()
            return
        pos = QPointF(event.pos())
        block = self.block_at(pos)
        if block is not None:
            self.select(block.item.id)
        lane = self.lane_at(pos.y())
        lane_id = self.lanes[lane].lane.id if lane is not None else None
        self.menu_requested.emit(block.item.id if block else "",
                                 self.snap(self.time_at(max(pos.x(), LANE_W))), lane_id,
                                 event.globalPos())

    def open_menu_for_selection(self) -> None:
        """The context menu from the keyboard (menu key, Shift+F10): at the selected block,
        or at the first lane's current view when nothing is selected."""
        block = self.block_of(self.selected_id) if self.selected_id else None
        if block is not None:
            rect = self.block_rect(block)
            at = self.viewport().mapToGlobal(rect.center().toPoint())
            self.menu_requested.emit(block.item.id, block.item.starts_at,
                                     self.lanes[block.lane].lane.id, at)
            return
        if not self.lanes:
            return
        start = self.snap(self.time_at(LANE_W + PX_PER_HOUR / 2))
        at = self.viewport().mapToGlobal(self.slot_point(start, self.lanes[0].lane.id))
        self.menu_requested.emit("", start, self.lanes[0].lane.id, at)

    def viewportEvent(self, ev: QEvent) -> bool:  # noqa: N802
        if isinstance(ev, QHelpEvent) and ev.type() == QEvent.Type.ToolTip:
            block = self.block_at(QPointF(ev.pos()))
            if block is not None:
                QToolTip.showText(ev.globalPos(), self.describe(block.item), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(ev)

    # --- the keyboard -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Arrows select; Alt+arrows move the selected appointment (a quarter hour, or a
        lane); Alt+Shift+Left/Right make it shorter/longer; Enter opens it."""
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        K = Qt.Key
        if key == K.Key_Insert or (alt and key in (K.Key_PageUp, K.Key_PageDown)):
            event.ignore()  # the board's keys (new appointment, another day)
            return
        block = self.block_of(self.selected_id) if self.selected_id else None
        if key in (K.Key_Return, K.Key_Enter) and block is not None:
            self.edit_requested.emit(block.item.id)
        elif key == K.Key_Menu or (key == K.Key_F10 and shift):
            self.open_menu_for_selection()
        elif alt and block is not None and key in (K.Key_Left, K.Key_Right, K.Key_Up,
                                                     K.Key_Down):
            self.nudge(block, key, resize=shift)
        elif key in (K.Key_Left, K.Key_Right, K.Key_Up, K.Key_Down, K.Key_Home, K.Key_End):
            self._walk(block, key)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def nudge(self, block: Block, key: int, *, resize: bool = False) -> None:
        """The keyboard's move: a quarter hour earlier/later, a lane up/down, or (resize)
        a quarter hour shorter/longer. The same request as a drag."""
        item = block.item
        if item.status not in MOVABLE:
            return
        assert item.starts_at is not None and item.ends_at is not None
        K = Qt.Key
        start, end, lane = item.starts_at, item.ends_at, block.lane
        if self.pending is not None and self.pending.item_id == item.id:
            # a key pressed again before the last one's write was read back builds on it
            start, end, lane = self.pending.starts_at, self.pending.ends_at, self.pending.lane
        before = (start, end, lane)
        step = SNAP if key == K.Key_Right else -SNAP
        if key in (K.Key_Left, K.Key_Right):
            if resize:
                end = max(end + step, start + SNAP)
            else:
                start, end = start + step, end + step
        else:
            lane = max(0, min(len(self.lanes) - 1, lane + (1 if key == K.Key_Down else -1)))
        if (start, end, lane) == before:
            return
        self.pending = Ghost(item.id, start, end, lane)
        self.viewport().update()
        self.change_requested.emit(item.id, start, end, self.lanes[lane].lane.id)

    def _walk(self, block: Block | None, key: int) -> None:
        order = sorted(self.blocks, key=lambda b: (b.lane, b.item.starts_at, b.row))
        if not order:
            return
        K = Qt.Key
        if block is None:
            self.select(order[0].item.id if key != K.Key_End else order[-1].item.id)
            return
        if key in (K.Key_Home, K.Key_End):
            same = [b for b in order if b.lane == block.lane]
            self.select((same[0] if key == K.Key_Home else same[-1]).item.id)
            return
        if key in (K.Key_Left, K.Key_Right):
            same = [b for b in order if b.lane == block.lane]
            n = same.index(block) + (1 if key == K.Key_Right else -1)
            if 0 <= n < len(same):
                self.select(same[n].item.id)
            return
        step = 1 if key == K.Key_Down else -1
        lane = block.lane + step
        assert block.item.starts_at is not None
        while 0 <= lane < len(self.lanes):
            there = [b for b in order if b.lane == lane]
            if there:
                at = block.item.starts_at
                best = min(there, key=lambda b: abs((b.item.starts_at or at) - at))
                self.select(best.item.id)
                return
            lane += step

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """The wheel runs along the day when the lanes fit (or with Shift): half an hour a
        notch."""
        delta = event.angleDelta()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if delta.x() == 0 and (shift or self.verticalScrollBar().maximum() == 0):
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(delta.y() * PX_PER_HOUR / 240))
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.schedule is not None:
            self._layout()
        else:
            self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(900, 480)
