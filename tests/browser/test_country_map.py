"""A country-sized map in a real headless Chromium: below ``look.detail_zoom`` (layers/map_paint)
assets/map.js draws the communes from their simplified geometry and nothing more; the full
geometry, the points, the groups and the names come a second after that first picture, as
their own sources and layers in their place, with the communes' colours.

A national store takes minutes to build and serve, so the province's page stands in for one:
its first page is answered with the paint spec a country-sized store gets (``detail_zoom`` and
the simplified communes' URL, which the app serves for every store), with a detail zoom just
above the province's first view in a small window, so the province shows as a country would.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

PATIENCE = 180_000
DETAIL_ZOOM = 8.5  # a half zoom (layers/map_paint.DETAIL_ZOOM); the first view is at ~7.8
MAP = "window.ntmMap.map()"


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory, start_server):
    with start_server(str(store_path), tmp_path_factory.mktemp("country-map")) as url:
        yield url + "/"


def _as_a_country(route) -> None:
    """The first page with the paint spec of a country-sized store."""
    response = route.fetch()
    page = response.json()

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props") or {}
            if props.get("id") == "map-paint":
                spec = props["data"]
                spec["look"]["detail_zoom"] = DETAIL_ZOOM
                full = spec["sources"]["communes"]
                spec["sources"]["communes_low"] = full.split(".geojson")[0] + "_low.geojson"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(page)
    route.fulfill(response=response, body=json.dumps(page))


def test_a_country_map_draws_its_details_after_the_communes(browser, server):
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.set_default_timeout(PATIENCE)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/_dash-layout", _as_a_country)
    page.goto(server)
    # First the communes alone, from the simplified geometry, every one coloured.
    page.wait_for_function(
        "() => { const s = window.ntmMap && window.ntmMap.state();"
        " return !!s && Object.keys(s.colours).length === 122; }"
    )
    first = page.evaluate("() => window.ntmMap.state()")
    assert page.evaluate("() => " + MAP + ".getZoom()") < DETAIL_ZOOM  # a country's first view
    assert "communes_2019_low.geojson" in first["sources"]["communes"]
    drawn = (
        "(() => { const m = "
        + MAP
        + "; return m.queryRenderedFeatures({layers: ['ntm-communes-fill']}); })()"
    )
    page.wait_for_function("() => " + drawn + ".length > 0")  # drawn from the simplified
    # Then the details' sources, added in the background, their layers in place.
    page.wait_for_function(
        "() => { const s = window.ntmMap.state();"
        " return ['communes_full', 'projects', 'groups', 'labels'].every(k => s.sources[k])"
        " && s.points.length > 0 && s.groups.length > 0; }"  # states set once their data came
    )
    state = page.evaluate("() => window.ntmMap.state()")
    assert "communes_2019.geojson" in state["sources"]["communes_full"]
    assert state["points"] and state["groups"]  # their feature states were set once added
    zooms = page.evaluate(
        "(ids) => { const m = " + MAP + ";"
        " return ids.map(id => { const l = m.getLayer(id);"
        " return l && [l.minzoom, l.maxzoom]; }); }",
        [
            "ntm-communes-fill",
            "ntm-communes-fill-full",
            "ntm-groups",
            "ntm-label-commune",
            "ntm-district-line",
        ],
    )
    low, full, groups, names, districts = zooms
    assert low[1] == DETAIL_ZOOM and full[0] == DETAIL_ZOOM  # one or the other, by zoom
    assert groups[0] == DETAIL_ZOOM and names[0] == DETAIL_ZOOM
    assert districts[0] in (None, 0)  # the outlines at every zoom
    order = state["layers"]
    assert order.index("ntm-communes-fill-full") < order.index("ntm-district-line")
    assert order.index("ntm-groups") < order.index("ntm-label-district")
    # Zoomed in to the details as a reader zooms (a move with an "originalEvent", which map.js's
    # fit keeps): the full communes carry the same colours (feature states), the groups show.
    page.evaluate(
        "() => " + MAP + ".jumpTo({zoom: " + str(DETAIL_ZOOM + 0.3) + "},"
        " {originalEvent: {type: 'wheel'}})"
    )
    page.wait_for_function(
        "() => { const m = " + MAP + "; if (!m.loaded() || !m.areTilesLoaded()) return false;"
        " const f = m.queryRenderedFeatures({layers: ['ntm-communes-fill-full']});"
        " const g = m.queryRenderedFeatures({layers: ['ntm-groups']}).filter(x => x.state.on);"
        " return f.length > 0 && f.every(x => x.state && x.state.fill) && g.length > 0; }"
    )
    assert errors == []
    page.close()
