"""The .xlsx reader: calamine reads a plain sheet, openpyxl streams any other, and both give
the same rows; every hostile case ends as before (docs/importing.md, "Limits"). Every file is
generated here."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from hostile_samples import with_part_xml, with_sheet_xml
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, copy_store, digest, write_xlsx

from geodata.imports import ImportContext, check_file
from geodata.imports.limits import DEFAULT, UnreadableFileError
from geodata.imports.xlsx import FAST_MAX_CELLS, scan_sheet, workbook_sheets, xlsx_grid
from geodata.store import GeoPackageStore

ROW = [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2019"]


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


def grid(path, engine=None, sheet=None):
    """(engine, rows without trailing empty cells) of a workbook."""
    with xlsx_grid(path, sheet, DEFAULT, engine) as g:
        rows = []
        for number, cells in g.rows:
            cells = list(cells)
            while cells and not cells[-1]:
                cells.pop()
            rows.append((number, cells))
        return g.engine, rows


def scan(path):
    return scan_sheet(path, workbook_sheets(path)[0].part)


def varied_workbook(path):
    """Title rows, a table starting at B3, merged cells, blank rows, dates, times, numbers,
    booleans, text with spaces, tabs and decomposed marks, a formula with its cached value."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["B1"] = "BÁO CÁO   CÔNG TRÌNH"
    ws.merge_cells("B1:F1")
    ws.append([None, *PROJECT_HEADER[:6]])
    values = [
        [None, 1, "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản\tNà", 2019],
        [None, 2, " Nhà  văn hóa ", "Xa\u0300 Đồng Lạc", None, "Bản 2", dt.date(2019, 3, 5)],
        [],
        [None, 3, 12.5, 5000000, True, dt.datetime(2020, 1, 2, 8, 30), dt.time(8, 30)],
    ]
    for row in values:
        ws.append(row)
    ws.merge_cells("E3:E4")  # a district merged down
    ws["H3"] = 7
    wb.save(path)
    return with_sheet_xml(path, lambda xml: xml.replace(b"<v>7</v>", b"<f>1+2</f><v>7</v>"))


def test_both_readers_give_the_same_rows(tmp_path):
    path = varied_workbook(tmp_path / "varied.xlsx")
    engine, fast = grid(path)
    assert engine == "calamine"
    assert grid(path, "openpyxl") == ("openpyxl", fast)
    rows = dict(fast)
    assert rows[1] == ["", "BÁO CÁO CÔNG TRÌNH"] + ["BÁO CÁO CÔNG TRÌNH"] * 4
    assert rows[3][1:] == ["1", "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản Nà", "2019", "7"]
    assert rows[4][1:] == ["2", "Nhà văn hóa", "Xà Đồng Lạc", "Chợ Đồn", "Bản 2", "05/03/2019"]
    assert rows[5] == []  # a blank row is a row with no cells, not a gap in the numbering
    assert rows[6][1:] == ["3", "12.5", "5000000", "TRUE", "02/01/2020 08:30", "08:30:00"]


def test_a_formula_gives_its_cached_value_and_is_never_evaluated(tmp_path):
    path = varied_workbook(tmp_path / "varied.xlsx")  # H3 holds =1+2 with 7 cached
    for engine in ("calamine", "openpyxl"):
        assert dict(grid(path, engine)[1])[3][7] == "7"


def test_numbers_dates_and_years_keep_their_kind_through_calamine(tmp_path, ctx):
    header = [*PROJECT_HEADER, "Ngày"]
    rows = [
        [1, "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản Nà", 2019, 5000000, None, None, "Sở Y tế"],
        [2, "Chợ", "Đồng Lạc", "Chợ Đồn", "Bản 2", None, 1, None, None, "Sở Y tế"],
    ]
    rows[1].append(dt.date(2021, 11, 15))
    path = write_xlsx(tmp_path / "dong.xlsx", [header, *rows])
    assert grid(path)[0] == "calamine"
    records = {r.row: r.record for r in check_file(path, "projects", ctx=ctx).rows}
    assert records[2]["cost_vnd"] == 5_000_000 and records[2]["year_start"] == 2019
    assert records[2]["year"] == "2019"
    assert records[3]["date"] == "2021-11-15" and records[3]["year_start"] == 2021
    header[6] = "Kinh phí (triệu đồng)"
    rows = [[1, "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản Nà", 2019, 12.5, None, None, "Sở Y tế"]]
    path = write_xlsx(tmp_path / "trieu.xlsx", [header, *rows])
    assert check_file(path, "projects", ctx=ctx).rows[0].record["cost_vnd"] == 12_500_000


def test_error_cells_keep_their_text_so_the_row_says_what_is_wrong(tmp_path, ctx):
    rows = [PROJECT_HEADER, [1, "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản", 2019, 7, None, None]]
    path = write_xlsx(tmp_path / "e.xlsx", rows)
    error = b'<c r="G2" t="e"><v>#DIV/0!</v>'
    with_sheet_xml(path, lambda xml: xml.replace(b'<c r="G2" t="n"><v>7</v>', error))
    assert scan(path).why == "error cells" and grid(path)[0] == "openpyxl"
    report = check_file(path, "projects", ctx=ctx)
    assert [(p.reason, p.value) for p in report.rows[0].problems] == [
        ("amount_unreadable", "#DIV/0!")
    ]


def test_a_far_away_cell_does_not_make_calamine_build_a_huge_grid(tmp_path):
    """Two cells, A1 … GR250000: calamine would allocate 50 million cells (1.6 GB) for them;
    the scan sees the reach and the sheet is streamed instead."""
    path = write_xlsx(tmp_path / "far.xlsx", [ASSIGNMENT_HEADER, ROW])
    far = b'<row r="250000"><c r="GR250000" t="inlineStr"><is><t>x</t></is></c></row>'
    with_sheet_xml(path, lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"))
    found = scan(path)
    assert (found.max_row, found.max_col) == (250_000, 200) and found.cells > FAST_MAX_CELLS
    engine, rows = grid(path)
    assert engine == "openpyxl" and rows[-1] == (250_000, [""] * 199 + ["x"])


def test_a_cell_far_out_of_order_is_found_too(tmp_path, ctx):
    """A1 moved to XFD1048576 (inside row 2): calamine would place it there; the streaming
    reader places cells by their row and drops one left of where the row ends."""
    path = write_xlsx(tmp_path / "order.xlsx", [ASSIGNMENT_HEADER, ROW, ROW])
    with_sheet_xml(path, lambda xml: xml.replace(b'r="A2"', b'r="XFD1048576"'))
    found = scan(path)
    assert (found.max_row, found.max_col) == (1_048_576, 16_384)
    engine, rows = grid(path)
    assert engine == "openpyxl" and [n for n, _ in rows] == [1, 2, 3]
    counts = check_file(path, "assignments", ctx=ctx).counts()
    assert (counts["ok"], counts["skipped"]) == (1, 1)  # the same row twice


def test_cells_without_their_position_are_streamed(tmp_path):
    path = write_xlsx(tmp_path / "norefs.xlsx", [ASSIGNMENT_HEADER, ROW])
    expected = grid(path)[1]
    with_sheet_xml(path, lambda xml: xml.replace(b'<c r="', b'<c x="'))
    assert scan(path).why == "a cell without its position"
    assert grid(path) == ("openpyxl", expected)


def test_the_first_visible_sheet_is_read_unless_a_hidden_one_is_named(tmp_path, ctx):
    from openpyxl import Workbook

    wb = Workbook()
    old = wb.active
    old.title, old.sheet_state = "cũ", "hidden"
    old.append(ASSIGNMENT_HEADER)
    old.append([1, "Sở Tài chính", "Đồng Lạc", "Chợ Đồn", "2015"])
    new = wb.create_sheet("2023")
    new.append(ASSIGNMENT_HEADER)
    new.append(ROW)
    wb.active = 1
    wb.save(tmp_path / "w.xlsx")
    report = check_file(tmp_path / "w.xlsx", "assignments", ctx=ctx)
    assert report.summary["sheet"] == "2023"
    assert report.rows[0].record["sponsor_name"] == "Sở Công Thương"
    hidden = check_file(tmp_path / "w.xlsx", "assignments", ctx=ctx, sheet="cũ")
    assert hidden.rows[0].record["sponsor_name"] == "Sở Tài chính"
    with pytest.raises(UnreadableFileError, match=r"it has: cũ \(hidden\), 2023"):
        check_file(tmp_path / "w.xlsx", "assignments", ctx=ctx, sheet="2024")


@pytest.mark.parametrize(
    ("part", "marker", "refused"),
    [
        ("xl/worksheets/sheet1.xml", b"MARKER", True),
        ("xl/workbook.xml", b'name="Sheet1"', True),
        ("xl/styles.xml", b'name="Normal"', False),  # a style's name: never read
    ],
)
def test_an_entity_anywhere_is_never_expanded(tmp_path, part, marker, refused):
    """Billion laughs (10⁹ "lol", 3 GB expanded) in a cell, the sheet's name, a style's name:
    refused as unreadable where it is read, ignored where it is not; never expanded."""
    from hostile_samples import LAUGHS_DOCTYPE

    path = write_xlsx(tmp_path / "e.xlsx", [ASSIGNMENT_HEADER, [1, "MARKER", "Xuân Lạc"]])

    def edit(xml: bytes) -> bytes:
        assert marker in xml
        head, sep, body = xml.partition(b"?>")
        if not sep:
            head, sep, body = b"", b"", xml
        used = marker.replace(b"MARKER", b"&lol9;").replace(b'="', b'="&lol9;')
        return (head + sep + LAUGHS_DOCTYPE + body).replace(marker, used)

    with_part_xml(path, part, edit)
    if not refused:
        assert grid(path)[1][1] == (2, ["1", "MARKER", "Xuân Lạc"])
        return
    with pytest.raises(UnreadableFileError, match=r"not a readable \.xlsx") as err:
        grid(path)
    assert "lollol" not in str(err.value)


# ------------------------------------------------------------- unreadable files (exit 2)
def cli(capsys, *args):
    from dashboard.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, store_path, tmp_path, path, match):
    store = copy_store(store_path, tmp_path)
    before = digest(store)
    code, out, err = cli(capsys, "import", "assignments", path, "--store", store)
    assert code == 2, (out, err)
    assert digest(store) == before
    assert "Traceback" not in out + err and err.startswith("error: ") and match in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_a_password_protected_workbook_says_so(tmp_path, store_path, capsys):
    """Excel saves a workbook with a password as an OLE compound file, not a zip."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + b"EncryptedPackage")
    refused(capsys, store_path, tmp_path, path, "password")


def test_a_csv_saved_as_xlsx_is_refused(tmp_path, store_path, capsys):
    path = tmp_path / "bang.xlsx"
    path.write_text("STT,Cơ quan,Xã\n1,Sở Y tế,Xuân Lạc\n", encoding="utf-8")
    refused(capsys, store_path, tmp_path, path, "not a readable .xlsx")


def test_a_truncated_workbook_is_refused(tmp_path, store_path, capsys):
    path = write_xlsx(tmp_path / "cut.xlsx", [ASSIGNMENT_HEADER, ROW])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(capsys, store_path, tmp_path, path, "not a readable .xlsx")


@pytest.mark.parametrize("error_cell", [b"", b'<c r="F2" t="e"><v>#N/A</v></c>'])
def test_a_cut_off_sheet_is_refused_by_either_reader(tmp_path, store_path, capsys, error_cell):
    """The sheet's XML ends half-way (an error cell sends it to the streaming reader)."""
    path = write_xlsx(tmp_path / "bad.xlsx", [ASSIGNMENT_HEADER, *[ROW] * 50])

    def cut(xml: bytes) -> bytes:
        xml = xml.replace(b"</row>", error_cell + b"</row>", 2)
        return xml[: len(xml) // 2]

    with_sheet_xml(path, cut)
    assert (scan(path).why == "error cells") == bool(error_cell)
    refused(capsys, store_path, tmp_path, path, "not a readable .xlsx")


def test_a_corrupt_member_is_refused(tmp_path, store_path, capsys):
    path = write_xlsx(tmp_path / "crc.xlsx", [ASSIGNMENT_HEADER, ROW])
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    refused(capsys, store_path, tmp_path, path, "not a readable .xlsx")
