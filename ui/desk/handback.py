"""Hand-back: take the payment (cash, card, account, other; card processing itself is out
of scope), close the job in the same operation (``app.ops.payments.close_with_payment``),
then offer the invoice: "Print invoice / Save PDF" (``ui.desk.printing.print_job``, the print
feature's; until it is there the dialog says so)."""

from __future__ import annotations

from typing import Any

from app import rules, validators
from app.changes import Changes
from app.errors import BaylineError, ValidationError
from app.ops import payments
from app.queries.editor import EditorData
from ui.desk.context import DeskContext
from ui.desk.fields import money_text, parse_money
from ui.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

METHOD_LABELS = {"cash": "Cash", "card": "Card", "account": "On account", "other": "Other"}
PRINT_MISSING = "Printing comes with the print feature."


def _red(label: QLabel) -> QLabel:
    label.setObjectName("fieldMessage")
    label.setWordWrap(True)
    label.hide()
    return label


class HandBackDialog(QDialog):
    """See the module docstring. ``closed_job`` is emitted once the job is closed."""

    closed_job = Signal(str)

    def __init__(self, ctx: DeskContext, data: EditorData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data = data
        self.job_id = data.job_id
        self.payment_id: str | None = None
        self.setObjectName("handBackDialog")
        self.setWindowTitle(f"Hand back job {data.number}")
        self.setMinimumWidth(440)
        col = QVBoxLayout(self)
        head = QLabel(f"<b>Job {data.number}</b> · {data.customer or 'no customer'}<br>"
                      f"Total <b>{money_text(data.totals.total_cents)}</b>"
                      + (f" · paid {money_text(data.paid_cents)} · balance "
                         f"<b>{money_text(data.balance_cents)}</b>" if data.payments else ""),
                      self)
        head.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(head)
        form = QFormLayout()
        self.method = QComboBox(self)
        self.method.setObjectName("paymentMethod")
        for method in rules.PAYMENT_METHODS:
            self.method.addItem(METHOD_LABELS.get(method, method), method)
        self.method_message = _red(QLabel(self))
        form.addRow("Paid by", self.method)
        form.addRow("", self.method_message)
        self.amount = QLineEdit(money_text(max(0, data.balance_cents)), self)
        self.amount.setObjectName("paymentAmount")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount_message = _red(QLabel(self))
        form.addRow("Amount taken", self.amount)
        form.addRow("", self.amount_message)
        col.addLayout(form)
        self.message = _red(QLabel(self))
        col.addWidget(self.message)
        self.done_label = QLabel(self)
        self.done_label.setObjectName("handBackDone")
        self.done_label.setWordWrap(True)
        self.done_label.hide()
        col.addWidget(self.done_label)
        self.print_message = QLabel(self)
        self.print_message.setObjectName("hint")
        self.print_message.hide()
        col.addWidget(self.print_message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.record_button = QPushButton("Record payment and close job", self)
        self.record_button.setObjectName("recordPayment")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        self.print_button = QPushButton("Print invoice / Save PDF", self)
        self.print_button.setObjectName("printInvoice")
        self.print_button.clicked.connect(self.print_invoice)
        self.print_button.hide()
        self.close_button = QPushButton("Cancel", self)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.record_button)
        row.addWidget(self.print_button)
        row.addWidget(self.close_button)
        col.addLayout(row)
        if not rules.can_move(data.status, "closed"):
            self.record_button.setEnabled(False)
            self.message.setText(rules.describe_refused_move(data.status, "closed"))
            self.message.show()
        self.amount.selectAll()
        self.amount.setFocus()

    def _check(self) -> tuple[str, int] | None:
        """The method and amount through the domain's rules; None with the message beside
        the field that is wrong."""
        for label in (self.method_message, self.amount_message, self.message):
            label.hide()
        method = self.method.currentData()
        try:
            cents = parse_money(self.amount.text())
            validators.validate_field("payment", "amount_cents", cents)
        except ValueError as exc:
            self._show(self.amount_message, str(exc))
            return None
        except ValidationError as exc:
            self._show(self.amount_message, exc.message)
            return None
        try:
            validators.validate_field("payment", "method", method)
        except ValidationError as exc:
            self._show(self.method_message, exc.message)
            return None
        return method, cents

    def _show(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def record(self) -> None:
        checked = self._check()
        if checked is None:
            return
        method, cents = checked
        self.record_button.setEnabled(False)
        self.ctx.worker.write(payments.close_with_payment, self.job_id, method=method,
                              amount_cents=cents, on_done=self._recorded,
                              on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.record_button.setEnabled(True)
        text = exc.message if isinstance(exc, BaylineError) else "The payment was not saved."
        field = exc.field if isinstance(exc, ValidationError) else None
        target = {"amount_cents": self.amount_message,
                  "method": self.method_message}.get(field or "", self.message)
        self._show(target, text)

    def _recorded(self, changes: Changes) -> None:
        self.payment_id = str(changes.result)
        method = METHOD_LABELS.get(self.method.currentData(), "")
        self.done_label.setText(f"Job {self.data.number} is closed. {self.amount.text()} taken "
                                f"({method.lower()}).")
        self.done_label.show()
        for w in (self.method, self.amount, self.record_button):
            w.setEnabled(False)
        self.record_button.hide()
        self.print_button.show()
        self.print_button.setDefault(True)
        self.print_button.setFocus()
        self.close_button.setText("Done")
        self.closed_job.emit(self.job_id)

    def print_invoice(self) -> Any:
        """The print feature's invoice (print or PDF); imported only when asked for."""
        try:
            from ui.desk.printing import print_job
        except ImportError:
            self.print_message.setText(PRINT_MISSING)
            self.print_message.show()
            return None
        return print_job(self, self.ctx, self.job_id, kind="invoice")
