"""What the dashboard costs a browser: bytes on first load and on one filter change, and the
time from navigation to the map being drawn, in headless Chromium (Debian's).

    uv run python benchmarks/dashboard_browser.py [--store PATH] [--runs 3]

Without ``--store`` a store is built from the mirror (``NTM_ATLAS_MIRROR``) into a temporary
folder. The server is the real app (``create_app(settings).run``) in a subprocess on a free
localhost port. Bytes are counted with the DevTools protocol: ``encodedDataLength`` is what
came over the wire (compressed, with headers); "decoded" is the body after decompression.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
GD = "document.querySelector('#map .js-plotly-plot')"
READY = (
    "() => { const gd = " + GD + "; const m = gd && gd._fullLayout && gd._fullLayout.map"
    " && gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;"
    " if (!(m && m.loaded() && m.areTilesLoaded())) return false;"
    " const layer = m.getStyle().layers.find(l => l.id === 'plotly-trace-layer-'"
    " + gd._fullData[0].uid + '-fill');"
    " if (!layer) return false;"
    " const f = m.querySourceFeatures(layer.source);"
    " return new Set(f.map(x => JSON.stringify(x.properties.ct))).size === 122; }"
)
SERVER = """
import sys
from geodata.settings import Settings
from dashboard.app import create_app
create_app(Settings(store_path=sys.argv[1], cache_dir=sys.argv[2])).run(
    host="127.0.0.1", port=int(sys.argv[3]), debug=False)
"""


class Traffic:
    """Bytes per request, from the DevTools Network domain."""

    def __init__(self, cdp) -> None:
        self.urls: dict[str, str] = {}
        self.sent: dict[str, int] = {}
        self.wire: dict[str, int] = {}
        self.decoded: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)

    def _request(self, e) -> None:
        rid = e["requestId"]
        self.urls[rid] = e["request"]["url"]
        self.sent[rid] = len((e["request"].get("postData") or "").encode())

    def _data(self, e) -> None:
        self.decoded[e["requestId"]] = self.decoded.get(e["requestId"], 0) + e["dataLength"]

    def _finished(self, e) -> None:
        self.wire[e["requestId"]] = int(e["encodedDataLength"])

    def reset(self) -> None:
        self.urls.clear(), self.sent.clear(), self.wire.clear(), self.decoded.clear()

    def summary(self) -> dict[str, int]:
        return {
            "requests": len(self.urls),
            "received_wire": sum(self.wire.values()),
            "received_decoded": sum(self.decoded.values()),
            "sent_bodies": sum(self.sent.values()),
        }

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rid, url in self.urls.items():
            path = url.split("?")[0].split("/", 3)[-1]
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
            out[kind] = out.get(kind, 0) + self.wire.get(rid, 0)
        return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _store(path: str | None, tmp: Path) -> Path:
    if path:
        return Path(path)
    from geodata.build import build_store
    from geodata.settings import Settings

    settings = Settings.from_env().with_store(tmp / "bench.gpkg")
    build_store(settings)
    return settings.store_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a built store (default: build one from the mirror)")
    parser.add_argument("--runs", type=int, default=3, help="cold page loads to time")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        store = _store(args.store, tmp)
        port = _port()
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(store), str(tmp / "cache"), str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            # Warm the server (glyph files are rendered on first request, then cached).
            for r in ("0-255", "256-511", "7680-7935"):
                urllib.request.urlopen(f"{url}glyphs/Open%20Sans%20Regular/{r}.pbf").read()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                times, first = [], None
                for run in range(args.runs):
                    context = browser.new_context(viewport={"width": 1600, "height": 1150})
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    traffic = Traffic(cdp)
                    started = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function(READY, timeout=60_000, polling=50)
                    times.append(time.perf_counter() - started)
                    page.wait_for_load_state("networkidle")
                    if run == 0:
                        first = (traffic.summary(), traffic.by_kind())
                        # One filter change: district Chợ Đồn.
                        traffic.reset()
                        started = time.perf_counter()
                        page.click("#f-district")
                        page.keyboard.type("Chợ Đồn")
                        page.keyboard.press("Enter")
                        page.wait_for_function(
                            "() => document.querySelector('#cards').innerText.includes('/ 22')"
                        )
                        filter_seconds = time.perf_counter() - started
                        page.wait_for_load_state("networkidle")
                        time.sleep(0.5)
                        change = (traffic.summary(), traffic.by_kind())
                        # And a vintage change (new geometry by URL).
                        traffic.reset()
                        page.click("#vintage input[value='2025']")
                        page.wait_for_function("() => " + GD + ".data[0].locations.length === 37")
                        page.wait_for_load_state("networkidle")
                        time.sleep(0.5)
                        vintage = (traffic.summary(), traffic.by_kind())
                    context.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def kb(n: int) -> str:
        return f"{n / 1024:.1f} KiB"

    s, k = first
    print("First load (cold cache)")
    print(
        f"  requests: {s['requests']}, received over the wire: {kb(s['received_wire'])}"
        f" (decoded {kb(s['received_decoded'])})"
    )
    print("  by kind (wire): " + ", ".join(f"{n} {kb(v)}" for n, v in sorted(k.items())))
    print(
        f"  navigation → map drawn (122 communes rendered): median {statistics.median(times):.2f} s"
        f" over {len(times)} cold loads (min {min(times):.2f}, max {max(times):.2f})"
    )
    s, k = change
    print("One filter change (district Chợ Đồn)")
    print(
        f"  requests: {s['requests']}, sent {kb(s['sent_bodies'])}, received over the wire"
        f" {kb(s['received_wire'])} (decoded {kb(s['received_decoded'])});"
        f" cards updated after {filter_seconds:.2f} s"
    )
    print("  by kind (wire): " + ", ".join(f"{n} {kb(v)}" for n, v in sorted(k.items())))
    s, k = vintage
    print("One vintage change (to 2025, 37 units)")
    print(
        f"  requests: {s['requests']}, sent {kb(s['sent_bodies'])}, received over the wire"
        f" {kb(s['received_wire'])} (decoded {kb(s['received_decoded'])})"
    )
    print("  by kind (wire): " + ", ".join(f"{n} {kb(v)}" for n, v in sorted(k.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
