"""Writing imports: all or nothing, change log, undo, idempotence, locking, rebuilds keep them."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, copy_store, digest, write_csv

from geodata.errors import DataValidationError
from geodata.imports import (
    ImportBusyError,
    ImportContext,
    check_file,
    import_report,
    read_log,
    store_lock,
    undo_last,
)
from geodata.store import GeoPackageStore

GOOD = [
    [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"],
    [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020"],
    [3, "Hội Nông dân tỉnh", "Cường Lợi", "Na Rì", "2021"],
]


@pytest.fixture(scope="module")
def ctx(store_path):
    return ImportContext.from_store(GeoPackageStore(store_path))


@pytest.fixture
def store(store_path, tmp_path):
    return copy_store(store_path, tmp_path)


def counts(path):
    s = GeoPackageStore(path)
    return {n: len(s.read(n)) for n in ("assignments", "projects", "agencies")}


def do_import(path, store, ctx, kind="assignments", **kw):
    report = check_file(path, kind, ctx=ctx)
    return report, import_report(report, store, file=path, **kw)


def test_import_adds_rows_with_codes_in_every_vintage_and_logs_it(tmp_path, store, ctx):
    before = counts(store)
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    _, result = do_import(path, store, ctx, user="lan")
    assert (result.import_id, result.added, result.changed, result.removed) == ("I0001", 3, 0, 0)
    table = GeoPackageStore(store).read("assignments")
    assert len(table) == before["assignments"] + 3
    mine = table.loc[table["origin"] == "import"]
    assert set(mine["commune_code"]) == {"02023", "01948", "02152"}
    assert mine[["code_2019", "code_2020", "code_2025"]].notna().all().all()
    assert set(table.loc[table["origin"] == "seed", "assignment_id"]) >= {"A0001"}
    log = read_log(store)
    entry = log.iloc[-1]
    assert (entry["user"], entry["file_name"], int(entry["added"])) == ("lan", "so-ct.csv", 3)
    assert entry["sha256"] == digest(path)


def test_a_file_with_an_error_writes_nothing(tmp_path, store, ctx):
    rows = [*GOOD[:2], [3, "Sở A", "Xuân Lặc", "Chợ Đồn", "2019"], *GOOD[2:]]
    path = write_csv(tmp_path / "bad.csv", [ASSIGNMENT_HEADER, *rows])
    before = digest(store)
    report = check_file(path, "assignments", ctx=ctx)
    with pytest.raises(DataValidationError, match="row"):
        import_report(report, store, file=path)
    assert digest(store) == before
    result = import_report(report, store, file=path, skip_invalid=True)
    assert result.added == 3


def test_a_failure_half_way_through_writing_leaves_the_store_bytes_unchanged(
    tmp_path, store, ctx, monkeypatch
):
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    report = check_file(path, "assignments", ctx=ctx)
    before, before_counts = digest(store), counts(store)
    import geodata.store as store_mod

    real = store_mod._write
    calls = []

    def failing(p, name, df):
        calls.append(name)
        if len(calls) == 2:  # the imported table is written, then the disk "fills up"
            raise OSError(28, "No space left on device")
        real(p, name, df)

    monkeypatch.setattr(store_mod, "_write", failing)
    with pytest.raises(OSError, match="No space"):
        import_report(report, store, file=path)
    assert digest(store) == before and counts(store) == before_counts
    assert not list(tmp_path.glob(".writing-*"))  # no temporary file left behind


def test_reimport_is_idempotent_then_changes_and_removals_are_counted(tmp_path, store, ctx):
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    before = digest(store)
    _, again = do_import(path, store, ctx)
    assert not again.written and again.unchanged == 3
    assert digest(store) == before  # the same file changes nothing, not even the bytes
    edited = [GOOD[0], [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020", "thêm"]]
    header = [*ASSIGNMENT_HEADER, "Nội dung giúp đỡ"]
    path2 = write_csv(tmp_path / "so-ct.csv", [header, [*GOOD[0], ""], *edited[1:]])
    _, result = do_import(path2, store, ctx)
    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 1, 0, 1)
    assert (GeoPackageStore(store).read("assignments")["origin"] == "import").sum() == 3
    _, result = do_import(path2, store, ctx, replace=True)
    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 0, 1, 2)
    table = GeoPackageStore(store).read("assignments")
    mine = table.loc[table["origin"] == "import"]
    assert len(mine) == 2 and "thêm" in set(mine["activities_summary"])


def test_undo_restores_the_previous_state(tmp_path, store, ctx):
    original = counts(store)
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    after_first = GeoPackageStore(store).read("assignments")
    path2 = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, GOOD[0]])
    do_import(path2, store, ctx, replace=True)
    assert counts(store)["assignments"] == original["assignments"] + 1
    undone = undo_last(store, user="lan")
    assert undone["import_id"] == "I0002"
    restored = GeoPackageStore(store).read("assignments")
    assert sorted(restored["assignment_id"]) == sorted(after_first["assignment_id"])
    undo_last(store)
    assert counts(store) == original
    assert undo_last(store) is None
    log = read_log(store)
    assert list(log["action"]) == ["import", "import", "undo", "undo"]
    assert list(log["undoes"].iloc[2:]) == ["I0002", "I0001"]


def test_projects_get_points_inside_their_commune(tmp_path, store, ctx):
    from geodata.check import _points_inside

    rows = [
        [
            i,
            f"Lò đốt rác {i}",
            "Xuân Lạc",
            "Chợ Đồn",
            f"Bản {i}",
            "2019",
            "10 triệu",
            "",
            "",
            "Sở CT",
        ]
        for i in range(1, 8)
    ]
    p = ctx.communes[2019].geometry["02029"].representative_point()
    rows.append([8, "Cầu", "Đồng Lạc", "Chợ Đồn", "", "2020", "1,2 tỷ", p.x, p.y, "Sở GTVT"])
    path = write_csv(tmp_path / "p.csv", [PROJECT_HEADER, *rows])
    _, result = do_import(path, store, ctx, kind="projects")
    assert result.added == 8
    s = GeoPackageStore(store)
    tables = {n: s.read(n) for n in ("projects", "communes_2019", "communes_2020", "communes_2025")}
    assert _points_inside(tables) == []
    projects = tables["projects"]
    mine = projects.loc[projects["origin"] == "import"]
    assert mine.geometry.is_valid.all() and len({(g.x, g.y) for g in mine.geometry}) == 8
    assert sorted(mine["location_precision"]) == ["commune"] * 7 + ["surveyed"]
    surveyed = mine.loc[mine["location_precision"] == "surveyed"].iloc[0]
    assert (surveyed.geometry.x, surveyed.geometry.y) == pytest.approx((p.x, p.y))
    assert surveyed["cost_vnd"] == 1_200_000_000


def test_a_second_import_waits_for_the_lock_or_fails_cleanly(tmp_path, store, ctx):
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    report = check_file(path, "assignments", ctx=ctx)
    before = digest(store)
    with store_lock(store):
        with pytest.raises(ImportBusyError):
            import_report(report, store, file=path, timeout=0.2)
        assert digest(store) == before
        results = []
        worker = threading.Thread(
            target=lambda: results.append(import_report(report, store, file=path, timeout=10))
        )
        worker.start()
        time.sleep(0.3)
        assert digest(store) == before and not results  # waiting, not writing
    worker.join(10)
    assert results and results[0].added == 3


def test_two_processes_importing_at_once_never_interleave(tmp_path, store):
    files = []
    for name, rows in (("one", GOOD[:2]), ("two", GOOD[2:])):
        files.append(write_csv(tmp_path / f"{name}.csv", [ASSIGNMENT_HEADER, *rows]))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard.cli",
                "import",
                "assignments",
                str(f),
                "--store",
                str(store),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    log = read_log(store)
    assert sorted(log["dataset"]) == ["one", "two"] and sorted(log["import_id"]) == [
        "I0001",
        "I0002",
    ]
    table = GeoPackageStore(store).read("assignments")
    assert (table["origin"] == "import").sum() == 3  # neither import lost the other's rows


def test_a_rebuild_keeps_the_imports(tmp_path, store, ctx, settings):
    from geodata.build import build_store

    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    imported = GeoPackageStore(store).read("assignments")
    build_store(settings.with_store(store))
    rebuilt = GeoPackageStore(store).read("assignments")
    assert sorted(rebuilt["assignment_id"]) == sorted(imported["assignment_id"])
    assert len(read_log(store)) == 1
    undo_last(store)  # and the log still works after the rebuild
    assert (GeoPackageStore(store).read("assignments")["origin"] == "import").sum() == 0


# ------------------------------------------------------------------------------ CLI
class Run:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_cli(*args, stdin=None, capsys=None, monkeypatch=None):
    """``ntm-atlas ARGS`` in this process (the same code path as the console script)."""
    import io

    from dashboard.cli import main

    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out = capsys.readouterr()
    return Run(code, out.out, out.err)


def test_cli_exit_codes_report_and_languages(tmp_path, store, capsys):
    cli = functools.partial(run_cli, capsys=capsys)
    bad = write_csv(
        tmp_path / "bad.csv", [ASSIGNMENT_HEADER, *GOOD, [4, "Sở A", "Xuân Lặc", "Chợ Đồn", "2019"]]
    )
    report_path = tmp_path / "r.json"
    before = digest(store)
    run = cli(
        "import", "assignments", bad, "--store", store, "--report", report_path, "--lang", "vi"
    )
    assert run.returncode == 1 and digest(store) == before
    assert "gần giống" in run.stdout and "02023 Xã Xuân Lạc" in run.stdout
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["summary"]["error"] == 1 and report["summary"]["ok"] == 3
    row = next(r for r in report["rows"] if r["status"] == "error")
    assert row["row"] == 5 and row["commune_code"] is None
    problem = row["problems"][0]
    assert {"column", "value", "reason", "suggestions"} <= problem.keys()
    assert problem["suggestions"][0] == {
        "code": "02023",
        "name": "Xã Xuân Lạc",
        "district": "Huyện Chợ Đồn",
    }

    run = cli("import", "assignments", bad, "--store", store, "--dry-run", "--accept-suggestions")
    assert run.returncode == 0 and "Dry run" in run.stdout and digest(store) == before
    run = cli("import", "assignments", bad, "--store", store, "--accept-suggestions")
    assert run.returncode == 0 and "4 added" in run.stdout
    assert cli("import", "undo", "--store", store).returncode == 0
    assert cli("import", "assignments", tmp_path / "missing.csv", "--store", store).returncode == 2
    assert cli("import", "bogus", bad).returncode == 2
    assert (
        cli(
            "import", "template", "projects", "--out", tmp_path / "t.xlsx", "--store", store
        ).returncode
        == 0
    )
    assert (tmp_path / "t.xlsx").stat().st_size > 1000


def test_cli_users_add(tmp_path, store, capsys, monkeypatch):
    cli = functools.partial(run_cli, capsys=capsys, monkeypatch=monkeypatch)
    from geodata.users import authenticate, users_path

    run = cli(
        "users",
        "add",
        "lan",
        "--role",
        "editor",
        "--password-stdin",
        "--store",
        store,
        stdin="correct horse\n",
    )
    assert run.returncode == 0, run.stderr
    assert authenticate(users_path(store), "lan", "correct horse").role == "editor"
    assert authenticate(users_path(store), "lan", "wrong") is None
    again = cli(
        "users",
        "add",
        "lan",
        "--role",
        "viewer",
        "--password-stdin",
        "--store",
        store,
        stdin="correct horse\n",
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    assert b"correct horse" not in Path(users_path(store)).read_bytes()


def test_a_sponsor_named_only_by_an_import_appears_in_the_sponsor_lists(tmp_path, store, ctx):
    from geodata import coverage
    from geodata.bundle import Bundle

    newcomer = "Ban Dân tộc tỉnh Bắc Kạn"
    assert newcomer not in set(Bundle.load(store).agencies["name"])
    path = write_csv(
        tmp_path / "ban-dan-toc.csv",
        [ASSIGNMENT_HEADER, [1, newcomer, "Xuân Lạc", "Chợ Đồn", "2021"]],
    )
    do_import(path, store, ctx)
    bundle = Bundle.load(store)
    assert newcomer in coverage.sponsor_options(bundle)
    load = coverage.sponsor_load(bundle, 2019)
    row = load.loc[load["sponsor"] == newcomer].iloc[0]
    assert row["n_communes"] == 1
