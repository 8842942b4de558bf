"""What an import accepts, checked before the work is done (docs/importing.md, "Limits").

A file that breaks a limit of the file as a whole (size, rows, cells in a row, one cell longer
than a spreadsheet cell can be, an .xlsx that inflates too much, the time budget) is refused as
unreadable (:class:`UnreadableFileError`, exit code 2) with a message
that says which limit and what to do. A field longer than its field's limit is an error of that
row and column (``text_too_long``, exit code 1), like any other bad value.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from geodata.errors import NtmAtlasError

MIB = 1024 * 1024


class UnreadableFileError(NtmAtlasError, ValueError):
    """The file cannot be read as a table of this kind (format, encoding, no header row, or a
    limit of the file as a whole)."""


class LimitError(UnreadableFileError):
    """The file breaks a limit of the file as a whole; the message says which."""


@dataclass(frozen=True)
class Limits:
    """The limits of one import. The defaults are generous for a department's spreadsheet
    (a few hundred rows) and hold a province's whole history (200,000 rows) too."""

    max_file_bytes: int = 50 * MIB
    max_rows: int = 250_000
    max_cells_per_row: int = 200
    #: Excel's own limit for one cell; a longer cell is not a spreadsheet someone typed.
    max_cell_chars: int = 32_767
    #: Names and other short fields (sponsor, title, commune, district, village, codes, years).
    max_name_chars: int = 200
    #: Free text (notes, activities, quantity, source links).
    max_text_chars: int = 4_000
    #: Commune and district names (the longest official one has 27 characters): a longer text
    #: is not a place name, and is not given to the name matcher.
    max_place_chars: int = 80
    #: An .xlsx (a zip): its members, their inflated size and the inflation ratio, checked in
    #: the zip's directory before any member is read.
    max_xlsx_members: int = 500
    max_xlsx_member_bytes: int = 256 * MIB
    max_xlsx_total_bytes: int = 512 * MIB
    max_xlsx_ratio: float = 100.0
    #: Reading and checking stop after this many CPU seconds (a web request must end).
    time_budget_s: float = 180.0
    #: The report keeps this many problems of each reason in full (row, column, value,
    #: suggestions); the rest are counted, so that a report's size does not grow with the file.
    problems_per_reason: int = 200

    def text_limit(self, field: str) -> int:
        """The longest text a field may hold.

        >>> [Limits().text_limit(f) for f in ("notes", "sponsor", "commune")]
        [4000, 200, 80]
        """
        if field in FREE_TEXT_FIELDS:
            return self.max_text_chars
        return self.max_place_chars if field in PLACE_FIELDS else self.max_name_chars


#: Fields that hold free text; every other field is a name, a code, a number or a date.
FREE_TEXT_FIELDS = frozenset({"notes", "activities", "quantity", "source_url"})
PLACE_FIELDS = frozenset({"commune", "district"})

DEFAULT = Limits()


def check_file_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        msg = (
            f"{path.name} is {size / MIB:.1f} MB; the limit is "
            f"{limits.max_file_bytes / MIB:.0f} MB (split the file)"
        )
        raise LimitError(msg)


#: The first bytes of an OLE compound file: what Excel writes for a password-protected
#: workbook (the encrypted .xlsx inside) and for the old .xls format.
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def check_xlsx_zip(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx whose members would inflate beyond the limits (a zip bomb), from the
    zip's central directory, before anything is decompressed. Python's zipfile never inflates
    a member beyond the size its directory declares, so the declared sizes bound the work."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        msg = f"{path.name} is not a readable .xlsx workbook ({exc})"
        with path.open("rb") as fh:
            if fh.read(8) == OLE_SIGNATURE:
                msg = (
                    f"{path.name} is not a readable .xlsx workbook: it is password-protected "
                    "(or an old .xls renamed); open it in Excel, remove the password "
                    "(File → Info → Protect Workbook) or save it as .xlsx, and import it again"
                )
        raise LimitError(msg) from exc
    if len(infos) > limits.max_xlsx_members:
        msg = f"{path.name} holds {len(infos)} parts; an .xlsx workbook has far fewer"
        raise LimitError(msg)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        too_big = info.file_size > limits.max_xlsx_member_bytes
        if too_big or (info.file_size > MIB and ratio > limits.max_xlsx_ratio):
            msg = (
                f"{path.name}: part {info.filename} inflates to {info.file_size / MIB:.0f} MB "
                f"({ratio:.0f} times its packed size); refused as a possible zip bomb"
            )
            raise LimitError(msg)
    if total > limits.max_xlsx_total_bytes:
        limit = limits.max_xlsx_total_bytes / MIB
        msg = f"{path.name} inflates to {total / MIB:.0f} MB; the limit is {limit:.0f} MB"
        raise LimitError(msg)


class Deadline:
    """The time budget of one read and check, in CPU seconds of the calling thread (what the
    import burns, whatever else the machine or the other requests do); :meth:`check` raises
    once it is spent."""

    def __init__(self, seconds: float, what: str = "the file") -> None:
        self.seconds = seconds
        self.what = what
        self.end = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.end:
            msg = (
                f"reading and checking {self.what} took more than {self.seconds:.0f} s "
                "of CPU time; split the file into smaller ones"
            )
            raise LimitError(msg)


def clip(text: str, n: int = 80) -> str:
    """Text shortened for a message.

    >>> clip("x" * 100, 10)
    'xxxxxxxxx… (100 characters)'
    """
    return text if len(text) <= n else f"{text[: n - 1]}… ({len(text):,} characters)"
