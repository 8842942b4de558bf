"""Time the exports on this machine: one A4 PNG at 300 dpi, one A4 PDF and SVG, the standalone
HTML map, the XLSX data and the 122-page commune atlas.

    uv run python benchmarks/exports.py [--store FILE] [--out DIR] [--repeat N] [--no-atlas]

Without ``--store`` it builds a store from the mirror (``NTM_ATLAS_MIRROR``) in a temporary
folder first. Prints one line per export: best wall time over the repeats, file size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store built by `ntm-atlas data build`")
    parser.add_argument("--out", type=Path, help="folder for the files (default: temporary)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the small exports")
    parser.add_argument("--no-atlas", action="store_true", help="skip the 122-page atlas")
    args = parser.parse_args(argv)

    from dashboard import export
    from geodata.bundle import Bundle
    from geodata.settings import Settings

    tmp = tempfile.TemporaryDirectory()
    out = args.out or Path(tmp.name)
    out.mkdir(parents=True, exist_ok=True)
    store = args.store
    if store is None:
        from geodata.build import build_store

        settings = Settings.from_env().with_store(Path(tmp.name) / "store.gpkg")
        build_store(settings)
        store = settings.store_path
    started = time.perf_counter()
    bundle = Bundle.load(store)
    print(f"load bundle: {time.perf_counter() - started:.2f} s  ({os.cpu_count()} CPUs)")

    jobs = [
        (
            "A4 landscape PNG 300 dpi",
            "a4.png",
            lambda p: export.export_map(bundle, p, options=export.SheetOptions(fmt="png")),
        ),
        (
            "A4 landscape PDF",
            "a4.pdf",
            lambda p: export.export_map(bundle, p, options=export.SheetOptions(fmt="pdf")),
        ),
        (
            "A4 landscape SVG",
            "a4.svg",
            lambda p: export.export_map(bundle, p, options=export.SheetOptions(fmt="svg")),
        ),
        ("standalone HTML", "map.html", lambda p: export.export_html(bundle, p)),
        ("data XLSX", "data.xlsx", lambda p: export.export_data(bundle, p, fmt="xlsx")),
    ]
    for label, name, run in jobs:
        times = []
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            run(out / name)
            times.append(time.perf_counter() - t0)
        size = (out / name).stat().st_size / 1024
        print(f"{label:28s} best {min(times):6.2f} s  (of {len(times)})  {size:8.0f} KiB")
    if not args.no_atlas:
        t0 = time.perf_counter()
        path = export.export_atlas(bundle, out / "atlas.pdf", by="commune")
        seconds = time.perf_counter() - t0
        from pypdf import PdfReader

        pages = len(PdfReader(path).pages)
        size = path.stat().st_size / 1024 / 1024
        print(f"{'atlas, 122 communes':28s}      {seconds:6.2f} s  {pages} pages  {size:6.1f} MiB")
    if args.out:
        print(f"files in {out}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
