"""Form fields with no Save button: a field commits when it loses focus or on Enter, Esc
reverts it, and a message from the domain's own rules sits beside it.

Each field knows the value last stored (``stored``) and the value the person started from
(``base``). While the widget shows something other than ``base`` the person is typing: a
newer stored value (another desk's edit, arriving through sync) is then never written over
the typing; the field says it changed and offers the new value (click to take it). Values
are checked with ``app.validators.validate_field`` before they are sent, so the message is
the one the server would give; the operation's own refusal lands in the same place
(``failed``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app import validators
from app.errors import ValidationError
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateTime,
    QDateTimeEdit,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTime,
    QVBoxLayout,
    QWidget,
    Signal,
)

_NOTHING: Any = object()


def money_text(cents: int | None) -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def parse_money(text: str) -> int:
    """"12.50", "$1,234.5", "-5" → cents; ``ValueError`` in words otherwise."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace("€", "").replace("£", "")
    if not cleaned:
        raise ValueError("Write an amount, like 12.50.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Write an amount, like 12.50.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("An amount has at most two decimals, like 12.50.")
    return int(amount * 100)


def parse_number(text: str) -> float:
    cleaned = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text \
        else text.strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError("Write a number, like 1.5.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("Write a number, like 1.5.")
    return value


def number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def parse_whole(text: str) -> int | None:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.lstrip("-").isdigit():
        raise ValueError("Write a whole number, like 120500.")
    return int(cleaned)


class Field(QWidget):
    """One field: its widget, the message beside it and the offer of a newer value."""

    #: The person committed a new value: (field name, value). The owner writes it.
    commit_requested = Signal(str, object)

    def __init__(self, name: str, widget: QWidget, *, entity: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.entity = entity
        self.widget = widget
        self.stored: Any = _NOTHING
        self.base: Any = _NOTHING
        self._before_commit: Any = _NOTHING
        self.offered: Any = _NOTHING
        self.setObjectName(f"field_{name}")
        widget.setParent(self)
        self.offer = QPushButton(self)
        self.offer.setObjectName("fieldOffer")
        self.offer.setCursor(Qt.CursorShape.PointingHandCursor)
        # a click on the offer must not take the focus from the typing: that would commit it
        self.offer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.offer.clicked.connect(self.take_offer)
        self.offer.hide()
        self.message = QLabel(self)
        self.message.setObjectName("fieldMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget, 1)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addLayout(row)
        col.addWidget(self.offer)
        col.addWidget(self.message)
        self.setFocusProxy(widget)

    # --- what a subclass provides ---------------------------------------------------------
    def read_widget(self) -> Any:
        """The widget's value; ``ValueError`` with words when it cannot be read."""
        raise NotImplementedError

    def show_value(self, value: Any) -> None:
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        return "empty" if value in (None, "") else str(value)

    def same(self, a: Any, b: Any) -> bool:
        """Whether two values are the same as far as this field shows them."""
        return bool(a == b)

    # --- the rules of every field ---------------------------------------------------------
    def editing(self) -> bool:
        """The person has typed something other than what they started from."""
        if self.base is _NOTHING:
            return False
        try:
            return not self.same(self.read_widget(), self.base)
        except ValueError:
            return True

    def load(self, value: Any) -> None:
        """Show ``value`` as stored, whatever is typed (another job or line was opened)."""
        self.stored = self.base = value
        self._before_commit = _NOTHING
        self.show_value(value)
        self.clear_message()
        self._hide_offer()

    def reset(self) -> None:
        """Forget the value (the editor is about to show another job)."""
        self.stored = self.base = self.offered = self._before_commit = _NOTHING
        self.clear_message()
        self._hide_offer()

    def set_stored(self, value: Any) -> None:
        """A fresh read says the stored value is ``value``: shown, unless the person is
        typing, who is then offered it instead."""
        if self.stored is _NOTHING:
            self.load(value)
            return
        if self.same(value, self.stored) and self.offered is _NOTHING:
            self.stored = value
            return
        self.stored = value
        if self._before_commit is not _NOTHING and self.same(value, self.base):
            self._before_commit = _NOTHING  # our own commit came back
        if not self.editing():
            self.base = value
            self.show_value(value)
            self._hide_offer()
            return
        if self.same(value, self.base) or self._matches_widget(value):
            self._hide_offer()
            return
        self.offered = value
        self.offer.setText(f"Changed on another desk to “{self.describe(value)}” — "
                           "click to take it")
        self.offer.setToolTip("Someone else changed this field while you were typing. Your "
                              "text is kept; Enter saves yours, this button takes theirs.")
        self.offer.show()

    def _matches_widget(self, value: Any) -> bool:
        try:
            return self.same(self.read_widget(), value)
        except ValueError:
            return False

    def take_offer(self) -> None:
        if self.offered is _NOTHING:
            return
        value = self.offered
        self.base = value
        self.show_value(value)
        self.clear_message()
        self._hide_offer()

    def revert(self) -> None:
        """Esc: back to the stored value, the message and any offer gone."""
        if self.stored is _NOTHING:
            return
        self.base = self.stored
        self._before_commit = _NOTHING
        self.show_value(self.stored)
        self.clear_message()
        self._hide_offer()

    def checked_value(self) -> Any:
        """The widget's value through the domain's rule; ``ValueError`` with its words."""
        value = self.read_widget()
        if self.entity is not None:
            try:
                value = validators.validate_field(self.entity, self.name, value)
            except ValidationError as exc:
                raise ValueError(exc.message) from None
        return value

    def commit(self) -> None:
        """Enter or focus out: check the value and ask the owner to write it."""
        if self.stored is _NOTHING or not self.isEnabled():
            return
        try:
            value = self.checked_value()
        except ValueError as exc:
            self.show_message(str(exc))
            return
        self.clear_message()
        if self.same(value, self.stored):
            self.base = value
            self.show_value(value)  # tidied, as it is stored
            self._hide_offer()
            return
        self._before_commit = self.stored
        self.base = value
        self.show_value(value)
        self._hide_offer()
        self.commit_requested.emit(self.name, value)

    def failed(self, message: str) -> None:
        """The write was refused: the typing stays, with the reason beside it."""
        if self._before_commit is not _NOTHING:
            self.base = self._before_commit
            self._before_commit = _NOTHING
        self.show_message(message)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()
        self._mark(True)
        self.widget.setToolTip(text)

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()
        self._mark(False)
        self.widget.setToolTip("")

    def _mark(self, invalid: bool) -> None:
        """The red border of desk.qss (``[invalid="true"]``)."""
        if bool(self.widget.property("invalid")) == invalid:
            return
        self.widget.setProperty("invalid", invalid)
        style = self.widget.style()
        style.unpolish(self.widget)
        style.polish(self.widget)

    def _hide_offer(self) -> None:
        self.offered = _NOTHING
        self.offer.hide()


class _KeyFilter(QObject):
    """Esc on the widget reverts the field (and goes no further: a dialog stays open)."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.field = field

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            self.field.revert()
            return True
        return False


class TextField(Field):
    """A line of text (or a number, money, an odometer: ``parse``/``text`` say how)."""

    def __init__(self, name: str, *, entity: str | None = None,
                 parse: Callable[[str], Any] | None = None,
                 text: Callable[[Any], str] | None = None, placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(False)
        super().__init__(name, self.edit, entity=entity, parent=parent)
        self._parse = parse or (lambda t: t)
        self._text = text or (lambda v: "" if v is None else str(v))
        self.edit.editingFinished.connect(self.commit)
        self._keys = _KeyFilter(self)
        self.edit.installEventFilter(self._keys)

    def read_widget(self) -> Any:
        return self._parse(self.edit.text())

    def show_value(self, value: Any) -> None:
        self.edit.setText(self._text(value))
        self.edit.setCursorPosition(0)

    def describe(self, value: Any) -> str:
        return self._text(value) or "empty"


class ChoiceField(Field):
    """A pick from a list; committed as soon as it is picked."""

    def __init__(self, name: str, choices: Sequence[tuple[Any, str]], *,
                 entity: str | None = None, parent: QWidget | None = None) -> None:
        self.combo = QComboBox()
        super().__init__(name, self.combo, entity=entity, parent=parent)
        self.set_choices(choices)
        self.combo.activated.connect(lambda _i: self.commit())

    def set_choices(self, choices: Sequence[tuple[Any, str]],
                    disabled: Sequence[Any] = ()) -> None:
        current = self.stored
        self.combo.blockSignals(True)
        self.combo.clear()
        for value, label in choices:
            self.combo.addItem(label, value)
            if value in disabled:
                item = self.combo.model().item(self.combo.count() - 1)  # type: ignore[attr-defined]
                item.setEnabled(False)
        self.combo.blockSignals(False)
        if current is not _NOTHING:
            self.show_value(current)

    def read_widget(self) -> Any:
        return self.combo.currentData()

    def show_value(self, value: Any) -> None:
        i = self.combo.findData(value)
        self.combo.setCurrentIndex(i)

    def describe(self, value: Any) -> str:
        i = self.combo.findData(value)
        return self.combo.itemText(i) if i >= 0 else str(value)

    def editing(self) -> bool:
        return False  # a pick is committed at once: nothing is ever half-typed


class CheckField(Field):
    """Yes or no; committed as soon as it is clicked."""

    def __init__(self, name: str, text: str, *, entity: str | None = None,
                 parent: QWidget | None = None) -> None:
        self.box = QCheckBox(text)
        super().__init__(name, self.box, entity=entity, parent=parent)
        self.box.clicked.connect(lambda _c: self.commit())

    def read_widget(self) -> Any:
        return self.box.isChecked()

    def show_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def editing(self) -> bool:
        return False


class DateTimeField(Field):
    """A date and time in the desk's local time, stored as UTC; empty is allowed."""

    EMPTY_TEXT = "Not set"

    def __init__(self, name: str, *, entity: str | None = None,
                 parent: QWidget | None = None) -> None:
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.edit.setMinimumDateTime(QDateTime(QDate.currentDate().addYears(-5), QTime(0, 0)))
        self.edit.setSpecialValueText(self.EMPTY_TEXT)
        super().__init__(name, self.edit, entity=entity, parent=parent)
        self.edit.editingFinished.connect(self.commit)
        self._keys = _KeyFilter(self)
        self.edit.installEventFilter(self._keys)

    def read_widget(self) -> Any:
        value = self.edit.dateTime()
        if value == self.edit.minimumDateTime():
            return None
        return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)

    def show_value(self, value: Any) -> None:
        if value is None:
            self.edit.setDateTime(self.edit.minimumDateTime())
        else:
            self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(value.timestamp())))

    def same(self, a: Any, b: Any) -> bool:
        if a is None or b is None:
            return a is b
        return bool(a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0))

    def describe(self, value: Any) -> str:
        if value is None:
            return self.EMPTY_TEXT
        return value.astimezone().strftime("%a %d %b %H:%M")


__all__ = ["CheckField", "ChoiceField", "DateTimeField", "Field", "TextField", "money_text",
           "number_text", "parse_money", "parse_number", "parse_whole"]
