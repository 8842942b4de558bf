"""The rows of an .xlsx sheet, as fast as the file allows and never beyond the limits.

Order of work (docs/importing.md, "Limits"):

1. the zip's directory is checked before anything is inflated (:func:`limits.check_xlsx_zip`);
2. the workbook's list of sheets picks the sheet (the first *visible* worksheet unless one is
   named or numbered);
3. the sheet's XML is scanned once, as a stream of bytes (:func:`scan_sheet`): does every cell
   name its position, are there error cells, how far do the cells reach;
4. a plain sheet small enough is read by calamine (Rust: the whole sheet in memory, as a grid
   from its first to its last cell, about 15 times faster than openpyxl); any other sheet is
   streamed by openpyxl's parser (:func:`_sheet_values`), row by row in bounded memory.

Neither parser expands XML entities: calamine's quick-xml refuses an unknown entity, openpyxl's
``iterparse`` is Python's expat behind openpyxl's guard. Formula cells give their cached value
in both (nothing is evaluated). Merged cells are filled from their top-left value.
"""

from __future__ import annotations

import contextlib
import functools
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geodata.imports.cells import Grid, cell_text, row_texts
from geodata.imports.limits import Limits, UnreadableFileError, check_xlsx_zip

#: calamine holds a sheet as a grid from its first to its last cell, 32 bytes a cell plus the
#: text: above this many cells (or this much sheet XML) a sheet is streamed by openpyxl instead,
#: so that memory stays bounded whatever the file (a 200,000 × 11 sheet is 2.2 million cells).
FAST_MAX_CELLS = 3_000_000
FAST_MAX_SHEET_BYTES = 160 * 1024 * 1024
CHUNK = 1 << 22


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible, hidden, veryHidden
    part: str  # the sheet's XML in the zip


@dataclass(frozen=True)
class SheetScan:
    """What one pass over a sheet's XML found: ``plain`` if calamine may read it (every cell
    names its position, no error cells, no namespace prefixes), the reach of its cells."""

    plain: bool
    why: str = ""
    max_row: int = 0
    max_col: int = 0

    @property
    def cells(self) -> int:
        """Cells of the grid calamine would build (an upper bound)."""
        return self.max_row * self.max_col


@contextlib.contextmanager
def xlsx_grid(
    path: Path, sheet: str | None, limits: Limits, engine: str | None = None
) -> Iterator[Grid]:
    """The rows of a sheet as text cells, merged cells filled (module docstring). ``engine``
    (``openpyxl`` or ``calamine``) forces one reader, for tests that compare them."""
    check_xlsx_zip(path, limits)
    info = choose_sheet(workbook_sheets(path), sheet, path)
    scan = scan_sheet(path, info.part)
    small = scan.cells <= FAST_MAX_CELLS and _part_size(path, info) <= FAST_MAX_SHEET_BYTES
    if engine == "calamine" or (engine is None and scan.plain and small):
        yield _calamine_grid(path, info)
        return
    with _openpyxl_grid(path, info) as grid:
        yield grid


def _part_size(path: Path, info: SheetInfo) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo(info.part).file_size


def _unreadable(path: Path, exc: Exception, where: str = "") -> UnreadableFileError:
    msg = f"{path.name} is not a readable .xlsx workbook{where} ({type(exc).__name__}: {exc})"
    return UnreadableFileError(msg)


# --------------------------------------------------------------------------------------------
# Which sheet
# --------------------------------------------------------------------------------------------


def workbook_sheets(path: Path) -> list[SheetInfo]:
    """The worksheets of a workbook in its order (chart sheets left out), from its
    ``workbook.xml`` and relationships (nothing of the sheets is read)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(str(path), read_only=True)
        try:
            reader.read_manifest()
            reader.read_workbook()
            found = [
                SheetInfo(sheet.name, sheet.state or "visible", rel.target.lstrip("/"))
                for sheet, rel in reader.parser.find_sheets()
                if rel.Type.endswith("/worksheet")
            ]
        finally:
            reader.archive.close()
    except Exception as exc:  # a hostile file can fail in any part of the XML parser
        raise _unreadable(path, exc) from exc
    if not found:
        msg = f"{path.name} has no worksheet"
        raise UnreadableFileError(msg)
    return found


def choose_sheet(sheets: list[SheetInfo], wanted: str | None, path: Path) -> SheetInfo:
    """The sheet named ``wanted``, or the ``wanted``-th visible one (from 1), or the first
    visible one: a hidden sheet is read only when named.

    >>> s = [SheetInfo("cũ", "hidden", "a"), SheetInfo("2023", "visible", "b"),
    ...      SheetInfo("2024", "visible", "c")]
    >>> [choose_sheet(s, w, Path("f.xlsx")).name for w in (None, "2", "cũ", "2024")]
    ['2023', '2024', 'cũ', '2024']
    """
    visible = [s for s in sheets if s.state == "visible"] or sheets
    if wanted is None:
        return visible[0]
    for s in sheets:
        if s.name == wanted:
            return s
    if wanted.isdigit() and 1 <= int(wanted) <= len(visible):
        return visible[int(wanted) - 1]
    names = ", ".join(s.name + (" (hidden)" if s.state != "visible" else "") for s in sheets)
    msg = f"{path.name} has no sheet {wanted!r}; it has: {names}"
    raise UnreadableFileError(msg)


# --------------------------------------------------------------------------------------------
# The scan: one pass over the sheet's XML as bytes
# --------------------------------------------------------------------------------------------

_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:")
_CELL = b'<c r="'
_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')


def scan_sheet(path: Path, part: str) -> SheetScan:
    """Scan a sheet's ``sheetData`` in chunks: cells that do not name their position (``<c>``
    without ``r``, namespace prefixes), error cells (``t="e"``, which calamine reads as empty)
    make it not plain; the highest row and column any cell names bound calamine's grid.

    The reach is found without a Python object per cell: per chunk the last cell gives a row
    and a search finds any cell beyond the row or column known so far (there is none in a file
    written top to bottom, so the search fails fast)."""
    scan = _Reach()
    try:
        with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
            for data in _sheet_data(fh):
                why = _not_plain(data)
                if why:
                    return SheetScan(False, why, *scan.bounds())
                if not scan.add(data):
                    return SheetScan(False, "cells far out of order", *scan.bounds())
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, exc) from exc
    return SheetScan(scan.found_data, "" if scan.found_data else "no sheetData", *scan.bounds())


def _sheet_data(fh) -> Iterator[bytes]:
    """The bytes between ``<sheetData`` and ``</sheetData>``, in chunks cut before a ``<``
    (so that no tag is split)."""
    tail, inside = b"", False
    while chunk := fh.read(CHUNK):
        data = tail + chunk
        if not inside:
            start = data.find(b"<sheetData")
            if start < 0:
                tail = data[-16:]
                continue
            inside, data = True, data[start:]
        end = data.find(b"</sheetData>")
        if end >= 0:
            yield data[:end]
            return
        cut = data.rfind(b"<")
        if cut <= 0:
            cut = len(data)
        yield data[:cut]
        tail = data[cut:]
    if inside and tail:
        yield tail


def _not_plain(data: bytes) -> str:
    if data.count(b"<c") != data.count(_CELL):
        return "a cell without its position"
    if b't="e"' in data or b"t='e'" in data:
        return "error cells"
    if b":" in data and _PREFIXED.search(data):
        return "namespace prefixes"
    return ""


class _Reach:
    """The highest row and column the cells name, chunk by chunk."""

    HITS = 100  # searches per chunk; more means cells far out of order

    def __init__(self) -> None:
        self.row = 0
        self.col = 0
        self.found_data = False

    def bounds(self) -> tuple[int, int]:
        return self.row, self.col

    def add(self, data: bytes) -> bool:
        self.found_data = True
        last = data.rfind(_CELL)
        if last < 0:
            return True
        m = _REF.match(data, last)
        if m is None:
            return False
        self.row = max(self.row, int(m.group(2)))
        self.col = max(self.col, _column_number(m.group(1).decode()))
        pos = 0
        for _ in range(self.HITS):
            m = _beyond(self.row, self.col).search(data, pos)
            if m is None:
                return True
            ref = _REF.match(data, m.start())
            if ref is None:  # a malformed position
                return False
            self.row = max(self.row, int(ref.group(2)))
            self.col = max(self.col, _column_number(ref.group(1).decode()))
            pos = m.start() + 1
        return False


@functools.lru_cache(maxsize=256)
def _beyond(row: int, col: int) -> re.Pattern[bytes]:
    """A cell position beyond ``row`` or ``col``, or not a plain position at all.

    >>> p = _beyond(200, 11)  # K200
    >>> [bool(p.match(b'<c r="%s"' % r)) for r in (b"K200", b"A1", b"L1", b"A201", b"a1")]
    [False, False, True, True, True]
    """
    letters = _column_letters(col)
    pattern = (
        rb'<c r="(?:'
        + _letters_above(letters).encode()
        + rb"|[A-Z]{1,3}"
        + _number_above(row).encode()
        + rb'"|(?![A-Z]{1,3}\d{1,7}"))'
    )
    return re.compile(pattern)


def _number_above(n: int) -> str:
    """A regex for decimal numbers above ``n`` (more digits count as above).

    >>> import re
    >>> rx = re.compile(_number_above(2019) + "$")
    >>> [bool(rx.match(s)) for s in ("2019", "2020", "2100", "999", "10000", "02019")]
    [False, True, True, False, True, True]
    """
    digits = str(n)
    options = [rf"\d{{{len(digits) + 1},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{int(d) + 1}-9]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(options) + ")"


def _letters_above(letters: str) -> str:
    """A regex for column letters after ``letters`` (more letters count as after).

    >>> import re
    >>> rx = re.compile(_letters_above("K") + "$")
    >>> [bool(rx.match(s)) for s in ("K", "L", "Z", "A", "AA")]
    [False, True, True, False, True]
    """
    options = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            options.append(
                f"{letters[:i]}[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    """The column of letters ("C" → 3)."""
    from openpyxl.utils.cell import column_index_from_string

    return column_index_from_string(letters)


def _column_letters(col: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(max(col, 1))


# --------------------------------------------------------------------------------------------
# calamine: a plain sheet, read whole
# --------------------------------------------------------------------------------------------


def _calamine_grid(path: Path, info: SheetInfo) -> Grid:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            sheet = wb.get_sheet_by_name(info.name)
    except CalamineError as exc:
        raise _unreadable(path, exc) from exc
    merges = [
        (c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()
    ]
    return Grid(_filled(_calamine_rows(sheet), merges), sheet=info.name, engine="calamine")


def _calamine_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    """The rows with Excel's row numbers (``iter_rows`` yields the empty rows above the first
    cell too), from column A (calamine's grid starts at the first cell's column)."""
    if sheet.start is None:  # an empty sheet (iter_rows would panic)
        return
    pad = [""] * sheet.start[1]
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield number, pad + row_texts(values) if pad else row_texts(values)


# --------------------------------------------------------------------------------------------
# openpyxl: any other sheet, streamed
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _openpyxl_grid(path: Path, info: SheetInfo) -> Iterator[Grid]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # a hostile file can fail in any part of the XML parser
        raise _unreadable(path, exc) from exc
    try:
        ws = wb[info.name]
        merges = _merged_ranges(path, info.part)
        ws.reset_dimensions()  # rows as wide as their last cell, not the sheet's claimed size
        yield Grid(_filled(_openpyxl_rows(path, ws), merges), sheet=ws.title, engine="openpyxl")
    finally:
        wb.close()


def _openpyxl_rows(path: Path, ws) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for number, values in _sheet_values(ws):
            yield number, [cell_text(v) for v in values]
    except UnreadableFileError:
        raise
    except Exception as exc:  # XML errors (entities, bad markup) in a hostile sheet
        raise _unreadable(path, exc, f" near row {number + 1}") from exc


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _sheet_values(ws) -> Iterator[tuple[int, list]]:
    """``(row number, values)`` of a read-only sheet, as ``ws.iter_rows(values_only=True)``
    gives them (the same values: shared and inline strings, numbers, booleans, dates by the
    cells' styles; missing rows empty, a row as wide as its last cell), read from the sheet's
    XML by the same parser (``openpyxl.xml.functions.iterparse``: no entity is expanded) without
    openpyxl's per-cell objects, which took most of the time of a large import."""
    from openpyxl.xml.functions import iterparse

    row_tag = _MAIN_NS + "row"
    read = _CellReader(ws)
    counter, parsed = 1, 0
    with ws._get_source() as source:
        for _, row in iterparse(source):
            if row.tag != row_tag:
                continue
            r = row.get("r")
            parsed = _row_number(r) if r is not None else parsed + 1
            cells: list[tuple[int, object]] = []
            column = 0
            for cell in row:
                ref = cell.get("r")
                column = _column_of(ref) if ref else column + 1
                cells.append((column, read(cell)))
            row.clear()
            while counter < parsed:  # rows the sheet leaves out are empty
                yield counter, []
                counter += 1
            if counter == parsed:
                yield counter, _placed(cells)
                counter += 1


def _placed(cells: list[tuple[int, object]]) -> list:
    """Values at their columns (1 = A), as wide as the last cell."""
    values: list = []
    if cells:
        values = [None] * cells[-1][0]
        for col, value in cells:
            if 1 <= col <= len(values):
                values[col - 1] = value
    return values


class _CellReader:
    """One ``<c>`` element's value, as openpyxl's read-only cells give it."""

    def __init__(self, ws) -> None:
        self.shared = ws._shared_strings
        self.dates = ws.parent._date_formats
        self.deltas = ws.parent._timedelta_formats
        self.epoch = ws.parent.epoch

    def __call__(self, cell):
        from openpyxl.cell.text import Text

        kind = cell.get("t", "n")
        if kind == "inlineStr":
            child = cell.find(_MAIN_NS + "is")
            return Text.from_tree(child).content if child is not None else None
        value = cell.findtext(_MAIN_NS + "v", None) or None
        if value is None:
            return None
        if kind == "n":
            return self.number(value, int(cell.get("s") or 0))
        if kind == "s":
            return self.shared[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(value)
        return value

    def number(self, text: str, style: int):
        from openpyxl.utils.datetime import from_excel

        value = float(text) if any(c in text for c in ".Ee") else int(text)
        if style in self.dates:
            try:
                return from_excel(value, self.epoch, timedelta=style in self.deltas)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return value


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(value)


def _column_of(ref: str) -> int:
    """The column of a cell reference ("C12" → 3)."""
    letters = ref.rstrip("0123456789")
    if not letters or not ref[len(letters) :].isdigit():
        raise ValueError(f"Invalid cell coordinates ({ref})")
    return _column_number(letters)


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _merged_ranges(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of a sheet, from the
    sheet's XML read in chunks."""
    from openpyxl.utils.cell import range_boundaries

    found: list[bytes] = []
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            cut = max(0, len(data) - 64)
            found += [m.group(1) for m in _MERGE_RE.finditer(data) if m.end() <= cut]
            tail = data[cut:]
        found += _MERGE_RE.findall(tail)
    return [range_boundaries(m.decode()) for m in found]


def _filled(
    rows: Iterator[tuple[int, list[str]]], merges: list[tuple[int, int, int, int]]
) -> Iterator[tuple[int, list[str]]]:
    """Rows with every merged range filled from its top-left value, row by row."""
    if not merges:
        yield from rows
        return
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for min_col, min_row, max_col, max_row in merges:
        starting.setdefault(min_row, []).append((min_col, max_col, max_row))
    active: list[tuple[str, int, int, int]] = []  # (value, min_col, max_col, max_row)
    for number, cells in rows:
        active = [a for a in active if a[3] >= number]
        for min_col, max_col, max_row in starting.pop(number, ()):
            if min_col - 1 < len(cells):
                active.append((cells[min_col - 1], min_col, max_col, max_row))
        for value, min_col, max_col, _ in active:
            if len(cells) < max_col:
                cells.extend([""] * (max_col - len(cells)))
            cells[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)
        yield number, cells
