"""The read-only job detail panel: header, customer and vehicle, concern, lines with
approval and totals, notes, and the status history. The editor is another issue."""

from __future__ import annotations

from html import escape

from app import rules
from app.changes import Changes
from app.queries.desk import JobDetail, job_detail
from ui.boards.cards import when
from ui.desk.context import DeskContext
from ui.qt import QLabel, Qt, QTextBrowser, QVBoxLayout, QWidget, Signal

#: A change to any of these may change what the panel shows.
DETAIL_ENTITIES = ("job", "job_line", "note", "status_event", "technician", "bay", "customer",
                   "vehicle")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def detail_html(d: JobDetail) -> str:
    """The panel's text: simple HTML that QTextBrowser renders and a screen reader reads."""
    e = escape
    status = rules.STATUS_LABELS.get(d.status, d.status)
    if d.hold_reason:
        status += f" ({e(d.hold_reason)})"
    out = [f"<h2 style='margin:0'>Job {e(d.number)}</h2>",
           f"<p><b>{e(status)}</b>"
           + (" · <span style='color:#7b3fe4'><b>customer waiting</b></span>"
              if d.customer_waiting else "")
           + (f" · promised {e(when(d.promised_at))}" if d.promised_at else "") + "</p>",
           "<table cellspacing='0' cellpadding='2'>"]
    rows = [("Customer", d.customer + (f" · {d.customer_phone}" if d.customer_phone else "")),
            ("Vehicle", d.vehicle + (f" · {d.plate}" if d.plate else "")),
            ("VIN", d.vin), ("Odometer in", f"{d.odometer_in:,}" if d.odometer_in else ""),
            ("Technician", d.technician or "Unassigned"), ("Bay", d.bay or "—")]
    for label, value in rows:
        out.append(f"<tr><td style='color:#5b6775'>{label}</td><td>{e(value or '—')}</td></tr>")
    out.append("</table>")
    out.append(f"<h3>Concern</h3><p>{e(d.concern) or '<i>None written</i>'}</p>")
    out.append("<h3>Lines</h3>")
    if d.lines:
        out.append("<table width='100%' cellspacing='0' cellpadding='3'>"
                   "<tr style='background:#e3e8ee'><th align='left'>Description</th>"
                   "<th align='right'>Qty</th><th align='right'>Total</th>"
                   "<th align='left'>Approval</th></tr>")
        for ln in d.lines:
            extra = f" · part {ln.part_status}" if ln.part_status else ""
            style = " style='color:#8a96a6'" if ln.approval == "declined" else ""
            out.append(f"<tr{style}><td>{e(ln.description)}<br><small>{e(ln.kind)}{e(extra)}"
                       f"</small></td><td align='right'>{ln.quantity:g}</td>"
                       f"<td align='right'>{money(ln.total_cents)}</td>"
                       f"<td>{e(ln.approval)}</td></tr>")
        t = d.totals  # the shop's rule (app.shopsettings.order_totals)
        if t.tax_cents:
            for label, cents in (("Subtotal", t.subtotal_cents), ("Tax", t.tax_cents)):
                out.append(f"<tr><td colspan='2'>{label}</td><td align='right'>"
                           f"{money(cents)}</td><td></td></tr>")
        out.append(f"<tr><td colspan='2'><b>Total</b></td><td align='right'><b>"
                   f"{money(t.total_cents)}</b></td><td></td></tr></table>")
    else:
        out.append("<p><i>No lines yet.</i></p>")
    out.append("<h3>Notes</h3>")
    if d.notes:
        for n in d.notes:
            who = f" · {e(n.author)}" if n.author else ""
            out.append(f"<p><small style='color:#5b6775'>{n.at.astimezone():%d %b %H:%M} · "
                       f"{e(n.kind)}{who}</small><br>{e(n.body)}</p>")
    else:
        out.append("<p><i>No notes.</i></p>")
    out.append("<h3>Status history</h3><table cellspacing='0' cellpadding='2'>")
    for ev in d.history:
        frm = rules.STATUS_LABELS.get(ev.from_status or "", "new")
        to = rules.STATUS_LABELS.get(ev.to_status, ev.to_status)
        by = f" · {e(ev.by)}" if ev.by else ""
        out.append(f"<tr><td style='color:#5b6775'>{ev.at.astimezone():%d %b %H:%M}</td>"
                   f"<td>{e(frm)} → <b>{e(to)}</b>{by}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


class JobDetailPanel(QWidget):
    """Shows one job; re-reads it when a change touches it (see ``DETAIL_ENTITIES``)."""

    loaded = Signal(object)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job_id: str | None = None
        self.detail: JobDetail | None = None
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Job detail")
        self.placeholder = QLabel("Open a card (double-click or Enter) to see the job here.",
                                  self)
        self.placeholder.setObjectName("hint")
        self.placeholder.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.placeholder, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.browser, 1)
        self.browser.hide()
        ctx.hub.subscribe(self.on_changes)

    def show_job(self, job_id: str) -> None:
        self.job_id = job_id
        self.reload()

    def reload(self) -> None:
        if self.job_id is None:
            return
        job_id = self.job_id
        self.ctx.worker.read(job_detail, job_id, key="job-detail", on_done=self._show)

    def on_changes(self, changes: Changes) -> None:
        if self.job_id is not None and changes.touches(*DETAIL_ENTITIES):
            self.reload()

    def _show(self, detail: JobDetail | None) -> None:
        self.detail = detail
        if detail is None:
            self.browser.hide()
            self.placeholder.setText("That job no longer exists.")
            self.placeholder.show()
        else:
            bar = self.browser.verticalScrollBar()
            keep = bar.value()
            self.browser.setHtml(detail_html(detail))
            bar.setValue(keep)
            self.placeholder.hide()
            self.browser.show()
        self.loaded.emit(detail)
