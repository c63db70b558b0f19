"""The repair order and the invoice as PDF, written through ``QPdfWriter`` and read back
with pypdf (print dialogs cannot run offscreen): the job number, customer, vehicle and
totals in its text; a 30-line order across pages with each line once and the totals on
the last page; Ctrl+P on the desk reaches the same document."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from app.db import Store
from app.ops import jobs
from app.ops.settings import update_shop_settings
from app.queries.documents import DocumentPayment, JobDocument, job_document
from tests.ui.helpers import Shop, job_number
from ui.desk.detail import money
from ui.desk.printing import PrintDialog, page_image, pdf_file_name, save_pdf
from ui.qt import QColor, QKeySequence


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with runs of white space made one space (Qt's PDF spaces words
    with tabs)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(path).pages]


def document(store: Store, job_id: str) -> JobDocument:
    with store.read() as s:
        doc = job_document(s, job_id)
    assert doc is not None
    return doc


def add_lines(store: Store, job_id: str, n: int) -> None:
    for k in range(n):
        store.run(jobs.add_line, job_id, kind=("labor", "part", "fee")[k % 3],
                  description=f"Work item {k:02d} front brake service",
                  quantity=1.5 if k % 3 == 0 else 1, unit_price_cents=10_000 + k,
                  approval=("approved", "pending", "declined")[k % 3])


@pytest.fixture
def priced(store: Store, shop: Shop) -> str:
    store.run(update_shop_settings, header_name="Bayline Motors", header_phone="416 555 0100",
              header_address="12 King St W\nToronto ON", header_tax_number="RT0001",
              tax_rate_bp=1300, taxable_kinds=["part", "labor"])
    return shop.jobs["queued"]


def test_the_order_pdf_has_the_job_number_and_what_the_clerk_checks(
        qapp: Any, store: Store, priced: str, tmp_path: Path) -> None:
    add_lines(store, priced, 3)
    doc = document(store, priced)
    path = tmp_path / "order.pdf"
    assert save_pdf(doc, path) == 1
    (text,) = pdf_pages(path)
    number = job_number(store, priced)
    assert f"Number {number}" in text and "REPAIR ORDER" in text
    for words in ("Bayline Motors", "Tax number RT0001", "Ada Lovelace", "2003 Honda Accord",
                  "1HGCM82633A004352", "Concern: brakes squeal", "Approved", "Pending",
                  "Declined",
                  "Declined lines are listed for the record and not charged.",
                  "Customer signature",
                  f"Total {money(doc.totals.total_cents)}", f"Tax 13 % on "
                  f"{money(doc.totals.taxable_cents)} {money(doc.totals.tax_cents)}"):
        assert words in text, words
    assert doc.totals.tax_cents > 0


def test_a_30_line_order_runs_over_pages_with_each_line_once_and_totals_last(
        qapp: Any, store: Store, priced: str, tmp_path: Path) -> None:
    add_lines(store, priced, 30)
    doc = document(store, priced)
    path = tmp_path / "long.pdf"
    pages = save_pdf(doc, path)
    texts = pdf_pages(path)
    assert pages == len(texts) >= 2
    joined = " ".join(texts)
    for k in range(30):  # no line lost at a page break, none printed twice
        assert joined.count(f"Work item {k:02d} front brake service") == 1, k
    total = f"Total {money(doc.totals.total_cents)}"
    assert total in texts[-1] and not any(total in t for t in texts[:-1])
    assert "Customer signature" in texts[-1]
    for n, text in enumerate(texts, 1):
        assert f"Page {n} of {pages}" in text
        assert text.count("Description Qty Unit price Amount") == 1  # the header again
    # every page of the picture is the same render: the first is paper with ink on it
    image = page_image(doc, page=1)
    assert image.width() > 800 and image.pixelColor(5, 5) == QColor("white")
    inked = sum(image.pixelColor(x, y) != QColor("white")
                for x in range(0, image.width(), 7) for y in range(0, image.height(), 7))
    assert inked > 200


def test_the_invoice_leaves_declined_lines_out_and_shows_the_balance(
        qapp: Any, store: Store, priced: str, tmp_path: Path) -> None:
    add_lines(store, priced, 3)
    doc = document(store, priced)
    path = tmp_path / "invoice.pdf"
    save_pdf(doc, path, "invoice")
    (text,) = pdf_pages(path)
    assert "INVOICE" in text and job_number(store, priced) in text
    assert "Work item 02" not in text  # declined: not on the bill
    assert f"Balance due {money(doc.totals.total_cents)}" in text
    # a payment taken at the hand-back (``JobDocument.payments``) is shown and deducted
    paid = dataclasses.replace(doc, payments=(DocumentPayment("card", 5_000, None),))
    save_pdf(paid, path, "invoice")
    (text,) = pdf_pages(path)
    assert f"Paid — Card {money(-5_000)}" in text
    assert f"Balance due {money(doc.totals.total_cents - 5_000)}" in text


def test_ctrl_p_offers_the_selected_jobs_order_and_saves_it(
        make_desk: Any, store: Store, priced: str, tmp_path: Path, qtbot: Any) -> None:
    window = make_desk()
    assert window.act_print.shortcut() == QKeySequence("Ctrl+P")
    window.act_print.trigger()  # nothing selected: said so, nothing opened
    assert window.notice.isVisible() and "Select a job" in window.notice.label.text()
    assert window.queue_board.select_job(priced)
    window.act_print.trigger()
    dialog = window.findChild(PrintDialog)
    assert dialog is not None and dialog.isVisible()
    number = job_number(store, priced)
    qtbot.waitUntil(lambda: dialog.data is not None)
    assert f"Repair order {number}" in dialog.summary.text()
    dialog.ask_path = lambda name: str(tmp_path / name)
    saved = dialog.save_as_pdf()
    assert saved == tmp_path / pdf_file_name(dialog.data, "order")
    assert number in pdf_pages(saved)[0] and "Saved 1 page to" in dialog.outcome.text()
    dialog.close()


def test_a_pdf_that_cannot_be_written_is_said_next_to_the_buttons(
        qapp: Any, store: Store, priced: str, tmp_path: Path) -> None:
    dialog = PrintDialog("invoice")
    dialog.set_document(document(store, priced))
    dialog.ask_path = lambda name: str(tmp_path / "no-such-folder" / name)
    assert dialog.save_as_pdf() is None
    assert dialog.outcome.text().startswith("Not saved:")
    dialog.deleteLater()
