"""Property tests: whatever people type into cells, the reader and validator never crash and
always return a report with one status per row."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, write_csv, write_xlsx

from geodata.imports import ImportContext, UnreadableFileError, check_file
from geodata.imports.parsing import (
    ParseError,
    parse_amount,
    parse_coordinate,
    parse_date,
    parse_period,
)
from geodata.imports.validate import STATUSES
from geodata.store import GeoPackageStore

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÐ"
ALPHABET = VIET + VIET.upper() + "0123456789 .,;:/-–()'\"\t%~≈#\u00a0\u0300\u0301\u0303\u0309\u0323"
REALISTIC = st.sampled_from(
    [
        "Xuân Lạc",
        "Xuan Lac",
        "Chợ Đồn",
        "TT. Bằng Lũng",
        "2015 - 2020",
        "từ 2017",
        "81.000.000",
        "1,2 tỷ",
        "05/03/2019",
        "31/02/2020",
        "22.15",
        "105.83",
        "2455123.5",
        "Tổng cộng",
        "(1)",
        "02023",
        "2023",
        "-1",
        "1e308",
        "nan",
        "None",
        "=SUM(A1:A3)",
        "",
        " ",
    ]
)
CELL = st.one_of(REALISTIC, st.text(ALPHABET, max_size=25))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


def assert_sound(report, n_lines):
    assert report.rows is not None
    for row in report.rows:
        assert row.status in STATUSES
        assert 2 <= row.row <= n_lines + 1
        if row.status == "error":
            assert row.problems
    json.dumps(report.to_dict(), ensure_ascii=False, default=str)


@FAST
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=12), max_size=12))
def test_arbitrary_csv_cells_always_give_a_report(ctx, rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "p.csv", [PROJECT_HEADER, *rows])
        report = check_file(path, "projects", ctx=ctx)
        assert_sound(report, len(rows) + 1)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=8),
    numbers=st.lists(st.floats(allow_nan=True, allow_infinity=False), max_size=4),
)
def test_arbitrary_xlsx_cells_always_give_a_report(ctx, rows, numbers):
    with tempfile.TemporaryDirectory() as tmp:
        body = [*rows, [1, "Sở A", "Xuân Lạc", "Chợ Đồn", *numbers]]
        path = write_xlsx(Path(tmp) / "a.xlsx", [ASSIGNMENT_HEADER, *body])
        report = check_file(path, "assignments", ctx=ctx)
        assert_sound(report, len(body) + 1)


@FAST
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_arbitrary_bytes_are_read_or_refused_cleanly(ctx, data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)
        try:
            report = check_file(path, "agencies", ctx=ctx)
        except UnreadableFileError:
            return
        json.dumps(report.to_dict(), ensure_ascii=False, default=str)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(ALPHABET, max_size=30), REALISTIC))
def test_parsers_return_a_value_or_a_parse_error(text):
    for parser in (parse_period, parse_amount, parse_date, parse_coordinate):
        try:
            parser(text)
        except ParseError:
            pass


@given(amount=st.integers(min_value=0, max_value=10**12))
def test_vietnamese_grouped_amounts_round_trip(amount):
    written = f"{amount:,}".replace(",", ".")
    assert parse_amount(written) == (amount, False)
    assert parse_amount(f"{amount:,} đồng") == (amount, False)
