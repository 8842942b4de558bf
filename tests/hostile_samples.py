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
    """A copy of the real store (a GeoPackage in ``tmp``) with :func:`import_hostile` done."""
    from geodata.store import GeoPackageStore

    store = copy_store(store_path, tmp)
    import_hostile(GeoPackageStore(store), tmp)
    return store


def import_hostile(store, tmp: Path) -> None:
    """Import into ``store`` (either backend) assignments (sponsor names) and projects (title,
    village, sponsor) whose text is each of :data:`HOSTILE`, through the real importer."""
    from geodata.imports import ImportContext, check_file, import_report

    ctx = ImportContext.from_store(store)
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


def with_sheet_xml(path: Path, edit) -> Path:
    """Rewrite the first sheet's XML of an .xlsx with ``edit(xml: bytes) -> bytes``, each member
    deflated again (how a hostile file is made from a real one)."""
    return with_part_xml(path, "xl/worksheets/sheet1.xml", edit)


def with_part_xml(path: Path, part: str, edit) -> Path:
    """Rewrite one member of an .xlsx with ``edit(xml: bytes) -> bytes``."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info.filename)) for info in zf.infolist()]
    assert part in {info.filename for info, _ in members}, part
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            if info.filename == part:
                data = edit(data)
            zf.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def zip_bomb_xlsx(path: Path, inflated_mib: int = 50) -> Path:
    """A small real .xlsx whose sheet XML carries a huge comment (inflates to ``inflated_mib``
    MiB from about 50 kB)."""
    write_xlsx(path, [ASSIGNMENT_HEADER, [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2019"]])
    comment = b"<!--" + b"A" * (inflated_mib * 1024 * 1024) + b"-->"
    return with_sheet_xml(path, lambda xml: xml.replace(b"<sheetData>", comment + b"<sheetData>"))


def entity_xlsx(path: Path, doctype: bytes, reference: bytes) -> Path:
    """An .xlsx whose sheet declares ``doctype`` and uses ``reference`` in a text cell (XXE,
    billion laughs)."""
    write_xlsx(path, [ASSIGNMENT_HEADER, [1, "MARKER", "Xuân Lạc", "Chợ Đồn", "2019"]])

    def edit(xml: bytes) -> bytes:
        head, sep, body = xml.partition(b"?>")
        xml = head + sep + doctype + body if sep else doctype + xml
        return xml.replace(b"MARKER", reference)

    return with_sheet_xml(path, edit)


XXE_DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS_DOCTYPE = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def growing_delays(throttle, now: list[float], account: str = "lan", address: str = "a"):
    """Five free failed sign-ins, then five more each after waiting the delay asked: the
    delays asked (the clock ``now[0]`` moves on by each)."""
    for _ in range(5):
        assert throttle.wait(account, address) == 0
        throttle.failed(account, address)
    delays = []
    for _ in range(5):
        delays.append(throttle.wait(account, address))
        now[0] += delays[-1]
        throttle.failed(account, address)
    return delays
