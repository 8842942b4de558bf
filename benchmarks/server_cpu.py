"""``uv run python -m benchmarks.server_cpu --store F``: server CPU per filter change, cache off.

A reader's change of a control makes the page post one ``/_dash-update-component`` request
per callback that follows it: the view (map patch, legend, cards, charts, tables), the detail
panel and the URL sync (and the translations on a language change). This script posts those
requests, built from the app's own callback map, through the real Flask/Dash stack in this
process (no network, no browser) for a realistic sequence of distinct states — each of the
districts, all of them again, a sponsor, a project kind, a status, a measure switch, the three
boundary vintages, English — and measures the thread CPU time of each request.

The response cache (``dashboard/response_cache.py``) answers a request body it has seen from
memory; what this measures is a miss, so every request goes to a host name of its own (the
cache keys by host and body): the answer is computed each time, as for a state nobody asked
for before. ``--profile`` runs the sequence once more under cProfile and prints the functions
that take the time.

Prints a table of CPU ms per state (median and p95 over ``--repeat`` passes) and writes
``benchmarks/results/<date>-server-cpu-<label>.json`` with every sample.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import io
import itertools
import json
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
ENDPOINT = "/_dash-update-component"


# ----------------------------------------------------------------------------- requests
def _outputs(key: str) -> list[dict[str, str]]:
    """The outputs of a callback map key ("..a.children...b.figure@hash.." or "a.children")."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    out = []
    for part in parts:
        cid, prop = part.rsplit(".", 1)
        out.append({"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop})
    return out


def control_values(state: Mapping[str, Any]) -> dict[str, Any]:
    """The page's component values ("id.prop" → value) of a view state (dashboard.state keys)."""
    from dashboard import state as st

    return {f"{f.control}.{f.prop}": state.get(f.key) for f in st.FIELDS}


def callback_body(
    app, key: str, values: Mapping[str, Any], changed: list[str], extra: Mapping | None = None
) -> dict[str, Any]:
    """The JSON body Dash's renderer posts for callback ``key``: every input and state with its
    value from ``values`` ("id.prop" → value; ``extra`` for the others), ``changed`` the
    "id.prop" that triggered it."""
    spec = app.callback_map[key]
    known = {**values, **(extra or {})}

    def filled(deps: list[dict]) -> list[dict]:
        return [
            {
                "id": d["id"],
                "property": d["property"],
                "value": known.get(f"{d['id']}.{d['property']}"),
            }
            for d in deps
        ]

    return {
        "output": key,
        "outputs": [
            {"id": o["id"], "property": o["property"].split("@")[0]} for o in _outputs(key)
        ],
        "inputs": filled(spec["inputs"]),
        "state": filled(spec["state"]),
        "changedPropIds": changed,
    }


def change_requests(
    app, before: Mapping[str, Any], after: Mapping[str, Any], tab: str = "overview"
) -> list[tuple[str, dict]]:
    """(callback name, body) of every request the page posts when the controls go from the
    view state ``before`` to ``after`` with the tab ``tab`` open below the map: one per
    server callback with a changed control among its inputs (the view, the details, the URL
    sync, the translations, …; clientside callbacks cost the server nothing), the most
    outputs first. A callback is named by its first output's component id."""
    from dashboard import ids
    from dashboard import state as st

    old, new = control_values(before), control_values(after)
    changed = {k for k in new if new[k] != old[k]}
    years = after.get("y")
    extra = {
        f"{ids.URL}.search": st.encode(before, tuple(years) if years else (2015, 2025)),
        f"{ids.RESET}.n_clicks": None,
        f"{ids.TABS}.value": tab,
        **_pattern_ids(app),
    }
    out = []
    for key, spec in app.callback_map.items():
        fired = changed & {f"{d['id']}.{d['property']}" for d in spec["inputs"]}
        if "callback" in spec and fired:
            body = callback_body(app, key, new, sorted(fired), extra)
            first = body["outputs"][0]["id"]
            out.append((first if isinstance(first, str) else first["type"], body))
    return sorted(out, key=lambda named: -len(named[1]["outputs"]))


def view_request(requests: list[tuple[str, dict]]) -> dict:
    """The request of a change that redraws the legend, the map and the panels (the heaviest)."""
    from dashboard import ids

    for _name, body in requests:
        if any(o["id"] == ids.LEGEND for o in body["outputs"]):
            return body
    return requests[0][1]


@functools.cache
def _pattern_ids(app) -> dict[str, list[dict]]:
    """Values of the pattern-matching ids the callbacks read as state (``{"type": "i18n",
    "key": ALL}.id``) as the page holds them: every component of the layout of that type
    (the layout is built once per app)."""
    from dashboard.app import serve_layout

    context = app.server.extensions["ntm_atlas.bench_context"]
    found: dict[str, list[dict]] = {}
    for node in _walk(serve_layout(context)):
        cid = getattr(node, "id", None)
        if isinstance(cid, dict):
            found.setdefault(cid.get("type"), []).append(cid)
    out = {}
    for spec in app.callback_map.values():
        for dep in spec["state"]:
            if dep["id"].startswith("{") and dep["property"] == "id":
                kind = json.loads(dep["id"])["type"]
                out[f"{dep['id']}.{dep['property']}"] = found.get(kind, [])
    return out


def _walk(component) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


# ----------------------------------------------------------------------------- states
def states(bundle) -> list[tuple[str, dict[str, Any]]]:
    """The sequence of view states a reader goes through, each with a label: every district,
    all districts, a sponsor, a project kind, a status, a measure switch, the three vintages,
    English. Each state differs from the one before (a real change)."""
    from dashboard import state as st
    from geodata import coverage

    years = coverage.year_bounds(bundle)
    state = st.default_state(years)
    seq: list[tuple[str, dict[str, Any]]] = [("default", dict(state))]

    def step(label: str, **changes: Any) -> None:
        state.update(changes)
        seq.append((label, dict(state)))

    districts = bundle.tables["districts"].sort_values("code")
    for code, name in zip(districts["code"], districts["name"], strict=True):
        step(f"district {name}", d=[code])
    step("all districts", d=[])
    sponsor = bundle.assignments["sponsor_name"].value_counts().index[0]
    step("a sponsor", s=[sponsor])
    kind = bundle.projects["kind"].value_counts().index[0]
    step(f"project kind {kind}", s=[], pk=[kind])
    recorded = bundle.projects["status"].dropna().value_counts()
    status = recorded.index[0] if len(recorded) else "unknown"  # "unknown": none recorded
    step(f"status {status}", pk=[], st=[status])
    step("measure n_projects", st=[], m="n_projects")
    for vintage in (2020, 2025, 2019):
        step(f"vintage {vintage}", v=vintage)
    step("language en", lang="en")
    return seq


# ----------------------------------------------------------------------------- running
def make_app(store: Path, tmp: Path):
    """The real app over the store (glyphs not warmed: no request here needs them)."""
    from dashboard.app import _context, create_app
    from dashboard.i18n import Translations
    from geodata.bundle import Bundle
    from geodata.settings import Settings

    bundle = Bundle.load(store)
    settings = Settings(store_path=store, cache_dir=tmp / "cache")
    app = create_app(settings, bundle, warm_glyphs=False)
    app.server.extensions["ntm_atlas.bench_context"] = _context(bundle, Translations.load(), "")
    return app, bundle


class Poster:
    """Posts callback requests, each to a host name never used before (a response-cache miss),
    and returns the thread CPU ms of each."""

    def __init__(self, app, bundle) -> None:
        self.client = app.server.test_client()
        self.bundle = bundle
        self.n = 0

    def post(self, body: dict) -> float:
        self.n += 1
        data = json.dumps(body)
        t0 = time.thread_time()
        response = self.client.post(
            ENDPOINT,
            data=data,
            content_type="application/json",
            base_url=f"http://miss{self.n}.bench",
        )
        ms = (time.thread_time() - t0) * 1000
        if response.status_code not in (200, 204):
            msg = f"{body['output'][:60]}… answered {response.status_code}: {response.data[:300]!r}"
            raise RuntimeError(msg)
        return ms


def one_pass(poster: Poster, plan) -> list[dict[str, Any]]:
    """Every change of the plan once: per state, the CPU ms of each request and their sum.
    The views a pass before computed are forgotten first (``View.of`` keeps the last few, so
    that a measure or language switch reuses the view of the same filters)."""
    from geodata.view import View

    View.forget(poster.bundle)
    out = []
    for label, requests in plan:
        ms: dict[str, float] = {}
        for name, body in requests:
            ms[name] = ms.get(name, 0.0) + poster.post(body)
        out.append({"state": label, "ms": ms, "total": sum(ms.values())})
    return out


def profile(poster: Poster, plan, top: int) -> str:
    """The plan once under cProfile: the functions of this project by cumulative time and
    every function by own time."""
    prof = cProfile.Profile()
    prof.enable()
    one_pass(poster, plan)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(r"/(geodata|layers|dashboard)/", top)
    stats.sort_stats("tottime").print_stats(top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    return "\n".join(ln.replace(str(ROOT) + "/", "") for ln in lines)


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))]


def summary(passes: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rows = []
    for i, first in enumerate(passes[0]):
        totals = [p[i]["total"] for p in passes]
        by = {k: statistics.median(p[i]["ms"][k] for p in passes) for k in first["ms"]}
        rows.append(
            {
                "state": first["state"],
                "median_ms": statistics.median(totals),
                "p95_ms": _pct(totals, 0.95),
                "by_callback_median_ms": by,
            }
        )
    return rows


def table(rows: list[dict[str, Any]], all_totals: list[float]) -> str:
    lines = [
        "| state | CPU ms median | p95 | by request (median ms) |",
        "|---|---:|---:|---|",
    ]
    for r in rows:
        by = ", ".join(f"{k} {v:.1f}" for k, v in r["by_callback_median_ms"].items())
        lines.append(f"| {r['state']} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {by} |")
    lines.append(
        f"| **all changes** | **{statistics.median(all_totals):.1f}** |"
        f" **{_pct(all_totals, 0.95):.1f}** | |"
    )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.server_cpu", description=__doc__.split("\n")[0]
    )
    p.add_argument("--store", type=Path, help="a built store (default: build one from the mirror)")
    p.add_argument("--repeat", type=int, default=7, help="passes over the states (default 7)")
    p.add_argument("--profile", action="store_true", help="one more pass under cProfile")
    p.add_argument("--top", type=int, default=25, help="functions the profile prints")
    p.add_argument(
        "--tab",
        default="overview",
        help="the tab open below the map: overview (the page's default) or gaps (the tables)",
    )
    p.add_argument("--label", default="server-cpu", help="name of the results file")
    p.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    return p


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import _build_store, git_describe, write_result

    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ntm-cpu-") as tmpdir:
        tmp = Path(tmpdir)
        if args.store is None:
            args.store = _build_store(tmp)
        app, bundle = make_app(args.store, tmp)
        seq = states(bundle)
        plan = [
            (label, change_requests(app, before, after, args.tab))
            for (_l, before), (label, after) in itertools.pairwise(seq)
        ]
        poster = Poster(app, bundle)
        one_pass(poster, plan)  # warm-up: imports, first-call caches
        load0 = os.getloadavg()
        passes = [one_pass(poster, plan) for _ in range(args.repeat)]
        prof = profile(poster, plan, args.top) if args.profile else None
    rows = summary(passes)
    totals = [s["total"] for p in passes for s in p]
    print(table(rows, totals))
    if prof:
        print("\n" + prof)
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "store": str(args.store),
        "git": git_describe(),
        "repeat": args.repeat,
        "tab": args.tab,
        "loadavg": [load0, os.getloadavg()],
        "median_ms": statistics.median(totals),
        "p95_ms": _pct(totals, 0.95),
        "states": rows,
        "samples": passes,
        "profile": prof,
    }
    path = write_result(result, args.out, args.label)
    print(f"\nall changes: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
