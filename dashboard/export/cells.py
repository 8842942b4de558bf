"""Spreadsheet-safe cells: text that a spreadsheet program would run as a formula never is.

Imported text reaches every data export and download (sponsor names, titles, notes, source
links). A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets when the file is opened
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). The rule, one for every export:

- CSV: such text gets a leading apostrophe (the OWASP convention); spreadsheet programs show
  it as text, and the apostrophe tells a reader the cell was neutralised.
- XLSX: such text is written as a string cell, never a formula, with Excel's "quote prefix"
  style (the text stays exactly as imported; editing the cell keeps it text).
- Numbers stay numbers: only ``str`` values are touched, so a negative amount is still -5.

GeoJSON and GeoPackage hold typed values for GIS programs, which evaluate no formulas; they keep
the text exactly. The gap view's CSV downloads (:mod:`dashboard.gap_view`) use
:func:`csv_cell` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """True for text that a spreadsheet would read as a formula.

    >>> [is_formula_like(v) for v in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\\tx", "Sở Y", -1, None)]
    [True, True, True, True, True, False, False, False]
    """
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: formula-like text gets a leading apostrophe, anything else
    (numbers included) is returned as it is.

    >>> csv_cell('=HYPERLINK("http://evil.example/","Sở Y")')
    '\\'=HYPERLINK("http://evil.example/","Sở Y")'
    >>> csv_cell("-1+2"), csv_cell(-5000000), csv_cell("Sở Y")
    ("'-1+2", -5000000, 'Sở Y')
    """
    return "'" + value if is_formula_like(value) else value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are :func:`csv_cell`; numeric columns are untouched."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or str(series.dtype) in ("string", "str"):
            out[column] = series.map(csv_cell)
    return out


def text_cells_as_text(worksheet) -> int:
    """Make every formula-like text cell of an openpyxl worksheet a plain string cell with the
    quote-prefix style (openpyxl turns any text starting with ``=`` into a formula cell on
    assignment). Returns how many cells were changed."""
    changed = 0
    for row in worksheet.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed
