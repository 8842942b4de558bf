"""Regenerate the dashboard screenshots in docs/img/screens/ (every view at 1366×768, 1440×900
and a 390×844 phone) and docs/screenshot.png (the README's picture).

    uv run python docs/make_screenshots.py [--store FILE] [--size phone-390x844 ...]

Starts the real app on a free local port over the store (built from the mirror or the
network when no ``--store`` is given) and drives Debian's Chromium with Playwright. Each
screenshot is taken once the page shows the state it is meant to show (the map drawn and
fitted, the detail panel filled, the legend in the right language...), never after a pause.
Images are quantised to 256 colours to keep the repository small.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from dashboard.headless import NotAnswering, free_port, launch_chromium, wait_until_answers

HERE = Path(__file__).resolve().parent
OUT = HERE / "img" / "screens"
SIZES = {"1366x768": (1366, 768), "1440x900": (1440, 900), "phone-390x844": (390, 844)}
READY = (
    "() => { const m = window.ntmMap && window.ntmMap.map();"
    " return !!(m && m.loaded() && m.areTilesLoaded()"
    " && document.getElementById('map').dataset.ntmFitted); }"
)
SCT = "Sở Công Thương tỉnh Bắc Kạn"
#: name, URL query, what to wait for (a CSS selector or a JS predicate), what to do after
VIEWS = (
    ("01-map", "", "#legend [data-key=sponsored]", None),
    ("02-commune-selected", "?sel=02023", "#detail [data-commune='02023']", None),
    ("03-sponsor-filter", "?s=" + SCT, "#legend [data-key=chosen]", None),
    ("04-project-kind-bridge", "?pk=bridge", "#legend [data-key=match]", None),
    ("05-gaps-on-the-map", "?m=gaps", "#legend [data-key=covered]", None),
    ("06-gap-tables", "?sel=02065", "#detail [data-commune='02065']", "gaps"),
    ("07-english-district", "?lang=en&d=064&m=n_projects", "#legend [data-key='6+']", None),
    ("08-empty-state", "?st=completed", "#empty-state h2", None),
    ("09-filters-drawer", "", "#legend [data-key=sponsored]", "filters"),
    ("10-legend-drawer", "", "#legend [data-key=sponsored]", "legend"),
)
SERVER = """
import sys
from geodata.settings import Settings
from dashboard.app import create_app
settings = Settings(store_path=sys.argv[1], cache_dir=sys.argv[2])
create_app(settings).run(host="127.0.0.1", port=int(sys.argv[3]), debug=False)
"""


def _save(png: bytes, path: Path) -> None:
    im = Image.open(io.BytesIO(png)).convert("RGB")
    im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    im.save(path, optimize=True)
    print(f"{path.relative_to(HERE.parent)}: {path.stat().st_size / 1024:.0f} KiB")


def shoot(base: str, sizes: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for size in sizes:
            w, h = SIZES[size]
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.set_default_timeout(180_000)
            for name, query, wait, then in VIEWS:
                if then in ("filters", "legend") and w > 800:
                    continue  # the drawers are a phone's
                page.goto(base + "/" + query)
                page.wait_for_function(READY)
                # On a phone the legend starts folded into its drawer: present, not shown.
                page.wait_for_selector(wait, state="attached")
                if then == "gaps":
                    page.click(
                        "#tabs >> text="
                        + ("Gaps" if "lang=en" in query else "Xã chưa có đơn vị giúp đỡ")
                    )
                    page.wait_for_selector("#gap-table tbody tr")
                    page.locator("#gap-table").scroll_into_view_if_needed()
                if then == "filters":
                    page.click("#filters-toggle")
                    page.wait_for_selector("#filters-panel", state="visible")
                if then == "legend":
                    page.click("#legend-toggle")
                    page.wait_for_selector("#legend [data-key=sponsored]", state="visible")
                page.wait_for_function(READY)
                _save(page.screenshot(), OUT / f"{name}-{size}.png")
                if name == "01-map" and size == "1440x900":
                    _save(page.screenshot(), HERE / "screenshot.png")
            ctx.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--size", action="append", choices=SIZES, help="only these (default: all)")
    args = parser.parse_args()
    from geodata.build import build_at

    tmp = tempfile.TemporaryDirectory()
    store = args.store or build_at(Path(tmp.name) / "store.gpkg")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(store), str(Path(tmp.name) / "cache"), str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:  # a loaded machine starts it slowly
            wait_until_answers(base + "/", proc, 900)
        except NotAnswering as e:
            raise SystemExit(f"the dashboard did not start: {e}") from None
        shoot(base, args.size or list(SIZES))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
