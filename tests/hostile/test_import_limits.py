"""Hostile import files end in the documented outcome: a row error (exit 1) naming the row and
column, or a refusal as unreadable (exit 2) with a one-line message; never a traceback, and the
store is untouched. Every file is generated here."""

from __future__ import annotations

import time

import pytest
from hostile_samples import (
    LAUGHS_DOCTYPE,
    XXE_DOCTYPE,
    entity_xlsx,
    zip_bomb_xlsx,
)
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, copy_store, digest, write_csv

from geodata.imports import ImportContext, LimitError, Limits, UnreadableFileError, check_file
from geodata.imports.reader import read_table
from geodata.store import GeoPackageStore

ROW = [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2019"]


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


@pytest.fixture
def store(store_path, tmp_path):
    return copy_store(store_path, tmp_path)


def cli(capsys, *args):
    from dashboard.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def problems(report):
    return {(r.row, p.reason, p.column) for r in report.rows for p in r.problems}


# ------------------------------------------------------------------ row errors (exit 1)
def test_a_20000_character_sponsor_name_is_an_error_of_its_row(tmp_path, ctx, store, capsys):
    name = "Sở " + "A" * 20_000
    path = write_csv(tmp_path / "long.csv", [ASSIGNMENT_HEADER, ROW, [2, name, *ROW[2:]]])
    report = check_file(path, "assignments", ctx=ctx)
    assert (3, "text_too_long", "Cơ quan, đơn vị giúp đỡ") in problems(report)
    problem = next(p for r in report.rows for p in r.problems if p.reason == "text_too_long")
    assert len(problem.value) < 120 and "20,003" in problem.text("en")
    assert "tối đa 200" in problem.text("vi")
    before = digest(store)
    code, out, err = cli(capsys, "import", "assignments", path, "--store", store)
    assert code == 1 and digest(store) == before and "Traceback" not in out + err


def test_notes_longer_than_4000_characters_are_a_row_error(tmp_path, ctx):
    header = [*ASSIGNMENT_HEADER, "Ghi chú"]
    rows = [
        header,
        [*ROW, "x" * 4_000],
        [2, "Sở Tài chính", "Xuân Lạc", "Chợ Đồn", "2019", "y" * 4_001],
    ]
    report = check_file(write_csv(tmp_path / "notes.csv", rows), "assignments", ctx=ctx)
    assert problems(report) == {(3, "text_too_long", "Ghi chú")}


@pytest.mark.parametrize(
    ("cost", "year", "reason", "column"),
    [
        ("-5000000", "2020", "amount_negative", "Kinh phí (đồng)"),
        ("-1", "2020", "amount_negative", "Kinh phí (đồng)"),
        ("(5.000.000)", "2020", "amount_negative", "Kinh phí (đồng)"),
        ("5000000", "-2019", "year_out_of_range", "Năm"),
        ("5000000", "1066", "year_out_of_range", "Năm"),
    ],
)
def test_negative_amounts_and_impossible_years_are_errors(
    tmp_path, ctx, cost, year, reason, column
):
    row = [1, "Cầu treo", "Xuân Lạc", "Chợ Đồn", "Bản Khuổi", year, cost, None, None, "Sở Y tế"]
    report = check_file(write_csv(tmp_path / "p.csv", [PROJECT_HEADER, row]), "projects", ctx=ctx)
    assert (2, reason, column) in problems(report)
    assert not report.ok and report.records == []


def test_a_real_amount_and_year_still_pass(tmp_path, ctx):
    row = [
        1,
        "Cầu treo",
        "Xuân Lạc",
        "Chợ Đồn",
        "Bản Khuổi",
        "2015 - 2020",
        "5.000.000",
        None,
        None,
        "Sở Y tế",
    ]
    report = check_file(write_csv(tmp_path / "p.csv", [PROJECT_HEADER, row]), "projects", ctx=ctx)
    assert report.ok and report.records[0]["cost_vnd"] == 5_000_000


@pytest.mark.parametrize(("length", "reason"), [(1_000, "text_too_long"), (80, "commune_unknown")])
def test_500_rows_of_long_unknown_commune_names(tmp_path, ctx, length, reason):
    """Names over the limit are errors without any matching; names just under it are matched
    (and not found). Prints the time."""
    rows = [
        [i, "Sở Tài chính", (f"{i} Xã Không Có Tên " * 100)[:length], "Chợ Đồn", "2019"]
        for i in range(500)
    ]
    path = write_csv(tmp_path / "communes.csv", [ASSIGNMENT_HEADER, *rows])
    t = time.perf_counter()
    report = check_file(path, "assignments", ctx=ctx)
    print(f"500 rows of {length}-character unknown commune names: {time.perf_counter() - t:.2f} s")
    assert report.counts()["error"] == 500
    assert {p.reason for r in report.rows for p in r.problems} == {reason}


# ------------------------------------------------------------- unreadable files (exit 2)
def _refused(capsys, store, path, kind="assignments", match=""):
    before = digest(store)
    code, out, err = cli(capsys, "import", kind, path, "--store", store)
    assert code == 2, (out, err)
    assert digest(store) == before
    assert "Traceback" not in out + err and err.startswith("error: ") and match in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, store, capsys):
    path = zip_bomb_xlsx(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 100_000
    t = time.perf_counter()
    err = _refused(capsys, store, path, match="zip bomb")
    print(f"zip bomb refused in {time.perf_counter() - t:.2f} s: {err.strip()}")


@pytest.mark.parametrize(("doctype", "ref"), [(XXE_DOCTYPE, b"&xxe;"), (LAUGHS_DOCTYPE, b"&lol9;")])
def test_entities_in_an_xlsx_are_not_expanded_and_refused(tmp_path, store, capsys, doctype, ref):
    path = entity_xlsx(tmp_path / "entities.xlsx", doctype, ref)
    err = _refused(capsys, store, path, match="not a readable .xlsx")
    assert "root:" not in err


def test_a_csv_cell_longer_than_a_spreadsheet_cell_is_refused(tmp_path, store, capsys):
    path = write_csv(tmp_path / "huge.csv", [ASSIGNMENT_HEADER, [*ROW[:4], "x" * 140_000]])
    _refused(capsys, store, path, match="32,767")
    path = write_csv(tmp_path / "big.csv", [ASSIGNMENT_HEADER, [*ROW[:4], "x" * 40_000]])
    _refused(capsys, store, path, match="32,767")


def test_a_100000_character_name_is_refused_as_no_spreadsheet_cell_is_that_long(
    tmp_path, store, capsys
):
    path = write_csv(tmp_path / "long.csv", [ASSIGNMENT_HEADER, [2, "A" * 100_000, *ROW[2:]]])
    err = _refused(capsys, store, path, match="row 2, column 2 holds 100,000 characters")
    assert len(err) < 300


def test_a_ten_megabyte_notes_cell_is_refused(tmp_path, store, capsys):
    header = [*ASSIGNMENT_HEADER, "Ghi chú"]
    path = write_csv(tmp_path / "notes.csv", [header, [*ROW, "n" * 10_000_000]])
    _refused(capsys, store, path, match="characters")


def test_too_many_cells_in_a_row_is_refused(tmp_path, store, capsys):
    path = write_csv(tmp_path / "wide.csv", [ASSIGNMENT_HEADER, ROW + ["x"] * 300])
    _refused(capsys, store, path, match="cells")


def test_limits_of_rows_size_and_time(tmp_path, ctx):
    rows = [[i, "Sở Tài chính", "Xuân Lạc", "Chợ Đồn", str(2000 + i % 20)] for i in range(300)]
    path = write_csv(tmp_path / "rows.csv", [ASSIGNMENT_HEADER, *rows])
    with pytest.raises(LimitError, match="more than 100 rows"):
        check_file(path, "assignments", ctx=ctx, limits=Limits(max_rows=100))
    with pytest.raises(LimitError, match="the limit is 0 MB"):
        check_file(path, "assignments", ctx=ctx, limits=Limits(max_file_bytes=1000))
    with pytest.raises(LimitError, match="took more than"):
        check_file(path, "assignments", ctx=ctx, limits=Limits(time_budget_s=0))
    assert check_file(path, "assignments", ctx=ctx).summary["rows"] == 300


def test_a_sheet_claiming_a_huge_size_reads_only_its_cells(tmp_path):
    """A sheet whose dimension claims A1:XFD1048576 is read as the cells it holds."""
    from hostile_samples import with_sheet_xml
    from import_samples import write_xlsx

    path = write_xlsx(tmp_path / "dim.xlsx", [ASSIGNMENT_HEADER, ROW])
    with_sheet_xml(
        path,
        lambda xml: xml.replace(b'<dimension ref="A1:E2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    table = read_table(path, "assignments")
    assert [r.cells["sponsor"] for r in table.rows] == ["Sở Công Thương"]


def test_unreadable_is_a_kind_of_error_the_callers_already_handle():
    assert issubclass(LimitError, UnreadableFileError)
