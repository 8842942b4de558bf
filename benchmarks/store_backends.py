"""The store on GeoPackage and on PostGIS, side by side: copy, read, load, import, reload.

    uv run python benchmarks/store_backends.py --store ntm-atlas.gpkg \\
        --database postgresql://…/scratch     # a database this may overwrite

Prints one table of medians (seconds) over ``--repeat`` runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROWS = [
    ["STT", "Cơ quan, đơn vị giúp đỡ", "Xã được giúp đỡ", "Huyện/Thành phố", "Thời gian"],
    [1, "Sở Tư pháp", "Cao Trĩ", "Ba Bể", "2021"],
    [2, "Sở Tài chính", "Trung Hòa", "Ngân Sơn", "2019–2020"],
    [3, "Hội Nông dân tỉnh", "Cường Lợi", "Na Rì", "2021"],
]


def _median(runs: list[float]) -> str:
    return f"{statistics.median(runs):7.3f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--store", type=Path, required=True, help="a built GeoPackage store")
    p.add_argument("--database", required=True, help="postgresql:// URL it may overwrite")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    import csv

    from geodata.bundle import Bundle, BundleHolder
    from geodata.imports import check_file, import_report, undo_last
    from geodata.imports.context import ImportContext
    from geodata.store import GeoPackageStore, copy_store, open_store

    tmp = Path(tempfile.mkdtemp(prefix="ntm-bench-"))
    gpkg = GeoPackageStore(tmp / "store.gpkg")
    shutil.copyfile(args.store, gpkg.path)
    pg = open_store(args.database)
    started = time.perf_counter()
    copy_store(gpkg, pg)
    copy_s = time.perf_counter() - started
    sheet = tmp / "so-tu-phap.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(ROWS)
    ctx = ImportContext.from_store(gpkg)

    rows: list[tuple[str, str, str]] = []
    for label, store in (("GeoPackage", gpkg), ("PostGIS", pg)):
        timings: dict[str, list[float]] = {}

        def timed(name, fn, timings=timings):
            t = time.perf_counter()
            out = fn()
            timings.setdefault(name, []).append(time.perf_counter() - t)
            return out

        holder = BundleHolder(store, interval=0)
        for _ in range(args.repeat):
            timed("version()", store.version)
            timed("read_all()", store.read_all)
            timed("Bundle.load()", lambda store=store: Bundle.load(store))
            report = check_file(sheet, "assignments", ctx=ctx)
            timed("import 3 rows", lambda r=report, s=store: import_report(r, s, file=sheet))
            timed("reload after import", holder.get)
            timed("undo", lambda s=store: undo_last(s))
            holder.get()
        rows += [(label, name, _median(runs)) for name, runs in timings.items()]
    print(f"copy GeoPackage → PostGIS: {copy_s:.2f} s; load average {os.getloadavg()[0]:.1f}")
    print(f"{'store':12s} {'step':22s} median s")
    for label, name, value in rows:
        print(f"{label:12s} {name:22s} {value}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
