"""Cells as text: what every reader (CSV, text, .xlsx) makes of a cell, and the grid of rows a
reader hands to :mod:`geodata.imports.reader`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Grid:
    """The rows of a file as text cells, streamed: ``rows`` yields ``(row number, cells)``.
    ``engine`` names what read an .xlsx (``calamine`` or ``openpyxl``)."""

    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    sheet: str | None = None
    engine: str | None = None


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_texts(cells: list[str]) -> bool:
    """True if every cell already is what :func:`cell_text` makes of it: printable, NFC, no
    space at either end or twice (one check of the joined row; a space never composes).

    >>> plain_texts(["Xã Hòa", "2019"]), plain_texts(["Xã  Hòa"]), plain_texts([" x"])
    (True, False, False)
    """
    joined = " ".join(filter(None, cells))
    return (
        joined.isprintable()
        and "  " not in joined
        and not joined.startswith(" ")
        and not joined.endswith(" ")
        and unicodedata.is_normalized("NFC", joined)
    )


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ".0", dates as dd/mm/yyyy, NFC, trimmed.

    >>> [cell_text(v) for v in (5000000.0, 12.5, 2019, None, True, dt.date(2019, 3, 5))]
    ['5000000', '12.5', '2019', '', 'TRUE', '05/03/2019']
    >>> cell_text(" Xa\\u0300  Ho\\u0300a\\x07")
    'Xà Hòa'
    """
    if type(value) is str and value.isprintable() and unicodedata.is_normalized("NFC", value):
        return " ".join(value.split())  # most cells: nothing to normalise or replace
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(_ILLEGAL.sub(" ", text).split())


def row_texts(values: list) -> list[str]:
    """A row of typed cell values (strings, floats, dates…) as :func:`cell_text` gives them,
    with a fast path for the usual row of plain strings and numbers.

    >>> row_texts(["Cầu", 5000000.0, "", 12.5, dt.date(2019, 3, 5), "a  b"])
    ['Cầu', '5000000', '', '12.5', '05/03/2019', 'a b']
    """
    out = []
    for v in values:
        t = type(v)
        if t is str:
            out.append(v)
        elif t is float and v.is_integer() and abs(v) < 1e15:
            out.append(str(int(v)))
        else:
            out.append(cell_text(v))
    return out if plain_texts(out) else [cell_text(v) for v in out]
