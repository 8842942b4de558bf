"""In Chromium: the page draws with the custom plotly.js and never fetches Dash's full one (nor
Babel's polyfill); every figure of the page is valid against the bundle's own schema (a figure
using a trace type or a component the bundle left out fails here)."""

from __future__ import annotations

import contextlib

import pytest

from dashboard import plotly_bundle as pb

pytestmark = pytest.mark.browser


def test_the_page_uses_the_custom_bundle(dashboard_gpkg, browser):
    with contextlib.nullcontext(dashboard_gpkg.rstrip("/")) as url:  # the shared server
        context = browser.new_context()
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(url + "/")
        page.wait_for_function(
            "() => { const gd = document.querySelector('#map .js-plotly-plot');"
            " return !!(gd && gd._fullLayout && gd._fullLayout.map); }",
            timeout=120_000,
        )
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
        context.close()
    assert traces == sorted(pb.bundle().traces)
    assert version == pb.bundle().version
    # preloaded, then run by dcc.Graph's loader from the preload: fetched once
    assert len([u for u in urls if pb.bundle().digest in u]) == 1
    assert not [u for u in urls if u.endswith("plotly.min.js")]  # Dash's full bundle
    assert not [u for u in urls if "polyfill" in u]  # Babel's: regeneratorRuntime is ours
    for chunk in pb.FIRST_SCREEN_CHUNKS:  # preloaded, then used: fetched once, not twice
        assert len([u for u in urls if u.split("?")[0].endswith("/" + chunk)]) == 1, chunk
    assert not [m for m in console if "preloaded using link preload but not used" in m]
    assert regenerator == "function"
    assert len(problems) >= 3 and all(n for _, n, _ in problems)  # map and overview charts
    assert not [p for p in problems if p[2]], problems
