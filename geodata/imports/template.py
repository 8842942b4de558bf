"""``ntm-atlas import template KIND``: an .xlsx with the expected columns and drop-down lists."""

from __future__ import annotations

from pathlib import Path

from geodata.imports.columns import TEMPLATE_COLUMNS, fields_of
from geodata.imports.context import ImportContext
from geodata.vocabulary import VINTAGES, ProjectKind, ProjectStatus, SponsorKind

MAX_ROWS = 2000


def write_template(kind: str, out: Path | str, ctx: ImportContext | None = None) -> Path:
    """Write the template for ``kind``; with a context, communes and districts get drop-downs."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    fields_of(kind)  # raises on an unknown kind
    out = Path(out)
    wb = Workbook()
    ws = wb.active
    ws.title = {
        "assignments": "Phân công giúp đỡ",
        "projects": "Công trình",
        "agencies": "Cơ quan",
    }[kind]
    ws["A1"] = {
        "assignments": "DANH SÁCH CƠ QUAN, ĐƠN VỊ GIÚP ĐỠ XÃ XÂY DỰNG NÔNG THÔN MỚI",
        "projects": "DANH SÁCH CÔNG TRÌNH, HỖ TRỢ XÂY DỰNG NÔNG THÔN MỚI",
        "agencies": "DANH SÁCH CƠ QUAN, ĐƠN VỊ",
    }[kind]
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "(Import template / Mẫu nhập dữ liệu NTM Atlas — điền từ dòng 4)"
    columns = TEMPLATE_COLUMNS[kind]
    letters = {}
    for i, (field, vi, en) in enumerate(columns, start=1):
        cell = ws.cell(row=3, column=i, value=vi)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.comment = Comment(f"{en} ({field})", "NTM Atlas")
        letters[field] = cell.column_letter
        ws.column_dimensions[cell.column_letter].width = max(14, len(vi) + 4)
    ws.freeze_panes = "A4"

    lists = wb.create_sheet("Danh mục")
    lists.sheet_state = "hidden"
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
    wb.save(out)
    return out
