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
from collections.abc import Callable
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store built by `ntm-atlas data build`")
    parser.add_argument("--out", type=Path, help="folder for the files (default: temporary)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the small exports")
    parser.add_argument("--no-atlas", action="store_true", help="skip the 122-page atlas")
    return parser


def _jobs(bundle) -> list[tuple[str, str, Callable[[Path], object]]]:
    """The small exports: (label, file name, a function that writes the file)."""
    from dashboard import export

    def sheet(fmt: str):
        return lambda p: export.export_map(bundle, p, options=export.SheetOptions(fmt=fmt))

    return [
        ("A4 landscape PNG 300 dpi", "a4.png", sheet("png")),
        ("A4 landscape PDF", "a4.pdf", sheet("pdf")),
        ("A4 landscape SVG", "a4.svg", sheet("svg")),
        ("standalone HTML", "map.html", lambda p: export.export_html(bundle, p)),
        ("data XLSX", "data.xlsx", lambda p: export.export_data(bundle, p, fmt="xlsx")),
    ]


def _time_job(label: str, path: Path, run: Callable[[Path], object], repeat: int) -> None:
    """Print the best of ``repeat`` runs (the least disturbed by other work on the machine)
    and the file's size."""
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        run(path)
        times.append(time.perf_counter() - t0)
    size = path.stat().st_size / 1024
    print(f"{label:28s} best {min(times):6.2f} s  (of {len(times)})  {size:8.0f} KiB")


def _time_atlas(bundle, path: Path) -> None:
    """Print the time of the commune atlas (once: it takes minutes), its pages and size."""
    from pypdf import PdfReader

    from dashboard import export

    t0 = time.perf_counter()
    export.export_atlas(bundle, path, by="commune")
    seconds = time.perf_counter() - t0
    pages = len(PdfReader(path).pages)
    size = path.stat().st_size / 1024 / 1024
    print(f"{'atlas, 122 communes':28s}      {seconds:6.2f} s  {pages} pages  {size:6.1f} MiB")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from geodata.build import build_at
    from geodata.bundle import Bundle

    tmp = tempfile.TemporaryDirectory()
    out = args.out or Path(tmp.name)
    out.mkdir(parents=True, exist_ok=True)
    store = args.store or build_at(Path(tmp.name) / "store.gpkg")
    started = time.perf_counter()
    bundle = Bundle.load(store)
    print(f"load bundle: {time.perf_counter() - started:.2f} s  ({os.cpu_count()} CPUs)")
    for label, name, run in _jobs(bundle):
        _time_job(label, out / name, run, args.repeat)
    if not args.no_atlas:
        _time_atlas(bundle, out / "atlas.pdf")
    if args.out:
        print(f"files in {out}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
