"""In Chromium: the page draws with the custom plotly.js and never fetches Dash's full one (nor
Babel's polyfill); every figure of the page is valid against the bundle's own schema (a figure
using a trace type or a component the bundle left out fails here); the map is MapLibre's own
(assets/maplibre), fetched once, and plotly.js holds no map; the bundle is asked for only once the
map has drawn its first picture."""

from __future__ import annotations

import contextlib

import pytest

from dashboard import plotly_bundle as pb

pytestmark = pytest.mark.browser


def test_the_page_uses_the_custom_bundle(dashboard_gpkg, browser):
    with contextlib.nullcontext(dashboard_gpkg.rstrip("/")) as url:  # the shared server
        context = browser.new_context()
        context.add_init_script(
            "window.addEventListener('ntm-map-drawn',"
            " () => { window.__mapDrawnAt = performance.now(); });"
        )
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(url + "/")
        page.wait_for_function(
            "() => !!(window.ntmMap && window.ntmMap.map() && window.ntmMap.drawn())",
            timeout=120_000,
        )
        maplibre = page.evaluate("() => window.maplibregl.getVersion()")
        # the overview charts drawn too (bars in their SVG)
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot .barlayer .point').length > 0",
            timeout=120_000,
        )
        traces = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
        version = page.evaluate("() => window.Plotly.version")
        problems = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => [
                gd.closest('[id]') && gd.closest('[id]').id,
                gd.data.length,
                (window.Plotly.validate(gd.data, gd.layout) || [])
                  .filter(e => e.code === 'schema' || e.code === 'object' && !e.astr)
                  .map(e => e.msg),
            ])"""
        )
        regenerator = page.evaluate("() => typeof window.regeneratorRuntime.mark")
        # when the bundle was asked for, against when the map said it had drawn
        asked, drawn_at = page.evaluate(
            """(digest) => [performance.getEntriesByType('resource')
                .filter(e => e.name.includes(digest)).map(e => e.startTime),
                window.__mapDrawnAt]""",
            pb.bundle().digest,
        )
        context.close()
    assert traces == sorted(pb.bundle().traces) and "scattermap" not in traces
    assert maplibre == pb.maplibre().version
    assert len([u for u in urls if pb.maplibre().digest in u]) == 1
    assert version == pb.bundle().version
    # fetched once, by dcc.Graph's loader, after the map's first picture (not preloaded)
    assert len([u for u in urls if pb.bundle().digest in u]) == 1
    assert drawn_at is not None and len(asked) == 1 and asked[0] >= drawn_at, (asked, drawn_at)
    assert not [u for u in urls if u.endswith("plotly.min.js")]  # Dash's full bundle
    assert not [u for u in urls if "polyfill" in u]  # Babel's: regeneratorRuntime is ours
    for chunk in pb.FIRST_SCREEN_CHUNKS:  # preloaded, then used: fetched once, not twice
        assert len([u for u in urls if u.split("?")[0].endswith("/" + chunk)]) == 1, chunk
    assert not [m for m in console if "preloaded using link preload but not used" in m]
    assert regenerator == "function"
    assert len(problems) == 2 and all(n for _, n, _ in problems)  # the overview charts
    assert not [p for p in problems if p[2]], problems
