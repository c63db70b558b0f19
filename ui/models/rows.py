"""A list model over plain rows: ids in order plus a cache of row objects by id.

``set_rows`` takes a fresh read and changes only what differs: removed rows are removed,
new rows inserted, a changed row is one ``dataChanged``, a new order is a layout change
that carries the persistent indexes along. So a view keeps its selection, scroll position
and focus through a live refresh, and repaints only the cards that changed.

Drag and drop goes through the model: ``mimeData`` carries the job ids; ``dropMimeData``
calls the drop handler (the same operation as the keyboard path) and returns False — the
model never moves a row itself; the change hub repaints after the write, so a refused move
leaves nothing to undo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ui.qt import QAbstractListModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt

#: The row object of an index.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: The row's id (a job id on the boards).
ID_ROLE = Qt.ItemDataRole.UserRole + 2

#: Drag and drop of job cards between the boards' columns.
JOB_MIME = "application/x-bayline-job-ids"

DropHandler = Callable[[list[str]], None]
Index = QModelIndex | QPersistentModelIndex


def encode_ids(ids: Sequence[str]) -> QMimeData:
    data = QMimeData()
    data.setData(JOB_MIME, QByteArray("\n".join(ids).encode("utf-8")))
    data.setText(", ".join(ids))
    return data


def decode_ids(data: QMimeData | None) -> list[str]:
    if data is None or not data.hasFormat(JOB_MIME):
        return []
    raw = bytes(data.data(JOB_MIME).data()).decode("utf-8")
    return [i for i in raw.split("\n") if i]


class RowListModel(QAbstractListModel):
    """See the module docstring. ``key(row)`` is a row's id; ``text(row)`` its display."""

    def __init__(self, key: Callable[[Any], str], text: Callable[[Any], str] = str, *,
                 on_drop: DropHandler | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._key = key
        self._text = text
        self._ids: list[str] = []
        self._rows: dict[str, Any] = {}
        self._last: tuple[Any, ...] = ()
        self.on_drop = on_drop

    # --- reading ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row_id = self._ids[index.row()]
        if role == ROW_ROLE:
            return self._rows[row_id]
        if role == ID_ROLE:
            return row_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return self._text(self._rows[row_id])
        return None

    def ids(self) -> list[str]:
        return list(self._ids)

    def row(self, row_id: str) -> Any:
        return self._rows.get(row_id)

    def index_of(self, row_id: str) -> QModelIndex:
        try:
            return self.index(self._ids.index(row_id), 0)
        except ValueError:
            return QModelIndex()

    # --- replacing the rows, changing only what differs -----------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = tuple(rows)
        if rows == self._last:
            return  # the usual refresh: nothing in this column changed (one C comparison)
        self._last = rows
        new_ids = [self._key(r) for r in rows]
        new_rows = dict(zip(new_ids, rows, strict=True))
        root = QModelIndex()
        # 1. removals, in runs from the end
        i = len(self._ids) - 1
        while i >= 0:
            if self._ids[i] in new_rows:
                i -= 1
                continue
            j = i
            while j > 0 and self._ids[j - 1] not in new_rows:
                j -= 1
            self.beginRemoveRows(root, j, i)
            for gone in self._ids[j:i + 1]:
                self._rows.pop(gone, None)
            del self._ids[j:i + 1]
            self.endRemoveRows()
            i = j - 1
        # 2. a new order of the rows that stay: one layout change, selection carried along
        kept = set(self._ids)
        in_new_order = [x for x in new_ids if x in kept]
        if in_new_order != self._ids:
            self.layoutAboutToBeChanged.emit()
            persistent = self.persistentIndexList()
            moved_ids = [self._ids[p.row()] for p in persistent]
            self._ids = in_new_order
            where = {row_id: n for n, row_id in enumerate(self._ids)}
            self.changePersistentIndexList(persistent,
                                           [self.index(where[m], 0) for m in moved_ids])
            self.layoutChanged.emit()
        # 3. changed rows: one dataChanged each
        for n, row_id in enumerate(self._ids):
            if self._rows[row_id] != new_rows[row_id]:
                self._rows[row_id] = new_rows[row_id]
                idx = self.index(n, 0)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole, ROW_ROLE])
        # 4. insertions, in runs (the kept rows are now a subsequence of new_ids)
        k = n = 0
        while n < len(new_ids):
            if k < len(self._ids) and self._ids[k] == new_ids[n]:
                k += 1
                n += 1
                continue
            m = n
            while m < len(new_ids) and (k >= len(self._ids) or new_ids[m] != self._ids[k]):
                m += 1
            self.beginInsertRows(root, k, k + (m - n) - 1)
            self._ids[k:k] = new_ids[n:m]
            for row_id in new_ids[n:m]:
                self._rows[row_id] = new_rows[row_id]
            self.endInsertRows()
            k += m - n
            n = m

    # --- drag and drop ------------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.on_drop else Qt.ItemFlag.NoItemFlags
        return base | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [JOB_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [self._ids[i.row()] for i in indexes if i.isValid() and i.row() < len(self._ids)]
        return encode_ids(list(dict.fromkeys(ids)))

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        ids = decode_ids(data)
        # a card dropped back on its own column is not a move
        return bool(self.on_drop and ids and any(i not in self._rows for i in ids))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        ids = decode_ids(data)
        if self.on_drop is not None and action != Qt.DropAction.IgnoreAction:
            moving = [i for i in ids if i not in self._rows]
            if moving:
                self.on_drop(moving)
        return False  # never move the row here: the hub repaints after the write
