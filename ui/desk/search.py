"""The desk's one search field (Ctrl+F anywhere): customers by name or phone, vehicles by
plate or VIN, jobs by number, as you type.

Every keystroke asks ``app.queries.search.search`` on the read worker with the key
``"search"``: a newer keystroke's read supersedes an older one, whose result is dropped
by the worker, never shown over the newer. There is no typing delay. The results hang
under the field in a list that never takes the focus, so typing goes on while Up/Down
(Page Up/Down, Home/End with Ctrl) move the highlighted hit and Enter opens it: a job in
the detail panel, a customer or vehicle in the check-in. The last row is always "New
customer and vehicle", for whoever is not found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.changes import Changes
from app.queries.search import REBUILD_OVER, SearchHit, SearchIndex
from ui.application import color
from ui.models.rows import ROW_ROLE, RowListModel
from ui.qt import (
    QAbstractItemView,
    QEvent,
    QFont,
    QFontMetrics,
    QFrame,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListView,
    QModelIndex,
    QObject,
    QPainter,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: The kind of the last row, "New customer and vehicle".
NEW_KIND = "new"
#: The entities the search looks in.
INDEXED = ("customer", "vehicle", "job")
#: Hits shown at most (the query's limit).
LIMIT = 12
KIND_WORDS = {"customer": "Customer", "vehicle": "Vehicle", "job": "Job", NEW_KIND: "New"}
KIND_COLOURS = {"customer": "#1f6feb", "vehicle": "#2e7d32", "job": "#7b3fe4",
                NEW_KIND: "#5b6775"}
MATCHED_WORDS = {"name": "name", "phone": "phone", "plate": "plate", "vin": "VIN",
                 "number": "job number"}
ROW_HEIGHT = 46
POPUP_WIDTH = 560


def _refreshed_search(session: Any, index: SearchIndex,
                      changed: dict[str, frozenset[str]] | None,
                      query: Callable[..., tuple[SearchHit, ...]], text: str,
                      **kwargs: Any) -> tuple[SearchHit, ...]:
    """On the read worker: the index told of the rows changed (``None``: built again),
    then the search."""
    if changed is None:
        index.build(session)
    elif changed:
        index.refresh(session, changed)
    return query(session, text, **kwargs)


def new_hit(text: str) -> SearchHit:
    """The last row: check in someone the search did not find (``text`` prefills it)."""
    detail = (f"Not found? Check in “{text}” as a new customer" if text.strip()
              else "Someone who is not in the shop's records yet")
    return SearchHit(NEW_KIND, "", "New customer and vehicle…", detail, "", 0)


def hit_key(hit: SearchHit) -> str:
    return f"{hit.kind}:{hit.id}"


def hit_text(hit: SearchHit) -> str:
    """What a screen reader says (and the tooltip)."""
    return f"{KIND_WORDS.get(hit.kind, hit.kind)}: {hit.title}. {hit.detail}"


class HitDelegate(QStyledItemDelegate):
    """A hit in two lines: its kind as a coloured tag, the title in bold, the detail and
    which field matched below."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[str, Any] = {}

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(POPUP_WIDTH - 20, max(ROW_HEIGHT, QFontMetrics(option.font).height() * 2
                                           + 14))

    def _fonts(self, font: QFont) -> tuple[QFont, QFont, QFont, QFontMetrics, QFontMetrics,
                                          QFontMetrics, int]:
        """(bold, small, the tag's, metrics of small, of the tag, of bold, tag width), made
        once per font: a keystroke repaints a dozen rows."""
        key = font.key()
        made = self._cache.get(key)
        if made is None:
            bold = QFont(font)
            bold.setBold(True)
            small = QFont(font)
            small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
            tag_font = QFont(small)
            tag_font.setBold(True)
            fm_tag = QFontMetrics(tag_font)
            tag_w = max(fm_tag.horizontalAdvance(w) for w in KIND_WORDS.values()) + 14
            made = self._cache[key] = (bold, small, tag_font, QFontMetrics(small), fm_tag,
                                       QFontMetrics(bold), tag_w)
        return made

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        hit: SearchHit | None = index.data(ROW_ROLE)
        if hit is None:
            return
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, color("card_selected") if selected else color("card"))
        if selected:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()),
                             color("highlight"))
        bold, small, tag_font, fm_small, fm_tag, fm_bold, tag_w = self._fonts(option.font)
        word = KIND_WORDS.get(hit.kind, hit.kind)
        line_h = fm_bold.height()
        top = rect.top() + (rect.height() - line_h * 2 - 2) // 2
        tag = QRect(rect.left() + 12, top + 1, tag_w, fm_tag.height() + 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color("column"))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setFont(tag_font)
        painter.setPen(color_of(hit.kind))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, word)
        left = tag.right() + 12
        width = rect.right() - left - 10
        painter.setFont(bold)
        painter.setPen(color("text"))
        title = fm_bold.elidedText(hit.title, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(left, top, width, line_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small)
        painter.setPen(color("muted"))
        matched = MATCHED_WORDS.get(hit.matched, "")
        if matched:
            right_w = fm_small.horizontalAdvance(f"by {matched}") + 4
            painter.drawText(QRect(rect.right() - right_w - 10, top, right_w, line_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"by {matched}")
        detail = fm_small.elidedText(hit.detail, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(left, top + line_h + 2, width, line_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
        painter.setPen(color("card_border"))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        painter.restore()


def color_of(kind: str) -> Any:
    from ui.qt import QColor

    return QColor(KIND_COLOURS.get(kind, "#5b6775"))


class SearchPopup(QFrame):
    """The results under the field: a list that never takes the focus from the field."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("searchPopup")
        self.setStyleSheet("QFrame#searchPopup { background: #ffffff; border: 1px solid "
                           "#8a96a6; border-radius: 6px; } QLabel#searchStatus { color: "
                           "#5b6775; padding: 6px 12px; }")
        self.model = RowListModel(hit_key, hit_text, parent=self)
        self.view = QListView(self)
        self.view.setObjectName("searchResults")
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.model)
        self.view.setItemDelegate(HitDelegate(self.view))
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setUniformItemSizes(True)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        hint = QLabel("↑ ↓ to choose · Enter to open · Esc to close", self)
        hint.setObjectName("searchStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)
        self.hide()

    def current_hit(self) -> SearchHit | None:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def step(self, delta: int) -> None:
        rows = self.model.rowCount()
        if not rows:
            return
        row = self.view.currentIndex().row()
        row = max(0, min(rows - 1, (row if row >= 0 else -1) + delta))
        self.view.setCurrentIndex(self.model.index(row, 0))

    def place(self, under: QWidget) -> None:
        """Under ``under`` (the field), as wide as POPUP_WIDTH, as tall as its rows."""
        host = self.parentWidget()
        assert host is not None
        at = under.mapTo(host, QPoint(0, under.height() + 2))
        rows = min(self.model.rowCount(), 9)
        height = rows * self.view.sizeHintForRow(0) if rows else 0
        height += self.status.sizeHint().height() * 2 + 4
        width = max(POPUP_WIDTH, under.width())
        x = max(4, min(at.x(), host.width() - width - 4))
        self.setGeometry(x, at.y(), width, min(height, host.height() - at.y() - 8))
        self.raise_()


class GlobalSearch(QLineEdit):
    """The search field; ``opened(hit)`` when a hit is opened (Enter or a click)."""

    #: A hit was opened: (SearchHit,). A hit of kind ``NEW_KIND`` carries no id.
    opened = Signal(object)
    #: A result was shown: (text searched, hits). Tests and the bench wait on it.
    shown = Signal(str, object)

    def __init__(self, worker: Any, window: QWidget, parent: QWidget | None = None, *,
                 hub: Any = None,
                 query: Callable[..., tuple[SearchHit, ...]] | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        #: The customers', vehicles' and jobs' keys in memory, kept on the read worker
        #: (``app.queries.search.SearchIndex``: the answer of ``search``, in milliseconds).
        self.index = SearchIndex()
        #: The read each keystroke asks; a test may slow it down.
        self.query = query or self.index.search
        #: Rows changed since the index last heard of them (entity → ids); None: too
        #: many, build it again. Handed to the next keystroke's read, which refreshes
        #: the index before it searches; kept until a read that carried them came back
        #: (a read superseded before it ran would lose them otherwise).
        self.pending: dict[str, set[str]] | None = {}
        if hub is not None:
            pending_ref = self

            def changed(changes: Changes) -> None:
                if not changes.touches(*INDEXED) or pending_ref.pending is None:
                    return
                for entity in INDEXED:
                    pending_ref.pending.setdefault(entity, set()).update(
                        changes.rows.get(entity, ()))
                if sum(len(v) for v in pending_ref.pending.values()) > REBUILD_OVER:
                    pending_ref.pending = None

            hub.subscribe(changed)
            self.destroyed.connect(lambda *_: hub.unsubscribe(changed))
        self.setObjectName("globalSearch")
        self.setPlaceholderText("Search customer, phone, plate, VIN, job no.  (Ctrl+F)")
        self.setAccessibleName("Search customers, vehicles and jobs")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(340)
        self.popup = SearchPopup(window)
        self.popup.view.clicked.connect(self._clicked)
        self._return_to: QWidget | None = None
        self.textChanged.connect(self._typed)
        self.installEventFilter(self)

    # --- what the window calls ---------------------------------------------------------
    def start(self) -> None:
        """Ctrl+F: the focus here, the text selected (typing replaces it)."""
        focus = self.window().focusWidget()
        if focus is not None and focus is not self:
            self._return_to = focus
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
        if self.text().strip() and self.popup.model.rowCount():
            self._show_popup()

    def close_results(self) -> None:
        self.popup.hide()

    # --- typing -----------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        # One read per keystroke, no delay; the worker drops a result that a newer read of
        # the same key superseded (see the module docstring).
        carried = (None if self.pending is None else
                   {e: frozenset(ids) for e, ids in self.pending.items() if ids})
        self.worker.read(_refreshed_search, self.index, carried, self.query, text,
                         limit=LIMIT, key="search",
                         on_done=lambda hits, t=text, c=carried: self._answered(t, hits, c))

    def _answered(self, text: str, hits: tuple[SearchHit, ...],
                  carried: dict[str, frozenset[str]] | None) -> None:
        if carried is None:
            if self.pending is None:
                self.pending = {}
        elif self.pending is not None:
            for entity, ids in carried.items():
                self.pending.get(entity, set()).difference_update(ids)
        self._show(text, hits)

    def _show(self, text: str, hits: tuple[SearchHit, ...]) -> None:
        if not text.strip():
            self.popup.model.set_rows(())
            self.popup.hide()
            self.shown.emit(text, hits)
            return
        rows = (*hits, new_hit(text.strip()))
        self.popup.model.set_rows(rows)
        self.popup.view.setCurrentIndex(self.popup.model.index(0, 0))
        self.popup.view.scrollToTop()
        found, shown_text = len(hits), text.strip()
        if not found:
            words = f"Nothing found for “{shown_text}”"
        elif found >= LIMIT:
            words = f"The best {found} for “{shown_text}”: type more to narrow them"
        else:
            words = f"{found} found for “{shown_text}”"
        self.popup.status.setText(words)
        if self.hasFocus():
            self._show_popup()
        self.shown.emit(text, hits)

    def _show_popup(self) -> None:
        self.popup.place(self)
        self.popup.show()

    # --- keys -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        if watched is self and event.type() == QEvent.Type.FocusOut:
            reason = getattr(event, "reason", lambda: None)()
            if reason != Qt.FocusReason.PopupFocusReason:
                self.popup.hide()
        return False

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        steps: dict[Any, int] = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8,
                 Qt.Key.Key_PageUp: -8}
        if key in steps and self.popup.model.rowCount():
            if not self.popup.isVisible():
                self._show_popup()
            else:
                self.popup.step(steps[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            hit = self.popup.current_hit() if self.popup.isVisible() else None
            if hit is not None:
                self._open(hit)
            return True
        if key == Qt.Key.Key_Escape:
            if self.popup.isVisible():
                self.popup.hide()
            else:
                self.clear()
                back = self._return_to
                if back is not None:
                    back.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False

    def _clicked(self, index: QModelIndex) -> None:
        hit = index.data(ROW_ROLE)
        if hit is not None:
            self._open(hit)

    def _open(self, hit: SearchHit) -> None:
        self.popup.hide()
        self.opened.emit(hit)
