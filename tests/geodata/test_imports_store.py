"""Writing imports: all or nothing, change log, undo, idempotence, locking, rebuilds keep them.

Every test runs on both backends (the ``store`` fixture: a copy of the built store as a
GeoPackage file and as a PostGIS database)."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from import_samples import ASSIGNMENT_HEADER, PROJECT_HEADER, digest, write_csv
from store_samples import assert_same_tables, location

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
from geodata.store import GeoPackageStore, Store

GOOD = [
    [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"],
    [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020"],
    [3, "Hội Nông dân tỉnh", "Cường Lợi", "Na Rì", "2021"],
]


@pytest.fixture(scope="module")
def ctx(store_path):
    """What rows are checked against (read-only reference data)."""
    return ImportContext.from_store(GeoPackageStore(store_path))


def counts(store: Store) -> dict[str, int]:
    return {n: len(store.read(n)) for n in ("assignments", "projects", "agencies")}


def do_import(path, store, ctx, kind="assignments", **kw):
    report = check_file(path, kind, ctx=ctx)
    return report, import_report(report, store, file=path, **kw)


def test_import_adds_rows_with_codes_in_every_vintage_and_logs_it(tmp_path, store, ctx):
    before = counts(store)
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    _, result = do_import(path, store, ctx, user="lan")
    assert (result.import_id, result.added, result.changed, result.removed) == ("I0001", 3, 0, 0)
    table = store.read("assignments")
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
    before = store.version()
    report = check_file(path, "assignments", ctx=ctx)
    with pytest.raises(DataValidationError, match="row"):
        import_report(report, store, file=path)
    assert store.version() == before
    result = import_report(report, store, file=path, skip_invalid=True)
    assert result.added == 3


def test_a_failure_half_way_through_writing_leaves_the_store_unchanged(
    tmp_path, store, ctx, monkeypatch
):
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    report = check_file(path, "assignments", ctx=ctx)
    before, version = store.read_all(), store.version()
    import geodata.postgis as postgis_mod
    import geodata.store as store_mod

    gpkg = isinstance(store, GeoPackageStore)
    module, name = (store_mod, "_write") if gpkg else (postgis_mod, "_write_table")
    real = getattr(module, name)
    calls = []

    def failing(*args):
        calls.append(args[1])
        if len(calls) == 2:  # the imported table is written, then the disk "fills up"
            raise OSError(28, "No space left on device")
        real(*args)

    monkeypatch.setattr(module, name, failing)
    with pytest.raises(OSError, match="No space"):
        import_report(report, store, file=path)
    assert calls[0] == "imported_assignments"
    assert store.version() == version
    assert_same_tables(store.read_all(), before)
    assert not list(tmp_path.glob(".writing-*"))  # no temporary file left behind


KILLED_IMPORT = """
import sys, time
import geodata.postgis, geodata.store
from dashboard.cli import main

def pausing(real):
    calls = []
    def write(*args):
        calls.append(args[1])
        if len(calls) == 2:  # one table written, the next one half-way: wait to be killed
            open(sys.argv[3], "w").close()
            time.sleep(600)
        return real(*args)
    return write

geodata.store._write = pausing(geodata.store._write)
geodata.postgis._write_table = pausing(geodata.postgis._write_table)
sys.exit(main(["import", "assignments", sys.argv[2], "--store", sys.argv[1]]))
"""


def test_an_import_killed_half_way_leaves_the_store_as_before(tmp_path, store, ctx):
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    before, version = store.read_all(), store.version()
    ready = tmp_path / "half-way"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, location(store), str(path), str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the import never reached its second table"
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert store.version() == version
    assert_same_tables(store.read_all(), before)
    assert read_log(store).empty
    _, result = do_import(path, store, ctx)  # the lock died with the process
    assert result.added == 3 and len(read_log(store)) == 1


def test_reimport_is_idempotent_then_changes_and_removals_are_counted(tmp_path, store, ctx):
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    before = store.version()
    _, again = do_import(path, store, ctx)
    assert not again.written and again.unchanged == 3
    assert store.version() == before  # the same file changes nothing, not even the bytes
    edited = [GOOD[0], [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020", "thêm"]]
    header = [*ASSIGNMENT_HEADER, "Nội dung giúp đỡ"]
    path2 = write_csv(tmp_path / "so-ct.csv", [header, [*GOOD[0], ""], *edited[1:]])
    _, result = do_import(path2, store, ctx)
    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 1, 0, 1)
    assert (store.read("assignments")["origin"] == "import").sum() == 3
    _, result = do_import(path2, store, ctx, replace=True)
    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 0, 1, 2)
    table = store.read("assignments")
    mine = table.loc[table["origin"] == "import"]
    assert len(mine) == 2 and "thêm" in set(mine["activities_summary"])


def test_undo_restores_the_previous_state(tmp_path, store, ctx):
    original = counts(store)
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    after_first = store.read("assignments")
    path2 = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, GOOD[0]])
    do_import(path2, store, ctx, replace=True)
    assert counts(store)["assignments"] == original["assignments"] + 1
    undone = undo_last(store, user="lan")
    assert undone["import_id"] == "I0002"
    restored = store.read("assignments")
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
    tables = {
        n: store.read(n) for n in ("projects", "communes_2019", "communes_2020", "communes_2025")
    }
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
    before = store.version()
    with store_lock(store):
        with pytest.raises(ImportBusyError):
            import_report(report, store, file=path, timeout=0.2)
        assert store.version() == before
        results = []
        worker = threading.Thread(
            target=lambda: results.append(import_report(report, store, file=path, timeout=10))
        )
        worker.start()
        time.sleep(0.3)
        assert store.version() == before and not results  # waiting, not writing
    worker.join(10)
    assert results and results[0].added == 3


def test_two_processes_importing_at_once_end_with_the_rows_of_both(tmp_path, store):
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
                location(store),
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
    table = store.read("assignments")
    assert (table["origin"] == "import").sum() == 3  # neither import lost the other's rows


def test_a_rebuild_keeps_the_imports(tmp_path, store, ctx, settings):
    from geodata.build import build_store

    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *GOOD])
    do_import(path, store, ctx)
    imported = store.read("assignments")
    build_store(settings, store)
    rebuilt = store.read("assignments")
    assert sorted(rebuilt["assignment_id"]) == sorted(imported["assignment_id"])
    assert len(read_log(store)) == 1
    undo_last(store)  # and the log still works after the rebuild
    assert (store.read("assignments")["origin"] == "import").sum() == 0


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
    before = store.version()
    run = cli(
        "import",
        "assignments",
        bad,
        "--store",
        location(store),
        "--report",
        report_path,
        "--lang",
        "vi",
    )
    assert run.returncode == 1 and store.version() == before
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

    run = cli(
        "import",
        "assignments",
        bad,
        "--store",
        location(store),
        "--dry-run",
        "--accept-suggestions",
    )
    assert run.returncode == 0 and "Dry run" in run.stdout and store.version() == before
    run = cli("import", "assignments", bad, "--store", location(store), "--accept-suggestions")
    assert run.returncode == 0 and "4 added" in run.stdout
    assert cli("import", "undo", "--store", location(store)).returncode == 0
    assert (
        cli(
            "import", "assignments", tmp_path / "missing.csv", "--store", location(store)
        ).returncode
        == 2
    )
    assert cli("import", "bogus", bad).returncode == 2
    assert (
        cli(
            "import",
            "template",
            "projects",
            "--out",
            tmp_path / "t.xlsx",
            "--store",
            location(store),
        ).returncode
        == 0
    )
    assert (tmp_path / "t.xlsx").stat().st_size > 1000


def test_cli_users_add(tmp_path, store, capsys, monkeypatch):
    cli = functools.partial(run_cli, capsys=capsys, monkeypatch=monkeypatch)
    from geodata.users import authenticate

    run = cli(
        "users",
        "add",
        "lan",
        "--role",
        "editor",
        "--password-stdin",
        "--store",
        location(store),
        stdin="correct horse\n",
    )
    assert run.returncode == 0, run.stderr
    assert authenticate(store, "lan", "correct horse").role == "editor"
    assert authenticate(store, "lan", "wrong") is None
    again = cli(
        "users",
        "add",
        "lan",
        "--role",
        "viewer",
        "--password-stdin",
        "--store",
        location(store),
        stdin="correct horse\n",
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    stored = store.users().get("lan")["password"]
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    if isinstance(store, GeoPackageStore):
        assert b"correct horse" not in store.accounts_path.read_bytes()


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
