"""Large imports: the report stays small (the first problems of each reason in full, the
rest counted), the records go to a spool on disk and come back for the write, and the large
import benchmark runs end to end (``--quick``; its 200,000-row figures are in
docs/importing.md; no timing or memory figure is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from import_samples import ASSIGNMENT_HEADER, write_csv

from geodata.imports import ImportContext, Limits, check_file
from geodata.imports.reader import open_table
from geodata.imports.validate import RecordSpool
from geodata.store import GeoPackageStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


def test_past_the_first_problems_of_a_reason_the_rest_are_counted(tmp_path, ctx, capsys):
    rows = [[i, f"Sở số {i}", "Xã Không Có", "Chợ Đồn", "2019"] for i in range(1, 31)]
    rows += [[31, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2019"]]
    path = write_csv(tmp_path / "many.csv", [ASSIGNMENT_HEADER, *rows])
    report = check_file(path, "assignments", ctx=ctx, limits=Limits(problems_per_reason=5))
    assert report.counts()["error"] == 30 and report.counts()["ok"] == 1
    assert report.reasons["error", "commune_unknown"] == 30
    kept = [r for r in report.rows if r.problems]
    assert len(kept) == 5 and [r.row for r in kept] == [2, 3, 4, 5, 6]
    assert sum(r.left_out for r in report.rows) == 25
    assert all(r.status == "error" for r in report.rows[5:30])  # counted, not dropped
    summary = json.loads(json.dumps(report.to_dict(), default=str))["summary"]
    assert summary["problems_left_out"] == 25
    assert {"severity": "error", "reason_code": "commune_unknown", "problems": 30} in summary[
        "problems_by_reason"
    ]
    from dashboard.import_cli import print_report

    print_report(report, "en")
    out = capsys.readouterr().out
    assert "— 30 row" in out and "… +25" in out  # the count, not the 5 kept


def test_records_are_spooled_and_read_back_in_order(tmp_path, ctx):
    rows = [[i, f"Sở số {i}", "Xuân Lạc", "Chợ Đồn", "2019"] for i in range(1, 2501)]
    path = write_csv(tmp_path / "big.csv", [ASSIGNMENT_HEADER, *rows])
    report = check_file(path, "assignments", ctx=ctx)
    assert report.ok and report.spool.count == 2500 > RecordSpool.BATCH
    stored = list(report.stored())
    assert [r["source_row"] for r, _ in stored] == list(range(2, 2502))
    assert stored[1500][0]["sponsor_name"] == "Sở số 1501"
    assert report.rows[1500].record == stored[1500][0]  # by number, from a written batch
    assert report.rows[-1].record["row_hash"] == stored[-1][0]["row_hash"]


def test_the_table_is_read_while_it_is_checked(tmp_path):
    rows = [[i, f"Sở số {i}", "Xuân Lạc", "Chợ Đồn", "2019"] for i in range(1, 101)]
    path = write_csv(tmp_path / "s.csv", [ASSIGNMENT_HEADER, *rows])
    with open_table(path, "assignments") as table:
        first = next(iter(table.body))
        assert first.row == 2 and not isinstance(table.body, list)  # a stream, not a list
        assert sum(1 for _ in table.body) == 99  # the rest, read once


def test_the_large_import_benchmark_runs(store_path, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.import_large",
            "--quick",
            "--store",
            str(store_path),
            "--files",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for fmt in ("csv", "xlsx"):
        line = next(x for x in done.stdout.splitlines() if x.startswith(fmt))
        assert "5000 rows" in line and "rows/s of CPU" in line and "peak RSS" in line
        assert "'error': 0" in line
