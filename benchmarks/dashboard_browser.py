"""What the dashboard costs a browser: bytes on first load and on one filter change, and the
time from navigation to the map being drawn, in headless Chromium (Debian's).

    uv run python benchmarks/dashboard_browser.py [--store PATH] [--runs 3]

Without ``--store`` a store is built from the mirror (``NTM_ATLAS_MIRROR``) into a temporary
folder. The server is the real app (``create_app(settings).run``) in a subprocess on a free
localhost port. Bytes are counted with the DevTools protocol: ``encodedDataLength`` is what
came over the wire: the response bodies as the server sent them (compressed), counted by a small
WSGI wrapper in the benchmark's server process, so the requests of MapLibre's web workers count
too; "decoded" is the page's own responses after decompression (DevTools).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.browser import INIT
from dashboard.headless import free_port, launch_chromium, wait_until_answers

GD = "document.getElementById('map')"
#: The page's MapLibre map (assets/map.js makes it in the #map box).
M = "window.ntmMap && window.ntmMap.map()"
READY = (
    "() => { const m = " + M + ";"
    " if (!(m && m.loaded() && m.areTilesLoaded() && m.getSource('ntm-communes'))) return false;"
    " const painted = window.ntmMap.state();"  # map.js: a colour set per commune
    " if (!painted || Object.keys(painted.colours).length < 122) return false;"
    " const f = m.querySourceFeatures('ntm-communes');"
    " return new Set(f.map(x => x.properties.code)).size === 122; }"
)
#: True once no callback request is in flight (benchmarks.browser.INIT counts them), map.js has
#: applied at least ``painted`` paint specs (the #map box's dataset.ntmPainted) and the map is
#: still with every tile loaded: the page has drawn what the last change asked for.
SETTLED = (
    "(painted) => { const gd = " + GD + "; const m = " + M + ";"
    " return window.__benchNet.inflight === 0 && Number(gd.dataset.ntmPainted || 0) >= painted"
    " && !!m && m.loaded() && !m.isMoving() && m.areTilesLoaded(); }"
)
PAINTED = "() => Number(" + GD + ".dataset.ntmPainted || 0)"
SERVER = """
import json, sys
from geodata.settings import Settings
from dashboard.app import create_app

app = create_app(Settings(store_path=sys.argv[1], cache_dir=sys.argv[2]))
inner = app.server.wsgi_app
log = []


def counting(environ, start_response):
    # Body bytes as sent (after compression), per request; /_bench/take returns and clears them.
    path = environ.get("PATH_INFO", "")
    if path == "/_bench/take":
        body = json.dumps(log).encode()
        log.clear()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    sent = int(environ.get("CONTENT_LENGTH") or 0)

    def run():
        n = 0
        for chunk in inner(environ, start_response):
            n += len(chunk)
            yield chunk
        log.append([path, n, sent])

    return run()


app.server.wsgi_app = counting
app.run(host="127.0.0.1", port=int(sys.argv[3]), debug=False)
"""


class Traffic:
    """Bytes per request as the server sent them (response bodies after compression, request
    bodies), which counts the requests of MapLibre's web workers too; and the decompressed size
    of the page's own responses, from DevTools."""

    def __init__(self, url: str, cdp) -> None:
        self.url = url
        self.rows: list[tuple[str, int, int]] = []
        self.decoded: dict[str, int] = {}
        cdp.on("Network.dataReceived", self._data)

    def _data(self, e) -> None:
        self.decoded[e["requestId"]] = self.decoded.get(e["requestId"], 0) + e["dataLength"]

    def take(self) -> None:
        with urllib.request.urlopen(self.url + "_bench/take") as r:
            self.rows.extend(tuple(x) for x in json.loads(r.read()))

    def reset(self) -> None:
        self.take()
        self.rows.clear()
        self.decoded.clear()

    def summary(self) -> dict[str, int]:
        self.take()
        return {
            "requests": len(self.rows),
            "received_wire": sum(n for _p, n, _s in self.rows),
            "received_decoded": sum(self.decoded.values()),
            "sent_bodies": sum(s for _p, _n, s in self.rows),
        }

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for path, n, _s in self.rows:
            path = path.lstrip("/")
            kind = (
                "geojson"
                if path.startswith("geo/")
                else "glyphs"
                if path.startswith("glyphs/")
                else "callbacks"
                if "_dash-update-component" in path
                else "layout"
                if "_dash-layout" in path or "_dash-dependencies" in path
                else "javascript"
                if path.endswith(".js")
                else "css"
                if path.endswith(".css")
                else "page"
                if path == ""
                else "other"
            )
            out[kind] = out.get(kind, 0) + n
        return out


def _store(path: str | None, tmp: Path) -> Path:
    if path:
        return Path(path)
    from geodata.build import build_store
    from geodata.settings import Settings

    settings = Settings.from_env().with_store(tmp / "bench.gpkg")
    build_store(settings)
    return settings.store_path


def main() -> int:
    """Cold loads, one district and one vintage change (first load only), warm loads."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a built store (default: build one from the mirror)")
    parser.add_argument("--runs", type=int, default=3, help="cold page loads to time")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpdir, _serving(args.store, Path(tmpdir)) as url:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            cold = _cold_loads(browser, url, args.runs)
            warm = _warm_loads(browser, url, args.runs)
            browser.close()
    _report(cold, warm)
    return 0


@contextlib.contextmanager
def _serving(store_path: str | None, tmp: Path):
    """The dashboard over the store in a subprocess on a free port, warmed (its glyph files
    are rendered on first request); yields its URL."""
    store = _store(store_path, tmp)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(store), str(tmp / "cache"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answers(url, proc, 180)
        for r in ("0-255", "256-511", "7680-7935"):
            urllib.request.urlopen(f"{url}glyphs/Open%20Sans%20Regular/{r}.pbf").read()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _cold_loads(browser, url: str, runs: int) -> dict:
    """``runs`` loads with the HTTP cache off; on the first, a district and a vintage change."""
    times, out = [], {}
    for run in range(runs):
        context = browser.new_context(viewport={"width": 1600, "height": 1150})
        context.add_init_script(INIT)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        traffic = Traffic(url, cdp)
        traffic.reset()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(READY, timeout=60_000, polling=50)
        times.append(time.perf_counter() - started)
        page.wait_for_load_state("networkidle")
        if run == 0:
            page.wait_for_function(SETTLED, arg=0, polling=50)
            out["first"] = (traffic.summary(), traffic.by_kind())
            out.update(_changes(page, traffic))
        context.close()
    return {**out, "times": times}


def _changes(page, traffic: Traffic) -> dict:
    """One district change (Chợ Đồn, typed into the dropdown) and one vintage change (2025:
    new geometry by URL), with their traffic."""
    traffic.reset()
    page.click("#f-district")
    page.wait_for_function("() => document.activeElement.type === 'search'")
    page.keyboard.type("Chợ Đồn")
    page.wait_for_function(
        "() => (document.querySelector('.dash-dropdown-option') || {}).innerText"
        " === 'Huyện Chợ Đồn'"
    )
    painted = page.evaluate(PAINTED)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#cards').innerText.includes('/ 22')")
    seconds = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    page.wait_for_function(SETTLED, arg=painted + 1, polling=50)  # the change's spec drawn
    change = (traffic.summary(), traffic.by_kind())
    traffic.reset()
    painted = page.evaluate(PAINTED)
    page.evaluate("() => window.dash_clientside.set_props('vintage', {value: 2025})")
    page.wait_for_function(  # assets/map.js painted the 37 units
        "() => Object.keys((window.ntmMap.state() || {colours: {}}).colours).length === 37"
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_function(SETTLED, arg=painted + 1, polling=50)
    return {
        "change": change,
        "filter_seconds": seconds,
        "vintage": (traffic.summary(), traffic.by_kind()),
    }


def _warm_loads(browser, url: str, runs: int) -> list[float]:
    """A returning visitor: same browser profile, HTTP cache kept (the first load fills it)."""
    warm = []
    context = browser.new_context(viewport={"width": 1600, "height": 1150})
    for _ in range(runs + 1):
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(READY, timeout=60_000, polling=50)
        warm.append(time.perf_counter() - started)
        page.close()
    context.close()
    return warm[1:]


def _kb(n: int) -> str:
    return f"{n / 1024:.1f} KiB"


def _traffic_lines(title: str, summary: dict, kinds: dict, extra: str = "") -> None:
    print(title)
    print(
        f"  requests: {summary['requests']}, sent {_kb(summary.get('sent_bodies', 0))}, received"
        f" over the wire {_kb(summary['received_wire'])} (decoded"
        f" {_kb(summary['received_decoded'])}){extra}"
    )
    print("  by kind (wire): " + ", ".join(f"{n} {_kb(v)}" for n, v in sorted(kinds.items())))


def _report(cold: dict, warm: list[float]) -> None:
    times = cold["times"]
    _traffic_lines("First load (cold cache)", *cold["first"])
    print(
        f"  navigation → map drawn (122 communes rendered): median {statistics.median(times):.2f} s"
        f" over {len(times)} cold loads (min {min(times):.2f}, max {max(times):.2f})"
    )
    print(
        f"  returning visitor (HTTP cache): median {statistics.median(warm):.2f} s"
        f" over {len(warm)} loads"
    )
    seconds = cold["filter_seconds"]
    _traffic_lines(
        "One filter change (district Chợ Đồn)",
        *cold["change"],
        f"; cards updated {seconds:.2f} s after the choice",
    )
    _traffic_lines("One vintage change (to 2025, 37 units)", *cold["vintage"])


if __name__ == "__main__":
    raise SystemExit(main())
