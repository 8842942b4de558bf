"""Memory and speed of validating a large import (a dry run), streaming row by row.

    NTM_ATLAS_MIRROR=../shared/geodata/mirror uv run python -m benchmarks.import_large \
        [--rows 200000] [--store FILE.gpkg] [--formats csv,xlsx] [--files DIR] [--quick]

Writes a realistic projects file of ``--rows`` rows (as benchmarks/import_projects.py does:
names in every spelling family, Vietnamese amounts, a third with coordinates) as .csv and
.xlsx, then validates each in a fresh process (``check_file``, nothing written) and prints the
seconds (wall and CPU: on a shared machine the CPU seconds are the fairer figure), rows per
second and the peak resident memory of that process (``ru_maxrss``, which includes Python, the
libraries and the reference data loaded before any row is read, printed beside it).
Issue 12's target: 200,000 rows in at most 500 MB and at least 5,000 rows/s. ``--quick`` checks
5,000 rows (CI runs it so that the benchmark cannot rot; no figure is asserted).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
from geodata.imports import ImportContext, check_file
from geodata.store import GeoPackageStore
store, path = sys.argv[1], sys.argv[2]
ctx = ImportContext.from_store(GeoPackageStore(store))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, c = time.perf_counter(), time.process_time()
report = check_file(path, "projects", ctx=ctx)
seconds, cpu = time.perf_counter() - t, time.process_time() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": peak, "base_kb": base,
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--store", type=Path, help="an existing store (read only)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument(
        "--files", type=Path, help="keep the generated files here (reused when present)"
    )
    parser.add_argument("--quick", action="store_true", help="5,000 rows (CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows = 5_000

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.files or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        store = args.store
        if store is None:
            from geodata.build import build_store
            from geodata.settings import Settings

            store = Path(tmp) / "bench.gpkg"
            build_store(Settings.from_env().with_store(store))
        formats = args.formats.split(",")
        paths = {f: folder / f"projects-{args.rows}.{f}" for f in formats}
        missing = [f for f, p in paths.items() if not p.is_file()]
        if missing:
            t = time.perf_counter()
            written = write_files(store, args.rows, folder, missing)
            for f, p in written.items():
                p.rename(paths[f])
            seconds = time.perf_counter() - t
            print(f"wrote {args.rows} rows as {', '.join(missing)} in {seconds:.0f} s")
        for fmt, path in paths.items():
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(store), str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / 2**20
            n = r["rows"]
            print(
                f"{fmt:5s} {size:6.1f} MB, {n} rows: {r['cpu']:6.1f} s CPU = "
                f"{n / r['cpu']:6.0f} rows/s of CPU ({r['seconds']:.1f} s wall = "
                f"{n / r['seconds']:.0f} rows/s); peak RSS {r['peak_kb'] / 1024:4.0f} MB "
                f"(before the first row: {r['base_kb'] / 1024:.0f} MB); {r['counts']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
