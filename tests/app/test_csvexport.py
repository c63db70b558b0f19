"""CSV for Excel on Windows: UTF-8 with a BOM, ';' where the decimal separator is a comma,
',' where it is a point, the locale's decimals, and no formula from a typed-in name."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from app.csvexport import cell_text, csv_text, list_separator, write_csv


@pytest.mark.parametrize(("decimal", "sep"), [(",", ";"), (".", ",")])
def test_the_separator_follows_the_decimal_point(decimal: str, sep: str) -> None:
    assert list_separator(decimal) == sep


def test_cells_as_excel_reads_them() -> None:
    assert cell_text(12.5, ",") == "12,50" and cell_text(12.5) == "12.50"
    assert cell_text(12_345) == "12345"  # no grouping: Excel would read 12,345 as text
    assert cell_text(date(2026, 3, 9)) == "2026-03-09"
    assert cell_text(None) == "" and cell_text(True) == "yes"
    for typed in ("=HYPERLINK(\"x\")", "+1 416 555", "-2", "@SUM(A1)"):
        assert cell_text(typed) == "'" + typed
    assert cell_text("Ada Lovelace") == "Ada Lovelace"


@pytest.mark.parametrize("decimal", [",", "."])
def test_the_file_starts_with_a_bom_and_reads_back(tmp_path: Path, decimal: str) -> None:
    path = tmp_path / "out.csv"
    rows = [("Müller; Söhne", 1.5, 3), ('Say "hi"', None, 0)]
    assert write_csv(path, ("Name", "Hours", "Count"), rows, decimal_point=decimal) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    sep = list_separator(decimal)
    text = raw[3:].decode("utf-8")
    assert text.splitlines()[0] == sep.join(("Name", "Hours", "Count"))
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert back == [["Name", "Hours", "Count"], ["Müller; Söhne", f"1{decimal}50", "3"],
                    ['Say "hi"', "", "0"]]


def test_csv_text_has_no_bom_of_its_own() -> None:
    assert csv_text(("a",), [("b",)]) == "a\r\nb\r\n"
