"""The repair order and the invoice on paper or as a PDF, with Qt's own printing.

One render function lays a job's document (``app.queries.documents.JobDocument``, read on
the database worker) out as a ``QTextDocument`` cut into pages, and paints those pages on
any device: a ``QPdfWriter`` (Save as PDF), a ``QPrinter`` (Print…) or a ``QImage`` (the
screenshot of the first page). The layout is made in units of 1/96 inch with design
metrics and scaled to the device, so the PDF, the paper and the picture break their pages
at the same lines. Nothing here computes money: every amount and total comes with the
document, by the shop's rule (``app.shopsettings``).

``save_pdf(data, path, kind)`` is pure rendering (no database); ``print_job(parent, ctx,
job_id, kind)`` reads the job on the worker, then offers Print… and Save as PDF….
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from app import rules
from app.queries.documents import JobDocument, job_document
from ui.desk.context import DeskContext
from ui.desk.detail import money
from ui.qt import (
    QAbstractTextDocumentLayout,
    QColor,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFont,
    QImage,
    QLabel,
    QLocale,
    QMarginsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QPointF,
    QPrintDialog,
    QPrinter,
    QPushButton,
    QRectF,
    QSizeF,
    QStandardPaths,
    Qt,
    QTextDocument,
    QTextTable,
    QVBoxLayout,
    QWidget,
)

#: kind → the document's title.
KINDS: dict[str, str] = {"order": "Repair order", "invoice": "Invoice"}
#: Layout units per inch (CSS pixels): the HTML's px and the page sizes are in these.
UNITS_PER_INCH = 96.0
MARGIN_MM = 15.0
#: Room kept under each page's text for its footer (page n of m), in layout units.
FOOTER = 28.0
#: Countries that print on US Letter; the rest of the world on A4.
LETTER_TERRITORIES = frozenset({QLocale.Country.UnitedStates, QLocale.Country.Canada,
                                QLocale.Country.Mexico, QLocale.Country.Philippines,
                                QLocale.Country.Chile, QLocale.Country.Colombia})
PAYMENT_WORDS = {"cash": "Cash", "card": "Card", "account": "On account", "other": "Other"}
APPROVAL_WORDS = {"approved": "Approved", "declined": "Declined", "pending": "Pending"}
KIND_WORDS = {"labor": "Labour", "part": "Part", "fee": "Fee"}


def page_size(locale: QLocale | None = None) -> QPageSize:
    """US Letter where the locale's country prints on it, else A4."""
    territory = (locale or QLocale()).territory()
    return QPageSize(QPageSize.PageSizeId.Letter if territory in LETTER_TERRITORIES
                     else QPageSize.PageSizeId.A4)


def page_layout(locale: QLocale | None = None) -> QPageLayout:
    m = MARGIN_MM
    return QPageLayout(page_size(locale), QPageLayout.Orientation.Portrait,
                       QMarginsF(m, m, m, m), QPageLayout.Unit.Millimeter)


# --- the document's text -------------------------------------------------------------------

def _day(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %Y") if at else ""


def _quantity(q: float) -> str:
    return f"{q:,.2f}".rstrip("0").rstrip(".") if q != int(q) else f"{int(q):,}"


def document_html(d: JobDocument, kind: str = "order") -> str:
    """The document as the simple HTML ``QTextDocument`` lays out (tables, no CSS boxes)."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {', '.join(KINDS)}, not {kind!r}")
    e, s, invoice = escape, d.shop, kind == "invoice"
    title = KINDS[kind]
    shop_lines = [f"<span style='font-size:16pt; font-weight:700'>"
                  f"{e(s.header_name or 'Repair shop')}</span>"]
    shop_lines += [e(line) for line in s.header_address.splitlines() if line.strip()]
    if s.header_phone:
        shop_lines.append(f"Phone {e(s.header_phone)}")
    if s.header_tax_number:
        shop_lines.append(f"Tax number {e(s.header_tax_number)}")
    facts = [("Number", f"<b>{e(d.number)}</b>")]
    if invoice:
        facts.append(("Date", e(_day(d.closed_at or datetime.now().astimezone()))))
    facts.append(("Opened", e(_day(d.opened_at))))
    if d.promised_at and not invoice:
        facts.append(("Promised", e(d.promised_at.astimezone().strftime("%d %b %Y %H:%M"))))
    if not invoice:
        facts.append(("Status", e(rules.STATUS_LABELS.get(d.status, d.status))))
    facts_html = "".join(f"<tr><td style='color:#555'>{k}&nbsp;&nbsp;</td>"
                         f"<td align='right'>{v}</td></tr>" for k, v in facts)
    out = [
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>",
        f"<td valign='top'>{'<br>'.join(shop_lines)}</td>",
        "<td valign='top' align='right'>"
        f"<span style='font-size:18pt; font-weight:700; color:#1f3b5c'>{e(title.upper())}"
        f"</span><table cellspacing='0' cellpadding='1'>{facts_html}</table></td>",
        "</tr></table><hr>",
    ]
    odometer = f"{d.odometer_in:,} {e(d.odometer_unit)}" if d.odometer_in is not None else "—"
    customer = [f"<b>{e(d.customer or '—')}</b>"]
    customer += [e(x) for x in (d.customer_phone, d.customer_email) if x]
    customer += [e(line) for line in d.customer_address.splitlines() if line.strip()]
    vehicle = [f"<b>{e(d.vehicle or '—')}</b>",
               f"Plate&nbsp;&nbsp;{e(d.plate or '—')}",
               f"VIN&nbsp;&nbsp;<span style='font-family:monospace'>{e(d.vin or '—')}</span>",
               f"Odometer in&nbsp;&nbsp;{odometer}"]
    out += [
        "<table width='100%' cellspacing='0' cellpadding='6' style='margin-top:6px'><tr>",
        "<td width='50%' valign='top' style='background:#f1f4f8'>"
        "<span style='color:#555; font-size:8pt'>CUSTOMER</span><br>"
        + "<br>".join(customer) + "</td>",
        "<td width='50%' valign='top' style='background:#f1f4f8'>"
        "<span style='color:#555; font-size:8pt'>VEHICLE</span><br>"
        + "<br>".join(vehicle) + "</td>",
        "</tr></table>",
    ]
    if d.concern:
        out.append(f"<p><span style='color:#555'>Concern:</span> {e(d.concern)}</p>")
    out.append(_lines_html(d, invoice))
    out.append(_totals_html(d, invoice))
    out.append(_signature_html(invoice))
    return "\n".join(out)


def _lines_html(d: JobDocument, invoice: bool) -> str:
    e = escape
    lines = [ln for ln in d.lines if not (invoice and ln.approval == "declined")]
    head = ("<th align='left'>Description</th><th align='right'>Qty</th>"
            "<th align='right'>Unit price</th><th align='right'>Amount</th>"
            + ("" if invoice else "<th align='left'>&nbsp;Approval</th>"))
    out = ["<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:8px'>",
           f"<thead><tr style='background:#dfe5ec'>{head}</tr></thead>"]
    if not lines:
        span = 4 if invoice else 5
        out.append(f"<tr><td colspan='{span}'><i>No lines.</i></td></tr>")
    for n, ln in enumerate(lines):
        declined = ln.approval == "declined"
        colour = "#8a8a8a" if declined else "#000000"
        shade = " style='background:#f7f9fb'" if n % 2 else ""
        small = [KIND_WORDS.get(ln.kind, ln.kind)]
        if ln.part_status:
            small.append(f"part {e(ln.part_status)}")
        if ln.technician:
            small.append(e(ln.technician))
        amount = money(ln.amount_cents)
        approval = "" if invoice else (
            f"<td style='color:{colour}'>&nbsp;{APPROVAL_WORDS.get(ln.approval, ln.approval)}"
            + "</td>")
        out.append(
            f"<tr{shade}><td style='color:{colour}'>{e(ln.description) or '—'}<br>"
            f"<span style='font-size:7.5pt; color:#666'>{' · '.join(small)}</span></td>"
            f"<td align='right' style='color:{colour}'>{_quantity(ln.quantity)}</td>"
            f"<td align='right' style='color:{colour}'>{money(ln.unit_price_cents)}</td>"
            f"<td align='right' style='color:{colour}'>"
            + (f"<s>{amount}</s>" if declined else amount) + f"</td>{approval}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _totals_html(d: JobDocument, invoice: bool) -> str:
    t, s = d.totals, d.shop
    rows: list[tuple[str, str, bool]] = [("Subtotal", money(t.subtotal_cents), False)]
    if s.tax_rate_bp or t.tax_cents:
        rate = f"{s.tax_rate_bp / 100:g} %"
        rows.append((f"Tax {rate} on {money(t.taxable_cents)}", money(t.tax_cents), False))
    rows.append(("Total", money(t.total_cents), True))
    if invoice:
        for p in d.payments:
            when = f", {_day(p.at)}" if p.at else ""
            rows.append((f"Paid — {PAYMENT_WORDS.get(p.method, p.method)}{when}",
                         money(-p.amount_cents), False))
        rows.append(("Balance due", money(d.balance_cents), True))
    note = ("Declined lines are listed for the record and not charged."
            if not invoice and any(ln.approval == "declined" for ln in d.lines) else "")
    body = "".join(
        f"<tr><td align='right'>{'<b>' if bold else ''}{escape(label)}"
        f"{'</b>' if bold else ''}&nbsp;&nbsp;</td><td align='right' width='110'>"
        f"{'<b>' if bold else ''}{value}{'</b>' if bold else ''}</td></tr>"
        for label, value, bold in rows)
    return ("<table width='100%' cellspacing='0' cellpadding='2' style='margin-top:6px'>"
            f"<tr><td width='40%' valign='top' style='font-size:8pt; color:#555'>{note}</td>"
            f"<td><table width='100%' cellspacing='0' "
            f"cellpadding='2'>{body}</table></td></tr></table>")


def _signature_html(invoice: bool) -> str:
    words = ("Received in good order." if invoice else
             "I authorise the work marked approved above, and the shop to road-test the "
             "vehicle as needed.")
    who = "Customer signature"
    return ("<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:24px'>"
            f"<tr><td colspan='3' style='font-size:8.5pt'>{words}</td></tr>"
            "<tr><td width='58%' style='padding-top:28px'>"
            "_____________________________________________</td><td width='4%'></td>"
            "<td style='padding-top:28px'>______________________</td></tr>"
            f"<tr><td style='font-size:8pt; color:#555'>{who}</td><td></td>"
            "<td style='font-size:8pt; color:#555'>Date</td></tr></table>")


# --- layout and painting -------------------------------------------------------------------

@dataclass(frozen=True)
class Slice:
    """One page: the document's band [top, bottom) in layout units, and the band of the
    lines table's header to repeat above it (None on the first page of the table)."""

    top: float
    bottom: float
    header: tuple[float, float] | None = None


class Paged:
    """The document laid out once, unpaged, and cut into pages only between rows of the
    lines table or between the blocks around it: a line is never cut at the foot of a
    page, the totals and the signature stay whole, and the lines table's header comes
    again at the top of each page it continues on."""

    def __init__(self, d: JobDocument, kind: str, area: QSizeF) -> None:
        self.data, self.kind, self.area = d, kind, area
        doc = self.doc = QTextDocument()
        doc.setUseDesignMetrics(True)
        doc.setDocumentMargin(0)
        font = QFont(QFont().family())
        font.setPointSizeF(9.5)
        doc.setDefaultFont(font)
        doc.setHtml(document_html(d, kind))
        doc.setTextWidth(area.width())
        self.height = doc.size().height()
        self.breaks, self.table = self._break_points()
        self.pages = self._cut()

    def _break_points(self) -> tuple[list[float], tuple[float, float, float] | None]:
        """Where a page may end, and the lines table's (top, header bottom, bottom)."""
        layout = self.doc.documentLayout()
        spans: list[tuple[float, float]] = []  # top-level blocks and tables, in order
        table_span = None
        rows: list[float] = []
        it = self.doc.rootFrame().begin()
        while not it.atEnd():
            frame, block = it.currentFrame(), it.currentBlock()
            if frame is not None:
                rect = layout.frameBoundingRect(frame)
                spans.append((rect.top(), rect.bottom()))
                heads = frame.format().headerRowCount() if isinstance(frame, QTextTable) else 0
                if isinstance(frame, QTextTable) and heads:
                    # rows[k] lies between row k and row k + 1; none right under the header
                    rows = self._row_bounds(frame)
                    header_bottom = rows[heads - 1] if len(rows) >= heads else rect.bottom()
                    table_span = (rect.top(), header_bottom, rect.bottom())
                    rows = rows[heads:]
            elif block.isValid():
                rect = layout.blockBoundingRect(block)
                spans.append((rect.top(), rect.bottom()))
            it += 1
        points = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(spans)] + rows
        return sorted(p for p in points if 0 < p < self.height), table_span

    def _row_bounds(self, table: QTextTable) -> list[float]:
        """The y between each row of ``table`` and the next (its cells' padding halved)."""
        layout = self.doc.documentLayout()
        tops, bottoms = [], []
        for r in range(table.rows()):
            rects = [layout.blockBoundingRect(table.cellAt(r, c).firstCursorPosition().block())
                     for c in range(table.columns())]
            lasts = [layout.blockBoundingRect(table.cellAt(r, c).lastCursorPosition().block())
                     for c in range(table.columns())]
            tops.append(min(x.top() for x in rects))
            bottoms.append(max(x.bottom() for x in lasts))
        return [(bottoms[r - 1] + tops[r]) / 2 for r in range(1, table.rows())]

    def _cut(self) -> list[Slice]:
        pages: list[Slice] = []
        top, page = 0.0, self.area.height()
        while top < self.height - 0.5:
            header = None
            room = page
            if self.table is not None and self.table[1] <= top < self.table[2] - 0.5:
                header = (self.table[0], self.table[1])  # the table goes on: its header again
                room -= header[1] - header[0]
            limit = top + room
            if limit >= self.height:
                bottom = self.height
            else:
                fits = [p for p in self.breaks if top < p <= limit]
                bottom = fits[-1] if fits else limit  # taller than a page: cut it
            pages.append(Slice(top, bottom, header))
            top = bottom
        return pages or [Slice(0, self.height)]

    def paint(self, painter: QPainter, index: int) -> None:
        """Page ``index`` at the painter's origin (in layout units), with its footer."""
        page = self.pages[index]
        y = 0.0
        if page.header is not None:
            self._band(painter, page.header[0], page.header[1], 0.0,
                       QRectF(0, page.header[0] + 1, self.area.width(), 1))
            y = page.header[1] - page.header[0]
        self._band(painter, page.top, page.bottom, y)
        self._footer(painter, index)

    def _band(self, painter: QPainter, top: float, bottom: float, at: float,
              draw: QRectF | None = None) -> None:
        painter.save()
        painter.translate(0, at - top)
        clip = QRectF(0, top, self.area.width(), bottom - top)
        painter.setClipRect(clip)
        context = QAbstractTextDocumentLayout.PaintContext()
        # what the layout draws at all: a hair inside the band, so the row across its edge
        # (whose padding touches it) is not drawn clipped, and its text stays on its page
        context.clip = draw if draw is not None else clip.adjusted(0, 1, 0, -1)
        self.doc.documentLayout().draw(painter, context)
        painter.restore()

    def _footer(self, painter: QPainter, index: int) -> None:
        width, top = self.area.width(), self.area.height() + 8
        painter.save()
        painter.setPen(QPen(QColor("#9aa5b1"), 0.75))
        painter.drawLine(QPointF(0, top), QPointF(width, top))
        font = QFont(self.doc.defaultFont())
        font.setPointSizeF(7.5)
        painter.setFont(font)
        painter.setPen(QColor("#555555"))
        rect = QRectF(0, top + 3, width, FOOTER - 11)
        d = self.data
        left = f"{d.shop.header_name or 'Repair shop'} · {KINDS[self.kind]} {d.number}"
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), left)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                         f"Page {index + 1} of {len(self.pages)}")
        painter.restore()


def _text_area(layout: QPageLayout) -> QSizeF:
    """The text's area of a page in layout units (the paint rect less the footer)."""
    rect = layout.paintRect(QPageLayout.Unit.Inch)
    return QSizeF(rect.width() * UNITS_PER_INCH, rect.height() * UNITS_PER_INCH - FOOTER)


def render(device: QPagedPaintDevice, d: JobDocument, kind: str = "order") -> int:
    """Paint every page of the document on ``device`` (a ``QPdfWriter`` or ``QPrinter``
    whose page layout is already set); returns the number of pages."""
    paged = Paged(d, kind, _text_area(device.pageLayout()))
    painter = QPainter(device)
    if not painter.isActive():
        raise OSError("The printer or the file could not be opened for writing.")
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(device.logicalDpiX() / UNITS_PER_INCH,
                      device.logicalDpiY() / UNITS_PER_INCH)
        for index in range(len(paged.pages)):
            if index and not device.newPage():
                raise OSError("The printer refused a new page.")
            paged.paint(painter, index)
    finally:
        painter.end()
    return len(paged.pages)


def save_pdf(data: JobDocument, path: Path | str, kind: str = "order", *,
             locale: QLocale | None = None) -> int:
    """Write the document as a PDF at ``path`` (pure rendering: ``data`` is read off the
    GUI thread beforehand). Returns the number of pages."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {', '.join(KINDS)}, not {kind!r}")
    writer = QPdfWriter(str(path))
    writer.setTitle(f"{KINDS[kind]} {data.number}")
    writer.setCreator("Bayline")
    writer.setResolution(300)
    writer.setPageLayout(page_layout(locale))
    return render(writer, data, kind)


def page_image(data: JobDocument, kind: str = "order", page: int = 0, *, dpi: int = 110,
               locale: QLocale | None = None) -> QImage:
    """One page as a picture (white paper, margins included): the same render as the PDF,
    for a preview or the docs' screenshots."""
    layout = page_layout(locale)
    full = layout.fullRect(QPageLayout.Unit.Inch)
    image = QImage(int(full.width() * dpi), int(full.height() * dpi),
                   QImage.Format.Format_ARGB32)
    per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(per_metre)
    image.setDotsPerMeterY(per_metre)
    image.fill(QColor("white"))
    paged = Paged(data, kind, _text_area(layout))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = layout.paintRect(QPageLayout.Unit.Inch).topLeft()
    painter.translate(margin.x() * dpi, margin.y() * dpi)
    painter.scale(dpi / UNITS_PER_INCH, dpi / UNITS_PER_INCH)
    paged.paint(painter, min(page, len(paged.pages) - 1))
    painter.end()
    return image


def pdf_file_name(data: JobDocument, kind: str) -> str:
    """``Repair order 1042.pdf``: what Windows allows in a file name."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "-", f"{KINDS[kind]} {data.number}") + ".pdf"


# --- the dialog: Print… or Save as PDF… -----------------------------------------------------

class PrintDialog(QDialog):
    """Offers the document read for one job: Print… (the system's print dialog) or Save as
    PDF… (a file dialog). Non-modal; its words say what happened next to the buttons."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.data: JobDocument | None = None
        #: Asks for the PDF's path (a file dialog; tests replace it).
        self.ask_path: Callable[[str], str | None] = self._ask_path
        self.setObjectName("printDialog")
        self.setWindowTitle(f"Print {KINDS[kind].lower()}")
        self.summary = QLabel(f"Reading the job for the {KINDS[kind].lower()}…", self)
        self.summary.setWordWrap(True)
        self.outcome = QLabel("", self)
        self.outcome.setObjectName("hint")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(self)
        self.print_button = QPushButton("&Print…", self)
        self.pdf_button = QPushButton("Save as P&DF…", self)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_document)
        self.pdf_button.clicked.connect(self.save_as_pdf)
        for b in (self.print_button, self.pdf_button):
            b.setEnabled(False)
        self.print_button.setDefault(True)
        col = QVBoxLayout(self)
        col.addWidget(self.summary)
        col.addWidget(self.outcome)
        col.addWidget(buttons)
        self.setMinimumWidth(420)

    def set_document(self, data: JobDocument | None) -> None:
        self.data = data
        if data is None:
            self.summary.setText("That job no longer exists: there is nothing to print.")
            return
        who = f" for {data.customer}" if data.customer else ""
        self.summary.setText(f"<b>{escape(KINDS[self.kind])} {escape(data.number)}</b>"
                             f"{escape(who)} · {len(data.lines)} line"
                             f"{'' if len(data.lines) == 1 else 's'} · total "
                             f"{money(data.totals.total_cents)}")
        for b in (self.print_button, self.pdf_button):
            b.setEnabled(True)
        self.print_button.setFocus()
        self.adjustSize()

    def print_document(self) -> None:
        if self.data is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"{KINDS[self.kind]} {self.data.number}")
        printer.setPageLayout(page_layout())
        chooser = QPrintDialog(printer, self)
        chooser.setWindowTitle(self.windowTitle())
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            pages = render(printer, self.data, self.kind)
        except OSError as exc:
            self.outcome.setText(f"Not printed: {exc}")
            return
        self.outcome.setText(f"Sent {pages} page{'' if pages == 1 else 's'} to "
                            f"{printer.printerName() or 'the printer'}.")

    def _ask_path(self, name: str) -> str | None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", str(Path(folder) / name),
                                              "PDF documents (*.pdf)")
        return path or None

    def save_as_pdf(self) -> Path | None:
        if self.data is None:
            return None
        chosen = self.ask_path(pdf_file_name(self.data, self.kind))
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            pages = save_pdf(self.data, path, self.kind)
        except OSError as exc:
            self.outcome.setText(f"Not saved: {exc}")
            return None
        if not path.is_file():
            self.outcome.setText(f"Not saved: {path} could not be written (is the folder "
                                "read-only, or the file open in another program?).")
            return None
        self.outcome.setText(f"Saved {pages} page{'' if pages == 1 else 's'} to {path}")
        return path


def print_job(parent: QWidget | None, ctx: DeskContext, job_id: str,
              kind: str = "order") -> PrintDialog:
    """Read job ``job_id`` on the worker and offer its document to print or save."""
    dialog = PrintDialog(kind, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    ctx.worker.read(job_document, job_id, on_done=dialog.set_document)
    dialog.show()
    return dialog
