"""CSV files that Excel on Windows opens right, written one way for every export.

Excel opens a double-clicked ``.csv`` with the Windows list separator, which follows the
regional format: ``,`` where the decimal separator is a point (English), ``;`` where it is
a comma (German, French, ...). It reads the file as UTF-8 only when it starts with a byte
order mark. So: UTF-8 with BOM, ``;`` or ``,`` by the decimal point of the clerk's locale,
decimals written with that decimal point, CRLF line ends, and text that Excel would take
for a formula (``=``, ``+``, ``-``, ``@`` first) made plain text with a leading ``'``
(OWASP's advice against formula injection: a customer's name is typed by anyone).
Pure Python: the UI passes its locale's decimal point (``QLocale().decimalPoint()``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

#: Cell values an export may hold.
Cell = str | int | float | date | datetime | None

#: What Excel would start evaluating as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def list_separator(decimal_point: str) -> str:
    """Excel's separator for a locale whose decimal separator is ``decimal_point``: ``;``
    where that is a comma, else ``,``."""
    return ";" if decimal_point == "," else ","


def cell_text(value: Cell, decimal_point: str = ".") -> str:
    """One cell as Excel should read it: numbers with the locale's decimal point and no
    grouping, dates in ISO form (which Excel reads in every locale), text guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", decimal_point)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
             decimal_point: str = ".") -> str:
    """The file's text (without the BOM): a header line, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=list_separator(decimal_point), lineterminator="\r\n")
    writer.writerow([cell_text(h) for h in header])
    for row in rows:
        writer.writerow([cell_text(v, decimal_point) for v in row])
    return out.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
              decimal_point: str = ".") -> int:
    """Write the export to ``path`` (UTF-8 with BOM); returns the number of rows."""
    rows = list(rows)
    text = csv_text(header, rows, decimal_point=decimal_point)
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        f.write(text)
    return len(rows)
