"""National scale, synthetic: the province store copied into a grid over Vietnam's extent.

    uv run python -m benchmarks.national --store FILE.gpkg [--copies 88] [--points 100000]

The 122 communes of Bắc Kạn (with their real vertex counts), their districts, crosswalk,
assignments and status rows are copied ``--copies`` times (88 copies: ~10,700 communes, about
Vietnam's number) in an 8-column grid from 102.2°E to 109.8°E and 12.3°N to 23.3°N, with new
codes; the projects are copied and jittered inside their commune to ``--points`` points. The
result goes through the same store, bundle and app. The benchmark then loads the real app over
the province store and over the national one in headless Chromium, interleaved, and prints
first load, change and server memory, national against province.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns holding a 5-digit commune code / a 3-digit district code / a record id.
COMMUNE_CODES = (
    "code",
    "commune_code",
    "code_2019",
    "code_2020",
    "code_2025",
    "overlay_2025_top",
)
DISTRICT_CODES = ("district_code",)
RECORD_IDS = ("assignment_id", "status_id")
COLUMNS = 8
#: How long the map must be quiet before a change is measured (ms; run_page's default is 700).
QUIET_MS = 2500
WEST, SOUTH, STEP_LON, STEP_LAT = 102.2, 12.3, 0.95, 1.0


def commune_code(code: object, k: int) -> object:
    """The code of a commune in copy ``k`` (Bắc Kạn's codes 01834–020xx differ in their last
    three digits, so these stay unique).

    >>> commune_code("01903", 0), commune_code("01903", 42)
    ('00903', '42903')
    """
    if not isinstance(code, str) or len(code) != 5:
        return code
    return f"{k:02d}{code[2:]}"


def district_code(code: object, k: int) -> object:
    """The code of a district in copy ``k`` (Bắc Kạn's are 058–066: nine per copy).

    >>> district_code("061", 3)
    '030'
    """
    if not isinstance(code, str) or not code.isdigit():
        return code
    return f"{k * 9 + int(code) - 58:03d}"


def area_code(code: object, k: int) -> object:
    """The code of a commune (5 digits) or a district (3 digits) in copy ``k``; any other
    value (a province's 2 digits, a missing code) is kept.

    >>> area_code("01903", 42), area_code("061", 3), area_code("06", 3), area_code(None, 3)
    ('42903', '030', '06', None)
    """
    if isinstance(code, str) and len(code) == 5:
        return commune_code(code, k)
    if isinstance(code, str) and len(code) == 3:
        return district_code(code, k)
    return code


def _copy(df: pd.DataFrame, k: int, dx: float, dy: float) -> pd.DataFrame:
    """Copy ``k`` of a table: new commune, district and record codes, geometry moved by
    (``dx``, ``dy``). Code columns are recoded whatever their dtype (pandas 3 reads text as
    ``str``, not ``object``: a dtype test once left every copy with the province's codes)."""
    out = df.copy()
    for col in COMMUNE_CODES:
        if col in out:
            out[col] = out[col].map(lambda v, k=k: area_code(v, k))
    for col in DISTRICT_CODES:
        if col in out:
            out[col] = out[col].map(lambda v, k=k: district_code(v, k))
    for col in RECORD_IDS:
        if col in out:
            out[col] = out[col].astype(str) + f"-{k:02d}"
    if "geometry" in out and hasattr(out, "translate"):
        out = out.set_geometry(out.geometry.translate(dx, dy))
    return out


def _offset(k: int, base) -> tuple[float, float]:
    """How far copy ``k`` moves from the province's bounds ``base``: to its cell of the grid
    (``COLUMNS`` wide, filled row by row from the south-west corner).

    >>> [round(v, 2) for v in _offset(9, (105.0, 21.0, 106.0, 22.0))]
    [-1.85, -7.7]
    """
    col, row = k % COLUMNS, k // COLUMNS
    return WEST + col * STEP_LON - base[0], SOUTH + row * STEP_LAT - base[1]


def national_tables(tables: dict[str, pd.DataFrame], copies: int, points: int):
    """The synthetic national tables from the province store's tables."""
    import geopandas as gpd

    base = tables["communes_2019"].total_bounds
    out: dict[str, pd.DataFrame] = {}
    keep = {"agencies", "assignments_aggregate", "projects_aggregate", "build_info", "neighbours"}
    for name, df in tables.items():
        if name in keep or name == "projects":
            continue
        parts = []
        for k in range(copies):
            parts.append(_copy(df, k, *_offset(k, base)))
        merged = pd.concat(parts, ignore_index=True)
        if isinstance(df, gpd.GeoDataFrame):
            merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=df.crs)
        out[name] = merged
    for name in keep & set(tables):
        out[name] = tables[name]
    if "build_info" in out:
        info = out["build_info"].copy()
        info.loc[len(info)] = {"key": "synthetic", "value": f"national x{copies}"}
        out["build_info"] = info
    out["projects"] = _points(tables["projects"], base, copies, points)
    return out


def _points(projects, base, copies: int, n: int):
    import geopandas as gpd

    rng = np.random.default_rng(10)
    per_copy = math.ceil(n / copies)
    reps = math.ceil(per_copy / max(1, len(projects)))
    parts = []
    for k in range(copies):
        one = _copy(projects, k, *_offset(k, base))
        parts.append(pd.concat([one] * reps, ignore_index=True).iloc[:per_copy])
    df = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=projects.crs).iloc[:n].copy()
    jitter = rng.uniform(-0.008, 0.008, size=(len(df), 2))
    df = df.set_geometry(
        gpd.points_from_xy(df.geometry.x + jitter[:, 0], df.geometry.y + jitter[:, 1]),
        crs=projects.crs,
    )
    df["project_id"] = [f"P{i:06d}" for i in range(len(df))]
    return df


def write_national_store(province: Path, out: Path, copies: int = 88, points: int = 100_000):
    """Write the synthetic national store built from ``province``; returns its path."""
    from geodata.store import GeoPackageStore

    src = GeoPackageStore(province)
    tables = {name: src.read(name) for name in src.list_layers()}
    GeoPackageStore(out).write_all(national_tables(tables, copies, points))
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.national", description=__doc__)
    p.add_argument("--store", type=Path, required=True, help="the province store (built)")
    p.add_argument("--copies", type=int, default=88)
    p.add_argument("--points", type=int, default=100_000)
    p.add_argument("--loads", type=int, default=2)
    p.add_argument("--out", type=Path, help="keep the national store here")
    p.add_argument("--national", type=Path, help="a national store made before (not rebuilt)")
    p.add_argument("--label", default="national", help="ends the results file's name")
    p.add_argument("--results", type=Path, help="folder of the results file (benchmarks/results)")
    return p


def _start_servers(stack, stores: dict[str, Path], tmp: Path) -> dict:
    """The real app over each store, one process each, entered on ``stack`` (stopped when it
    closes); name → (URL, process, seconds until it answered)."""
    from benchmarks.__main__ import _server

    started = {}
    for name, store in stores.items():
        t0 = time.perf_counter()
        # a national store's server starts in minutes on a busy machine
        url, proc = stack.enter_context(_server("real", str(store), tmp, f"{name}.log", 900))
        started[name] = (url, proc, time.perf_counter() - t0)
    return started


def _browse(urls: dict[str, str], counts: dict, districts: dict, loads: int) -> dict[str, list]:
    """``loads`` page loads of each app in headless Chromium, the two apps interleaved (and
    the order swapped every load) so a busy machine slows both alike; each load changes the
    district filter to one district and back. Name → the pages' figures."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser as bb
    from dashboard import ids
    from dashboard.headless import launch_chromium

    runs: dict[str, list] = {"province": [], "national": []}
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        for i in range(loads):
            for name in ("province", "national") if i % 2 == 0 else ("national", "province"):
                d = districts[name][i % len(districts[name])]
                expected = int(counts[name] * (0.9 if name == "national" else 1))
                # A country's map fetches its details (points, groups, full communes) a second
                # after it is first drawn (assets/map.js): each change is measured once the map
                # has been quiet for QUIET_MS, on both pages alike.
                page = bb.run_page(
                    chromium,
                    name,
                    urls[name],
                    expected,
                    ids.DISTRICT,
                    [[d], []],
                    quiet_ms=QUIET_MS,
                    wait_ms=600_000,
                )
                runs[name].append(page)
                changes = ", ".join(f"{(c['repaint_ms'] or 0) / 1000:.1f} s" for c in page.changes)
                drawn = page.drawn_ms / 1000
                print(f"  {name}: drawn {drawn:.1f} s, changes {changes}", flush=True)
        chromium.close()
    return runs


def _summary(runs: dict[str, list], counts: dict, started: dict, rss: dict) -> dict:
    """Each app's figures over its loads and changes (median and spread, by _stats)."""
    from benchmarks.__main__ import _stats

    summary = {}
    for name, pages in runs.items():
        changes = [c for p in pages for c in p.changes]
        summary[name] = {
            "communes": counts[name],
            "server_start_s": started[name][2],
            "drawn_s": _stats([p.drawn_ms / 1000 for p in pages]),
            "load_kib": _stats([sum(p.load_bytes.values()) / 1024 for p in pages]),
            "load_geojson_kib": _stats([p.load_bytes.get("geojson", 0) / 1024 for p in pages]),
            "frames": _stats([c["frames"] for c in changes]),
            "repaint_s": _stats([c["repaint_ms"] and c["repaint_ms"] / 1000 for c in changes]),
            "responses_s": _stats(
                [c["responses_ms"] and c["responses_ms"] / 1000 for c in changes]
            ),
            "change_kib": _stats([c["bytes"] / 1024 for c in changes]),
            "server_cpu_ms": _stats([c["server_cpu_ms"] for c in changes]),
            "rss_mib": rss[name]["rss_mib"],
        }
    return summary


def _print_table(summary: dict) -> None:
    """The medians side by side as a Markdown table, with national / province."""
    print("\n| figure | province | national | ratio |\n|---|---:|---:|---:|")
    for key, label in (
        ("drawn_s", "navigation → map drawn (s)"),
        ("load_kib", "bytes on first load (KiB)"),
        ("load_geojson_kib", "… of which GeoJSON (KiB)"),
        ("responses_s", "change → responses (s)"),
        ("repaint_s", "change → map repainted (s)"),
        ("change_kib", "bytes per change (KiB)"),
        ("frames", "frames per change"),
        ("server_cpu_ms", "server CPU per change (ms)"),
    ):
        a, b = summary["province"][key]["median"], summary["national"][key]["median"]
        ratio = f"{b / a:.1f}" if a and b else "–"
        print(f"| {label} | {a or 0:,.2f} | {b or 0:,.2f} | {ratio} |")
    for key, label in (("server_start_s", "server start (s)"), ("rss_mib", "server RSS (MiB)")):
        a, b = summary["province"][key], summary["national"][key]
        print(f"| {label} | {a:,.1f} | {b:,.1f} | {b / a:.1f} |")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from contextlib import ExitStack

    from benchmarks.__main__ import RESULTS, _store_facts, git_describe
    from benchmarks.load import rss_of_tree

    with tempfile.TemporaryDirectory(prefix="ntm-national-") as tmpdir:
        tmp = Path(tmpdir)
        national = args.national or args.out or tmp / "national.gpkg"
        if not args.national:
            t0 = time.perf_counter()
            write_national_store(args.store, national, args.copies, args.points)
            print(f"national store: {national} in {time.perf_counter() - t0:.0f} s", flush=True)
        stores = {"province": args.store, "national": national}
        facts = {name: _store_facts(store) for name, store in stores.items()}
        counts = {name: n for name, (n, _) in facts.items()}
        districts = {name: codes for name, (_, codes) in facts.items()}
        with ExitStack() as stack:
            started = _start_servers(stack, stores, tmp)
            urls = {name: url for name, (url, _proc, _s) in started.items()}
            runs = _browse(urls, counts, districts, args.loads)
            rss = {name: rss_of_tree(proc.pid) for name, (_url, proc, _s) in started.items()}
    summary = _summary(runs, counts, started, rss)
    _print_table(summary)
    folder = args.results or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime())
    path = folder / f"{stamp}-{args.label}.json"
    facts = {
        "summary": summary,
        "copies": args.copies,
        "points": args.points,
        "national_store": str(national),
        "loads": args.loads,
        "loadavg_end": os.getloadavg(),
        "git": git_describe(),
        "pages": {n: [vars(p) | {"request_bodies": None} for p in ps] for n, ps in runs.items()},
    }
    path.write_text(json.dumps(facts, indent=1))
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
