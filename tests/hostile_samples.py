"""Hostile inputs for the hardening tests: formula-like text imported through the real importer."""

from __future__ import annotations

from pathlib import Path

from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, copy_store, write_csv, write_xlsx

HOSTILE = (
    '=HYPERLINK("http://evil.example/","Sở Y")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
)
#: Commune of each hostile sponsor (Chợ Đồn district, so a district filter finds them all).
COMMUNES = ("Xuân Lạc", "Bằng Lãng", "Đồng Lạc", "Nam Cường", "Bản Thi", "Yên Thượng", "Quảng Bạch")


def xlsx_of_text(path: Path, rows: list[list[object]]) -> Path:
    """An xlsx whose hostile text is stored as text (as a data officer's file would hold it);
    openpyxl would otherwise store text that starts with "=" as a formula."""
    from openpyxl import load_workbook

    write_xlsx(path, rows)
    wb = load_workbook(path)
    for row in wb.active.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    wb.save(path)
    return path


def hostile_store(store_path: Path, tmp: Path) -> Path:
    """A copy of the real store with imported assignments (sponsor names) and projects (title,
    village, sponsor) whose text is each of :data:`HOSTILE`, through the real importer."""
    from geodata.imports import ImportContext, check_file, import_report
    from geodata.store import GeoPackageStore

    store = copy_store(store_path, tmp)
    ctx = ImportContext.from_store(GeoPackageStore(store))
    pairs = list(zip(HOSTILE, COMMUNES, strict=True))
    rows = [[i + 1, text, commune, "Chợ Đồn", "2019"] for i, (text, commune) in enumerate(pairs)]
    path = write_csv(tmp / "hostile-assignments.csv", [ASSIGNMENT_HEADER, *rows])
    report = check_file(path, "assignments", ctx=ctx)
    if not report.ok:
        raise AssertionError([p for r in report.rows for p in r.problems])
    import_report(report, store, file=path)
    prows = [
        [i + 1, text, commune, "Chợ Đồn", text, 2020, 1_000_000, None, None, text]
        for i, (text, commune) in enumerate(pairs)
    ]
    path = xlsx_of_text(tmp / "hostile-projects.xlsx", [PROJECT_HEADER, *prows])
    report = check_file(path, "projects", ctx=ctx)
    if not report.ok:
        raise AssertionError([p for r in report.rows for p in r.problems])
    import_report(report, store, file=path)
    return store
