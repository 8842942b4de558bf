"""``uv run python -m benchmarks``: NTM Atlas against a naive Dash map app, side by side.

See benchmarks/README.md for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from dashboard.headless import NotAnswering, free_port, launch_chromium, wait_until_answers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--store", type=Path, help="a built store (default: build one from the mirror)")
    p.add_argument("--loads", type=int, default=12, help="cold page loads per app (default 12)")
    p.add_argument("--changes", type=int, default=4, help="district changes per load (default 4)")
    p.add_argument("--clients", type=int, default=50, help="load test: concurrent clients")
    p.add_argument("--seconds", type=float, default=20.0, help="load test: measured seconds")
    p.add_argument("--workers", type=int, default=2, help="load test: `serve --workers N`")
    p.add_argument("--no-load", action="store_true", help="skip the load test")
    p.add_argument(
        "--database",
        metavar="URL",
        help="run NTM Atlas (browser and load test) on this PostGIS database, after copying the "
        "store into it (the naive app keeps reading the GeoPackage)",
    )
    p.add_argument("--label", default="run", help="name of this run in the results file")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for the results JSON")
    p.add_argument(
        "--quick",
        action="store_true",
        help="one load and one change per app, a 1-second load test with 2 clients on the"
        " benchmark's own server (CI: it cannot rot)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.loads, args.changes, args.clients, args.seconds = 1, 1, 2, 1.0
    with tempfile.TemporaryDirectory(prefix="ntm-bench-") as tmpdir:
        tmp = Path(tmpdir)
        store = args.store or _build_store(tmp)
        result = run(store, tmp, args)
    print(table(result))
    print(f"\nwritten: {write_result(result, args.out, args.label)}")
    return 0


def write_result(result: dict, folder: Path, label: str) -> Path:
    """``result`` as ``folder/<its date, to the minute>Z-<label>.json``; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = result["date"].replace(":", "").replace("-", "")[:13]
    path = folder / f"{stamp}Z-{label}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return path


def git_describe() -> str | None:
    """The checkout the figures were measured on (``git describe --always --dirty``)."""
    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None


def _build_store(tmp: Path) -> Path:
    from geodata.build import build_at

    print(f"building a store from the mirror into {tmp / 'bench.gpkg'} …", flush=True)
    return build_at(tmp / "bench.gpkg")


@contextmanager
def _process(
    cmd: list[str], ready_url: str, log: Path, env: dict | None = None, wait_s: float = 180
):
    """A server subprocess, yielded once ``ready_url`` answers (within ``wait_s``);
    terminated afterwards."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        try:
            try:
                wait_until_answers(ready_url, proc, wait_s)
            except NotAnswering as e:
                msg = f"server did not start ({e}): {' '.join(cmd)}\n{log.read_text()[-3000:]}"
                raise RuntimeError(msg) from None
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def _server(app: str, store: str, tmp: Path, log_name: str, wait_s: float = 180):
    """``benchmarks.server`` serving ``app`` ("real" or "naive") over ``store`` on a free
    port; yields (its URL, its process) once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "benchmarks.server", app, store, str(port)]
    with _process(cmd, url + "/", tmp / log_name, wait_s=wait_s) as proc:
        yield url, proc


def _store_facts(store: Path) -> tuple[int, list[str]]:
    import pyogrio

    n = pyogrio.read_info(store, layer="communes_2019")["features"]
    d = pyogrio.read_dataframe(store, layer="districts", read_geometry=False)
    return int(n), sorted(d["code"].astype(str))


def _atlas_store(store: Path, database: str | None) -> str:
    """Where NTM Atlas reads: the GeoPackage, or the same data copied into PostGIS (the naive
    app keeps reading the GeoPackage)."""
    if not database:
        return str(store)
    from geodata.store import copy_store, open_store

    copy_store(open_store(store), open_store(database))
    return database


def _config(args: argparse.Namespace, store: Path, communes: int) -> dict:
    """What the run was asked to do, kept in the results beside its figures."""
    from benchmarks import browser as bb

    return {
        "loads": args.loads,
        "changes_per_load": args.changes,
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "quick": args.quick,
        "viewport": bb.VIEWPORT,
        "store": str(store),
        "atlas_store": "PostGIS" if args.database else "GeoPackage",
        "communes": communes,
    }


def run(store: Path, tmp: Path, args: argparse.Namespace) -> dict:
    """Both apps in the browser (interleaved), then the load test on ``ntm-atlas serve``."""
    from benchmarks.load import load_test, rss_of_tree

    expected, districts = _store_facts(store)
    atlas_store = _atlas_store(store, args.database)
    result: dict = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "label": args.label,
        "config": _config(args, store, expected),
        "machine": _machine(),
        "loadavg_start": os.getloadavg(),
    }
    with (
        _server("real", atlas_store, tmp, "atlas.log") as atlas,
        _server("naive", str(store), tmp, "naive.log") as naive,
    ):
        servers = {"atlas": atlas, "naive": naive}
        pages, bodies, result["versions"] = _browse(servers, args, expected, districts)
        result["rss_after_browser"] = {
            app: rss_of_tree(proc.pid) for app, (_u, proc) in servers.items()
        }
        if args.quick and not args.no_load:
            # CI: the load test's code on the server already running (no second server).
            url, proc = servers["atlas"]
            load = load_test(url, _view_requests(bodies), args.clients, args.seconds, warmup=0)
            result["load"] = load | {"rss": rss_of_tree(proc.pid), "command": "benchmark server"}
    result["pages"] = {
        app: [vars(p) | {"request_bodies": None} for p in runs] for app, runs in pages.items()
    }
    result["summary"] = summarise(pages)
    if not args.no_load and not args.quick:
        result["load"] = _load(store, tmp, args, _view_requests(bodies))
    result["loadavg_end"] = os.getloadavg()
    return result


def _browse(servers: dict, args: argparse.Namespace, expected: int, districts: list[str]):
    """``args.loads`` cold loads of each app with ``args.changes`` district changes each, the
    apps interleaved (the order swapped every load) so a busy machine slows both alike.
    Returns the pages' figures by app, NTM Atlas's callback request bodies (the load test
    replays them) and the browser's and libraries' versions."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser as bb
    from benchmarks import naive_app
    from dashboard import ids

    controls = {"atlas": ids.DISTRICT, "naive": naive_app.DISTRICT_ID}
    pages: dict[str, list] = {"atlas": [], "naive": []}
    bodies: list[str] = []
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        versions = _versions(chromium.version)
        # One untimed load each: the server's first-request work (glyphs, caches) is not
        # what a visitor of a running server pays.
        for app, (url, _proc) in servers.items():
            if not args.quick:
                bb.run_page(chromium, app, url, expected, controls[app], [])
        for i in range(args.loads):
            order = ("atlas", "naive") if i % 2 == 0 else ("naive", "atlas")
            wanted = [
                districts[(i * args.changes + k) % len(districts)] for k in range(args.changes)
            ]
            for app in order:
                url, _proc = servers[app]
                values = [[d] for d in wanted] if app == "atlas" else wanted
                page = bb.run_page(chromium, app, url, expected, controls[app], values)
                pages[app].append(page)
                if app == "atlas":
                    bodies.extend(page.request_bodies)
                repaints = ", ".join(
                    f"{(c['repaint_ms'] or float('nan')) / 1000:.2f}" for c in page.changes
                )
                print(
                    f"  load {i + 1}/{args.loads} {app:5s}: drawn {page.drawn_ms / 1000:.2f} s,"
                    f" repaint {repaints}",
                    flush=True,
                )
        chromium.close()
    return pages, bodies, versions


def _view_requests(bodies: list[str]) -> list[str]:
    """The district-change requests of the callback that redraws the map (the heaviest)."""
    view = [b for b in bodies if '"map.figure' in b or "map.figure" in json.loads(b)["output"]]
    main = [b for b in view if "legend" in json.loads(b)["output"]] or view
    return main or bodies


def _load(store: Path, tmp: Path, args: argparse.Namespace, bodies: list[str]) -> dict:
    from benchmarks.load import load_test, rss_of_tree

    port = free_port()
    help_text = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    cmd = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    if "--workers" in help_text:
        cmd += ["--workers", str(args.workers)]
    env = {"NTM_ATLAS_DATA": str(store), "NTM_ATLAS_CACHE": str(tmp / "serve-cache")}
    if args.database:
        env["NTM_ATLAS_DATABASE_URL"] = args.database
    url = f"http://127.0.0.1:{port}"
    with _process(cmd, url + "/", tmp / "serve.log", env) as proc:
        out = load_test(url, bodies, clients=args.clients, seconds=args.seconds, warmup=3.0)
        out["rss"] = rss_of_tree(proc.pid)
        out["command"] = " ".join(cmd[2:])
    return out


# ----------------------------------------------------------------------------- summary
def _stats(values: list[float]) -> dict:
    v = sorted(x for x in values if x is not None)
    if not v:
        return {"n": 0, "median": None, "p95": None}
    return {
        "n": len(v),
        "median": statistics.median(v),
        "p95": v[min(len(v) - 1, round(0.95 * (len(v) - 1)))],
        "min": v[0],
        "max": v[-1],
    }


KINDS = ("js", "layout", "callbacks", "geojson", "css", "glyphs", "other")


def summarise(pages: dict[str, list]) -> dict:
    out = {}
    for app, runs in pages.items():
        changes = [c for r in runs for c in r.changes]
        s = {
            "drawn_s": _stats([r.drawn_ms / 1000 for r in runs]),
            **_first_load_stats(runs),
            "load_kib": _stats([sum(r.load_bytes.values()) / 1024 for r in runs]),
            "load_requests": _stats([r.load_requests for r in runs]),
            "layout_server_ms": _stats([r.layout_server_ms for r in runs]),
            "responses_s": _stats(
                [c["responses_ms"] and c["responses_ms"] / 1000 for c in changes]
            ),
            "repaint_s": _stats([c["repaint_ms"] and c["repaint_ms"] / 1000 for c in changes]),
            "frames": _stats([c["frames"] for c in changes]),
            "change_kib": _stats([c["bytes"] / 1024 for c in changes]),
            "change_requests": _stats([c["requests"] for c in changes]),
            "server_cpu_ms": _stats([c["server_cpu_ms"] for c in changes]),
        }
        for kind in KINDS:
            s[f"load_{kind}_kib"] = _stats([r.load_bytes.get(kind, 0) / 1024 for r in runs])
        out[app] = s
    return out


#: The first load's steps (benchmarks.browser.FIRST_RESULT) in the summary and the table.
FIRST_STEPS = (
    ("scripts_ms", "page scripts run", 1000),
    ("layout_ms", "layout received", 1000),
    ("plotly_ms", "plotly.js run", 1000),
    ("map_ms", "MapLibre map created", 1000),
    ("first_frame_ms", "first map frame", 1000),
    ("frames", "map frames until drawn", 1),
    ("drawn_polled_ms", "drawn, as a 50 ms poll saw it", 1000),
)


def _first_load_stats(runs: list) -> dict:
    out = {}
    for key, _label, scale in FIRST_STEPS:
        values = [(getattr(r, "first_load", None) or {}).get(key) for r in runs]
        out[f"first_{key}"] = _stats([v / scale for v in values if v is not None])
    return out


ROWS = (
    ("navigation → map drawn (s)", "drawn_s", "{:.2f}"),
    *(
        (f"  … {label} ({'s' if scale == 1000 else 'n'})", f"first_{key}", "{:.2f}")
        for key, label, scale in FIRST_STEPS
    ),
    ("bytes on first load (KiB)", "load_kib", "{:,.0f}"),
    *(
        (f"  … {k} (KiB)", f"load_{k}_kib", "{:,.1f}")
        for k in ("js", "layout", "callbacks", "geojson", "css", "glyphs", "other")
    ),
    ("requests on first load", "load_requests", "{:.0f}"),
    ("/_dash-layout on the server (ms)", "layout_server_ms", "{:.0f}"),
    ("change → responses (s)", "responses_s", "{:.3f}"),
    ("change → map repainted (s)", "repaint_s", "{:.3f}"),
    ("frames per change", "frames", "{:.0f}"),
    ("bytes per change (KiB)", "change_kib", "{:.1f}"),
    ("requests per change", "change_requests", "{:.0f}"),
    ("server CPU per change (ms)", "server_cpu_ms", "{:.0f}"),
)


def table(result: dict) -> str:
    """The run as one Markdown table (medians, p95 and the ratio of the medians)."""
    s = result["summary"]
    lines = [
        f"NTM Atlas vs naive Dash map — {result['date']} UTC, {result['label']},"
        f" {result['config']['loads']} loads × {result['config']['changes_per_load']} changes"
        f" per app, load average {result['loadavg_start'][0]:.1f}",
        "",
        "| figure | naive median | naive p95 | NTM Atlas median | NTM Atlas p95 | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, key, fmt in ROWS:
        a, n = s["atlas"][key], s["naive"][key]

        def f(x, fmt=fmt):
            return "–" if x is None else fmt.format(x)

        ratio = (
            f"{a['median'] / n['median']:.2f}" if a["median"] is not None and n["median"] else "–"
        )
        lines.append(
            f"| {label} | {f(n['median'])} | {f(n['p95'])} | {f(a['median'])} | {f(a['p95'])}"
            f" | {ratio} |"
        )
    load = result.get("load")
    if load:
        rss = load["rss"]
        lines += [
            "",
            f"Load test (`{load['command']}`, {load['clients']} clients on the district-change"
            f" request, {load['seconds']:.0f} s, loopback): {load['req_per_s']:.1f} req/s,"
            f" median {_s(load['median_s'])}, p95 {_s(load['p95_s'])}, max {_s(load['max_s'])},"
            f" {load['errors']} errors; server {rss['processes']} process(es),"
            f" RSS {rss['rss_mib']:.0f} MiB (PSS {rss['pss_mib']:.0f} MiB)",
        ]
    return "\n".join(lines)


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s"


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    except OSError:
        mem = "0"
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def _versions(chromium: str) -> dict:
    out = {"chromium": chromium}
    for name in (
        "dash",
        "plotly",
        "flask",
        "werkzeug",
        "pandas",
        "geopandas",
        "playwright",
        "gunicorn",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    from plotly.offline import get_plotlyjs_version

    out["plotly.js (Dash's, naive)"] = get_plotlyjs_version()
    out["git"] = git_describe()
    return out


if __name__ == "__main__":
    raise SystemExit(main())
