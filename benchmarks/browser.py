"""Driving one app in headless Chromium: a cold page load, then district changes.

Everything is timed inside the page (``performance.now()``), so Playwright's own latency does
not count: navigation → map drawn is the first frame MapLibre draws with every commune polygon
in its source (all choropleth traces together: the naive app splits them by class; NTM Atlas's
own communes source, each commune painted), checked as each frame is drawn (a 50 ms poll is
kept as a fallback and in the results: it comes late when other work follows the frame on the
page's main thread); change → responses is
the last ``_dash-update-component`` response after the change; change → map repainted is the
last MapLibre ``idle`` event after it, and frames are MapLibre ``render`` events that drew
(a frame assets/map.js held back, ``map._ntmHeld``, draws nothing and is not counted).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field

VIEWPORT = {"width": 1440, "height": 900}

#: Installed before any page script: counts the Dash callback requests in flight.
INIT = """
(() => {
  performance.setResourceTimingBufferSize(100000);
  const net = window.__benchNet = {inflight: 0, lastEnd: 0};
  const orig = window.fetch.bind(window);
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    if (!url.includes('_dash-update-component')) return orig(input, init);
    net.inflight++;
    return orig(input, init).then(r => {
      r.clone().arrayBuffer().finally(() => { net.inflight--; net.lastEnd = performance.now(); });
      return r;
    }, e => { net.inflight--; net.lastEnd = performance.now(); throw e; });
  };
})();
"""
#: The page's MapLibre map: NTM Atlas's own (``window.ntmMap.map()``, assets/map.js) or the
#: naive app's Plotly map subplot's.
MAP_OF = """
const ntm = window.ntmMap && window.ntmMap.map && window.ntmMap.map();
const gd = document.querySelector('#map .js-plotly-plot');
const sub = !ntm && gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
const m = ntm || (sub && sub.map);
"""
#: Installed before any page script: when the page's plotly.js ran, when the MapLibre map
#: was made, and the map's frames (MapLibre ``render`` events that drew: assets/map.js holds
#: the frames before its first picture is complete, ``map._ntmHeld``) until it is drawn.
FIRST = (
    """
(() => {
  const f = window.__benchFirst = {frames: 0};
  const tick = () => {
    if (f.plotly_ms === undefined && window.Plotly) f.plotly_ms = performance.now();
"""
    + MAP_OF
    + """
    if (!m) { setTimeout(tick, 20); return; }
    f.map_ms = performance.now();
    m.on('render', () => {
      if (f.stop || m._ntmHeld) return;  // a frame assets/map.js held back draws nothing
      f.frames++;
      if (f.first_frame_ms === undefined) f.first_frame_ms = performance.now();
      // the frame that draws the map complete (DRAWN, checked as the frame is drawn: a poll
      // can come late when other work follows the frame in the page's main thread)
      if (f.drawn_frame_ms === undefined && window.__benchDrawn
          && window.__benchDrawn(window.__benchExpected)) f.drawn_frame_ms = performance.now();
    });
  };
  tick();
})();
"""
)
#: The first load's steps (ms from navigation), read once the map is drawn.
FIRST_RESULT = """
() => {
  const f = window.__benchFirst || {};
  f.stop = true;
  const nav = performance.getEntriesByType('navigation')[0];
  const layout = performance.getEntriesByType('resource')
    .find(e => e.name.includes('_dash-layout'));
  return {scripts_ms: nav ? nav.domInteractive : null,
    layout_ms: layout ? layout.responseEnd : null, plotly_ms: f.plotly_ms ?? null,
    map_ms: f.map_ms ?? null,
    first_frame_ms: f.first_frame_ms ?? null, frames: f.frames ?? null,
    drawn_frame_ms: f.drawn_frame_ms ?? null};
}
"""
MAP = MAP_OF
#: performance.now() once every commune polygon is in MapLibre's sources (and, for NTM Atlas,
#: whose assets/map.js paints the communes by feature state, once every commune has its
#: colour and map.js has drawn its first picture), else false.
DRAWN = (
    "(expected) => {"
    + MAP
    + """
  if (!(m && m.loaded() && m.areTilesLoaded())) return false;
  const seen = new Set();
  if (ntm) {
    // not while assets/map.js still holds its first picture back (nothing drawn yet)
    if (!m.getSource('ntm-communes') || m._ntmHold) return false;
    const painted = window.ntmMap && window.ntmMap.state();
    if (!painted || Object.keys(painted.colours).length < expected) return false;
    for (const f of m.querySourceFeatures('ntm-communes')) seen.add(f.properties.code);
    return seen.size >= expected ? performance.now() : false;
  }
  const layers = m.getStyle().layers;
  for (const tr of gd._fullData) {
    const shown = tr.visible === true && (tr.locations || []).length;
    if (tr.type !== 'choroplethmap' || !shown) continue;
    const layer = layers.find(l => l.id === 'plotly-trace-layer-' + tr.uid + '-fill');
    if (!layer) return false;
    for (const f of m.querySourceFeatures(layer.source)) seen.add(JSON.stringify(f.properties.ct));
  }
  return seen.size >= expected ? performance.now() : false;
}"""
)
#: Hooks MapLibre's render and idle events (again if Plotly made a new map object).
HOOK = (
    "() => {"
    + MAP
    + """
  // t0: quiet is counted from the hook at least (SETTLED), not from the last response before
  // it: a country's map adds its details a second after its first picture, and a change
  // made before that measured the details' loading too (issue 10, session 7)
  const now = performance.now();
  const b = window.__bench = window.__bench || {renders: 0, idles: [], last: now, t0: now};
  if (m && !m.__benchHooked) {
    m.__benchHooked = true;
    // a frame assets/map.js held back (map._ntmHeld) drew nothing: not counted
    m.on('render', () => { if (!m._ntmHeld) b.renders++; b.last = performance.now(); });
    m.on('idle', () => { b.idles.push(performance.now()); b.last = performance.now(); });
  }
  return !!m;
}"""
)
CHANGE = """
(a) => {
  const b = window.__bench;
  b.renders = 0; b.idles = []; b.t0 = performance.now(); b.last = b.t0;
  window.dash_clientside.set_props(a.id, {value: a.value});
}
"""
#: True once the callbacks are answered and the map has been quiet for ``quiet`` ms.
SETTLED = (
    "(quiet) => {"
    + MAP
    + """
  (window.__benchHookFn || (() => 0))();
  const b = window.__bench, n = window.__benchNet, now = performance.now();
  return n.inflight === 0 && now - Math.max(b.last, n.lastEnd, b.t0) > quiet
    && !!m && m.loaded() && !m.isMoving() && m.areTilesLoaded();
}"""
)
RESULT = """
() => {
  const b = window.__bench;
  const cb = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component') && e.startTime >= b.t0);
  return {
    responses_ms: cb.length ? Math.max(...cb.map(e => e.responseEnd)) - b.t0 : null,
    // The last MapLibre idle after the change; if none fired, the last frame drawn.
    repaint_ms: b.idles.length ? b.idles[b.idles.length - 1] - b.t0
      : (b.renders ? b.last - b.t0 : null),
    frames: b.renders,
    idles: b.idles.length,
    requests: cb.length,
  };
}
"""


def take(url: str) -> list[list]:
    """The server's per-request log since the last call (see :mod:`benchmarks.server`)."""
    with urllib.request.urlopen(url + "/_bench/take", timeout=30) as r:
        return json.loads(r.read())


def kind_of(path: str) -> str:
    """What a request fetched, for the bytes-by-kind columns.

    >>> [kind_of(p) for p in ("/", "/_dash-layout", "/geo/x.geojson", "/a/b.js", "/x.css")]
    ['layout', 'layout', 'geojson', 'js', 'css']
    """
    p = path.lstrip("/")
    if p.startswith("geo/"):
        return "geojson"
    if "_dash-update-component" in p:
        return "callbacks"
    if p == "" or "_dash-layout" in p or "_dash-dependencies" in p:
        return "layout"
    if p.endswith(".js"):
        return "js"
    if p.endswith(".css"):
        return "css"
    if p.startswith("glyphs/"):
        return "glyphs"
    return "other"


@dataclass
class PageRun:
    """One cold load and the changes made on that page."""

    app: str
    drawn_ms: float
    load_bytes: dict[str, int]
    load_requests: int
    layout_server_ms: float | None
    #: the first load's steps (:data:`FIRST_RESULT`): scripts run, layout received, plotly.js
    #: run, map created, first frame (ms from navigation), frames until drawn
    first_load: dict = field(default_factory=dict)
    changes: list[dict] = field(default_factory=list)
    request_bodies: list[str] = field(default_factory=list)


def run_page(
    browser,
    app: str,
    url: str,
    expected: int,
    control: str,
    changes: list,
    quiet_ms: int = 700,
    wait_ms: int = 180_000,
) -> PageRun:
    """A cold load of ``url`` (new context, HTTP cache off) and one district change per item
    of ``changes`` (the value to set on the district control); each wait gives up after
    ``wait_ms`` (the national benchmark allows more)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT)
    context.add_init_script(f"window.__benchExpected = {int(expected)};")
    context.add_init_script(f"window.__benchDrawn = {DRAWN};")
    context.add_init_script(FIRST)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: (
            bodies.append(r.post_data or "")
            if "_dash-update-component" in r.url and r.method == "POST"
            else None
        ),
    )
    try:
        take(url)
        page.goto(url + "/")
        drawn = page.wait_for_function(DRAWN, arg=expected, polling=50, timeout=wait_ms)
        polled_ms = float(drawn.json_value())
        first_load = page.evaluate(FIRST_RESULT)
        # drawn: the frame that drew it complete; the poll's moment when no frame was seen
        frame_ms = first_load.get("drawn_frame_ms")
        drawn_ms = min(polled_ms, frame_ms) if frame_ms is not None else polled_ms
        first_load["drawn_polled_ms"] = polled_ms
        page.wait_for_load_state("networkidle")
        page.evaluate(HOOK)
        page.evaluate("() => { window.__benchHookFn = " + HOOK + "; }")
        page.wait_for_function(SETTLED, arg=quiet_ms, polling=100, timeout=wait_ms)
        rows = take(url)
        by_kind: dict[str, int] = {}
        for path, n, *_ in rows:
            by_kind[kind_of(path)] = by_kind.get(kind_of(path), 0) + n
        layout = [r[4] * 1000 for r in rows if r[0].endswith("_dash-layout")]
        run = PageRun(app, drawn_ms, by_kind, len(rows), layout[0] if layout else None, first_load)
        for value in changes:
            bodies.clear()
            run.changes.append(_change(page, url, control, value, quiet_ms, wait_ms))
            run.request_bodies.extend(bodies)
        return run
    finally:
        context.close()


def _change(page, url: str, control: str, value, quiet_ms: int, wait_ms: int) -> dict:
    """Set ``control`` to ``value``; the change's figures once the map has settled."""
    page.evaluate(CHANGE, {"id": control, "value": value})
    page.wait_for_function(SETTLED, arg=quiet_ms, polling=100, timeout=wait_ms)
    result = page.evaluate(RESULT)
    rows = take(url)
    result["bytes"] = sum(r[1] for r in rows)
    result["bytes_sent"] = sum(r[2] for r in rows)
    result["server_cpu_ms"] = 1000 * sum(r[3] for r in rows if "_dash-update-component" in r[0])
    result["value"] = value
    return result
