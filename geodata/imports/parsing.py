"""Cell values as people type them → typed values: periods, amounts, dates, coordinates.

Every parser takes the cell's text and either returns a value or raises :class:`ParseError`
whose ``reason`` is a key of :data:`geodata.imports.messages.REASONS`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from geodata.imports.columns import header_key

YEAR_MIN, YEAR_MAX = 1990, 2035


class ParseError(ValueError):
    """A cell that cannot be read as the value its column holds."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


# --------------------------------------------------------------------------------------------
# Periods and years
# --------------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SHORT_END_RE = re.compile(r"(?<!\d)(\d{4})\s*[-–—/]\s*(\d{2})(?!\d)")
_FROM_RE = re.compile(r"^(tu|tu nam|since|from)\b")
_UNTIL_RE = re.compile(r"^(den|den nam|until|to|truoc)\b")
_DATE_IN_TEXT = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-](\d{4})")
#: A minus sign before a year with no year before it ("-2019", "năm -2019"; not "2015 - 2020").
_NEGATIVE_YEAR_RE = re.compile(r"(?:^|[^\d\s])\s*[-\u2212]\s*(\d{4})(?!\d)")


def parse_period(text: str) -> tuple[int | None, int | None]:
    """First and last year of a period as written.

    >>> parse_period("2015 - 2020"), parse_period("2019–2020"), parse_period("từ 2017")
    ((2015, 2020), (2019, 2020), (2017, None))
    >>> parse_period("Giai đoạn 2021-25"), parse_period("năm 2019"), parse_period("2019.0")
    ((2021, 2025), (2019, 2019), (2019, 2019))
    >>> parse_period("đến năm 2020"), parse_period("15/05/2019")
    ((None, 2020), (2019, 2019))
    >>> parse_period("-2019")
    Traceback (most recent call last):
    ...
    geodata.imports.parsing.ParseError: year_out_of_range
    >>> parse_period("2020-2016")
    Traceback (most recent call last):
    ...
    geodata.imports.parsing.ParseError: period_reversed
    """
    text = _num_text(text)
    negative = _NEGATIVE_YEAR_RE.search(text)
    if negative:  # "-2019" is not the year 2019
        raise ParseError("year_out_of_range", year=-int(negative.group(1)))
    key = header_key(text)
    short = _SHORT_END_RE.search(text)
    if short:
        start = int(short.group(1))
        end = start // 100 * 100 + int(short.group(2))
        years = [start, end]
    else:
        years = [int(m.group(1)) for m in _YEAR_RE.finditer(_DATE_IN_TEXT.sub(r"\1", text))]
    if not years:
        raise ParseError("period_unreadable")
    for year in years:
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ParseError("year_out_of_range", year=year)
    if len(years) == 1:
        if _FROM_RE.match(key):
            return years[0], None
        if _UNTIL_RE.match(key):
            return None, years[0]
        return years[0], years[0]
    start, end = years[0], years[-1]
    if start > end:
        raise ParseError("period_reversed")
    return start, end


def parse_year(text: str) -> int:
    """One year ("2019", "2019.0", "năm 2019").

    >>> parse_year("Năm 2019")
    2019
    """
    start, end = parse_period(text)
    if start is None or (end is not None and end != start):
        raise ParseError("year_unreadable")
    return start


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------

_UNITS = {"ty": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3}
_APPROX = (
    "gan",
    "khoang",
    "hon",
    "tren",
    "duoi",
    "uoc",
    "xap xi",
    "about",
    "approx",
    "over",
    "nearly",
    "~",
    "≈",
)
#: A minus sign (or accountants' brackets) before the number: a negative amount, never support.
_NEGATIVE_AMOUNT_RE = re.compile(r"^\D{0,20}?[-\u2212\u2013]\s*\d|^\(\s*\d[\d.,\s]*\)$")
_AMOUNT_TOKEN = re.compile(r"(\d[\d.,\s\u00a0]*\d|\d)\s*(ty|trieu|tr|nghin|ngan|k)?(?![a-z])")


def _number(token: str, has_unit: bool) -> float:
    """A number written with Vietnamese or English separators."""
    token = re.sub(r"[\s\u00a0]", "", token)
    dots, commas = token.count("."), token.count(",")
    if dots and commas:  # the last separator is the decimal one
        decimal = "." if token.rfind(".") > token.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        return float(token.replace(thousands, "").replace(decimal, "."))
    sep = "." if dots else "," if commas else None
    if sep is None:
        return float(token)
    parts = token.split(sep)
    grouped = all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3
    if grouped and (len(parts) > 2 or sep == "." or not has_unit):
        return float("".join(parts))
    if len(parts) == 2:
        return float(parts[0] + "." + parts[1])
    raise ParseError("amount_unreadable")


def parse_amount(text: str, multiplier: int = 1) -> tuple[int, bool]:
    """(đồng, approximate) from an amount as written.

    Dots group thousands and a comma is the decimal mark, as in Vietnamese ("1,2 tỷ"); English
    grouping ("81,000,000") is read too. ``multiplier`` is the column's unit (from its header).

    >>> parse_amount("81.000.000"), parse_amount("81 triệu"), parse_amount("1,2 tỷ")
    ((81000000, False), (81000000, False), (1200000000, False))
    >>> parse_amount("gần 81 triệu đồng"), parse_amount("1 tỷ 200 triệu")
    ((81000000, True), (1200000000, False))
    >>> parse_amount("81,000,000 VND"), parse_amount("1.5", multiplier=10**6), parse_amount("500k")
    ((81000000, False), (1500000, False), (500000, False))
    >>> parse_amount("-5000000")
    Traceback (most recent call last):
    ...
    geodata.imports.parsing.ParseError: amount_negative
    """
    raw = _num_text(text)
    if _NEGATIVE_AMOUNT_RE.match(raw):
        raise ParseError("amount_negative")
    key = " ".join(
        "".join(
            c for c in unicodedata.normalize("NFD", raw.casefold()) if not unicodedata.combining(c)
        )
        .replace("đ", "d")
        .split()
    )
    approx = any(key.startswith(w) or f" {w} " in f" {key} " for w in _APPROX)
    body = re.sub(r"\b(dong|vnd|d)\b\.?", " ", key)
    body = re.sub(r"[~≈]", " ", body)
    tokens = list(_AMOUNT_TOKEN.finditer(body))
    if not tokens:
        raise ParseError("amount_unreadable")
    leftover = _AMOUNT_TOKEN.sub(" ", body)
    leftover = re.sub(
        r"\b(" + "|".join(w for w in _APPROX if w.isalpha() or " " in w) + r")\b", " ", leftover
    )
    if leftover.strip(" .,;:+-()"):
        raise ParseError("amount_unreadable")
    total = 0.0
    for m in tokens:
        unit = m.group(2)
        value = _number(m.group(1), has_unit=bool(unit))
        total += value * (_UNITS[unit] if unit else multiplier)
    if total < 0 or total > 10**14:
        raise ParseError("amount_out_of_range")
    return round(total), approx


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{4})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date:
    """A date written dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, mm/yyyy, an Excel serial).

    >>> parse_date("05/03/2019"), parse_date("2019-03-05"), parse_date("43529")
    (datetime.date(2019, 3, 5), datetime.date(2019, 3, 5), datetime.date(2019, 3, 5))
    >>> parse_date("31/02/2020")
    Traceback (most recent call last):
    ...
    geodata.imports.parsing.ParseError: date_invalid
    """
    text = _num_text(text)
    for regex, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        m = regex.match(text)
        if m:
            y, mo, d = (int(m.group(i)) for i in order)
            return _checked(y, mo, d)
    m = _MY.match(text)
    if m:
        return _checked(int(m.group(2)), int(m.group(1)), 1)
    if re.fullmatch(r"\d{5}", text):
        date = _EXCEL_EPOCH + dt.timedelta(days=int(text))
        return _checked(date.year, date.month, date.day)
    raise ParseError("date_unreadable")


def _checked(y: int, mo: int, d: int) -> dt.date:
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        raise ParseError("date_invalid") from None
    if not YEAR_MIN <= date.year <= YEAR_MAX:
        raise ParseError("year_out_of_range", year=date.year)
    return date


# --------------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------------

_DMS = re.compile(
    r"""^(\d{1,3})\s*[°º:\s]\s*(\d{1,2})\s*['′:\s]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:["″]|'')?\s*([NSEWBĐTnsewbđt]?)$"""
)


def parse_coordinate(text: str) -> float:
    """One coordinate: decimal (comma or dot) or degrees-minutes-seconds.

    >>> parse_coordinate("22,1534"), parse_coordinate("105°49'30\\""), parse_coordinate("2455123.5")
    (22.1534, 105.825, 2455123.5)
    """
    text = _num_text(text).strip()
    m = _DMS.match(text)
    if m:
        return int(m.group(1)) + int(m.group(2)) / 60 + float(m.group(3).replace(",", ".")) / 3600
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ParseError("coordinate_unreadable") from None


def split_pair(text: str) -> tuple[str, str]:
    """The two numbers of a "22.15, 105.83" or "22,15; 105,83" cell.

    >>> split_pair("22.15, 105.83"), split_pair("22,15; 105,83"), split_pair("22.15 105.83")
    (('22.15', '105.83'), ('22,15', '105,83'), ('22.15', '105.83'))
    """
    text = _num_text(text).strip().strip("()[]")
    for sep in (";", "|", "/"):
        if sep in text:
            a, _, b = text.partition(sep)
            return a.strip(), b.strip()
    if text.count(",") == 1:
        a, _, b = text.partition(",")
        return a.strip(), b.strip()
    parts = text.split()
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ParseError("coordinate_unreadable")


def _num_text(text: object) -> str:
    text = "" if text is None else str(text)
    text = unicodedata.normalize("NFC", text).strip()
    if re.fullmatch(r"\d+\.0", text):  # "2019.0" from a float column; "1.000" is a thousand
        text = text.split(".")[0]
    return text
