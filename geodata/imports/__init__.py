"""Import the spreadsheets people already keep: read, validate, write as one undoable change.

``reader`` (files → rows of fields) → ``validate`` (rows → records and a report of every
problem) → ``apply`` (records → the store, locked, atomic, logged, undoable). See
:mod:`geodata.imports.apply` for where imported rows live and why ``data build`` keeps them.

Typical use::

    store = open_store("ntm-atlas.gpkg")  # or "postgresql://…"
    report = check_file("so-cong-thuong.xlsx", "projects", store)
    if report.ok:
        result = import_report(report, store, file="so-cong-thuong.xlsx")
"""

from __future__ import annotations

from pathlib import Path

from geodata.imports.apply import (
    ApplyResult,
    ImportBusyError,
    apply_import,
    carry_imports,
    read_log,
    store_lock,
    undo_last,
)
from geodata.imports.collector import young_collections_only
from geodata.imports.columns import KINDS
from geodata.imports.context import ImportContext
from geodata.imports.limits import DEFAULT as DEFAULT_LIMITS
from geodata.imports.limits import Deadline, LimitError, Limits
from geodata.imports.reader import UnreadableFileError, open_table
from geodata.imports.validate import Problem, Report, RowResult, validate
from geodata.sources import sha256_of
from geodata.store import Store, open_store

__all__ = [
    "KINDS",
    "ApplyResult",
    "ImportBusyError",
    "ImportContext",
    "LimitError",
    "Limits",
    "Problem",
    "Report",
    "RowResult",
    "UnreadableFileError",
    "apply_import",
    "carry_imports",
    "check_file",
    "import_report",
    "read_log",
    "sha256_of",
    "store_lock",
    "undo_last",
]


def check_file(
    path: Path | str,
    kind: str,
    store: Store | Path | str | None = None,
    *,
    ctx: ImportContext | None = None,
    sheet: str | None = None,
    vintage: int | None = None,
    accept_suggestions: bool = False,
    overrides: dict[int, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Read and validate a file, row by row within ``limits``; nothing is written.

    Raises :class:`UnreadableFileError` when the file cannot be read as a table of ``kind`` or
    breaks a limit of the file as a whole (:class:`LimitError`, a kind of it), including the
    time budget of reading and checking together.
    """
    if kind not in KINDS:
        msg = f"Unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}"
        raise ValueError(msg)
    if ctx is None:
        if store is None:
            msg = "check_file needs a store or a context"
            raise ValueError(msg)
        ctx = ImportContext.from_store(open_store(store))
    deadline = Deadline(limits.time_budget_s, Path(path).name)
    with (
        young_collections_only(),
        open_table(path, kind, sheet=sheet, limits=limits, deadline=deadline) as table,
    ):
        report = validate(  # row by row as the file is read
            table,
            kind,
            ctx,
            vintage=vintage,
            accept_suggestions=accept_suggestions,
            overrides=overrides,
            limits=limits,
            deadline=deadline,
        )
    report.summary["sha256"] = sha256_of(path)
    return report


def import_report(
    report: Report,
    store: Store | Path | str,
    *,
    file: Path | str,
    dataset: str | None = None,
    user: str | None = None,
    skip_invalid: bool = False,
    timeout: float = 30.0,
    replace: bool = False,
) -> ApplyResult:
    """Write a checked report; refuses one with errors unless ``skip_invalid``."""
    if not report.ok and not skip_invalid:
        from geodata.errors import DataValidationError

        errors = [r.row for r in report.rows if r.status == "error"]
        rows = ", ".join(map(str, errors[:20]))
        msg = f"{len(errors)} row(s) have errors (rows {rows}); nothing written"
        raise DataValidationError(msg)
    file = Path(file)
    return apply_import(
        open_store(store),
        report,
        dataset=dataset or file.stem,
        file_name=file.name,
        sha256=report.summary.get("sha256") or sha256_of(file),
        user=user,
        timeout=timeout,
        replace=replace,
    )
