"""Read a spreadsheet as people keep it: .xlsx (first sheet or a named one), .csv, Excel's
"Unicode text" (.txt, UTF-16, tab-separated).

The reader finds the header row below any title rows (and a second header row under merged
header cells, such as "Tọa độ" over "X" and "Y"), fills merged cells from their top-left value,
names every row by the number a person sees (Excel's row number; for a text file the line
number, the first line being 1), and sets aside blank, numbering, total and signature rows.
It knows nothing about communes: that is :mod:`geodata.imports.validate`'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from geodata.errors import NtmAtlasError
from geodata.imports.columns import REQUIRED, amount_multiplier, header_key, match_header

HEADER_SEARCH_ROWS = 40
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
SHEET_SUFFIXES = (".xlsx", ".xlsm")


class UnreadableFileError(NtmAtlasError, ValueError):
    """The file cannot be read as a table of this kind (format, encoding or no header row)."""


@dataclass(frozen=True)
class RawRow:
    """One row below the header: the cells of known columns, as text (NFC, trimmed)."""

    row: int
    cells: dict[str, str]
    values: tuple[str, ...] = ()


@dataclass
class RawTable:
    """What :func:`read_table` found in a file."""

    path: Path
    file_format: str
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # field → header as written
    ignored_columns: list[str]
    multipliers: dict[str, int]
    rows: list[RawRow]
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason, text)


# --------------------------------------------------------------------------------------------
# Files → grids of text
# --------------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file: UTF-8 with or without BOM, UTF-16, Windows-1258.

    Windows-1258 writes tone marks as combining characters; the text is returned in NFC.

    >>> detect_encoding("Xã Hòa".encode("utf-16"))
    ('Xã Hòa', 'UTF-16')
    >>> detect_encoding(encode_cp1258("Xã Hòa, Bằng Lũng"))
    ('Xã Hòa, Bằng Lũng', 'Windows-1258')
    >>> detect_encoding(b"\\xef\\xbb\\xbfabc")
    ('abc', 'UTF-8 with BOM')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text, name = data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, name = data.decode("utf-16"), "UTF-16"
    elif _looks_utf16(data):
        le = data[1::2].count(0) > data[0::2].count(0)
        text, name = data.decode("utf-16-le" if le else "utf-16-be"), "UTF-16"
    else:
        try:
            text, name = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            text, name = data.decode("cp1258", errors="replace"), "Windows-1258"
    return unicodedata.normalize("NFC", text), name


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: vowel letters precomposed, tone marks combining.

    >>> encode_cp1258("Hòa").hex(" ")
    '48 6f cc 61'
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out.append((base + tones).encode("cp1258", errors="replace"))
    return b"".join(out)


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return False
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return zeros > len(sample) // 2 * 0.3


def _text_grid(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"Cannot read {path}: {exc.strerror or exc}"
        raise UnreadableFileError(msg) from exc
    if (
        b"\x00" in data[:4000]
        and not _looks_utf16(data)
        and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        msg = f"{path.name} is not a text file; save it as .xlsx, .csv or Unicode text"
        raise UnreadableFileError(msg)
    try:
        text, encoding = detect_encoding(data)
    except UnicodeDecodeError as exc:
        msg = f"{path.name}: cannot decode the text ({exc.reason})"
        raise UnreadableFileError(msg) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    delimiter = _delimiter(text, path.suffix.lower())
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    grid = []
    start = 1
    try:
        for cells in reader:
            grid.append((start, [_cell_text(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = f"{path.name}: not a readable table ({exc})"
        raise UnreadableFileError(msg) from exc
    return grid, encoding


def _delimiter(text: str, suffix: str) -> str:
    lines = [line for line in text.split("\n")[:50] if line.strip()]
    best, best_width = "\t" if suffix != ".csv" else ",", 1
    order = ("\t", ";", ",") if suffix != ".csv" else (",", ";", "\t")
    for delim in order:
        widths = sorted(len(r) for r in csv.reader(lines, delimiter=delim))
        width = widths[len(widths) // 2] if widths else 1
        if width > best_width:
            best, best_width = delim, width
    return best


def _xlsx_grid(path: Path, sheet: str | None) -> tuple[list[tuple[int, list[str]]], str]:
    import openpyxl

    try:
        # read-only is faster; merged ranges come from the sheet's XML (_merged_ranges)
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        msg = f"{path.name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        raise UnreadableFileError(msg) from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        elif sheet.isdigit() and 1 <= int(sheet) <= len(wb.worksheets):
            ws = wb.worksheets[int(sheet) - 1]
        else:
            msg = f"{path.name} has no sheet {sheet!r}; it has: {', '.join(wb.sheetnames)}"
            raise UnreadableFileError(msg)
        grid = [
            (1 + i, [_cell_text(v) for v in values])
            for i, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True))
        ]
        by_row = {r: cells for r, cells in grid}
        for min_col, min_row, max_col, max_row in _merged_ranges(path, ws):
            top = by_row.get(min_row)
            if top is None or min_col - 1 >= len(top):
                continue
            value = top[min_col - 1]
            for r in range(min_row, max_row + 1):
                cells = by_row.get(r)
                if cells is None:
                    continue
                for c in range(min_col, max_col + 1):
                    while len(cells) < c:
                        cells.append("")
                    cells[c - 1] = value
        return grid, ws.title
    finally:
        wb.close()


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _merged_ranges(path: Path, ws) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of a read-only sheet."""
    from openpyxl.utils.cell import range_boundaries

    sheet_xml = getattr(ws, "_worksheet_path", None)
    if sheet_xml is None:
        return []
    with zipfile.ZipFile(path) as zf:
        data = zf.read(sheet_xml.lstrip("/"))
    return [range_boundaries(m.decode()) for m in _MERGE_RE.findall(data)]


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ".0", dates as dd/mm/yyyy, NFC, trimmed."""
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


# --------------------------------------------------------------------------------------------
# Grid → rows of fields
# --------------------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\(?[0-9]{1,2}\)?$|^\(?[a-zA-Z]\)?$|^\(?[ivxIVX]{1,4}\)?$")
_TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "total", "sum", "grand total")
_FOOTER_KEYS = (
    "nguoi lap bieu",
    "nguoi lap",
    "thu truong don vi",
    "thu truong",
    "giam doc",
    "chu tich",
    "ky ten",
    "ky ghi ro ho ten",
    "ky dong dau",
    "xac nhan",
    "prepared by",
    "approved by",
    "noi nhan",
    "ngay thang nam",
)


def _is_total(values: list[str]) -> bool:
    for value in [v for v in values if v][:3]:
        text = value.casefold().strip(" .:-*")
        if any(text == w or text.startswith((w + " ", w + ":")) for w in _TOTAL_WORDS):
            return True
    return False


def _is_footer(values: list[str]) -> bool:
    for value in values:
        key = header_key(value)
        if any(key.startswith(k) for k in _FOOTER_KEYS) or re.match(
            r"^.{0,40} ngay \d+ thang \d+ nam \d{4}", key
        ):
            return True
    return False


def _header_fields(cells: list[str], kind: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        name = match_header(cell, kind)
        if name and name not in found.values():
            found[i] = name
    return found


def _find_header(grid: list[tuple[int, list[str]]], kind: str) -> int:
    best, best_score = -1, 1
    for i, (_, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        fields = set(_header_fields(cells, kind).values()) - {"row_no"}
        required = all(any(f in fields for f in group) for group in REQUIRED[kind])
        score = len(fields) + (2 if required else 0)
        if score > best_score and (required or len(fields) >= 3):
            best, best_score = i, score
    return best


def _subheader(cells: list[str], header: list[str], kind: str) -> dict[int, str] | None:
    """Fields of a second header row (under merged header cells), or None if it is data.

    Every cell that differs from the header cell above must name a field by itself ("Kinh
    độ", "X"), and at least one must sit under an empty or horizontally merged header cell.
    """
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if not filled or any(re.fullmatch(r"[\d.,\s()-]+", c) for _, c in filled):
        return None
    fields: dict[int, str] = {}
    under_merge = False
    for i, cell in filled:
        parent = header[i] if i < len(header) else ""
        if cell == parent:
            continue
        name = match_header(cell, kind)
        if name is None:
            return None
        neighbours = {header[j] for j in (i - 1, i + 1) if 0 <= j < len(header)}
        under_merge = under_merge or not parent or parent in neighbours
        fields[i] = name
    return fields if fields and under_merge else None


def read_table(path: Path | str, kind: str, sheet: str | None = None) -> RawTable:
    """Read a spreadsheet of ``kind`` (assignments, projects, agencies) into rows of fields.

    Raises
    ------
    UnreadableFileError
        The file is missing, not a spreadsheet, or has no recognisable header row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        msg = f"No file {path}"
        raise UnreadableFileError(msg)
    if suffix in SHEET_SUFFIXES or (suffix not in TEXT_SUFFIXES and zipfile.is_zipfile(path)):
        grid, sheet_name = _xlsx_grid(path, sheet)
        file_format, encoding = "xlsx", None
    elif suffix in TEXT_SUFFIXES or suffix == "":
        grid, encoding = _text_grid(path)
        file_format, sheet_name = ("csv" if suffix == ".csv" else "txt"), None
    elif suffix == ".xls":
        msg = f"{path.name}: the old .xls format is not read; save it as .xlsx (Excel 2007+) or CSV"
        raise UnreadableFileError(msg)
    else:
        msg = f"{path.name}: unknown file type {suffix!r}; use .xlsx, .csv or .txt (Unicode text)"
        raise UnreadableFileError(msg)

    h = _find_header(grid, kind)
    if h < 0:
        wanted = " + ".join("/".join(g) for g in REQUIRED[kind])
        msg = (
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
            f"(needs columns for {wanted}); get a template with: ntm-atlas import template {kind}"
        )
        raise UnreadableFileError(msg)
    header_number, header = grid[h]
    by_col = _header_fields(header, kind)
    first_data = h + 1
    if first_data < len(grid):
        sub = _subheader(grid[first_data][1], header, kind)
        if sub:
            merged = dict(by_col)
            for i, name in sub.items():
                merged.pop(i, None)
                if name not in merged.values():
                    merged[i] = name
            by_col = merged
            header = [
                f"{header[i] if i < len(header) else ''} {c}".strip()
                if c and (i >= len(header) or c != header[i])
                else (header[i] if i < len(header) else "")
                for i, c in enumerate(
                    grid[first_data][1] + [""] * max(0, len(header) - len(grid[first_data][1]))
                )
            ]
            first_data += 1
    columns = {name: header[i] for i, name in by_col.items() if i < len(header)}
    used = set(by_col)
    ignored = [c for i, c in enumerate(header) if c and i not in used]
    multipliers = {"cost": amount_multiplier(columns["cost"])} if "cost" in columns else {}

    rows: list[RawRow] = []
    skipped: list[tuple[int, str, str]] = []
    after_total = False
    required = {f for g in REQUIRED[kind] for f in g}
    for number, values in grid[first_data:]:
        filled = [v for v in values if v]
        if not filled:
            continue
        text = " | ".join(dict.fromkeys(filled))
        if all(_NUMBERING.match(v) for v in filled) and len(filled) >= 3:
            skipped.append((number, "numbering_row", text))
            continue
        if _is_total(values):
            skipped.append((number, "total_row", text))
            after_total = True
            continue
        if len(filled) <= 4 and _is_footer(values):  # signatures stand alone
            skipped.append((number, "footer_row", text))
            continue
        cells = {name: values[i] for i, name in by_col.items() if i < len(values) and values[i]}
        cells.pop("row_no", None)
        distinct = {v for v in filled if not _NUMBERING.match(v)}
        if len(distinct) == 1 and "commune_code" not in cells and kind != "agencies":
            skipped.append((number, "single_value_row", next(iter(distinct))))
            continue
        if after_total and not (required & set(cells)):
            skipped.append((number, "footer_row", text))
            continue
        rows.append(RawRow(number, cells, tuple(values)))
    return RawTable(
        path=path,
        file_format=file_format,
        encoding=encoding,
        sheet=sheet_name,
        header_row=header_number,
        columns=columns,
        ignored_columns=ignored,
        multipliers=multipliers,
        rows=rows,
        skipped=skipped,
    )
