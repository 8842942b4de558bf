"""Memory and speed of a large import: a dry run (validating, streaming row by row) and, with
``--write``, a real import into a copy of the store.

    NTM_ATLAS_MIRROR=../shared/geodata/mirror uv run python -m benchmarks.import_large \
        [--rows 200000] [--store FILE.gpkg] [--formats csv,xlsx] [--files DIR] [--quick] \
        [--write] [--database URL]

Writes a realistic projects file of ``--rows`` rows (as benchmarks/import_projects.py does:
names in every spelling family, Vietnamese amounts, a third with coordinates) as .csv and
.xlsx, then validates each in a fresh process (``check_file``, nothing written) and prints the
seconds (wall and CPU: on a shared machine the CPU seconds are the fairer figure), rows per
second and the peak resident memory of that process (``ru_maxrss``, which includes Python, the
libraries and the reference data loaded before any row is read, printed beside it).
``--write`` then imports each file for real (``check_file`` + ``import_report``) in a fresh
process into a copy of the store (a GeoPackage in a temporary folder; with ``--database`` a
PostGIS database that the store is copied into first) and prints the same figures for the
whole import, the write's share, and the rows written.
Issue 12's target: 200,000 rows in at most 500 MB and at least 5,000 rows/s. ``--quick`` checks
5,000 rows (CI runs it so that the benchmark cannot rot; no figure is asserted).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
from geodata.imports import ImportContext, check_file, import_report
from geodata.store import open_store
store, path, write = open_store(sys.argv[1]), sys.argv[2], sys.argv[3] == "write"
ctx = ImportContext.from_store(store)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, c = time.perf_counter(), time.process_time()
report = check_file(path, "projects", ctx=ctx)
checked = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
written, write_cpu = None, 0.0
if write:
    w = time.process_time()
    written = import_report(report, store, file=path, skip_invalid=True).added
    write_cpu = time.process_time() - w
seconds, cpu = time.perf_counter() - t, time.process_time() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": peak, "base_kb": base,
                  "checked_kb": checked, "write_cpu": write_cpu, "written": written,
                  "rows": len(report.rows), "counts": report.counts()}))
"""


def write_files(store: Path, n: int, folder: Path, formats: list[str]) -> dict[str, Path]:
    sys.path.insert(0, str(HERE))
    from import_projects import HEADER, make_rows

    rows = make_rows(store, n)
    paths = {}
    if "csv" in formats:
        paths["csv"] = folder / "projects.csv"
        with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([HEADER, *rows])
    if "xlsx" in formats:
        from openpyxl import Workbook

        paths["xlsx"] = folder / "projects.xlsx"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(["BÁO CÁO CÔNG TRÌNH HỖ TRỢ XÂY DỰNG NÔNG THÔN MỚI"])
        ws.append(HEADER)
        for row in rows:
            ws.append(row)
        wb.save(paths["xlsx"])
    return paths


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--store", type=Path, help="an existing store (read only)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument(
        "--files", type=Path, help="keep the generated files here (reused when present)"
    )
    parser.add_argument("--quick", action="store_true", help="5,000 rows (CI)")
    parser.add_argument("--write", action="store_true", help="also import each file for real")
    parser.add_argument("--database", help="with --write: a PostGIS URL to import into")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows = 5_000
    return args


def _built_store(store: Path | None, tmp: Path) -> Path:
    if store is not None:
        return store
    from geodata.build import build_store
    from geodata.settings import Settings

    store = tmp / "bench.gpkg"
    build_store(Settings.from_env().with_store(store))
    return store


def _files(store: Path, rows: int, folder: Path, formats: list[str]) -> dict[str, Path]:
    """The generated files, written when missing."""
    paths = {f: folder / f"projects-{rows}.{f}" for f in formats}
    missing = [f for f, p in paths.items() if not p.is_file()]
    if missing:
        t = time.perf_counter()
        for f, p in write_files(store, rows, folder, missing).items():
            p.rename(paths[f])
        seconds = time.perf_counter() - t
        print(f"wrote {rows} rows as {', '.join(missing)} in {seconds:.0f} s")
    return paths


def _target(store: Path, tmp: Path, database: str | None) -> str:
    """A fresh copy of the store to import into: a GeoPackage file, or a PostGIS database."""
    if database:
        from geodata.store import GeoPackageStore, copy_store, open_store

        copy_store(GeoPackageStore(store), open_store(database))
        return database
    target = tmp / "target.gpkg"
    shutil.copyfile(store, target)
    return str(target)


def _run(store: str, path: Path, write: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, store, str(path), "write" if write else "dry"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"{path.name}: the child failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(fmt: str, path: Path, r: dict, what: str) -> str:
    n = r["rows"]
    size = path.stat().st_size / 2**20
    line = (
        f"{fmt:5s} {what:7s} {size:6.1f} MB, {n} rows: {r['cpu']:6.1f} s CPU = "
        f"{n / r['cpu']:6.0f} rows/s of CPU ({r['seconds']:.1f} s wall = "
        f"{n / r['seconds']:.0f} rows/s); peak RSS {r['peak_kb'] / 1024:4.0f} MB "
        f"(before the first row: {r['base_kb'] / 1024:.0f} MB); {r['counts']}"
    )
    if r["written"] is not None:
        line += (
            f"; wrote {r['written']} rows, the write {r['write_cpu']:.1f} s CPU "
            f"(peak after checking {r['checked_kb'] / 1024:.0f} MB)"
        )
    return line


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = args.files or tmp
        folder.mkdir(parents=True, exist_ok=True)
        store = _built_store(args.store, tmp)
        paths = _files(store, args.rows, folder, args.formats.split(","))
        for fmt, path in paths.items():
            print(_line(fmt, path, _run(str(store), path, write=False), "dry run"), flush=True)
            if args.write:
                target = _target(store, tmp, args.database)
                print(_line(fmt, path, _run(target, path, write=True), "import"), flush=True)


if __name__ == "__main__":
    main()
