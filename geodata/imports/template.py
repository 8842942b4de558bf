"""``ntm-atlas import template KIND``: an .xlsx with the expected columns and drop-down lists."""

from __future__ import annotations

from pathlib import Path

from geodata.imports.columns import TEMPLATE_COLUMNS, fields_of
from geodata.imports.context import ImportContext
from geodata.vocabulary import VINTAGES, ProjectKind, ProjectStatus, SponsorKind

MAX_ROWS = 2000


TITLES = {
    "assignments": (
        "Phân công giúp đỡ",
        "DANH SÁCH CƠ QUAN, ĐƠN VỊ GIÚP ĐỠ XÃ XÂY DỰNG NÔNG THÔN MỚI",
    ),
    "projects": ("Công trình", "DANH SÁCH CÔNG TRÌNH, HỖ TRỢ XÂY DỰNG NÔNG THÔN MỚI"),
    "agencies": ("Cơ quan", "DANH SÁCH CƠ QUAN, ĐƠN VỊ"),
}


def write_template(kind: str, out: Path | str, ctx: ImportContext | None = None) -> Path:
    """Write the template for ``kind``; with a context, communes and districts get drop-downs."""
    from openpyxl import Workbook

    fields_of(kind)  # raises on an unknown kind
    out = Path(out)
    wb = Workbook()
    letters = _header(wb.active, kind)
    lists = wb.create_sheet("Danh mục")
    lists.sheet_state = "hidden"
    _drop_downs(wb.active, lists, _choices(kind, ctx), letters)
    wb.save(out)
    return out


def _header(ws, kind: str) -> dict[str, str]:
    """Title, note and the header row (row 3, with each field's English name as a comment);
    returns each field's column letter."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    ws.title, ws["A1"] = TITLES[kind]
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "(Import template / Mẫu nhập dữ liệu NTM Atlas — điền từ dòng 4)"
    letters = {}
    for i, (field, vi, en) in enumerate(TEMPLATE_COLUMNS[kind], start=1):
        cell = ws.cell(row=3, column=i, value=vi)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(f"{en} ({field})", "NTM Atlas")
        letters[field] = cell.column_letter
        ws.column_dimensions[cell.column_letter].width = max(14, len(vi) + 4)
    ws.freeze_panes = "A4"
    return letters


def _choices(kind: str, ctx: ImportContext | None) -> dict[str, list[str]]:
    """The values each listed field may take."""
    choices: dict[str, list[str]] = {}
    if kind == "projects":
        choices["kind"] = list(ProjectKind.values())
        choices["status"] = [s.value for s in ProjectStatus.recorded()]
    else:
        choices["sponsor_kind" if kind == "assignments" else "kind"] = list(SponsorKind.values())
    if ctx is not None and kind != "agencies":
        names = sorted({str(n) for v in VINTAGES[:2] for n in ctx.communes[v]["name"]})
        choices["commune"] = names
        choices["district"] = sorted(set(ctx.districts.values()))
    return choices


def _drop_downs(ws, lists, choices: dict[str, list[str]], letters: dict[str, str]) -> None:
    """Each field's values in a column of the hidden ``lists`` sheet, and a drop-down on the
    field's column (communes and districts also take other text)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for col, (field, values) in enumerate(choices.items(), start=1):
        if field not in letters:
            continue
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
        ref = lists.cell(row=1, column=col).column_letter
        dv = DataValidation(
            type="list",
            formula1=f"='Danh mục'!${ref}$1:${ref}${len(values)}",
            allow_blank=True,
            showErrorMessage=field not in ("commune", "district"),
        )
        dv.error = "Chọn một giá trị trong danh sách / choose a value from the list"
        ws.add_data_validation(dv)
        dv.add(f"{letters[field]}4:{letters[field]}{MAX_ROWS}")
