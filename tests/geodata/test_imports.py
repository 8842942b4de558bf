"""Reading and validating spreadsheets: spellings, encodings, layouts, every kind of problem."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, write_csv, write_xlsx

from geodata.imports import ImportContext, UnreadableFileError, check_file
from geodata.imports.parsing import ParseError, parse_amount, parse_date, parse_period
from geodata.imports.reader import read_table
from geodata.store import GeoPackageStore


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


def assignments(tmp_path, rows, name="a.csv", **kw):
    path = write_csv(tmp_path / name, [ASSIGNMENT_HEADER, *rows], **kw)
    return path


def check(path, ctx, kind="assignments", **kw):
    return check_file(path, kind, ctx=ctx, **kw)


def by_row(report):
    return {r.row: r for r in report.rows}


# -------------------------------------------------------------------------- spellings
SPELLINGS = [
    # (as written, district, expected code) — every family of DOMAIN.md
    ("Xuân Lạc", "Chợ Đồn", "02023"),
    ("Xã Xuân Lạc", "Huyện Chợ Đồn", "02023"),
    ("XÃ XUÂN LẠC", "CHỢ ĐỒN", "02023"),
    ("Xuan Lac", "Cho Don", "02023"),
    ("XuânLạc", "Chợ Đồn", "02023"),
    (unicodedata.normalize("NFD", "Xuân Lạc"), unicodedata.normalize("NFD", "Chợ Đồn"), "02023"),
    ("Trung Hòa", "Ngân Sơn", "01948"),  # new tone placement; GSO writes Hoà
    ("Hòa Mục", "Chợ Mới", "02098"),
    ("Liêm Thủy", "Na Rì", "02197"),
    ("Sỹ Bình", "Bạch Thông", "01978"),  # i/y
    ("Cao Kì", "Chợ Mới", "02104"),
    ("TT. Bằng Lũng", "Chợ Đồn", "02020"),  # abbreviated unit word
    ("Bằng Lũng (thị trấn)", "Chợ Đồn", "02020"),  # unit word as suffix
    ("Thị trấn Bằng Lũng", "H. Chợ Đồn", "02020"),
    ("\u00d0ồng Lạc", "Chợ Đồn", "02029"),  # Ð U+00D0 look-alike
    ("P. Đức Xuân", "TP Bắc Kạn", "01840"),
    ("02023", "", "02023"),  # a code in the name column
]


@pytest.mark.parametrize(("written", "district", "code"), SPELLINGS)
def test_every_spelling_family_resolves_to_the_gso_code(tmp_path, ctx, written, district, code):
    path = assignments(tmp_path, [[1, "Sở Công Thương", written, district, "2015-2020"]])
    report = check(path, ctx)
    row = report.rows[0]
    assert row.status == "ok", row.to_dict()
    assert row.commune_code == code
    assert row.record["code_2019"] == code


def test_a_code_column_wins_and_must_agree_with_the_name(tmp_path, ctx):
    header = ["Cơ quan giúp đỡ", "Mã xã", "Xã", "Huyện"]
    path = write_csv(
        tmp_path / "c.csv",
        [
            header,
            ["Sở Y tế", "2023", "Xuân Lạc", "Chợ Đồn"],
            ["Sở Y tế", "02029", "Xuân Lạc", "Chợ Đồn"],
            ["Sở Y tế", "99999", "Xuân Lạc", ""],
        ],
    )
    rows = by_row(check(path, ctx))
    assert rows[2].status == "ok" and rows[2].commune_code == "02023"
    assert rows[3].status == "error"
    assert rows[3].problems[0].reason == "code_name_mismatch"
    assert {"code": "02029"}.items() <= rows[3].problems[0].suggestions[0].items()
    assert rows[4].problems[0].reason == "code_unknown"
    assert rows[4].problems[0].suggestions[0]["code"] == "02023"


# -------------------------------------------------------------------------- encodings
ROWS = [
    [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"],
    [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020"],
    [3, "Hội Nông dân tỉnh", "Cường Lợi", "Na Rì", "từ 2017"],
]


@pytest.mark.parametrize(
    ("encoding", "suffix", "delimiter", "reported"),
    [
        ("utf-8", ".csv", ",", "UTF-8"),
        ("utf-8-sig", ".csv", ",", "UTF-8 with BOM"),
        ("utf-16", ".txt", "\t", "UTF-16"),  # Excel's "Unicode text"
        ("cp1258", ".csv", ",", "Windows-1258"),
        ("utf-8", ".csv", ";", "UTF-8"),
    ],
)
def test_each_encoding_is_detected_and_named(tmp_path, ctx, encoding, suffix, delimiter, reported):
    path = write_csv(
        tmp_path / f"a{suffix}", [ASSIGNMENT_HEADER, *ROWS], encoding=encoding, delimiter=delimiter
    )
    report = check(path, ctx)
    assert report.summary["encoding"] == reported
    assert [r.commune_code for r in report.rows] == ["02023", "01948", "02152"]
    assert [r.row for r in report.rows] == [2, 3, 4]  # line numbers, header on line 1
    assert report.rows[0].record["commune_as_written"] == "Xuân Lạc"  # NFC even from cp1258
    assert report.rows[2].record["period_start_year"] == 2017
    assert report.rows[2].record["period_end_year"] is None


def test_unreadable_files_raise_a_clear_error(tmp_path, ctx):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(UnreadableFileError, match=r"not a readable \.xlsx"):
        check(junk, ctx)
    no_header = write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(UnreadableFileError, match="no header row"):
        check(no_header, ctx)
    with pytest.raises(UnreadableFileError, match=r"\.xls format"):
        (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
        check(tmp_path / "old.xls", ctx)


# -------------------------------------------------------------------------- layout
def test_title_rows_merged_cells_numbering_totals_and_footers_in_xlsx(tmp_path, ctx):
    rows = [
        ["UBND TỈNH BẮC KẠN", None, None, None, None, None, None, None, None],
        [
            "BÁO CÁO CÔNG TRÌNH HỖ TRỢ XÂY DỰNG NÔNG THÔN MỚI NĂM 2019",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [None] * 9,
        [
            "STT",
            "Tên công trình",
            "Huyện",
            "Xã",
            "Năm",
            "Kinh phí (triệu đồng)",
            "Tọa độ",
            None,
            "Ghi chú",
        ],
        [None, None, None, None, None, None, "Kinh độ", "Vĩ độ", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"],
        [1, "Cầu treo Nà Pài", "Chợ Đồn", "Xuân Lạc", 2019, 350, None, None, "xong"],
        [2, "Nhà văn hóa thôn Bản Ó", None, "Xuân Lạc", 2019, "1,2 tỷ", None, None, None],
        [3, "Lò đốt rác mini", None, "Đồng Lạc", "2019", 81.5, None, None, None],
        [None, "Tổng cộng", None, None, None, 431.5, None, None, None],
        [None, None, None, None, None, "NGƯỜI LẬP BIỂU", None, None, None],
    ]
    merges = ["A1:I1", "A2:I2", "G4:H4", "A4:A5", "B4:B5", "C4:C5", "C7:C9"]
    path = write_xlsx(tmp_path / "p.xlsx", rows, merges)
    report = check(path, ctx, kind="projects")
    s = report.summary
    assert s["header_row"] == 4 and s["format"] == "xlsx" and s["encoding"] is None
    assert s["columns"]["lon"].endswith("Kinh độ") and s["columns"]["lat"].endswith("Vĩ độ")
    rows = by_row(report)
    assert [r for r, x in rows.items() if x.status in ("ok", "warning")] == [7, 8, 9]
    assert (
        rows[6].status == "skipped"
        and rows[10].status == "skipped"
        and rows[11].status == "skipped"
    )
    assert rows[9].commune_code == "02029"  # district from the vertically merged cell
    assert rows[7].record["cost_vnd"] == 350_000_000  # unit from the header
    assert rows[8].record["cost_vnd"] == 1_200_000_000  # unit in the cell wins
    assert rows[9].record["cost_vnd"] == 81_500_000
    assert rows[7].record["kind"] == "bridge" and rows[8].record["kind"] == "meeting_house"


def test_section_rows_give_the_district(tmp_path, ctx):
    rows = [
        ["TT", "Cơ quan giúp đỡ", "Xã", "Thời gian"],
        ["I", "Huyện Chợ Đồn", None, None],
        [1, "Sở Công Thương", "Xuân Lạc", "2019"],
        ["II", "HUYỆN NA RÌ", None, None],
        [2, "Sở Tài chính", "Cường Lợi", "2021"],
    ]
    report = check(write_xlsx(tmp_path / "s.xlsx", rows, ["B2:D2", "B4:D4"]), ctx)
    rows = by_row(report)
    assert rows[2].status == rows[4].status == "skipped"
    assert rows[3].commune_code == "02023" and rows[5].commune_code == "02152"
    assert rows[3].status == "warning"  # says where the district came from


# -------------------------------------------------------------------------- problems
def test_a_name_two_communes_share_is_refused_with_both_as_suggestions(tmp_path, ctx):
    communes = {v: t.copy() for v, t in ctx.communes.items()}
    for v in (2019, 2020):  # Trung Hoà (Ngân Sơn) renamed: two communes named Xuân Lạc
        communes[v].loc["01948", "name"] = "Xã Xuân Lạc"
    twins = ImportContext(communes, ctx.crosswalk, ctx.province, ctx.agency_names)
    path = assignments(
        tmp_path,
        [
            [1, "Sở A", "Xuân Lạc", "", "2019"],  # no district
            [2, "Sở A", "Xuân Lạc", "Ba Bể", "2019"],  # a district that has neither
            [3, "Sở A", "Xuân Lạc", "Chợ Đồn", "2019"],  # the district decides
        ],
    )
    rows = by_row(check(path, twins))
    for n in (2, 3):
        (problem,) = rows[n].problems
        assert (rows[n].status, problem.reason) == ("error", "commune_ambiguous")
        assert sorted(s["code"] for s in problem.suggestions) == ["01948", "02023"]
    assert rows[4].status == "ok" and rows[4].key is not None


def test_each_error_kind_has_a_reason_and_suggestions(tmp_path, ctx):
    path = assignments(
        tmp_path,
        [
            [1, "Sở A", "Xuân Lặc", "Chợ Đồn", "2019"],  # approximate
            [2, "Sở A", "Bằng Thành", "Ba Bể", "2019"],  # wrong district
            [3, "Sở A", "Không Có Xã Này", "Na Rì", "2019"],  # unknown
            [4, "Sở A", "", "Na Rì", "2019"],  # missing commune
            [5, "Sở A", "Xuân Lạc", "Huyện Chợ Đôn", "2019"],  # unknown district
            [6, "Sở A", "Xuân Lạc", "Chợ Đồn", "2020-2016"],  # reversed period
            [7, "", "Xuân Lạc", "Chợ Đồn", "2019"],  # missing sponsor
        ],
    )
    rows = by_row(check(path, ctx))
    reasons = {n: [p.reason for p in r.problems] for n, r in rows.items()}
    assert all(r.status == "error" for r in rows.values())
    assert reasons == {
        2: ["commune_approximate"],
        3: ["commune_wrong_district"],
        4: ["commune_unknown"],
        5: ["commune_missing"],
        6: ["district_unknown"],
        7: ["period_reversed"],
        8: ["sponsor_missing"],
    }
    assert rows[2].problems[0].suggestions[0] == {
        "code": "02023",
        "name": "Xã Xuân Lạc",
        "district": "Huyện Chợ Đồn",
    }
    assert rows[3].problems[0].suggestions[0]["code"] == "01858"
    assert "Pác Nặm" in rows[3].problems[0].text("en") and "Pác Nặm" in rows[3].problems[0].text(
        "vi"
    )
    assert rows[6].problems[0].suggestions  # districts close to the text
    assert (
        rows[2].problems[0].column == "Xã được giúp đỡ" and rows[2].problems[0].value == "Xuân Lặc"
    )


def test_accept_suggestions_turns_an_approximate_name_into_a_warning(tmp_path, ctx):
    path = assignments(tmp_path, [[1, "Sở A", "Xuân Lặc", "Chợ Đồn", "2019"]])
    row = check(path, ctx, accept_suggestions=True).rows[0]
    assert row.status == "warning" and row.commune_code == "02023"
    row = check(path, ctx, overrides={2: "02029"}).rows[0]
    assert row.status == "warning" and row.commune_code == "02029"


def test_duplicates_exact_ones_are_skipped_conflicting_ones_are_errors(tmp_path, ctx):
    path = write_csv(
        tmp_path / "d.csv",
        [
            ["Tên công trình", "Xã", "Huyện", "Năm", "Kinh phí"],
            ["Cầu Nà Pài", "Xuân Lạc", "Chợ Đồn", "2019", "100 triệu"],
            ["Cầu Nà Pài", "Xuân Lạc", "Chợ Đồn", "2019", "100 triệu"],
            ["Cầu Nà Pài", "Xuân Lạc", "Chợ Đồn", "2019", "200 triệu"],
        ],
    )
    rows = by_row(check(path, ctx, kind="projects"))
    assert rows[2].status == "ok"
    assert rows[3].status == "skipped" and rows[3].problems[0].reason == "duplicate_row"
    assert rows[4].status == "error" and rows[4].problems[0].reason == "duplicate_key"


def test_points_outside_their_commune_or_the_province(tmp_path, ctx):
    xuan_lac = ctx.communes[2019].geometry["02023"].representative_point()
    dong_lac = ctx.communes[2019].geometry["02029"].representative_point()
    path = write_csv(
        tmp_path / "p.csv",
        [
            PROJECT_HEADER,
            [1, "Cầu A", "Xuân Lạc", "Chợ Đồn", "", "2019", "", xuan_lac.x, xuan_lac.y, ""],
            [
                2,
                "Cầu B",
                "Xuân Lạc",
                "Chợ Đồn",
                "",
                "2019",
                "",
                xuan_lac.y,
                xuan_lac.x,
                "",
            ],  # swapped
            [3, "Cầu C", "Xuân Lạc", "Chợ Đồn", "", "2019", "", dong_lac.x, dong_lac.y, ""],
            [4, "Cầu D", "Xuân Lạc", "Chợ Đồn", "", "2019", "", 106.9, 21.0, ""],
            [5, "Cầu E", "Xuân Lạc", "Chợ Đồn", "", "2019", "", xuan_lac.x, "", ""],
        ],
    )
    rows = by_row(check(path, ctx, kind="projects"))
    assert rows[2].status == "ok" and rows[2].record["location_precision"] == "surveyed"
    assert rows[3].status == "warning" and rows[3].problems[0].reason == "coordinates_swapped"
    assert rows[3].record["lon"] == pytest.approx(xuan_lac.x)
    assert rows[4].status == "error" and rows[4].problems[0].reason == "point_outside_commune"
    assert rows[4].problems[0].suggestions[0]["code"] == "02029"
    assert rows[5].problems[0].reason == "point_outside_province"
    assert rows[6].problems[0].reason == "coordinate_incomplete"


def test_vn2000_coordinates_are_converted(tmp_path, ctx):
    from pyproj import Transformer

    from geodata.imports.context import VN2000_CRS

    p = ctx.communes[2019].geometry["02023"].representative_point()
    crs = next(iter(VN2000_CRS.values()))
    easting, northing = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(p.x, p.y)
    header = ["Tên công trình", "Xã", "Huyện", "Tọa độ X", "Tọa độ Y"]
    path = write_csv(
        tmp_path / "v.csv",
        [header, ["Cầu", "Xuân Lạc", "Chợ Đồn", f"{northing:.2f}", f"{easting:.2f}"]],
    )
    row = check(path, ctx, kind="projects").rows[0]
    assert row.status == "warning" and row.problems[0].reason == "coordinates_vn2000"
    assert row.record["lon"] == pytest.approx(p.x, abs=1e-5) and row.record["lat"] == pytest.approx(
        p.y, abs=1e-5
    )


def test_vintage_follows_the_period_and_can_be_forced(tmp_path, ctx):
    # Phong Huân (2019) was split in 2020; in a 2022 row it is named as in the old list
    path = assignments(
        tmp_path,
        [
            [1, "Sở A", "Phong Huân", "Chợ Đồn", "2017"],
            [2, "Sở A", "Phong Huân", "Chợ Đồn", "2022"],
            [3, "Sở A", "Xuân Lạc", "Chợ Đồn", "2022"],
        ],
    )
    rows = by_row(check(path, ctx))
    assert rows[2].status == "ok" and rows[2].record["vintage"] == 2019
    assert rows[3].status == "warning" and rows[3].problems[0].reason == "commune_other_vintage"
    assert rows[4].record["vintage"] == 2020
    forced = by_row(check(path, ctx, vintage=2020))
    assert forced[2].status == "error"  # no Phong Huân in the 2020 list


def test_agencies_kind(tmp_path, ctx):
    path = write_csv(
        tmp_path / "g.csv",
        [
            ["Tên cơ quan", "Tên viết tắt", "Loại"],
            ["Sở Công Thương tỉnh Bắc Kạn", "SCT", ""],
            ["Công ty Cổ phần Khoáng sản Bắc Kạn", "", ""],
            ["Hội Cựu chiến binh tỉnh", "", "mass_org"],
        ],
    )
    rows = by_row(check(path, ctx, kind="agencies"))
    assert rows[2].status == "skipped" and rows[2].problems[0].reason == "agency_exists"
    assert rows[3].record["kind"] == "enterprise" and rows[4].record["kind"] == "mass_org"


def test_template_reads_back_with_its_header(tmp_path, ctx):
    from openpyxl import load_workbook

    from geodata.imports.template import write_template

    for kind in ("assignments", "projects", "agencies"):
        path = write_template(kind, tmp_path / f"{kind}.xlsx", ctx)
        table = read_table(path, kind)
        assert table.header_row == 3 and table.rows == []
        ws = load_workbook(path).worksheets[0]
        assert ws.data_validations.dataValidation  # drop-down lists


# -------------------------------------------------------------------------- parsers
def test_parsers_on_the_forms_in_the_issue():
    assert parse_period("2015 - 2020") == (2015, 2020)
    assert parse_period("2019–2020") == (2019, 2020)
    assert parse_period("từ 2017") == (2017, None)
    assert parse_amount("81.000.000") == (81_000_000, False)
    assert parse_amount("81 triệu") == (81_000_000, False)
    assert parse_amount("1,2 tỷ") == (1_200_000_000, False)
    assert parse_date("05/03/2019") == dt.date(2019, 3, 5)
    for bad in ("abc", "81 con gà", ""):
        with pytest.raises(ParseError):
            parse_amount(bad)


def test_named_sheet_and_multiline_cells_keep_the_row_numbers_people_see(tmp_path, ctx):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Ghi chú"
    wb.active.append(["Sheet of notes"])
    ws = wb.create_sheet("Năm 2023")
    ws.append(ASSIGNMENT_HEADER)
    ws.append([1, "Sở Y tế", "Xuân Lạc", "Chợ Đồn", "2023"])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(UnreadableFileError, match="no sheet"):
        check(tmp_path / "w.xlsx", ctx, sheet="2024")
    report = check(tmp_path / "w.xlsx", ctx, sheet="Năm 2023")
    assert report.summary["sheet"] == "Năm 2023" and report.rows[0].commune_code == "02023"
    assert check(tmp_path / "w.xlsx", ctx, sheet="2").rows[0].row == 2

    path = write_csv(
        tmp_path / "m.csv",
        [
            ASSIGNMENT_HEADER,
            [1, "Sở A\n(dòng hai)", "Xuân Lạc", "Chợ Đồn", "2019"],
            [2, "Sở B", "Xuân Lặc", "Chợ Đồn", "2019"],
        ],
    )
    rows = check(path, ctx).rows
    assert [r.row for r in rows] == [2, 4]  # the second record starts on line 4


def test_a_filled_in_template_imports_cleanly(tmp_path, ctx):
    from openpyxl import load_workbook

    from geodata.imports.template import write_template

    path = write_template("projects", tmp_path / "t.xlsx", ctx)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    values = {
        "Tên công trình": "Nhà văn hóa thôn Nà Pài",
        "Loại công trình": "meeting_house",
        "Huyện/Thành phố": "Huyện Chợ Đồn",
        "Xã": "Xã Xuân Lạc",
        "Năm": "2019",
        "Ngày hoàn thành": "15/11/2019",
        "Kinh phí (đồng)": "350.000.000",
        "Tình trạng": "completed",
    }
    for cell in ws[3]:
        if cell.value in values:
            ws.cell(row=4, column=cell.column, value=values[cell.value])
    wb.save(path)
    row = check(path, ctx, kind="projects").rows[0]
    assert row.row == 4 and row.status == "ok", row.to_dict()
    assert row.record["date"] == "2019-11-15" and row.record["cost_vnd"] == 350_000_000
    assert row.record["kind"] == "meeting_house" and row.record["status"] == "completed"


def test_row_numbers_are_excels_even_when_the_sheet_starts_lower(tmp_path, ctx):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["B3"], ws["C3"], ws["D3"] = "Cơ quan giúp đỡ", "Xã", "Huyện"
    ws["B5"], ws["C5"], ws["D5"] = "Sở Y tế", "Xuân Lạc", "Chợ Đồn"
    ws["B6"], ws["C6"] = "Sở Tư pháp", "Đồng Lạc"
    ws.merge_cells("D5:D6")  # the district, merged down
    wb.save(tmp_path / "g.xlsx")
    report = check(tmp_path / "g.xlsx", ctx)
    assert report.summary["header_row"] == 3
    assert [(r.row, r.commune_code) for r in report.rows] == [(5, "02023"), (6, "02029")]
