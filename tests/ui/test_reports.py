"""The reports window: efficiency and productivity over a range (table and painted bar
chart, the formulas on screen), the presets, the maintenance list to call, and its CSV
for Excel under a German and an English locale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import app.db
from app.dateranges import preset_range
from app.db import Store
from app.ops import clock, jobs
from app.queries.efficiency import TechnicianEfficiency
from app.queries.reminders import ReminderRow
from tests.ui.helpers import Shop
from ui.desk.reports import (
    EFFICIENCY_TAB,
    MAINTENANCE_TAB,
    EfficiencyChart,
    ReportsWindow,
    efficiency_model,
    maintenance_model,
)
from ui.qt import QColor, QDate, QLocale, Qt

#: The report's "now": a Wednesday afternoon; the day's work was done that morning.
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


@pytest.fixture
def worked(store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """Grace: an 8 h shift, 4 h clocked on a job closed with 5 h of approved labour. And an
    oil change on the shop's car a year before (so it is overdue now)."""
    at = {"now": NOW - timedelta(days=400)}
    monkeypatch.setattr(app.db, "utcnow", lambda: at["now"])
    grace = shop.techs["Grace Hopper"]
    oil = store.run(jobs.create_job, customer_id=shop.customer_id, vehicle_id=shop.vehicle_id,
                    odometer_in=80_000).result
    store.run(jobs.add_line, oil, kind="labor", description="Oil change", quantity=0.5,
              unit_price_cents=9_000, approval="approved", service_code="oil")
    for status in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, oil, status)
    day = NOW.replace(hour=8)
    job = shop.jobs["queued"]
    store.run(jobs.add_line, job, kind="labor", description="Brakes", quantity=5,
              unit_price_cents=12_000, approval="approved", technician_id=grace)
    for hours, op, args in ((0, clock.start_shift, (grace,)), (1, clock.clock_on, (grace, job)),
                            (5, clock.clock_off, (grace,)), (8, clock.end_shift, (grace,))):
        at["now"] = day + timedelta(hours=hours)
        store.run(op, *args)
    at["now"] = day + timedelta(hours=6)
    for status in ("in_progress", "ready", "closed"):
        store.run(jobs.move_status, job, status)
    return shop


@pytest.fixture
def reports(make_desk: Any, worked: Shop, qtbot: Any) -> Iterator[ReportsWindow]:
    window = make_desk()
    dialog = ReportsWindow(window.ctx, window, now=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    with qtbot.waitSignal(dialog.efficiency.loaded, timeout=10_000):
        dialog.show_tab(EFFICIENCY_TAB)
        dialog.efficiency.set_preset("this_week")
    yield dialog
    dialog.close()


def test_the_efficiency_table_says_the_figures_and_the_formulas(
        reports: ReportsWindow) -> None:
    tab = reports.efficiency
    rows = tab.model.rows
    grace = next(r for r in rows if r.name == "Grace Hopper")
    assert (grace.billed_hours, grace.clocked_hours, grace.shift_hours) == (5.0, 4.0, 8.0)
    assert rows[-1].name == "Whole shop"
    row = rows.index(grace)
    shown = [tab.model.index(row, c).data() for c in range(tab.model.columnCount())]
    assert shown == ["Grace Hopper", "5.0", "4.0", "8.0", "125 %", "50 %"]
    linus = rows.index(next(r for r in rows if r.name == "Linus Torvalds"))
    assert tab.model.index(linus, 4).data() == "—"  # nothing on the clock: no figure
    words = tab.formulas.text()
    assert "billed hours ÷ clocked hours" in words and "clocked hours ÷ shift hours" in words


def test_the_chart_paints_a_bar_per_figure(reports: ReportsWindow, qtbot: Any) -> None:
    chart = reports.efficiency.chart
    # Grace and the whole shop have both figures; Linus has neither
    assert [(b.group, b.measure) for b in chart.bars] == [
        ("Grace Hopper", "efficiency"), ("Grace Hopper", "productivity"),
        ("Whole shop", "efficiency"), ("Whole shop", "productivity")]
    image = chart.grab().toImage()
    assert not image.isNull() and image.width() > 200
    blue = sum(image.pixelColor(x, y) == QColor("#1f6feb")
               for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))
    assert blue > 50  # the efficiency bars are there, in their colour
    empty = EfficiencyChart()
    qtbot.addWidget(empty)
    empty.set_rows([TechnicianEfficiency("t", "Nobody", True, 0, 0, 0)])
    assert empty.bars == () and not empty.grab().isNull()


def test_presets_and_a_range_that_ends_before_it_starts(reports: ReportsWindow,
                                                        qtbot: Any) -> None:
    tab = reports.efficiency
    first_weekday = QLocale().firstDayOfWeek().value - 1
    with qtbot.waitSignal(tab.loaded):
        tab.set_preset("last_week")
    assert tab.range() == preset_range("last_week", date(2026, 11, 25), first_weekday)
    assert all(r.clocked_hours == 0 for r in tab.model.rows)  # the work was this week
    tab.first.setDate(tab.last.date().addDays(3))  # typed: the preset says "Custom range"
    qtbot.waitUntil(lambda: tab.error.text() != "")
    assert tab.error.text() == "The range ends before it starts."
    assert tab.preset.currentText() == "Custom range" and tab.model.rowCount() == 0
    assert not tab.export_button.isEnabled()


def test_the_maintenance_list_to_call(reports: ReportsWindow, qtbot: Any) -> None:
    tab = reports.maintenance
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        reports.show_tab(MAINTENANCE_TAB)
    assert tab.summary.text() == "1 vehicle to call: 1 overdue, 0 due soon"
    shown = [tab.model.index(0, c).data() for c in range(tab.model.columnCount())]
    assert shown[:5] == ["Ada Lovelace", "416 555 0142", "2003 Honda Accord", "CAFE 123",
                         "Overdue"]
    assert shown[5:] == [QLocale().toString(QDate(tab.rows[0].due_on),
                                            QLocale.FormatType.ShortFormat),
                         "15,000 km", "Engine oil and filter"]
    tip = tab.model.index(0, 7).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Engine oil and filter: 15,000 km left, ") and "days over" in tip


@pytest.mark.parametrize(("language", "territory", "sep"), [
    (QLocale.Language.German, QLocale.Country.Germany, ";"),
    (QLocale.Language.English, QLocale.Country.UnitedStates, ","),
])
def test_the_csv_opens_right_in_excel_for_the_locale(
        reports: ReportsWindow, qtbot: Any, tmp_path: Path, language: Any, territory: Any,
        sep: str) -> None:
    tab = reports.maintenance
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        reports.show_tab(MAINTENANCE_TAB)
    before = QLocale()
    QLocale.setDefault(QLocale(language, territory))
    try:
        tab.ask_path = lambda name: str(tmp_path / name)
        path = tab.export_csv()
        eff = reports.efficiency
        eff.ask_path = lambda name: str(tmp_path / name)
        hours = eff.export_csv()
    finally:
        QLocale.setDefault(before)
    assert path is not None and path.name.startswith("Maintenance due ")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").split("\r\n")
    assert lines[0] == sep.join(("Customer", "Phone", "Vehicle", "Plate", "Status",
                                 "Services due", "Due date", "Distance left", "Unit"))
    assert lines[1].startswith(sep.join(("Ada Lovelace", "416 555 0142", "2003 Honda Accord",
                                         "CAFE 123", "Overdue")))
    assert "1 rows exported" in tab.outcome.text() or "rows exported" in tab.outcome.text()
    assert hours is not None
    text = hours.read_bytes()[3:].decode("utf-8")
    grace = next(line for line in text.split("\r\n") if line.startswith("Grace Hopper"))
    decimal = "," if sep == ";" else "."
    assert grace == sep.join(("Grace Hopper", f"5{decimal}00", f"4{decimal}00",
                              f"8{decimal}00", f"125{decimal}00", f"50{decimal}00"))


def test_the_report_models_pass_the_model_tester(qtmodeltester: Any) -> None:
    eff = efficiency_model()
    eff.set_rows([TechnicianEfficiency("a", "Grace", True, 5, 4, 8),
                  TechnicianEfficiency("b", "Linus", False, 0, 0, 0),
                  TechnicianEfficiency("", "Whole shop", True, 5, 4, 8)])
    qtmodeltester.check(eff)
    eff.set_rows([])
    qtmodeltester.check(eff)
    due = maintenance_model()
    due.set_rows([ReminderRow("v", "Ada", "416", "2003 Honda Accord", "CAFE", "overdue",
                              ("Oil: 20 days over",), ("Oil",), date(2026, 1, 2), -300, "km"),
                  ReminderRow("w", "", "", "", "", "due_soon", (), (), None, None, "mi")])
    qtmodeltester.check(due)


def test_the_reports_menu_opens_the_window_at_its_tab(make_desk: Any, worked: Shop) -> None:
    window = make_desk()
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    reports = [a.text() for a in menus["&Reports"].actions()]
    assert reports == ["Technician &efficiency…", "&Maintenance due…"]
    window.act_maintenance.trigger()
    dialog = window._dialogs["reports"]
    assert dialog.isVisible() and dialog.tabs.currentIndex() == MAINTENANCE_TAB
    window.act_efficiency.trigger()
    assert window._dialogs["reports"] is dialog and dialog.tabs.currentIndex() == EFFICIENCY_TAB
    files = [a.text() for a in menus["&File"].actions()]
    assert "&Print repair order…" in files and "Print &invoice…" in files
    dialog.close()
