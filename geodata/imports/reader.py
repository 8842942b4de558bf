"""Read a spreadsheet as people keep it: .xlsx (first sheet or a named one), .csv, Excel's
"Unicode text" (.txt, UTF-16, tab-separated).

The reader finds the header row below any title rows (and a second header row under merged
header cells, such as "Tọa độ" over "X" and "Y"), fills merged cells from their top-left value,
names every row by the number a person sees (Excel's row number; for a text file the line
number, the first line being 1), and sets aside blank, numbering, total and signature rows.
It knows nothing about communes: that is :mod:`geodata.imports.validate`'s job.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geodata.imports.cells import Grid, cell_text, plain_texts
from geodata.imports.columns import REQUIRED, amount_multiplier, header_key, match_header
from geodata.imports.limits import DEFAULT as DEFAULT_LIMITS
from geodata.imports.limits import (
    Deadline,
    LimitError,
    Limits,
    UnreadableFileError,
    check_file_size,
)
from geodata.imports.xlsx import xlsx_grid

HEADER_SEARCH_ROWS = 40
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
SHEET_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row below the header: the cells of known columns, as text (NFC, trimmed)."""

    row: int
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row below the header set aside: column numbering, a total, a signature, a heading."""

    row: int
    reason: str
    text: str


@dataclass
class RawTable:
    """What :func:`read_table` (or :func:`open_table`) found in a file: the header, and the
    rows below it in file order (``body``: data rows and rows set aside). From
    :func:`open_table` the body is read as it is iterated, once."""

    path: Path
    file_format: str
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # field → header as written
    ignored_columns: list[str]
    multipliers: dict[str, int]
    body: Iterable[RawRow | SkippedRow] = ()

    @property
    def rows(self) -> list[RawRow]:
        return [r for r in self.body if isinstance(r, RawRow)]

    @property
    def skipped(self) -> list[tuple[int, str, str]]:
        """``(row, reason, text)`` of the rows set aside."""
        return [(r.row, r.reason, r.text) for r in self.body if isinstance(r, SkippedRow)]


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


def _sniff_encoding(path: Path) -> tuple[str, str]:
    """(codec, name) of a text file, read in chunks (never whole): a BOM, UTF-16 by its zero
    bytes, UTF-8 if every byte decodes, else Windows-1258."""
    with path.open("rb") as fh:
        head = fh.read(4000)
        if (
            b"\x00" in head
            and not _looks_utf16(head)
            and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        ):
            msg = f"{path.name} is not a text file; save it as .xlsx, .csv or Unicode text"
            raise UnreadableFileError(msg)
        if head.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig", "UTF-8 with BOM"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16", "UTF-16"
        if _looks_utf16(head):
            le = head[1::2].count(0) > head[0::2].count(0)
            return ("utf-16-le" if le else "utf-16-be"), "UTF-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        fh.seek(0)
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258", "Windows-1258"
    return "utf-8", "UTF-8"


@contextlib.contextmanager
def _text_grid(path: Path, limits: Limits) -> Iterator[Grid]:
    codec, name = _sniff_encoding(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
        try:
            sample = list(itertools.islice(text, 50))
        except UnicodeDecodeError as exc:
            msg = f"{path.name}: cannot decode the text ({exc.reason})"
            raise UnreadableFileError(msg) from exc
        delimiter = _delimiter(sample, path.suffix.lower())
        lines = (line.replace("\x00", "") for line in itertools.chain(sample, text))
        yield Grid(_csv_rows(path, csv.reader(lines, delimiter=delimiter), limits), name)


def _csv_rows(path: Path, reader, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    start = 1
    try:
        for cells in reader:
            yield start, cells if plain_texts(cells) else [cell_text(c) for c in cells]
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = f"{path.name}: not a readable table near line {start} ({exc})"
        if "field larger" in str(exc):
            msg = (
                f"{path.name}: a cell near line {start} is longer than a spreadsheet cell can be "
                f"({limits.max_cell_chars:,} characters)"
            )
        raise UnreadableFileError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{path.name}: cannot decode the text near line {start} ({exc.reason})"
        raise UnreadableFileError(msg) from exc


def _delimiter(sample: list[str], suffix: str) -> str:
    lines = [line.rstrip("\r\n") for line in sample if line.strip()]
    best, best_width = "\t" if suffix != ".csv" else ",", 1
    order = ("\t", ";", ",") if suffix != ".csv" else (",", ";", "\t")
    for delim in order:
        try:
            widths = sorted(len(r) for r in csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        width = widths[len(widths) // 2] if widths else 1
        if width > best_width:
            best, best_width = delim, width
    return best


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


_TOTAL_PREFIXES = tuple(w + end for w in _TOTAL_WORDS for end in (" ", ":"))


def _is_total(values: list[str]) -> bool:
    for value in [v for v in values if v][:3]:
        text = value.casefold().strip(" .:-*")
        if text in _TOTAL_WORDS or text.startswith(_TOTAL_PREFIXES):
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


def read_table(
    path: Path | str,
    kind: str,
    sheet: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    deadline: Deadline | None = None,
) -> RawTable:
    """Read a spreadsheet of ``kind`` (assignments, projects, agencies) into rows of fields,
    all at once (:func:`open_table` streams them instead).

    Raises
    ------
    UnreadableFileError
        The file is missing, not a spreadsheet, has no recognisable header row, or breaks a
        limit of the file as a whole (:class:`~geodata.imports.limits.LimitError`).
    """
    with open_table(path, kind, sheet, limits=limits, deadline=deadline) as table:
        table.body = list(table.body)
    return table


@contextlib.contextmanager
def open_table(
    path: Path | str,
    kind: str,
    sheet: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    deadline: Deadline | None = None,
) -> Iterator[RawTable]:
    """The header of a spreadsheet of ``kind`` and its rows as a stream: ``table.body`` reads
    the file row by row while it is iterated (inside the ``with``), within ``limits``
    (:mod:`geodata.imports.limits`), so no more than a row is held at a time.

    Raises :class:`UnreadableFileError` as :func:`read_table` does, the header's problems on
    entering, a limit broken further down while the body is read.
    """
    path = Path(path)
    file_format = _file_format(path)
    check_file_size(path, limits)
    deadline = deadline or Deadline(limits.time_budget_s, path.name)
    grid_of = xlsx_grid(path, sheet, limits) if file_format == "xlsx" else _text_grid(path, limits)
    with grid_of as grid:
        rows = _bounded(grid.rows, path, limits, deadline)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + 1))
        header = _header(head, kind, path)
        body = itertools.chain(head[header.first_data :], rows)
        yield RawTable(
            path=path,
            file_format=file_format,
            encoding=grid.encoding,
            sheet=grid.sheet,
            header_row=header.number,
            columns=header.columns,
            ignored_columns=header.ignored,
            multipliers={"cost": amount_multiplier(header.columns["cost"])}
            if "cost" in header.columns
            else {},
            body=_body(body, header.by_col, kind),
        )


def _file_format(path: Path) -> str:
    """``xlsx``, ``csv`` or ``txt`` from the name (and a zip's signature), or refused."""
    suffix = path.suffix.lower()
    if not path.is_file():
        msg = f"No file {path}"
        raise UnreadableFileError(msg)
    if suffix in SHEET_SUFFIXES or (suffix not in TEXT_SUFFIXES and zipfile.is_zipfile(path)):
        return "xlsx"
    if suffix in TEXT_SUFFIXES or suffix == "":
        return "csv" if suffix == ".csv" else "txt"
    if suffix == ".xls":
        msg = f"{path.name}: the old .xls format is not read; save it as .xlsx (Excel 2007+) or CSV"
        raise UnreadableFileError(msg)
    msg = f"{path.name}: unknown file type {suffix!r}; use .xlsx, .csv or .txt (Unicode text)"
    raise UnreadableFileError(msg)


def _bounded(
    rows: Iterator[tuple[int, list[str]]], path: Path, limits: Limits, deadline: Deadline
) -> Iterator[tuple[int, list[str]]]:
    """The rows, trailing empty cells dropped, refused as soon as one breaks a limit of the
    file: too many rows, too many cells in a row, a cell longer than a spreadsheet cell."""
    for number, cells in rows:
        if number % 1000 == 0:
            deadline.check()
        if number > limits.max_rows + HEADER_SEARCH_ROWS:
            msg = f"{path.name} has more than {limits.max_rows:,} rows (split the file)"
            raise LimitError(msg)
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.max_cells_per_row:
            msg = (
                f"{path.name}: row {number} has {len(cells):,} cells; the limit is "
                f"{limits.max_cells_per_row} columns"
            )
            raise LimitError(msg)
        if cells and max(map(len, cells)) <= limits.max_cell_chars:
            yield number, cells
            continue
        for i, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                msg = (
                    f"{path.name}: row {number}, column {i + 1} holds {len(cell):,} characters; "
                    f"a spreadsheet cell holds at most {limits.max_cell_chars:,}"
                )
                raise LimitError(msg)
        yield number, cells


@dataclass(frozen=True)
class _Header:
    number: int  # the row number a person sees
    by_col: dict[int, str]  # column index → field
    columns: dict[str, str]  # field → header as written
    ignored: list[str]
    first_data: int  # index (in the rows read so far) of the first data row


def _header(head: list[tuple[int, list[str]]], kind: str, path: Path) -> _Header:
    """Find the header row among the first rows (and a second header row under merged header
    cells); refuse the file if there is none."""
    h = _find_header(head, kind)
    if h < 0:
        wanted = " + ".join("/".join(g) for g in REQUIRED[kind])
        msg = (
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows "
            f"(needs columns for {wanted}); get a template with: ntm-atlas import template {kind}"
        )
        raise UnreadableFileError(msg)
    header_number, header = head[h]
    by_col = _header_fields(header, kind)
    first_data = h + 1
    if first_data < len(head):
        sub = _subheader(head[first_data][1], header, kind)
        if sub:
            by_col, header = _with_subheader(by_col, header, head[first_data][1], sub)
            first_data += 1
    columns = {name: header[i] for i, name in by_col.items() if i < len(header)}
    ignored = [c for i, c in enumerate(header) if c and i not in by_col]
    return _Header(header_number, by_col, columns, ignored, first_data)


def _with_subheader(
    by_col: dict[int, str], header: list[str], cells: list[str], sub: dict[int, str]
) -> tuple[dict[int, str], list[str]]:
    """Fields and header texts with a second header row's fields ("Tọa độ" over "X", "Y")."""
    merged = dict(by_col)
    for i, name in sub.items():
        merged.pop(i, None)
        if name not in merged.values():
            merged[i] = name
    padded = cells + [""] * max(0, len(header) - len(cells))
    texts = [
        f"{header[i] if i < len(header) else ''} {c}".strip()
        if c and (i >= len(header) or c != header[i])
        else (header[i] if i < len(header) else "")
        for i, c in enumerate(padded)
    ]
    return merged, texts


def _body(
    rows: Iterable[tuple[int, list[str]]], by_col: dict[int, str], kind: str
) -> Iterator[RawRow | SkippedRow]:
    """The data rows as fields, and the rows set aside (blank rows are dropped): column
    numbering, totals, signatures, headings of one value, notes below a total."""
    after_total = False
    required = {f for g in REQUIRED[kind] for f in g}
    fields = list(by_col.items())
    for number, values in rows:
        filled = [v for v in values if v]
        if not filled:
            continue
        reason = _set_aside(values, filled)
        n = len(values)
        cells = {name: values[i] for i, name in fields if i < n and values[i]}
        cells.pop("row_no", None)
        if reason is None:
            reason = _lone_value(filled, cells, kind)
        if reason is None and after_total and not (required & cells.keys()):
            reason = "footer_row"
        if reason == "total_row":
            after_total = True
        if reason is not None:
            text = " | ".join(dict.fromkeys(filled))
            if reason == "single_value_row":
                text = next(v for v in filled if not _NUMBERING.match(v))
            yield SkippedRow(number, reason, text)
            continue
        yield RawRow(number, cells)


def _set_aside(values: list[str], filled: list[str]) -> str | None:
    if all(_NUMBERING.match(v) for v in filled) and len(filled) >= 3:
        return "numbering_row"
    if _is_total(values):
        return "total_row"
    if len(filled) <= 4 and _is_footer(values):  # signatures stand alone
        return "footer_row"
    return None


def _lone_value(filled: list[str], cells: dict[str, str], kind: str) -> str | None:
    if kind == "agencies" or "commune_code" in cells:
        return None
    lone = None
    for v in filled:  # stop at the second distinct value that is not a numbering
        if v != lone and not _NUMBERING.match(v):
            if lone is not None:
                return None
            lone = v
    return "single_value_row" if lone is not None else None
